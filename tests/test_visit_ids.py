"""Visit ids are time-ordered (version-7 UUIDs) so that retention, which deletes oldest first,
walks every index keyed by visit id from its start (#17); the badge code stays random."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.checkin import CheckinService
from kiosk.store import Store
from kiosk.tokens import short_code
from kiosk.wire import badge_code, new_visit_id, visit_id_bytes, visit_id_text
from tests.conftest import FakeClock, make_form

MORNING = datetime(2026, 11, 30, 8, 59, 59, 999_000, tzinfo=UTC)


def test_an_id_is_a_version_7_uuid_holding_its_check_in_millisecond() -> None:
    text = new_visit_id(MORNING)
    made = uuid.UUID(text)
    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    assert made.int >> 80 == int(MORNING.timestamp() * 1000)
    assert text == str(made)  # the canonical form, as tokens and the hub write it back


def test_ids_sort_as_their_check_ins_did() -> None:
    moments = [MORNING + timedelta(milliseconds=n) for n in (0, 1, 999, 60_000, 86_400_000)]
    moments += [MORNING + timedelta(days=400), MORNING - timedelta(days=3)]
    ids = {new_visit_id(moment): moment for moment in moments}
    assert [ids[made] for made in sorted(ids)] == sorted(moments)


def test_a_rush_in_one_millisecond_gets_distinct_ids_and_distinct_badge_codes() -> None:
    """A full lobby's morning: the codes people read out must not repeat. The first eight digits
    of a time-ordered id are the same for everyone in the same minute; the code is not."""
    ids = [new_visit_id(MORNING) for _ in range(2_000)]
    assert len(set(ids)) == len(ids)
    codes = {badge_code(made) for made in ids}
    assert len(codes) == len(ids)
    assert all(len(code) == 8 and code == code.upper() for code in codes)
    assert badge_code(ids[0]) == ids[0].replace("-", "")[-8:].upper()


def test_an_id_goes_into_a_badge_token_as_its_16_bytes_and_comes_back_the_same() -> None:
    for made in (new_visit_id(MORNING), "3f2a9c1d-5b7e-4d2f-9a8b-1c2d3e4f5a6b"):
        assert visit_id_bytes(made) == uuid.UUID(made).bytes
        assert visit_id_text(visit_id_bytes(made)) == made
    for malformed in ("", "3f2a9c1d", "3f2a9c1d-5b7e-4d2f-9a8b-1c2d3e4f5a6b00", "not an id"):
        with pytest.raises(ValueError, match="not a visit id"):
            visit_id_bytes(malformed)


def test_a_badge_printed_before_keeps_its_code() -> None:
    """Visits made with random (version-4) ids keep the first eight digits as their code, as
    their badges were printed (they leave the store within one retention period)."""
    old = "3f2a9c1d-5b7e-4d2f-9a8b-1c2d3e4f5a6b"
    assert badge_code(old) == "3F2A9C1D" == short_code(old)
    assert badge_code("v00000042") == "V0000004"  # not a UUID at all: as before


def test_the_store_holds_visits_in_the_order_retention_takes_them(
    store: Store, service: CheckinService, clock: FakeClock
) -> None:
    """Ordered by id (their primary key's index, and the outbox's index on visit_id), the
    visits are in check-in order: the oldest, which the purge deletes first, share pages."""
    for hours in (0, 1, 9, 30, 31, 200):
        clock.now = MORNING + timedelta(hours=hours)
        service.check_in(make_form(), service.current_notice("en"))
    by_id = [row[0] for row in store._db.execute("SELECT id FROM visits ORDER BY id")]
    by_time = [r[0] for r in store._db.execute("SELECT id FROM visits ORDER BY checked_in_at")]
    assert by_id == by_time and len(by_id) == 6
