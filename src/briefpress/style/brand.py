"""Style stage, the brand: the logo as each output carries it, and the favicon made from it.

The logo a series names wins over its style's (`Logo.choose`). Every output
takes it from here: the XHTML folder, the EPUB and the web pages as a file
``brand/logo.<svg|png>`` (an SVG sanitised like a figure), the print PDF and
the EPUB cover inline (a cover drawn as SVG is shown as an image, and an image
fetches nothing), and the web pages a favicon derived from it.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .css import BRAND

#: A PNG favicon's side in pixels: sharp at twice the 32 px a browser tab shows.
FAVICON_PIXELS = 64


@dataclass(frozen=True)
class Logo:
    """One logo file, checked when its series or style was loaded."""

    path: Path

    @staticmethod
    def choose(series_logo: Path | None, style_logo: Path | None) -> Logo | None:
        """The series' logo, else its style's: a series may brand itself."""
        chosen = series_logo or style_logo
        return Logo(chosen) if chosen else None

    @property
    def suffix(self) -> str:
        """``.svg`` or ``.png``, in lower case."""
        return self.path.suffix.lower()

    @property
    def is_svg(self) -> bool:
        """An SVG (sanitised, and inlined where a file cannot be fetched)."""
        return self.suffix == ".svg"

    @property
    def media_type(self) -> str:
        """Its media type, as the EPUB manifest and the favicon link name it."""
        return "image/svg+xml" if self.is_svg else "image/png"

    @property
    def name(self) -> str:
        """Its name in the XHTML folder, the EPUB and beside a web page."""
        return f"{BRAND}/logo{self.suffix}"

    @cached_property
    def data(self) -> bytes:
        """The file as outputs carry it: an SVG without scripts or external references."""
        from ..source import sanitise_svg

        raw = self.path.read_bytes()
        return sanitise_svg(raw) if self.is_svg else raw

    @property
    def data_uri(self) -> str:
        """For the print HTML and the EPUB cover: the logo inline, fetched from nowhere."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode()}"

    @cached_property
    def size(self) -> tuple[float, float]:
        """Width and height in its own units (SVG ``viewBox`` or size; PNG pixels)."""
        if self.is_svg:
            return _svg_size(self.data)
        from PIL import Image

        with Image.open(io.BytesIO(self.data)) as image:
            return float(image.width), float(image.height)

    def favicon(self) -> tuple[str, bytes, str]:
        """``(name, bytes, media type)`` of the favicon: the SVG itself, or a square PNG."""
        if self.is_svg:
            return "favicon.svg", self.data, self.media_type
        from PIL import Image

        with Image.open(io.BytesIO(self.data)) as image:
            picture = image.convert("RGBA")
        picture.thumbnail((FAVICON_PIXELS, FAVICON_PIXELS))
        # Centred on a transparent square: a wide logo is not stretched.
        square = Image.new("RGBA", (FAVICON_PIXELS, FAVICON_PIXELS), (0, 0, 0, 0))
        square.paste(
            picture,
            ((FAVICON_PIXELS - picture.width) // 2, (FAVICON_PIXELS - picture.height) // 2),
        )
        buffer = io.BytesIO()
        square.save(buffer, format="PNG", optimize=True)
        return "favicon.png", buffer.getvalue(), "image/png"


def _svg_size(data: bytes) -> tuple[float, float]:
    from xml.etree import ElementTree as ET

    root = ET.fromstring(data)
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            width, height = float(box[2]), float(box[3])
            if width > 0 and height > 0:
                return width, height
        except ValueError:
            pass
    try:
        width = float((root.get("width") or "").rstrip("px"))
        height = float((root.get("height") or "").rstrip("px"))
        if width > 0 and height > 0:
            return width, height
    except ValueError:
        pass
    return 1.0, 1.0
