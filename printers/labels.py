"""Physical label sizes. Layout works in pixels at the label's real size and resolution."""

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

    @property
    def size_px(self) -> tuple[int, int]:
        return (self._px(self.width_mm), self._px(self.height_mm))

    def _px(self, mm: float) -> int:
        return round(mm / MM_PER_INCH * self.dpi)

    def mm(self, millimetres: float) -> int:
        """A length on the label, in pixels."""
        return self._px(millimetres)


LABELS: dict[str, LabelSpec] = {
    "dk-11202": LabelSpec("dk-11202", "Brother DK-11202, 62 × 100 mm", 62, 100, 300),
}


def label(name: str) -> LabelSpec:
    return LABELS[name]
