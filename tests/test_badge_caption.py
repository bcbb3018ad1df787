"""The line under a badge's QR: the badge code (staff type it to check a guest out) and the site.
A long site name must not cut the code, run off the label, or cover the QR."""

from __future__ import annotations

import pytest
from PIL import ImageOps

from kiosk.badges import BadgeTokens
from kiosk.checkin import CheckinService
from kiosk.models import BadgeContent
from kiosk.qrdecode import decode_image
from kiosk.records import replace
from printers.labels import LABELS, label
from printers.layout import fit_caption, font, render_badge
from tests.conftest import make_form

LONG_SITES = (
    "國際金融中心二期 International Finance Centre Two, West Lobby Reception",
    "W" * 120,
    "Harbour\nTower\u2029East",  # line breaks from a hand-edited config
)


@pytest.fixture
def content(service: CheckinService, tokens: BadgeTokens) -> BadgeContent:
    visit = service.check_in(make_form(name="Lin Pei-Shan 林佩珊"), service.current_notice("en"))
    return tokens.content(visit.visit, "陳雅婷 Amy Chen")


@pytest.mark.parametrize("name", list(LABELS))
def test_a_long_site_name_stays_on_the_label_and_off_the_qr(
    name: str, content: BadgeContent
) -> None:
    """On a 62 x 100 mm label the code read "1 · 國際金融中心二期 International Finance Ce",
    cut at both edges; on a 29 x 90 mm label the line ran on under the QR."""
    spec = label(name)
    for site in LONG_SITES:
        badge = replace(content, site_name=site)
        image = render_badge(badge, spec)
        assert decode_image(image) == [badge.payload], (name, site)
        width, height = image.size
        unit = min(width, height) / 100
        below_band, edge = round(20 * unit) + 1, round(3 * unit)
        for strip in (
            image.crop((0, below_band, edge, height)),
            image.crop((width - edge, below_band, width, height)),
        ):
            assert ImageOps.invert(strip.convert("L")).getbbox() is None, (name, site)


@pytest.mark.parametrize("site", LONG_SITES)
def test_the_badge_code_is_never_cut(site: str) -> None:
    for max_width in (200, 400, 900):
        text, chosen = fit_caption("F90B9191", site, max_width, 10)
        assert text == "F90B9191" or text.startswith("F90B9191 · ")
        assert "\n" not in text and "\u2029" not in text
        assert chosen.getlength(text) <= max_width


def test_a_short_site_name_is_shown_whole_at_full_size() -> None:
    text, chosen = fit_caption("F90B9191", "Demo Tower", 900, 10)
    assert text == "F90B9191 · Demo Tower"
    assert chosen is font(46)
