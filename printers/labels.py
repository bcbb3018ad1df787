"""Physical label sizes. The layout works in pixels at each label's real size and resolution.

Brother sizes are the printable area in dots as the printer's firmware defines it (brother_ql's
label table); a die-cut label is smaller than its paper. Landscape labels (wider than tall) get
the landscape layout, with the QR beside the text.
"""

from __future__ import annotations

from dataclasses import dataclass

MM_PER_INCH = 25.4


@dataclass(frozen=True)
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


LABELS: dict[str, LabelSpec] = {
    spec.name: spec
    for spec in (
        LabelSpec(
            "dk-22205",
            "Brother DK-22205, 62 mm continuous, cut at 100 mm",
            62,
            100,
            300,
            (696, 1181),
            "62",
            continuous=True,
        ),
        LabelSpec("dk-11202", "Brother DK-11202, 62 × 100 mm", 62, 100, 300, (696, 1109), "62x100"),
        LabelSpec(
            "dk-11201", "Brother DK-11201, 29 × 90 mm (landscape)", 90, 29, 300, (991, 306), "29x90"
        ),
        LabelSpec("dymo-30256", "Dymo 30256, 59 × 102 mm", 59, 102, 300),
        LabelSpec("zebra-4x3", "Zebra 4 × 3 in at 203 dpi (landscape)", 101.6, 76.2, 203),
        LabelSpec("cr80", "CR80 card, 85.6 × 54 mm (landscape)", 85.6, 54, 300),
        LabelSpec("a6", "A6 paper, 105 × 148 mm", 105, 148, 300),
        LabelSpec("a4", "A4 paper, 210 × 297 mm", 210, 297, 300),
    )
}


def label(name: str) -> LabelSpec:
    return LABELS[name]
