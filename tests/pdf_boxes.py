"""Reading the roll-call sheet's tick boxes back from its PDF, as a person would see them."""

from __future__ import annotations

from pathlib import Path


def tick_boxes(pdf: Path | bytes, dpi: int = 150) -> list[list[bool]]:
    """Per page, one entry per tick box (ticked or not). A box's left edge is a dark vertical run
    about 6 mm long at 15 mm from the page edge (text there is never that tall); a ticked box has
    a dark stroke inside it."""
    import pypdfium2

    def px(mm: float) -> int:
        return round(mm / 25.4 * dpi)

    pages = []
    document = pypdfium2.PdfDocument(str(pdf) if isinstance(pdf, Path) else pdf)
    for page in document:
        image = page.render(scale=dpi / 72).to_pil().convert("L")
        x = px(15.15)
        column = [image.getpixel((x, y)) < 128 for y in range(image.height)]
        boxes, top = [], None
        for y, dark in enumerate([*column, False]):
            if dark and top is None:
                top = y
            elif not dark and top is not None:
                if px(5) <= y - top <= px(7):
                    inside = image.crop((px(16), top + px(1), px(20.2), y - px(1)))
                    boxes.append(
                        inside.point(lambda v: 255 if v < 128 else 0).getbbox() is not None
                    )
                top = None
        pages.append(boxes)
    document.close()
    return pages
