"""Physical label sizes. The layout works in pixels at each label's real size and resolution.

The sizes come from the catalogue (``assets/printers/catalogue.toml``), which the config also
reads, so a label is named in one place. Landscape labels (wider than tall) get the landscape
layout, with the QR beside the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.catalogue import label_rows
from kiosk.records import record

MM_PER_INCH = 25.4


@record
class LabelSpec:
    name: str
    description: str
    width_mm: float
    height_mm: float
    dpi: int
    printable_px: tuple[int, int] | None = None
    brother_id: str = ""  # brother_ql's label identifier, for Brother QL printers
    continuous: bool = False

    @property
    def size_px(self) -> tuple[int, int]:
        return self.printable_px or (self._px(self.width_mm), self._px(self.height_mm))

    @property
    def page_px(self) -> tuple[int, int]:
        """The whole label or sheet, margins included (what a PDF page should measure)."""
        return (self._px(self.width_mm), self._px(self.height_mm))

    @property
    def landscape(self) -> bool:
        width, height = self.size_px
        return width > height

    @property
    def cups_media(self) -> str:
        """The CUPS ``media`` option for this paper, e.g. ``Custom.62x100mm``."""
        return f"Custom.{self.width_mm:g}x{self.height_mm:g}mm"

    def _px(self, mm: float) -> int:
        return round(mm / MM_PER_INCH * self.dpi)

    def mm(self, millimetres: float) -> int:
        """A length on the label, in pixels."""
        return self._px(millimetres)


def _spec(row: Mapping[str, Any]) -> LabelSpec:
    printable = row.get("printable_px")
    return LabelSpec(
        name=str(row["name"]),
        description=str(row["description"]),
        width_mm=float(row["width_mm"]),
        height_mm=float(row["height_mm"]),
        dpi=int(row["dpi"]),
        printable_px=(int(printable[0]), int(printable[1])) if printable else None,
        brother_id=str(row.get("brother_id", "")),
        continuous=bool(row.get("continuous", False)),
    )


# From the one catalogue the config checks names against (assets/printers/catalogue.toml).
LABELS: dict[str, LabelSpec] = {spec.name: spec for spec in map(_spec, label_rows())}


def label(name: str) -> LabelSpec:
    return LABELS[name]
