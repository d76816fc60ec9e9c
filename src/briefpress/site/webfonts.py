"""Site stage, web fonts: the style's faces as WOFF2, cut down to the characters a page uses.

Subsetting takes a moment per face, so each result is cached under the user's
cache folder by a hash of the font file and the characters: ``make`` after
``make`` subsets nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..build import write_file
from ..style import FontFace, cache_root, subset

FOLDER = "fonts"


@dataclass(frozen=True)
class WebFont:
    face: FontFace
    name: str  # fonts/<file>.woff2, relative to the page
    data: bytes

    def css(self) -> str:
        return self.face.css(self.name).replace('");', '") format("woff2");')


def web_fonts(faces: list[FontFace], text: str) -> list[WebFont]:
    """Every face subset to ``text`` (always with space and the basic punctuation)."""
    chars = "".join(sorted(set(text) | set(" .,:;!?-–—()’“”'\"/·→←↩…0123456789")))
    fonts = []
    for face in faces:
        digest = hashlib.sha256(face.path.read_bytes() + chars.encode()).hexdigest()[:12]
        stem = re.sub(r"[^A-Za-z0-9]+", "", face.family)
        name = f"{stem}-{face.weight or 'var'}-{face.style}-{digest}.woff2"
        cached = cache_root() / "web-fonts" / name
        if cached.is_file():
            data = cached.read_bytes()
        else:
            data = subset(face.path, chars, "woff2")
            write_file(cached, data)
        fonts.append(WebFont(face, f"{FOLDER}/{name}", data))
    return fonts
