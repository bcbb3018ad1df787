"""Numbered schema migrations. Append, never edit a released one: the number is the position."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.store.connection import Connection


def _m001_initial(db: Connection) -> None:
    db.execute(
        "CREATE TABLE notices (version TEXT PRIMARY KEY, language TEXT NOT NULL, "
        "text TEXT NOT NULL, first_shown_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE visits (id TEXT PRIMARY KEY, site TEXT NOT NULL, kiosk_id TEXT NOT NULL, "
        "host_id TEXT NOT NULL, purpose TEXT NOT NULL, purpose_text TEXT NOT NULL DEFAULT '', "
        "name TEXT NOT NULL, email TEXT NOT NULL, language TEXT NOT NULL, "
        "notice_version TEXT NOT NULL REFERENCES notices(version), "
        "checked_in_at TEXT NOT NULL, purge_after TEXT NOT NULL, checked_out_at TEXT)"
    )
    db.execute("CREATE INDEX visits_purge_after ON visits (purge_after)")
    db.execute("CREATE INDEX visits_on_site ON visits (checked_out_at, checked_in_at)")
    db.execute(
        "CREATE TABLE acknowledgements (visit_id TEXT PRIMARY KEY "
        "REFERENCES visits(id) ON DELETE CASCADE, "
        "notice_version TEXT NOT NULL REFERENCES notices(version), acknowledged_at TEXT NOT NULL)"
    )
    # Outbox rows hold no personal data: workers read the visit when they run, so erasing the
    # visit (cascade) also cancels whatever was still queued for it.
    db.execute(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, "
        "visit_id TEXT NOT NULL REFERENCES visits(id) ON DELETE CASCADE, kind TEXT NOT NULL, "
        "created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, "
        "done_at TEXT)"
    )
    db.execute("CREATE INDEX outbox_pending ON outbox (kind, done_at)")
    db.execute(
        "CREATE TABLE daily_counts (day TEXT NOT NULL, site TEXT NOT NULL, "
        "purpose TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (day, site, purpose))"
    )


def _m002_checkout_and_revocations(db: Connection) -> None:
    db.execute("ALTER TABLE visits ADD COLUMN checkout_kind TEXT")
    # Badge tokens of checked-out visits. Only a visit id and times: no personal data. Kept until
    # the token would have expired anyway, then purged.
    db.execute(
        "CREATE TABLE revocations (visit_id TEXT PRIMARY KEY, revoked_at TEXT NOT NULL, "
        "purge_after TEXT NOT NULL)"
    )


def _m003_hosts_companies_and_retries(db: Connection) -> None:
    db.execute(
        "CREATE TABLE hosts (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
        "department TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '', "
        "notify TEXT NOT NULL DEFAULT '[]', language TEXT NOT NULL DEFAULT '', "
        "active INTEGER NOT NULL DEFAULT 1, company_id TEXT NOT NULL DEFAULT '')"
    )
    db.execute("ALTER TABLE visits ADD COLUMN company_id TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE acknowledgements ADD COLUMN company_notice_version TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN expires_at TEXT")


def _m004_audit(db: Connection) -> None:
    # Who did what, when: ids and actions only, never a name or an email. Each row's hash
    # covers the previous row's hash, so an edited or deleted row breaks the chain.
    db.execute(
        "CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, "
        "actor TEXT NOT NULL, record TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', "
        "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
    )


def _m005_field_retention_and_requests(db: Connection) -> None:
    db.execute("ALTER TABLE visits ADD COLUMN email_purge_after TEXT")
    db.execute("ALTER TABLE visits ADD COLUMN notes_purge_after TEXT")
    db.execute("CREATE INDEX visits_email_purge ON visits (email_purge_after)")
    db.execute("CREATE INDEX visits_notes_purge ON visits (notes_purge_after)")
    # Rights requests, by receipt id: which visits an erasure removed (ids only), for the hub.
    db.execute(
        "CREATE TABLE erase_requests (receipt TEXT PRIMARY KEY, requested_at TEXT NOT NULL, "
        "visit_ids TEXT NOT NULL, sent_to_hub_at TEXT)"
    )
    # When old audit rows are purged, the hash of the last removed row anchors the chain.
    db.execute("CREATE TABLE audit_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), hash TEXT)")


def _m006_staff(db: Connection) -> None:
    # Front-desk staff: a PIN hashed with scrypt (memory-hard), never the PIN itself.
    db.execute(
        "CREATE TABLE staff (id TEXT PRIMARY KEY, name TEXT NOT NULL, salt TEXT NOT NULL, "
        "pin_hash TEXT NOT NULL, created_at TEXT NOT NULL)"
    )
    # Wrong PINs in a row and the lock they caused; kept in the file so a restart does not reset.
    db.execute(
        "CREATE TABLE staff_lockout (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "failures INTEGER NOT NULL, locked_until TEXT)"
    )


def _m007_deny_list(db: Connection) -> None:
    # Keyed hashes (HMAC-SHA-256 with the site's deny key) of normalised name and email: enough to
    # recognise a person, useless to read one back. The reason is staff's own words.
    db.execute(
        "CREATE TABLE deny_list (id TEXT PRIMARY KEY, name_hash TEXT, name_tokens_hash TEXT, "
        "email_hash TEXT, email_local_hash TEXT, reason TEXT NOT NULL, created_at TEXT NOT NULL, "
        "expires_at TEXT, created_by TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE staff_alerts (id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, "
        "deny_id TEXT, visit_id TEXT, seen_at TEXT)"
    )


def _m008_counts_by_department(db: Connection) -> None:
    # Anonymous counts now also by the host's department (for reports); the old rows carry on
    # with an empty department.
    db.execute(
        "CREATE TABLE visit_counts (day TEXT NOT NULL, site TEXT NOT NULL, purpose TEXT NOT NULL, "
        "department TEXT NOT NULL, count INTEGER NOT NULL, "
        "PRIMARY KEY (day, site, purpose, department))"
    )
    db.execute(
        "INSERT INTO visit_counts (day, site, purpose, department, count) "
        "SELECT day, site, purpose, '', count FROM daily_counts"
    )
    db.execute("DROP TABLE daily_counts")


def _m009_how_the_notice_was_given(db: Connection) -> None:
    # "screen": the guest read and accepted it on the kiosk; "paper": staff record that they gave
    # the guest the printed notice (an assisted check-in), stated as such.
    db.execute("ALTER TABLE acknowledgements ADD COLUMN given TEXT NOT NULL DEFAULT 'screen'")
    db.execute("ALTER TABLE acknowledgements ADD COLUMN recorded_by TEXT NOT NULL DEFAULT 'guest'")


def _m010_invitations(db: Connection) -> None:
    # Expected visits. Personal data like a visit's, deleted once the invitation's day is over
    # (or with the visit it became).
    db.execute(
        "CREATE TABLE invitations (code TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, "
        "host_id TEXT NOT NULL, starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, "
        "created_at TEXT NOT NULL, created_by TEXT NOT NULL, used_by_visit TEXT)"
    )
    db.execute("CREATE INDEX invitations_ends ON invitations (ends_at)")


def _m011_sync_events(db: Connection) -> None:
    # What a 'sync' job reports to the hub: the check-in, or the check-out of the same visit.
    db.execute("ALTER TABLE outbox ADD COLUMN event TEXT NOT NULL DEFAULT 'checkin'")


def _m012_hub_exchange(db: Connection) -> None:
    # Check-outs staff made here of visits another kiosk of the site checked in (seen through the
    # hub's on-site list): only the visit id and the time, until the hub has them.
    db.execute(
        "CREATE TABLE remote_checkouts (visit_id TEXT PRIMARY KEY, checked_out_at TEXT NOT NULL, "
        "staff TEXT NOT NULL, sent_at TEXT, last_error TEXT)"
    )
    # Small named values the sync keeps between runs (the hub's check-out cursor).
    db.execute("CREATE TABLE sync_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # Deny entries travel through the hub so every kiosk of the site refuses the same people:
    # pushed_at is when the hub got this entry (or when it came from the hub); a removal is kept
    # until the hub has heard of it.
    db.execute("ALTER TABLE deny_list ADD COLUMN pushed_at TEXT")
    db.execute(
        "CREATE TABLE deny_removals (id TEXT PRIMARY KEY, removed_at TEXT NOT NULL, pushed_at TEXT)"
    )


def _m013_outbox_by_visit(db: Connection) -> None:
    # Erasing a visit cascades to its outbox rows; without this index every cascaded delete
    # scanned the whole outbox, and purges slowed as the store aged.
    db.execute("CREATE INDEX outbox_visit ON outbox (visit_id)")


def _m014_partial_indexes(db: Connection) -> None:
    """Indexes over only the rows their queries look for: visits still on site, fields with a
    deadline still to come, jobs still open. What the purge deletes (old visits, checked out,
    their field deadlines already passed, their jobs finished) is in none of them, so each
    deleted visit touches four b-trees fewer."""
    for index in ("visits_on_site", "visits_email_purge", "visits_notes_purge", "outbox_pending"):
        db.execute(f"DROP INDEX IF EXISTS {index}")
    db.execute("CREATE INDEX visits_on_site ON visits (checked_in_at) WHERE checked_out_at IS NULL")
    for deadline, index in (
        ("email_purge_after", "visits_email_purge"),
        ("notes_purge_after", "visits_notes_purge"),
    ):
        db.execute(f"CREATE INDEX {index} ON visits ({deadline}) WHERE {deadline} IS NOT NULL")
    db.execute("CREATE INDEX outbox_pending ON outbox (kind, id) WHERE done_at IS NULL")


def _m015_acknowledgement_on_the_visit(db: Connection) -> None:
    """A visit has exactly one acknowledgement (the notice accepted before anything was stored),
    written and erased with it, so it is kept on the visit's own row rather than in a table of
    its own: an erased visit cannot leave its acknowledgement behind, and a purge deletes from
    one b-tree fewer per visit (measured beside a guest checking in: 178k -> 200k visits/s)."""
    for column in (
        "acknowledged_at TEXT",
        "company_notice_version TEXT",
        "notice_given TEXT NOT NULL DEFAULT 'screen'",
        "notice_recorded_by TEXT NOT NULL DEFAULT 'guest'",
    ):
        db.execute(f"ALTER TABLE visits ADD COLUMN {column}")
    db.execute(
        "UPDATE visits SET acknowledged_at = a.acknowledged_at, "
        "company_notice_version = a.company_notice_version, notice_given = a.given, "
        "notice_recorded_by = a.recorded_by FROM acknowledgements AS a WHERE a.visit_id = visits.id"
    )
    db.execute("DROP TABLE acknowledgements")


def _m016_audit_by_action(db: Connection) -> None:
    """The two questions asked of the audit trail as the kiosk runs are about one action each:
    at every print, whether the visit's badge was printed before; at every start, the config's
    last fingerprint. The trail is kept for ``[retention] audit_days`` (a year by default, ten
    at most), and unindexed each question read all of it: on a year's trail of a busy lobby
    (550,000 entries) 127 ms a print, and 6.4 s at start."""
    db.execute("CREATE INDEX audit_by_action ON audit (action, record)")


def _m017_deny_list_by_hash(db: Connection) -> None:
    """Every check-in asks the deny list about the guest, by the guest's four keyed hashes. Read
    whole, a site's list of 1,000 entries took 3.3-4.9 ms of each check-in."""
    for column in ("name_hash", "name_tokens_hash", "email_hash", "email_local_hash"):
        db.execute(f"CREATE INDEX deny_by_{column} ON deny_list ({column})")


# Numbered migrations: append, never edit a released one. The number is the list position.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    _m001_initial,
    _m002_checkout_and_revocations,
    _m003_hosts_companies_and_retries,
    _m004_audit,
    _m005_field_retention_and_requests,
    _m006_staff,
    _m007_deny_list,
    _m008_counts_by_department,
    _m009_how_the_notice_was_given,
    _m010_invitations,
    _m011_sync_events,
    _m012_hub_exchange,
    _m013_outbox_by_visit,
    _m014_partial_indexes,
    _m015_acknowledgement_on_the_visit,
    _m016_audit_by_action,
    _m017_deny_list_by_hash,
)
