from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk.checkin import CheckinService
from kiosk.cli import main
from kiosk.config import Config
from kiosk.models import Host
from kiosk.records import replace
from kiosk.reports import period_totals, report, to_csv
from kiosk.retention import purge
from kiosk.store import Store
from tests.conftest import FakeClock, make_form


def test_counts_by_purpose_and_department_outlive_the_visits(
    store: Store, config: Config, clock: FakeClock
) -> None:
    hosts = (Host("h-a", "Ann", "=Sales"), Host("h-b", "Bo", "Legal"))
    cfg = replace(config, hosts=hosts, retention_days=1)
    service = CheckinService(store, cfg, clock)
    notice = service.current_notice("en")
    service.check_in(make_form(host_id="h-a", purpose="meeting"), notice)
    service.check_in(make_form(host_id="h-a", purpose="delivery"), notice)
    clock.advance(days=7)
    service.check_in(make_form(host_id="h-b", purpose="meeting"), notice)
    purge(store, cfg.spool_dir, clock() + timedelta(days=2), cfg.retention_days)
    assert store.visits() == []  # the people are gone; the numbers stay
    first, last = date(2026, 11, 20), date(2026, 12, 10)
    by_department = report(store, first, last, "department")
    assert [(r.period, r.key, r.count) for r in by_department] == [
        ("2026-11-25", "=Sales", 2),
        ("2026-12-02", "Legal", 1),
    ]
    weekly = report(store, first, last, "purpose", weekly=True)
    assert period_totals(weekly) == [("2026-W48", 2), ("2026-W49", 1)]
    csv = to_csv(by_department, "department")
    assert "'=Sales" in csv and csv.startswith("period,department,visits")


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path / "data")]
    for purpose in ("meeting", "meeting", "delivery"):
        assert (
            main(
                [
                    *base,
                    "checkin",
                    "--name",
                    "N",
                    "--email",
                    "n@example.com",
                    "--purpose",
                    purpose,
                    "--accept-notice",
                ]
            )
            == 0
        )
    capsys.readouterr()
    assert main([*base, "report", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "period,purpose,visits"
    assert sorted(line.split(",", 1)[1] for line in lines[1:]) == ["delivery,1", "meeting,2"]
    assert main([*base, "report", "--weekly", "--by", "department"]) == 0
    assert "3 visits" in capsys.readouterr().out
    assert main([*base, "report", "--days", "0"]) == 2
