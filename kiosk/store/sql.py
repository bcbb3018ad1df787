"""The SQL statements of the hot paths, written once (a check-in is the latency the guest waits
on, and sqlite3 caches each statement it has prepared by its text)."""

_INSERT_NOTICE = (
    "INSERT OR IGNORE INTO notices (version, language, text, first_shown_at) "
    "VALUES (:version, :language, :text, :first_shown_at)"
)
# A visit with its acknowledgement: the notice version accepted (notice_version), when, the
# host's company's notice if any, where it was read ("screen" or "paper") and by whom.
_INSERT_VISIT = (
    "INSERT INTO visits (id, site, kiosk_id, host_id, purpose, purpose_text, name, email, "
    "language, notice_version, checked_in_at, purge_after, checked_out_at, checkout_kind, "
    "company_id, email_purge_after, notes_purge_after, acknowledged_at, company_notice_version, "
    "notice_given, notice_recorded_by) VALUES (:id, :site, :kiosk_id, :host_id, "
    ":purpose, :purpose_text, :name, :email, :language, :notice_version, :checked_in_at, "
    ":purge_after, :checked_out_at, :checkout_kind, :company_id, :email_purge_after, "
    ":notes_purge_after, :acknowledged_at, :company_notice_version, :notice_given, "
    ":notice_recorded_by)"
)
_INSERT_OUTBOX = (
    "INSERT INTO outbox (visit_id, kind, created_at, attempts, expires_at) VALUES (?, ?, ?, 0, ?)"
)
_COUNT_VISIT = (
    "INSERT INTO visit_counts (day, site, purpose, department, count) VALUES (?, ?, ?, ?, 1) "
    "ON CONFLICT (day, site, purpose, department) DO UPDATE SET count = count + 1"
)
_ALL_VISITS = "SELECT * FROM visits ORDER BY checked_in_at"
_ON_SITE_VISITS = "SELECT * FROM visits WHERE checked_out_at IS NULL ORDER BY checked_in_at"


_UPSERT_HOST = (
    "INSERT INTO hosts (id, name, department, email, notify, language, active, company_id) "
    "VALUES (:id, :name, :department, :email, :notify, :language, :active, :company_id) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, department = excluded.department, "
    "email = excluded.email, notify = excluded.notify, language = excluded.language, "
    "active = excluded.active, company_id = excluded.company_id"
)

# A JSON array of visit ids as the one parameter: any number of ids, one prepared statement.
_IDS = "(SELECT value FROM json_each(?))"
_DELETE_OUTBOX_OF = f"DELETE FROM outbox WHERE visit_id IN {_IDS}"  # noqa: S608
_DELETE_VISITS = f"DELETE FROM visits WHERE id IN {_IDS}"  # noqa: S608
# The purge's chunk: the visits whose retention ended first, picked twice in one transaction from
# the same index range (by deadline, then rowid), so both statements take the same visits and no
# id has to leave SQLite; the visits themselves go by rowid, straight from the index. The _BUT
# pair holds some visits back (the purge's, whose badge files are still being shredded); that
# filter needs each row's id, so it is used only while there are such visits.
_EXPIRED = (
    "(SELECT {column} FROM visits WHERE purge_after <= :now{but} "
    "ORDER BY purge_after, rowid LIMIT :limit)"
)
_HELD_BACK = " AND id NOT IN (SELECT value FROM json_each(:held))"
_DELETE_OUTBOX_OF_EXPIRED = (
    f"DELETE FROM outbox WHERE visit_id IN {_EXPIRED.format(column='id', but='')}"  # noqa: S608
)
_DELETE_EXPIRED_VISITS = (
    f"DELETE FROM visits WHERE rowid IN {_EXPIRED.format(column='rowid', but='')}"  # noqa: S608
)
_DELETE_OUTBOX_OF_EXPIRED_BUT = (
    f"DELETE FROM outbox WHERE visit_id IN {_EXPIRED.format(column='id', but=_HELD_BACK)}"  # noqa: S608
)
_DELETE_EXPIRED_VISITS_BUT = (
    f"DELETE FROM visits WHERE rowid IN {_EXPIRED.format(column='rowid', but=_HELD_BACK)}"  # noqa: S608
)
