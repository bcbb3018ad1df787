"""One resolver for shipped assets (styles, notices, catalogs, fonts).

An installed wheel carries the tree as ``kiosk/_assets``; a source or editable checkout has it at
the repository root. Code never builds asset paths by hand, so both layouts behave the same.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "_assets"
_SOURCE = Path(__file__).resolve().parent.parent / "assets"

# Where Debian/Ubuntu's fonts-noto-cjk puts the CJK collection, and its Traditional Chinese face.
SYSTEM_CJK_FONTS: tuple[tuple[Path, int], ...] = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 3),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"), 3),
    (Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"), 3),
)
SYSTEM_LATIN_FALLBACK = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class AssetMissingError(FileNotFoundError):
    """A shipped file is missing: the installation is broken, not the user's input."""


@cache
def root() -> Path:
    """The assets directory of this installation."""
    for candidate in (_PACKAGED, _SOURCE):
        if candidate.is_dir():
            return candidate
    raise AssetMissingError(f"assets directory not found (looked in {_PACKAGED} and {_SOURCE})")


def path(*parts: str) -> Path:
    """Absolute path of a shipped asset; raises if the file is not there."""
    found = root().joinpath(*parts)
    if not found.exists():
        raise AssetMissingError(f"missing asset: {'/'.join(parts)} (in {root()})")
    return found


def read_text(*parts: str) -> str:
    return path(*parts).read_text(encoding="utf-8")


def badge_font(bold: bool = False) -> tuple[Path, int] | None:
    """A font file (and face index) that covers Traditional Chinese and Latin.

    A font dropped into ``assets/fonts`` wins, so a site can ship its own brand face; otherwise the
    system Noto Sans CJK collection is used. ``None`` means no CJK font is installed: the caller
    falls back and logs it, because names in Chinese would then print as boxes.
    """
    shipped = sorted(root().joinpath("fonts").glob("*.[ot]t[fc]"))
    if shipped:
        bold_faces = [f for f in shipped if "Bold" in f.name]
        regular_faces = [f for f in shipped if "Bold" not in f.name] or shipped
        return ((bold_faces or regular_faces)[0] if bold else regular_faces[0]), 0
    wanted = "Bold" if bold else "Regular"
    for system_font, index in SYSTEM_CJK_FONTS:
        if (wanted in system_font.name) and system_font.exists():
            return system_font, index
    for system_font, index in SYSTEM_CJK_FONTS:
        if system_font.exists():
            return system_font, index
    return None
