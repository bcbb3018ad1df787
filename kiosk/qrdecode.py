"""Read badge QR codes back from images: a photo, a spooled PNG, or a PDF page.

Uses zxing-cpp, a maintained decoder, and pypdfium2 to rasterise PDF pages. Both are imported
when first needed, so a kiosk that never verifies images never loads them.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

MAX_IMAGE_PIXELS = 40_000_000  # a 6,000 × 6,000 photo; larger input is refused
PDF_DPI = 300


class UnreadableImageError(ValueError):
    """The file is not an image or PDF we can read."""


def decode_image(image: Image.Image) -> list[str]:
    """Texts of all QR codes found in ``image``."""
    import zxingcpp

    results = zxingcpp.read_barcodes(image.convert("L"))
    return [r.text for r in results if r.valid and r.format == zxingcpp.BarcodeFormat.QRCode]


def decode_file(path: Path) -> list[str]:
    """Texts of all QR codes in a PNG/JPEG file or in every page of a PDF."""
    if path.suffix.lower() == ".pdf":
        return [text for page in _pdf_pages(path) for text in decode_image(page)]
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise UnreadableImageError(f"{path}: image too large to scan")
            image.load()
            return decode_image(image)
    except (OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise UnreadableImageError(f"{path}: not a readable image ({error})") from None


def _pdf_pages(path: Path) -> list[Image.Image]:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as error:
        raise UnreadableImageError(f"{path}: not a readable PDF ({error})") from None
    try:
        return [page.render(scale=PDF_DPI / 72).to_pil() for page in document]
    finally:
        document.close()
