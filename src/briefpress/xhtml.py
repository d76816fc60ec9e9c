"""XHTML stage: the EPUB-ready HTML folder of one brief, as files in memory.

``index.xhtml`` (from the style's ``epub`` template), ``style.css`` (the style's
screen stylesheets after its ``@font-face`` rules, pointing at relative font
paths) and ``fonts/`` with each font file and its OFL licence beside it. Every
path is relative, so the folder can be zipped into an EPUB or served as is.
"""

from __future__ import annotations

import re
from pathlib import Path

from .html import render
from .model import Brief
from .style import Style
from .svg import sanitise_svg

FONTS_DIR = "fonts"


def font_files(style: Style) -> dict[str, Path]:
    """Relative name in the folder → source file, for every font and licence."""
    files: dict[str, Path] = {}
    for face in style.fonts:
        files[f"{FONTS_DIR}/{_safe_name(face.path.name)}"] = face.path
        if face.license:
            stem = face.family.replace(" ", "")
            files[f"{FONTS_DIR}/{stem}-OFL.txt"] = face.license
    return files


def _safe_name(name: str) -> str:
    """``SourceSerif4[opsz,wght].ttf`` → ``SourceSerif4-opsz-wght.ttf``: safe in any URL or zip."""
    stem, dot, ext = name.rpartition(".")
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") + dot + ext


def render_folder(brief: Brief, style: Style) -> dict[str, bytes]:
    fonts = font_files(style)
    url_for = {source: name for name, source in fonts.items()}
    css = [style.font_css(url_for)]
    css += [path.read_text(encoding="utf-8") for path in style.stylesheets.get("screen", ())]
    files = {name: source.read_bytes() for name, source in fonts.items()}
    for image in brief.images:
        data = (brief.path.parent / image).read_bytes()
        files[image] = sanitise_svg(data) if image.lower().endswith(".svg") else data
    files["style.css"] = "\n\n".join(css).encode()
    files["index.xhtml"] = render(brief, style, "epub").text.encode()
    return files
