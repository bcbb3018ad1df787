"""Fitting a guest's words into a box drawn with Pillow: the badge's name and host, the roll
call's cells. Names may be long, in any script, or mixed ("陳雅婷 Amy Chen"), so a text is tried
at sizes from large to small, wrapped on spaces (or between characters, for text without spaces
such as Chinese) into at most a given number of lines; only a text that does not fit even at the
smallest size is shortened, with an ellipsis.

Shared by the printers' badge layout and the roll-call sheet the kiosk and the hub both print, so
it names no font file: the caller says which font each size is drawn in.
"""

from __future__ import annotations

from collections.abc import Callable

from PIL import ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
FontForSize = Callable[[int], Font]


def fit_lines(
    text: str, max_width: int, largest: int, smallest: int, max_lines: int, font_for: FontForSize
) -> tuple[list[str], Font]:
    """The largest size (from ``largest`` down to ``smallest``) at which ``text`` wraps into
    ``max_lines`` lines of ``max_width`` pixels; at the smallest size the last line that fits
    ends with an ellipsis. Whatever would start a new line (a line feed, U+2029 ...) is a space
    here: the box decides where lines break, and Pillow cannot measure such text at all."""
    text = one_line(text)
    size = largest
    while size >= smallest:
        chosen = font_for(size)
        lines = wrap(text, chosen, max_width)
        if len(lines) <= max_lines:
            return lines, chosen
        size -= max(1, size // 12)
    chosen = font_for(smallest)
    lines = wrap(text, chosen, max_width)[:max_lines]
    lines[-1] = ellipsize(lines[-1], chosen, max_width)
    return lines, chosen


def one_line(text: str) -> str:
    """``text`` with every run of white space, line and paragraph breaks included (all that
    ``str.splitlines`` breaks on is white space to ``str.split``), as one space. A kiosk sends
    names already cleaned, but the hub also holds text typed in its console and sent by kiosks of
    other releases."""
    return " ".join(text.split())


def wrap(text: str, chosen: Font, max_width: int) -> list[str]:
    """Greedy wrap on spaces. A word goes whole to the next line when it fits there; a word
    wider than a line breaks after a hyphen where it can ("lobby-east-" / "entrance"), and only
    a part still too wide breaks between characters."""
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
        for piece in _after_hyphens(word):
            if chosen.getlength(current + piece) <= max_width:
                current += piece
                continue
            if current:
                lines.append(current)
                current = ""
            for char in piece:
                if chosen.getlength(current + char) > max_width and current:
                    lines.append(current)
                    current = ""
                current += char
    if current:
        lines.append(current)
    return lines or [""]


def _after_hyphens(word: str) -> list[str]:
    """``word`` in pieces that end with a hyphen, but the last: "lobby-", "east-", "entrance"."""
    pieces = [f"{part}-" for part in word.split("-")]
    pieces[-1] = pieces[-1][:-1]
    return [piece for piece in pieces if piece]


def ellipsize(line: str, chosen: Font, max_width: int) -> str:
    """``line`` shortened until it and an ellipsis fit ``max_width``."""
    while line and chosen.getlength(line + "…") > max_width:
        line = line[:-1]
    return line + "…"
