"""An invitation made in the hub's console carries the guest's name to every kiosk of the site,
which shows it and prefills the check-in with it: it is kept as a kiosk keeps a name."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.hub.hub_invitations import HubInvitations, InvitationProblem
from tests.conftest import FakeClock
from tests.hub_server import hub_service

ZONE = ZoneInfo("Asia/Taipei")


def _invite(tmp_path: Path, clock: FakeClock, name: str) -> str:
    service = hub_service(f"sqlite:///{tmp_path / 'hub.db'}", clock)
    try:
        tomorrow: date = (clock() + timedelta(days=1)).astimezone(ZONE).date()
        window = (tomorrow, time(9, 0), time(17, 0))
        invitations = HubInvitations(service.engine, clock)
        made = invitations.create(
            "Harbour", "h-lin", name, "grace@example.org", window, "en", "jimmy", ZONE
        )
        (kept,) = invitations.for_host("Harbour", "h-lin", tomorrow, ZONE)
        assert kept.name == made.name
        return made.name
    finally:
        service.close()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Grace \u200bInvited\u00ad ", "Grace Invited"),  # a zero-width space, a soft hyphen
        ("Grace\u202e detivnI", "Grace detivnI"),  # a right-to-left override
        ("Grace\n\tInvited", "Grace Invited"),
        ("陳雅婷 Amy Chen", "陳雅婷 Amy Chen"),
    ],
)
def test_the_guests_name_is_kept_as_a_kiosk_keeps_it(
    tmp_path: Path, clock: FakeClock, typed: str, kept: str
) -> None:
    assert _invite(tmp_path, clock, typed) == kept


def test_a_name_with_nothing_visible_is_asked_for_again(tmp_path: Path, clock: FakeClock) -> None:
    with pytest.raises(InvitationProblem) as problem:
        _invite(tmp_path, clock, "\u200b\u202e\u00ad")
    assert problem.value.key == "invite_need_name"
