"""Site stage, figures on the web page: sized (no layout shift) and linked to their file.

The body's ``img`` elements get the ``width`` and ``height`` of the file the
XHTML unit copied beside the page (pixels of a PNG or JPEG, the size or
``viewBox`` of a sanitised SVG), and a link to that file, so that a phone
reader can open a chart full size.
"""

from __future__ import annotations

import re
from pathlib import Path

_IMG = re.compile(r"<img\b([^>]*?)\s*/?>")
_ATTRIBUTE = re.compile(r'\s([\w:-]+)="([^"]*)"')


def image_size(path: Path) -> tuple[int, int] | None:
    """Pixels of a raster image, CSS pixels of an SVG (its width and height, else its viewBox)."""
    if not path.is_file():
        return None
    if path.suffix.lower() == ".svg":
        from xml.etree import ElementTree as ET

        try:
            root = ET.fromstring(path.read_bytes())  # the XHTML unit's sanitised copy
        except ET.ParseError:
            return None
        numbers = [_css_px(root.get(name)) for name in ("width", "height")]
        if numbers[0] and numbers[1]:
            return round(numbers[0]), round(numbers[1])
        box = (root.get("viewBox") or "").replace(",", " ").split()
        if len(box) == 4:
            try:
                width, height = float(box[2]), float(box[3])
            except ValueError:
                return None
            return (round(width), round(height)) if width > 0 and height > 0 else None
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, UnidentifiedImageError):
        return None


def _css_px(value: str | None) -> float | None:
    match = re.fullmatch(r"\s*([0-9.]+)\s*(px)?\s*", value or "")
    try:
        return float(match[1]) if match else None
    except ValueError:
        return None


def sized_figures(markup: str, folder: Path) -> str:
    """Every ``img`` with its ``width`` and ``height`` (no layout shift while it loads),
    inside a link to its file, so a reader can open a figure full size."""

    def sized(match: re.Match[str]) -> str:
        attributes = dict(_ATTRIBUTE.findall(" " + match[1]))
        source = attributes.get("src", "")
        local = source and "://" not in source and not source.startswith(("/", "data:"))
        size = image_size(folder / source) if local and ".." not in source.split("/") else None
        tag = match[0]
        if size and "width" not in attributes and "height" not in attributes:
            tag = f'<img{match[1]} width="{size[0]}" height="{size[1]}" />'
        if not local:
            return tag
        return f'<a class="full-size" href="{source}">{tag}</a>'  # escaped in the markup

    return _IMG.sub(sized, markup)
