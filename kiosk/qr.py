"""QR images for badges: on paper, on screen and in an email."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

# qrcode and Pillow are imported on first use: together ~25 ms that neither the window's first
# paint nor a `kiosk` command without a QR should pay.


def qr_image(payload: str, module_px: int = 10, border: int = 4) -> Image.Image:
    """Black-on-white QR with error correction Q (survives a scuffed or creased label)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_Q

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=module_px, border=border)
    code.add_data(payload)
    code.make(fit=True)
    image: Image.Image = code.make_image(fill_color="black", back_color="white").get_image()
    return image.convert("L")


def qr_version(payload: str) -> int:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_Q

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q)
    code.add_data(payload)
    code.make(fit=True)
    return int(code.version)


def write_qr_png(payload: str, target: Path) -> Path:
    """A QR code as a PNG file (for the visitor's emailed copy of their badge)."""
    qr_image(payload, module_px=8).save(target, "PNG")
    return target
