"""Check-in as one request and one transaction: the visit, its acknowledgement, the invitation
it fulfils, a near-match alert, the outbox and the audit entry are written together or not at
all, and the result carries the signed badge (no caller signs or marks anything)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.checkin import CheckinRequest, CheckinService
from kiosk.config import Config
from kiosk.denylist import DenyList
from kiosk.site import Site
from kiosk.store import CheckinRecord, Store
from kiosk.tokens import Verdict
from tests.conftest import FakeClock, make_form
from tests.test_invitations import invite


def test_one_request_uses_the_invitation_flags_a_near_match_and_signs(
    store: Store, config: Config, clock: FakeClock
) -> None:
    site = Site(config, store, clock)
    DenyList(store, config.keys_dir).add(
        "Mallory Denied", "mallory@evil.example", "Trespass", clock(), None, "staff:s1"
    )
    invitation = invite(store, config, clock)  # found by its code before (kiosk.invitations)
    request = CheckinRequest(
        make_form(name="Denied Mallory", email=invitation.email, host_id=invitation.host_id),
        site.checkin.current_notice("en"),
        invitation_code=invitation.code,
    )
    result = site.checkin.submit(request)
    visit = result.visit
    assert result.invitation_used
    assert store.invitation(invitation.code)["used_by_visit"] == visit.id  # type: ignore[index]
    assert [(a["kind"], a["visit_id"]) for a in store.alerts()] == [("near_match", visit.id)]
    assert site.tokens.check(result.badge_token, clock()).verdict is Verdict.VALID
    assert [row["action"] for row in store.audit_rows()][-1] == "checkin"
    again = site.checkin.submit(request)  # the same invitation a second time: used already
    assert not again.invitation_used


def test_a_failing_write_leaves_no_visit_no_used_invitation_and_no_alert(
    store: Store, config: Config, clock: FakeClock
) -> None:
    service = CheckinService(store, config, clock)
    invitation = invite(store, config, clock)
    first = service.check_in(make_form(), service.current_notice("en"), print_badge=False).visit
    broken = CheckinRecord(
        first.__class__(**{**first.__dict__, "id": "another-visit"}),
        [service.current_notice("en")],
        "2026-11-25",
        {"print": None},
        clock() + timedelta(minutes=1),
        audit_entry={"at": "x", "action": "checkin", "actor": "guest", "record": "r", "detail": ""},
        sealer=_failing_seal,
        invitation_code=invitation.code,
        near_match="deny-1",
    )
    with pytest.raises(RuntimeError):
        store.record_checkin(broken)
    assert [v.id for v in store.visits()] == [first.id]
    assert store.invitation(invitation.code)["used_by_visit"] is None  # type: ignore[index]
    assert store.alerts() == []
    assert len(store.pending_outbox("print")) == 0


def _failing_seal(prev_hash: str, entry: object) -> str:
    raise RuntimeError("the disk went away mid-write")
