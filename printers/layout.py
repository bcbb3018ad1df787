"""Draw a badge with Pillow at the label's real size and resolution.

Portrait labels stack band, name, host, date and a large QR; landscape labels (29 × 90 mm, CR80,
Zebra 4 × 3 in) put the QR beside the text. Sizes follow the label's short side, so a card and an
A4 sheet look like the same design. Names are the hard part: they may be long, in any script, or
mixed ("陳雅婷 Amy Chen"). The name is fitted by trying sizes from large to small and wrapping on
spaces (or anywhere, for text without spaces such as Chinese) into at most two lines, then smaller
on three; only a name that does not fit even then is shortened, with an ellipsis.
"""

from __future__ import annotations

import logging
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from kiosk import assets, text_fit
from kiosk.models import BadgeContent
from kiosk.qr import qr_image
from kiosk.records import record
from printers.labels import LabelSpec

log = logging.getLogger(__name__)
Font = text_fit.Font
QUIET_ZONE = 4  # modules of white around a QR code, which scanners need
CAPTION_SIZE = 4.6  # the code and site line's largest size, in hundredths of the short side


@cache
def font(size: int, bold: bool = False) -> Font:
    found = assets.badge_font(bold)
    if found is None:
        log.warning("no CJK font installed (fonts-noto-cjk); Chinese names will not print")
        fallback = assets.SYSTEM_LATIN_FALLBACK
        if fallback.exists():
            return ImageFont.truetype(str(fallback), size)
        return ImageFont.load_default(size)
    path, index = found
    return ImageFont.truetype(str(path), size, index=index)


@record
class NameBox:
    """Where the name goes: ZPL prints it there in the printer's own font when it can."""

    left: int
    top: int
    width: int
    lines: tuple[str, ...]
    font_px: int
    line_px: int


def render_badge(content: BadgeContent, label: LabelSpec, *, draw_name: bool = True) -> Image.Image:
    """The badge as a greyscale image at ``label.size_px``; black on white for thermal paper."""
    return _draw(content, label, draw_name)[0]


def on_page(image: Image.Image, label: LabelSpec) -> Image.Image:
    """The printable area centred on the whole label, for PDFs of the label's real size."""
    page = Image.new("L", label.page_px, 255)
    page.paste(image, ((page.width - image.width) // 2, (page.height - image.height) // 2))
    return page


def name_box(content: BadgeContent, label: LabelSpec) -> NameBox:
    return _draw(content, label, draw_name=False)[1]


def _draw(content: BadgeContent, label: LabelSpec, draw_name: bool) -> tuple[Image.Image, NameBox]:
    width, height = label.size_px
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    unit = short / 100  # one hundredth of the short side: the design scales with the label
    margin = round(6 * unit)

    band = round(20 * unit)
    if label.landscape:
        # The QR takes the full height at the right (its own white border is the quiet zone),
        # so even a 29 mm label carries a code over 20 mm wide; the band spans the text only.
        qr_side = min(height, round(width * 0.4))
        qr_left, qr_top = width - qr_side, (height - qr_side) // 2
        text_width = qr_left - 2 * margin
        band_width = qr_left
    else:
        band_width, text_width = width, width - 2 * margin
    draw.rectangle((0, 0, band_width, band), fill=0)
    _centred(
        draw, content.visitor_label, font(round(9.5 * unit), bold=True), band_width, band, 0, 255
    )
    top = band + round(6 * unit)
    lines, name_font = fit_name(content.name, text_width, unit)
    box = NameBox(
        margin,
        top,
        text_width,
        tuple(lines),
        int(getattr(name_font, "size", 0)),
        _line_height(name_font),
    )
    for line in lines:
        if draw_name:
            draw.text((margin, top), line, font=name_font, fill=0)
        top += _line_height(name_font)
    top += round(3 * unit)

    host_lines, host_font = fit_lines(
        f"{content.host_label}: {content.host_name}",
        text_width,
        round(5.2 * unit),
        round(3.8 * unit),
        2,
    )
    for line in host_lines:
        draw.text((margin, top), line, font=host_font, fill=0)
        top += _line_height(host_font)
    small = font(round(5.2 * unit))
    draw.text((margin, top), content.date_text, font=small, fill=0)
    top += _line_height(small)

    caption_width = width - 2 * margin
    if label.landscape:  # beside the QR, unless the label is tall enough for it to fit below
        below_qr = (
            height - margin - _line_height(font(round(CAPTION_SIZE * unit))) >= qr_top + qr_side
        )
        caption_width = caption_width if below_qr else text_width
    caption, caption_font = fit_caption(content.short_code, content.site_name, caption_width, unit)
    if label.landscape:
        _draw_qr(image, content.payload, qr_left, qr_top, qr_side)
        draw.text(
            (margin, height - margin - _line_height(caption_font)),
            caption,
            font=caption_font,
            fill=0,
        )
    else:
        caption_h = _line_height(caption_font) + margin
        side = min(width - 2 * margin, height - top - caption_h)
        placed = _draw_qr(image, content.payload, (width - side) // 2, top, side)
        _centred(draw, caption, caption_font, width, caption_h, top + placed - margin // 2, 0)
    return image, box


def _draw_qr(image: Image.Image, payload: str, left: int, top: int, side: int) -> int:
    """Paste the biggest QR (quiet zone included) that fits ``side``, with whole pixels per
    module where that costs little, and return its height."""
    code = qr_image(payload, module_px=1, border=QUIET_ZONE)
    scale = side // code.width
    size = code.width * scale if scale >= 6 else side  # small labels: use every pixel
    code = code.resize((size, size), Image.Resampling.NEAREST)
    offset = (side - code.width) // 2
    image.paste(code, (left + offset, top + offset))
    return code.height + offset


def fit_name(name: str, max_width: int, unit: float) -> tuple[list[str], Font]:
    """The name large on two lines where it can be; a long name shrinks onto a third line
    before any of it is cut (the QR below gives up the room)."""
    lines, chosen = fit_lines(name, max_width, round(16 * unit), round(6.5 * unit), 2)
    if not lines[-1].endswith("…") or name.endswith("…"):
        return lines, chosen
    return fit_lines(name, max_width, round(6.5 * unit), round(4.5 * unit), 3)


def fit_caption(code: str, site: str, max_width: int, unit: float) -> tuple[str, Font]:
    """The badge code and the site on one line, within ``max_width`` (beside a landscape
    label's QR, not under it): smaller for a long site name, then the site cut with an
    ellipsis. The code (what staff type to check a guest out) is never cut."""
    site = text_fit.one_line(site)
    lines, chosen = text_fit.fit_lines(
        f"{code} · {site}", max_width, round(CAPTION_SIZE * unit), round(3.6 * unit), 1, font
    )
    if not lines[0].endswith("…"):
        return lines[0], chosen
    room = max_width - chosen.getlength(f"{code} · ")
    if room < chosen.getlength("……"):
        return code, chosen
    return f"{code} · {text_fit.ellipsize(site, chosen, int(room))}", chosen


def fit_lines(
    text: str, max_width: int, largest: int, smallest: int, max_lines: int
) -> tuple[list[str], Font]:
    """The largest bold size at which ``text`` wraps into ``max_lines`` lines of ``max_width``."""
    return text_fit.fit_lines(text, max_width, largest, smallest, max_lines, _bold)


def _bold(size: int) -> Font:
    return font(size, bold=True)


def _line_height(chosen: Font) -> int:
    top, bottom = chosen.getbbox("Hg國")[1::2]
    return int((bottom - top) * 1.3)


def _centred(
    draw: ImageDraw.ImageDraw, text: str, chosen: Font, width: int, box_h: int, top: int, fill: int
) -> None:
    left, upper, right, lower = draw.textbbox((0, 0), text, font=chosen)
    x = (width - (right - left)) // 2 - left
    y = top + (box_h - (lower - upper)) // 2 - upper
    draw.text((x, y), text, font=chosen, fill=fill)
