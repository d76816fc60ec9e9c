"""XHTML stage: the EPUB-ready HTML folder of one brief, as files in memory.

``index.xhtml`` (from the style's ``epub`` template), ``style.css`` (the style's
screen stylesheets after its ``@font-face`` rules, pointing at relative font
paths) and ``fonts/`` with each font file and its OFL licence beside it. Every
path is relative, so the folder can be zipped into an EPUB or served as is.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Problem, RenderError
from ..source import Brief, sanitise_svg
from ..style import BRAND, FontFace, Logo, Style, coverage, shipped_css, text_font, web_fonts
from .html import render

FONTS_DIR = "fonts"

#: DPUB-ARIA role of each ``epub:type`` that has one: reading systems read the
#: ``epub:type``, assistive technology the role (DAISY Ace's epub-type-has-matching-role).
ROLES = {
    "abstract": "doc-abstract",
    "chapter": "doc-chapter",
    "colophon": "doc-colophon",
    "pullquote": "doc-pullquote",
    "endnotes": "doc-endnotes",
    "noteref": "doc-noteref",
    "preface": "doc-preface",
    "conclusion": "doc-conclusion",
    "epigraph": "doc-epigraph",
    "acknowledgments": "doc-acknowledgments",
}
_TYPED_TAG = re.compile(r'<([a-z]+)((?:\s[^<>]*?)?\sepub:type="([a-z-]+)"[^<>]*?)(/?)>')


def brief_text(brief: Brief) -> str:
    """Every character the brief can print (front matter and body alike)."""
    parts = [brief.title, brief.subtitle or "", brief.lead or "", brief.body, *brief.key_issues]
    parts += [f"{a.name} {a.affiliation or ''} {a.bio or ''}" for a in brief.authors]
    return "".join(parts)


def font_files(style: Style, faces: list[FontFace] | None = None) -> dict[str, Path]:
    """Relative name in the folder → source file, for every font and licence."""
    files: dict[str, Path] = {}
    for face in style.fonts if faces is None else faces:
        files[f"{FONTS_DIR}/{_safe_name(face.path.name)}"] = face.path
        if face.license:
            stem = face.family.replace(" ", "")
            files[f"{FONTS_DIR}/{stem}-OFL.txt"] = face.license
    return files


def _safe_name(name: str) -> str:
    """``SourceSerif4[opsz,wght].ttf`` → ``SourceSerif4-opsz-wght.ttf``: safe in any URL or zip."""
    stem, dot, ext = name.rpartition(".")
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") + dot + ext


def needed_fallbacks(brief: Brief, style: Style) -> tuple[list[FontFace], str]:
    """Fallback faces the brief needs, and the characters it needs them for."""
    primary = coverage(tuple(sorted({f.path for f in style.fonts if not f.fallback})))
    missing = "".join(sorted(ch for ch in set(brief_text(brief)) if ord(ch) not in primary))
    needed = []
    for face in (f for f in style.fonts if f.fallback):
        if missing and any(ord(ch) in coverage((face.path,)) for ch in missing):
            needed.append(face)
    return needed, missing


def add_roles(markup: str) -> str:
    """Give every element with a known ``epub:type`` and no role its matching role.

    ARIA allows no document role on ``<footer>``, so a typed footer (the colophon,
    the only footer of a brief) becomes a section inside a plain footer: the
    section keeps its document role, the footer keeps the page's contentinfo
    landmark (axe's ``region``: no content outside a landmark).
    """
    single_footer = markup.count("<footer") == 1 and markup.count("</footer>") == 1
    renamed = False

    def tag(match: re.Match[str]) -> str:
        nonlocal renamed
        name, attributes, kind, empty = match.groups()
        if kind not in ROLES or " role=" in attributes:
            return match[0]
        if name == "footer":
            if not single_footer:
                return match[0]
            renamed = True
            return f'<footer><section{attributes} role="{ROLES[kind]}"{empty}>'
        return f'<{name}{attributes} role="{ROLES[kind]}"{empty}>'

    typed = _TYPED_TAG.sub(tag, markup)
    return typed.replace("</footer>", "</section></footer>") if renamed else typed


def ship_css(style: Style, kinds: tuple[str, ...]) -> list[tuple[str, dict[str, Path]]]:
    """The style's stylesheets of ``kinds``, each with its ``url()`` files under `BRAND`."""
    folders = style.folders or (style.folder,)
    return [
        shipped_css(path, folders) for kind in kinds for path in style.stylesheets.get(kind, ())
    ]


def brand_files(logo: Logo | None, style: Style) -> dict[str, bytes]:
    """The logo and every file the style's screen and web CSS name, as an output holds them.

    The web page beside ``index.xhtml`` reads them from the XHTML folder; the
    catalogue has its own.
    """
    folders = style.folders or (style.folder,)
    layouts = [
        folder / "web" / "web.css" for folder in folders if (folder / "web" / "web.css").is_file()
    ]
    sheets = [*ship_css(style, ("screen", "web")), *(shipped_css(p, folders) for p in layouts[-1:])]
    files = {
        name: _asset_bytes(source) for _text, assets in sheets for name, source in assets.items()
    }
    if logo is not None:
        files[logo.name] = logo.data
    return files


def _asset_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return sanitise_svg(data) if path.suffix.lower() == ".svg" else data


def render_folder(brief: Brief, style: Style) -> dict[str, bytes]:
    """The EPUB-ready folder: each font inside it, cut to what the brief prints."""
    return with_fonts(brief, style, render_body(brief, style))


def render_body(brief: Brief, style: Style) -> dict[str, bytes]:
    """``index.xhtml`` and the figures: what the EPUB and the XHTML folder share."""
    files = {}
    for image in brief.images:
        if image.split("/", 1)[0] == BRAND:  # the folder of the logo and the style's files
            problem = Problem(brief.path, None, "image", f"{image}: {BRAND}/ is the style's folder")
            raise RenderError(str(problem), [problem])
        data = (brief.path.parent / image).read_bytes()
        files[image] = sanitise_svg(data) if image.lower().endswith(".svg") else data
    files.update(brand_files(Logo.choose(brief.series.logo, style.logo), style))
    files["index.xhtml"] = add_roles(render(brief, style, "epub").text).encode()
    return files


def _screen_css(brief: Brief, style: Style) -> list[str]:
    css = []
    if style.palette:  # the palette's colours as RGB, derived through the press profile
        css.append(style.palette_css("rgb", style.output_profile(brief.series.print_profile)))
    # The files the style's CSS names travel with it (brand/<style>/…), as the web page's do.
    css += [text for text, _assets in ship_css(style, ("screen",))]
    return css


_TAG = re.compile(r"<[^>]+>")
_CONTENT = re.compile(r"""content:\s*(["'])(.*?)\1""")
_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6})\s?")


def printed_text(brief: Brief, body: dict[str, bytes], css: list[str]) -> str:
    """Every character the folder can show: its text, the CSS's generated content."""
    import html

    text = html.unescape(_TAG.sub(" ", body["index.xhtml"].decode()))
    generated = [m[2] for sheet in css for m in _CONTENT.finditer(sheet)]
    generated = [_ESCAPE.sub(lambda e: chr(int(e[1], 16)), g) for g in generated]
    return text + "".join(generated) + brief_text(brief)


def with_fonts(brief: Brief, style: Style, body: dict[str, bytes]) -> dict[str, bytes]:
    """``body`` with ``style.css`` and ``fonts/``: each face as TrueType, its ``latin``
    block and the brief's other characters (``style.webfonts.text_font``).

    A whole face is 200–400 KB and a brief uses a few hundred characters of it:
    cut, the reference brief's EPUB weighs a quarter of what it did.
    """
    fallbacks, missing = needed_fallbacks(brief, style)
    faces = [f for f in style.fonts if not f.fallback] + fallbacks
    screen = _screen_css(brief, style)
    text = printed_text(brief, body, screen)
    fonts = font_files(style, faces)
    url_for = {source: name for name, source in fonts.items()}
    files = dict(body)
    for name, source in fonts.items():
        face = next((f for f in faces if f.path == source), None)
        if face is None:  # a licence
            files[name] = source.read_bytes()
        else:
            files[name] = text_font(face, missing if face.fallback else text)
    css = ["\n".join(face.css(url_for.get(face.path)) for face in faces), *screen]
    files["style.css"] = "\n\n".join(css).encode()
    return files


def with_shared_fonts(
    brief: Brief, style: Style, body: dict[str, bytes]
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """``body`` with a ``style.css`` that loads the series' shared web fonts, and those files.

    The folder on disk needs no fonts of its own: it uses the same WOFF2 files as
    the web pages, in the series' ``fonts/`` folder beside it (name → bytes).
    """
    fallbacks, _missing = needed_fallbacks(brief, style)
    faces = [f for f in style.fonts if not f.fallback] + fallbacks
    screen = _screen_css(brief, style)
    fonts = web_fonts(faces, printed_text(brief, body, screen))
    shared = {font.name: font.data for font in fonts}
    for name, source in font_files(style, faces).items():
        if name.endswith("-OFL.txt"):  # the licences travel with the fonts
            shared[name.removeprefix(f"{FONTS_DIR}/")] = source.read_bytes()
    css = ["\n".join(font.css(f"../{FONTS_DIR}/") for font in fonts), *screen]
    return {**body, "style.css": "\n\n".join(css).encode()}, shared
