"""Draw a badge with Pillow at the label's real size and resolution.

Names are the hard part: they may be long, in any script, or mixed ("陳雅婷 Amy Chen"). The name is
fitted by trying sizes from large to small and wrapping on spaces (or anywhere, for text without
spaces such as Chinese) into at most two lines; only a name that does not fit at the smallest
size is shortened, with an ellipsis.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk import assets
from kiosk.badges import BadgeContent
from kiosk.qr import qr_image
from printers.labels import LabelSpec

log = logging.getLogger(__name__)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def font(size: int, bold: bool = False) -> Font:
    found = assets.badge_font(bold)
    if found is None:
        log.warning("no CJK font installed (fonts-noto-cjk); Chinese names will not print")
        fallback = assets.SYSTEM_LATIN_FALLBACK
        return (
            ImageFont.truetype(str(fallback), size)
            if fallback.exists()
            else ImageFont.load_default(size)
        )
    path, index = found
    return ImageFont.truetype(str(Path(path)), size, index=index)


def render_badge(content: BadgeContent, label: LabelSpec) -> Image.Image:
    """The badge as a greyscale image at ``label.size_px``; black on white for thermal paper."""
    width, height = label.size_px
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    margin = label.mm(4)
    inner = width - 2 * margin

    band = label.mm(14)
    draw.rectangle((0, 0, width, band), fill=0)
    _centred(draw, content.visitor_label, font(label.mm(6.5), bold=True), width, band, 0, fill=255)

    y = band + label.mm(5)
    lines, name_font = fit_lines(content.name, inner, label.mm(11), label.mm(4.5), max_lines=2)
    for line in lines:
        draw.text((margin, y), line, font=name_font, fill=0)
        y += _line_height(name_font)
    y += label.mm(3)

    small = font(label.mm(3.6))
    host_lines, host_font = fit_lines(
        f"{content.host_label}: {content.host_name}", inner, label.mm(3.6), label.mm(2.6), 2
    )
    for line in host_lines:
        draw.text((margin, y), line, font=host_font, fill=0)
        y += _line_height(host_font)
    draw.text((margin, y), content.date_text, font=small, fill=0)

    _draw_qr(image, content, label, top=y + _line_height(small))
    return image


def _draw_qr(image: Image.Image, content: BadgeContent, label: LabelSpec, top: int) -> None:
    width, height = image.size
    code_font = font(label.mm(3.2))
    caption_h = _line_height(code_font) + label.mm(3)
    side = min(width - 2 * label.mm(3), height - top - caption_h)
    # The 4-module white border is the quiet zone scanners need; it is part of the square.
    code = qr_image(content.payload, module_px=1, border=4)
    scale = max(1, side // code.width)
    code = code.resize((code.width * scale, code.height * scale), Image.Resampling.NEAREST)
    left = (width - code.width) // 2
    image.paste(code, (left, top))
    draw = ImageDraw.Draw(image)
    caption = f"{content.short_code} · {content.site_name}"
    _centred(draw, caption, code_font, width, caption_h, top + code.height - label.mm(3), fill=0)


def fit_lines(
    text: str, max_width: int, largest: int, smallest: int, max_lines: int
) -> tuple[list[str], Font]:
    """The largest font size at which ``text`` wraps into ``max_lines`` lines of ``max_width``."""
    size = largest
    while size >= smallest:
        lines = wrap(text, font(size, bold=True), max_width)
        if len(lines) <= max_lines:
            return lines, font(size, bold=True)
        size -= max(1, size // 12)
    chosen = font(smallest, bold=True)
    lines = wrap(text, chosen, max_width)[:max_lines]
    lines[-1] = _ellipsize(lines[-1], chosen, max_width)
    return lines, chosen


def wrap(text: str, chosen: Font, max_width: int) -> list[str]:
    """Greedy wrap on spaces; a word wider than a line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if chosen.getlength(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if chosen.getlength(current + char) > max_width and current:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines or [""]


def _ellipsize(line: str, chosen: Font, max_width: int) -> str:
    while line and chosen.getlength(line + "…") > max_width:
        line = line[:-1]
    return line + "…"


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
