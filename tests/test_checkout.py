from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.badges import BadgeTokens, end_of_visit_day
from kiosk.checkin import CheckinService
from kiosk.checkout import CheckoutError, CheckoutService
from kiosk.config import Config
from kiosk.models import Visit
from kiosk.records import replace
from kiosk.retention import purge
from kiosk.store import Store
from kiosk.tokens import Verdict, short_code
from tests.conftest import FakeClock, make_form


@pytest.fixture
def checkout(
    store: Store, config: Config, tokens: BadgeTokens, clock: FakeClock
) -> CheckoutService:
    return CheckoutService(store, config, tokens, clock)


@pytest.fixture
def visit(service: CheckinService) -> Visit:
    return service.check_in(make_form(), service.current_notice("en")).visit


@pytest.mark.parametrize("how", ["short code", "spaced code", "token", "visit id"])
def test_check_out_by_any_code(
    how: str,
    visit: Visit,
    checkout: CheckoutService,
    tokens: BadgeTokens,
    store: Store,
    clock: FakeClock,
) -> None:
    code = {
        "short code": short_code(visit.id).lower(),
        "spaced code": " " + short_code(visit.id)[:4] + " " + short_code(visit.id)[4:],
        "token": tokens.token_for(visit),
        "visit id": visit.id,
    }[how]
    clock.advance(hours=2)
    assert checkout.check_out(code).id == visit.id
    stored = store.visit(visit.id)
    assert stored is not None
    assert stored.checked_out_at == clock.now and stored.checkout_kind == "guest"
    assert store.visits(on_site_only=True) == []
    assert tokens.check(tokens.token_for(visit), clock()).verdict is Verdict.REVOKED


def test_problems_are_named(visit: Visit, checkout: CheckoutService, tokens: BadgeTokens) -> None:
    with pytest.raises(CheckoutError) as not_found:
        checkout.check_out("00000000")
    assert not_found.value.reason == "checkout.not_found"
    with pytest.raises(CheckoutError) as invalid:
        checkout.check_out(tokens.token_for(visit)[:-3] + "AAA")
    assert invalid.value.reason == "checkout.invalid_badge"
    checkout.check_out(short_code(visit.id))
    with pytest.raises(CheckoutError) as again:
        checkout.check_out(visit.id)
    assert again.value.reason == "checkout.already"
    with pytest.raises(CheckoutError):
        checkout.check_out("x" * 100_000)


def test_auto_check_out_at_the_configured_site_time(
    service: CheckinService, checkout: CheckoutService, store: Store, clock: FakeClock
) -> None:
    early = service.check_in(make_form(name="Early"), service.current_notice("en")).visit
    cutoff = datetime(2026, 11, 25, 15, 59, tzinfo=UTC)  # 23:59 in Taipei
    assert checkout.auto_check_out(cutoff - timedelta(seconds=1)) == 0
    assert checkout.auto_check_out(cutoff + timedelta(hours=3)) == 1
    stored = store.visit(early.id)
    assert stored is not None
    assert (stored.checkout_kind, stored.checked_out_at) == ("auto", cutoff)
    assert checkout.auto_check_out(cutoff + timedelta(hours=4)) == 0


def test_auto_check_out_can_be_switched_off(
    store: Store, config: Config, tokens: BadgeTokens, clock: FakeClock, visit: Visit
) -> None:
    never = CheckoutService(store, replace(config, auto_checkout_time=""), tokens, clock)
    assert never.auto_check_out(clock.now + timedelta(days=2)) == 0


def test_revocations_are_purged_once_the_badge_has_expired(
    visit: Visit, checkout: CheckoutService, store: Store, config: Config
) -> None:
    checkout.check_out(visit.id)
    assert store.is_revoked(visit.id)
    expires = end_of_visit_day(visit.checked_in_at, config)
    purge(store, config.spool_dir, expires - timedelta(seconds=1), config.retention_days)
    assert store.is_revoked(visit.id)
    purge(store, config.spool_dir, expires, config.retention_days)
    assert not store.is_revoked(visit.id)
