from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.checkin import CheckinService, NoticeNotAcknowledgedError
from kiosk.config import Config
from kiosk.records import replace
from kiosk.store import Store
from kiosk.validation import ValidationError
from tests.conftest import FakeClock, make_form


def test_check_in_stores_visit_acknowledgement_outbox_and_count(
    service: CheckinService, store: Store, clock: FakeClock, config: Config
) -> None:
    notice = service.current_notice("en")
    result = service.check_in(make_form(purpose="other", purpose_text="Parcel"), notice)
    visit = result.visit
    assert store.visit(visit.id) == visit
    assert visit.checked_in_at == clock.now
    assert visit.purge_after == clock.now + timedelta(days=config.retention_days)
    assert (visit.name, visit.email, visit.purpose_text) == (
        "Ada Lovelace",
        "ada@example.com",
        "Parcel",
    )
    acknowledgement = store.acknowledgement(visit.id)
    assert acknowledgement is not None
    assert acknowledgement["notice_version"] == notice.version
    assert store.notice(notice.version) == notice  # the exact text can be shown later
    kinds = {kind for kind in ("print", "notify", "sync") if store.pending_outbox(kind, visit.id)}
    assert kinds == {"print", "notify"}  # no hub configured, so nothing to sync
    assert store.daily_counts() == [
        {"day": "2026-11-25", "site": config.site_name, "purpose": "other", "count": 1}
    ]
    assert result.host_name == "陳雅婷 Amy Chen"
    assert result.purpose_label == "Other"


def test_local_day_follows_the_site_time_zone(
    service: CheckinService, store: Store, clock: FakeClock
) -> None:
    clock.now = clock.now.replace(hour=17)  # 01:00 the next day in Taipei
    service.check_in(make_form(), service.current_notice("en"))
    assert store.daily_counts()[0]["day"] == "2026-11-26"


def test_refuses_without_the_current_notice(service: CheckinService, store: Store) -> None:
    with pytest.raises(NoticeNotAcknowledgedError):
        service.check_in(make_form(), None)
    stale = replace(service.current_notice("en"), version="0000000000000000")
    with pytest.raises(NoticeNotAcknowledgedError):
        service.check_in(make_form(), stale)
    with pytest.raises(NoticeNotAcknowledgedError, match="請先閱讀"):
        service.check_in(make_form(language="zh-TW"), service.current_notice("en"))
    assert store.visits() == []


def test_invalid_input_stores_nothing(service: CheckinService, store: Store) -> None:
    with pytest.raises(ValidationError):
        service.check_in(make_form(email="nope"), service.current_notice("en"))
    assert store.visits() == []
    assert store.daily_counts() == []


def test_no_print_job_for_headless_check_ins_or_printerless_sites(
    store: Store, config: Config, clock: FakeClock
) -> None:
    service = CheckinService(store, config, clock)
    quiet = service.check_in(make_form(), service.current_notice("en"), print_badge=False).visit
    assert store.pending_outbox("print", quiet.id) == []
    hub_site = CheckinService(
        store, replace(config, printer_backend="none", hub_url="https://hub.example"), clock
    )
    synced = hub_site.check_in(make_form(), hub_site.current_notice("en")).visit
    assert store.pending_outbox("print", synced.id) == []
    assert len(store.pending_outbox("sync", synced.id)) == 1


def test_published_notices_are_stored_once_per_language(
    service: CheckinService, store: Store, config: Config
) -> None:
    published = service.publish_notices()
    assert [n.language for n in published] == list(config.languages)
    service.publish_notices()
    assert store.notice_versions() == [n.version for n in published]
    assert store.notice(published[0].version) == published[0]
