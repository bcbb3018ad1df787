"""Names and emails must never reach a log line or an exception message."""

from __future__ import annotations

import json
import logging

import pytest

from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.retention import purge
from kiosk.store import Store
from kiosk.validation import ValidationError
from tests.conftest import FakeClock, make_form, print_to_spool

NAME, EMAIL = "Logcanary Zzyzx", "logcanary@zzyzx.example"


def test_check_in_print_and_purge_log_no_personal_data(
    caplog: pytest.LogCaptureFixture,
    store: Store,
    config: Config,
    clock: FakeClock,
    tokens: BadgeTokens,
) -> None:
    caplog.set_level(logging.DEBUG)
    service = CheckinService(store, config, clock)
    visit = service.check_in(make_form(name=NAME, email=EMAIL), service.current_notice("en")).visit
    print_to_spool(store, config, tokens, visit.id, clock())
    with pytest.raises(ValidationError) as raised:
        service.check_in(
            make_form(name=NAME, email="x" + EMAIL + "\n"), service.current_notice("en")
        )
    from kiosk import rights

    exported = rights.export(store, config, EMAIL, clock(), "staff:po")
    assert exported["visits"]  # the export itself may hold the data; the log may not
    rights.erase(store, config.spool_dir, EMAIL, clock(), "staff:po")
    purge(store, config.spool_dir, visit.purge_after, config.retention_days)
    logged = caplog.text + str(raised.value) + repr(raised.value)
    assert visit.id in caplog.text  # the log does say what happened, by id
    for row in store.audit_rows():  # nor does the audit trail
        assert "zzyzx" not in json.dumps(row).lower()
    assert "zzyzx" not in logged.lower() and "logcanary" not in logged.lower()
