"""QR codes for campaign links, for posters and leaflets."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A PNG of `data`; medium error correction survives a crumpled printout."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=box_size, border=4, image_factory=PilImage
    )
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of `data`'s code with its quiet zone (dark = True), for a page to draw
    itself (bot.site): no image file, nothing for a browser to fetch."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(m) for m in row) for row in code.get_matrix())
