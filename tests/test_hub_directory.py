"""The host directory is sent to a kiosk only when it changed: ``GET /v1/hosts`` is tagged, and
an ``If-None-Match`` naming the current tag is answered 304 with no body (real HTTP, on SQLite
and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import requests
import sqlalchemy as sa

from kiosk.hub.database import open_engine
from kiosk.hub.schema import MIGRATIONS, current_version, migrate
from kiosk.hub.service import HubService
from kiosk.models import Host
from kiosk.records import replace

PEOPLE = [Host(f"h{n}", f"Person {n}", "Sales", f"p{n}@example.com") for n in range(3)]


def _get(hub: str, token: str, if_none_match: str = "") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if if_none_match:
        headers["If-None-Match"] = if_none_match
    return requests.get(f"{hub}/v1/hosts", headers=headers, timeout=10)


def test_an_unchanged_directory_is_answered_304_until_it_changes(
    hub: str, hub_on_db: HubService
) -> None:
    token = hub_on_db.add_kiosk("lobby-a", "taipei")
    hub_on_db.import_hosts("taipei", PEOPLE)
    first = _get(hub, token)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and len(first.json()["hosts"]) == 3
    for offered in (tag, f"W/{tag}", f'"stale", {tag}', "*"):
        again = _get(hub, token, offered)
        assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", tag)
    assert _get(hub, token, '"stale"').status_code == 200

    hub_on_db.import_hosts("taipei", [replace(PEOPLE[1], department="Legal")])
    changed = _get(hub, token, tag)
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert [h["department"] for h in changed.json()["hosts"]] == ["Sales", "Legal", "Sales"]
    assert _get(hub, token, changed.headers["ETag"]).status_code == 304


def test_a_tag_is_the_site_s_own(hub: str, hub_on_db: HubService) -> None:
    """Another site's tag tells nothing about this one's directory; a site with no directory
    has no tag, and its kiosks read the (empty) list every time."""
    taipei = hub_on_db.add_kiosk("lobby-a", "taipei")
    kaohsiung = hub_on_db.add_kiosk("kh-1", "kaohsiung")
    hub_on_db.import_hosts("taipei", PEOPLE)
    tag = _get(hub, taipei).headers["ETag"]
    elsewhere = _get(hub, kaohsiung, tag)
    assert (elsewhere.status_code, elsewhere.json()) == (200, {"hosts": []})
    assert "ETag" not in elsewhere.headers
    hub_on_db.import_hosts("kaohsiung", PEOPLE[:1])
    assert _get(hub, kaohsiung, tag).status_code == 200
    assert _get(hub, taipei, tag).status_code == 304


def test_migration_7_tags_every_site_that_has_a_directory(tmp_path: Path) -> None:
    """A hub from before the tags: each site with hosts gets one, so its kiosks' next sync
    reads the directory once and then holds the tag."""
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    migrate(engine, "2026-11-01T00:00:00.000000Z")
    with engine.begin() as db:  # back to version 6, with hosts at two sites
        for table in ("host_directories", "audit_marks"):  # migrations 7 and 8
            db.exec_driver_sql(f"DROP TABLE {table}")
        db.exec_driver_sql("DELETE FROM hub_schema WHERE version > 6")
        db.exec_driver_sql(
            "INSERT INTO hosts (site, host_id, name) VALUES "
            "('taipei', 'h1', 'A'), ('taipei', 'h2', 'B'), ('kaohsiung', 'h1', 'C')"
        )
    assert current_version(engine) == 6
    assert migrate(engine, "2026-12-01T00:00:00.000000Z") == len(MIGRATIONS) >= 7
    with engine.connect() as db:
        tags = dict(db.execute(sa.text("SELECT site, tag FROM host_directories")).all())
    assert sorted(tags) == ["kaohsiung", "taipei"]
    assert len(set(tags.values())) == 2 and all(len(tag) == 16 for tag in tags.values())
    engine.dispose()
