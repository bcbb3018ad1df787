from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk import base45
from kiosk.badges import BadgeTokens, end_of_visit_day
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.keys import KeyRing, load_or_create, rotate
from kiosk.models import Visit
from kiosk.qr import qr_version
from kiosk.records import replace
from kiosk.store import Store
from kiosk.tokens import CLOCK_SKEW, PREFIX, Verdict
from tests.conftest import FakeClock, make_form

REJECTIONS = {Verdict.FORGED, Verdict.UNKNOWN_KEY, Verdict.MALFORMED}


@pytest.fixture
def visit(service: CheckinService) -> Visit:
    return service.check_in(make_form(), service.current_notice("en")).visit


def test_valid_token_round_trips(visit: Visit, tokens: BadgeTokens, clock: FakeClock) -> None:
    token = tokens.token_for(visit)
    assert token == tokens.token_for(visit)  # deterministic: a reprint carries the same token
    checked = tokens.check(token, clock())
    assert checked.verdict is Verdict.VALID
    assert checked.claims is not None
    assert checked.claims.visit_id == visit.id
    assert checked.claims.valid_from == visit.checked_in_at.replace(microsecond=0)


def test_token_is_small_enough_for_a_62_mm_label(visit: Visit, tokens: BadgeTokens) -> None:
    token = tokens.token_for(visit)
    assert len(base45.decode(token[len(PREFIX) :])) == 98
    assert qr_version(token) <= 8  # 49 modules: under 1 mm each on a 50 mm code


def test_every_single_bit_flip_is_rejected(
    service: CheckinService, tokens: BadgeTokens, clock: FakeClock
) -> None:
    flips = 0
    for n in range(4):
        visit = service.check_in(make_form(name=f"Guest {n}"), service.current_notice("en")).visit
        raw = base45.decode(tokens.token_for(visit)[len(PREFIX) :])
        for bit in range(len(raw) * 8):
            mutated = bytearray(raw)
            mutated[bit // 8] ^= 1 << (bit % 8)
            verdict = tokens.check(PREFIX + base45.encode(bytes(mutated)), clock()).verdict
            assert verdict in REJECTIONS, (n, bit, verdict)
            flips += 1
    assert flips >= 2400


def test_time_window(visit: Visit, tokens: BadgeTokens, config: Config) -> None:
    token = tokens.token_for(visit)
    expires = end_of_visit_day(visit.checked_in_at, config)
    assert tokens.check(token, expires - timedelta(seconds=1)).verdict is Verdict.VALID
    assert tokens.check(token, expires).verdict is Verdict.EXPIRED
    too_early = visit.checked_in_at - CLOCK_SKEW - timedelta(seconds=2)
    assert tokens.check(token, too_early).verdict is Verdict.NOT_YET_VALID
    assert tokens.check(token, visit.checked_in_at - timedelta(minutes=1)).verdict is Verdict.VALID


def test_expiry_is_the_end_of_the_visit_day_in_the_site_zone(config: Config) -> None:
    taipei = datetime(2026, 11, 25, 15, 59, tzinfo=UTC)  # 23:59 in Taipei
    assert end_of_visit_day(taipei, config) == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    berlin = replace(config, timezone="Europe/Berlin")
    dst_day = datetime(2026, 3, 29, 10, 0, tzinfo=UTC)  # clocks go forward that night
    assert end_of_visit_day(dst_day, berlin) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    autumn = datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    assert end_of_visit_day(autumn, berlin) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)


def test_wrong_site(
    visit: Visit, keys: KeyRing, config: Config, store: Store, clock: FakeClock
) -> None:
    token = BadgeTokens(keys, config, store).token_for(visit)
    other_site = BadgeTokens(keys, replace(config, site_name="Other Tower"), store)
    assert other_site.check(token, clock()).verdict is Verdict.WRONG_SITE


def test_unknown_key_and_forgery(
    visit: Visit,
    tokens: BadgeTokens,
    config: Config,
    store: Store,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    stranger = load_or_create(tmp_path / "stranger", clock())
    foreign = BadgeTokens(stranger, config, store).token_for(visit)
    assert tokens.check(foreign, clock()).verdict is Verdict.UNKNOWN_KEY
    # A stranger who copies our key id but signs with their own key is caught by the signature.
    ours = base45.decode(tokens.token_for(visit)[len(PREFIX) :])
    theirs = base45.decode(foreign[len(PREFIX) :])
    body = ours[:-64]
    forged = PREFIX + base45.encode(body + stranger.private_key.sign(body))
    assert tokens.check(forged, clock()).verdict is Verdict.FORGED
    assert theirs[:-64] != body


def test_rotated_keys_keep_old_badges_verifiable(
    visit: Visit, keys: KeyRing, config: Config, store: Store, clock: FakeClock
) -> None:
    old = BadgeTokens(keys, config, store).token_for(visit)
    rotated = rotate(keys, config.keys_dir, clock())
    assert rotated.current_kid != keys.current_kid
    reloaded = load_or_create(config.keys_dir, clock())
    assert reloaded.current_kid == rotated.current_kid
    verifier = BadgeTokens(reloaded, config, store)
    assert verifier.check(old, clock()).verdict is Verdict.VALID
    assert verifier.token_for(visit) != old


@pytest.mark.parametrize(
    "junk",
    [
        "",
        " ",
        PREFIX,
        PREFIX + "A",
        PREFIX + "ÄÖÜ漢字",
        "LKB2:" + "0" * 147,
        "x" * 1_000_000,
        PREFIX + "0" * 1_000_000,
        "\x00" * 100,
        PREFIX + base45.encode(os.urandom(98)),
        PREFIX + base45.encode(b"\x01" + os.urandom(20)),
    ],
)
def test_fuzzed_input_is_rejected_cleanly(junk: str, tokens: BadgeTokens, clock: FakeClock) -> None:
    assert tokens.check(junk, clock()).verdict in REJECTIONS


def test_truncated_tokens_are_malformed(
    visit: Visit, tokens: BadgeTokens, clock: FakeClock
) -> None:
    token = tokens.token_for(visit)
    for cut in range(len(PREFIX), len(token) - 1, 7):
        assert tokens.check(token[:cut], clock()).verdict in REJECTIONS


def test_each_verdict_has_its_own_exit_code() -> None:
    codes = [verdict.exit_code for verdict in Verdict]
    assert codes[0] == 0 and len(set(codes)) == len(codes)
