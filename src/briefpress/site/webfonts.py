"""Site stage, web fonts: the ``@font-face`` rules, preloads and files a page needs.

The files live once per series in the shared ``fonts/`` folder under names that
carry their content's digest (``style.webfonts`` cuts them along fixed Unicode
blocks), so every page of the series, the catalogue and the XHTML folders use
the same files and a browser keeps them for a year.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..style import FontFace, web_fonts

FOLDER = "fonts"


@dataclass(frozen=True)
class PageFonts:
    #: The web fonts' ``@font-face`` rules (``font-display: swap``), for the page's
    #: ``<style>``; their local fallbacks are in ``web.css`` (``page.web_css``).
    css: str
    #: ``<link rel="preload">`` of the running text's faces (``text_faces``), latin block.
    preload: str
    #: Name in the shared folder → bytes.
    files: dict[str, bytes]


def text_faces(faces: list[FontFace]) -> list[FontFace]:
    """Per family, the upright face nearest the regular weight: the running text's.

    Only these are preloaded. Every page sets text in them at once, where a
    heading weight may not be used on a page at all, and a preload left unused
    is a wasted download (and a console warning). The other faces swap in from
    fallbacks of the same measures, so they move nothing either.
    """
    chosen: dict[str, FontFace] = {}
    for face in faces:
        if face.fallback or face.style != "normal":
            continue
        best = chosen.get(face.family)
        if best is None or abs((face.weight or 400) - 400) < abs((best.weight or 400) - 400):
            chosen[face.family] = face
    return list(chosen.values())


def page_fonts(faces: list[FontFace], text: str, up: str) -> PageFonts:
    """What a page with ``text`` needs; ``up`` leads from the page to the series' folder."""
    fonts = web_fonts(faces, text)
    url = f"{up}{FOLDER}/"
    rules = [font.css(url) for font in fonts]
    preload = [
        f'<link rel="preload" href="{url}{font.name}" as="font" type="font/woff2" crossorigin>'
        for font in fonts
        if font.block == "latin" and font.face in text_faces(faces)
    ]
    return PageFonts(
        "\n".join(rule for rule in rules if rule),
        "\n".join(preload),
        {font.name: font.data for font in fonts},
    )


#: Beside the front page: the caching rule of Netlify and Cloudflare Pages (other
#: hosts ignore it; docs/web.md gives the same rule for nginx and Apache).
HEADERS_FILE = "_headers"


def headers_file() -> bytes:
    """A font's name changes with its bytes, so a browser may keep it for a year unasked."""
    rule = "  Cache-Control: public, max-age=31536000, immutable\n"
    return "".join(f"{path}\n{rule}" for path in (f"/{FOLDER}/*", f"/*/{FOLDER}/*")).encode()
