"""EPUB stage: the EPUB-ready XHTML folder → an EPUB 3 package, byte for byte reproducible.

The package holds the brief's XHTML, its stylesheet, fonts (with their OFL
licences), figures, a navigation document (table of contents and landmarks),
an SVG title page as cover (both from the style's templates under ``epub/``,
the cover in its palette's screen colours), and an OPF with Dublin Core and accessibility
metadata. The ZIP is written in a fixed order with fixed timestamps (the
brief's date), ``mimetype`` first and stored uncompressed, so the same inputs
give the same bytes.
"""

from __future__ import annotations

import io
import mimetypes
import struct
import zipfile
import zlib
from collections.abc import Mapping
from urllib.parse import quote
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from ..errors import Problem, RenderError
from ..source import Brief, quote_svg_families
from ..style import Style, screen_colours
from .card import CardWords, raster_cover
from .citations import format_brief
from .html import Headline, logo_context, render_template
from .pagelist import PageBreak, mark_pages

XHTML_NS = "http://www.w3.org/1999/xhtml"
CONTENT = "index.xhtml"
MEDIA_TYPES = {
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".txt": "text/plain",
}
CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


def _media_type(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _outline(content: bytes) -> list[tuple[str, str]]:
    """(id, title) of the content's top-level parts, in reading order, for the nav."""
    root = ET.fromstring(content)
    entries = []
    for element in root.iter():
        if element.tag in (f"{{{XHTML_NS}}}section", f"{{{XHTML_NS}}}aside") and element.get("id"):
            heading = element.find(f"{{{XHTML_NS}}}h2")
            if heading is not None:
                entries.append((element.get("id", ""), "".join(heading.itertext()).strip()))
        elif element.tag == f"{{{XHTML_NS}}}section" and element.get("aria-labelledby"):
            heading = element.find(f"{{{XHTML_NS}}}h2")
            if heading is not None and heading.get("id"):
                entries.append((heading.get("id", ""), "".join(heading.itertext()).strip()))
    return entries


def _xhtml(brief: Brief, head: str, body: str, body_type: str = "") -> bytes:
    """An XHTML content document of the package in the brief's language."""
    lang = escape(brief.language, {'"': "&quot;"})  # validated as BCP 47; escaped all the same
    typed = f' epub:type="{body_type}"' if body_type else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" xml:lang="{lang}">
<head>
<meta charset="utf-8" />
<title>{escape(brief.title)}</title>
{head}
</head>
<body{typed}>
{body}
</body>
</html>
""".encode()


def nav_document(
    brief: Brief, style: Style, content: bytes, pages: list[PageBreak] | None = None
) -> bytes:
    """The navigation document: the style's ``epub/nav.xhtml.j2`` over the outline and pages."""
    context = {
        "lang": brief.language,  # validated as BCP 47; escaped by the template all the same
        "title": brief.title,
        "content": CONTENT,
        "outline": _outline(content),
        "labels": style.labels_for(brief.language),
        "pages": [(page.number, page.anchor) for page in pages or ()],
    }
    return render_template(style, "epub/nav.xhtml.j2", context).encode()


def cover_svg(brief: Brief, style: Style, masthead: str, byline: str) -> bytes:
    """The title page as SVG (the style's ``epub/cover.svg.j2``), in its palette's screen colours.

    Its font family names quoted, as a figure's are: an unquoted
    family name ending in a digit (``Some Sans 3``) is no CSS family name, and the cover
    would render in Times.
    """
    profile = style.output_profile(brief.series.print_profile) if style.palette else None
    context = {
        "title": brief.title,
        "masthead": masthead,
        "byline": byline,
        "date": brief.date_text,
        "colours": screen_colours(style.palette, profile),
        # Inline: a cover shown as an image fetches nothing, so a file beside it would not show.
        "logo": logo_context(brief, style, inline=True),
    }
    return quote_svg_families(render_template(style, "epub/cover.svg.j2", context)).encode()


def cover_page(brief: Brief, colon: str = ": ") -> bytes:
    alt = quoteattr(f"{brief.title}{colon}{brief.series.name} {brief.issue_label}")
    style = "<style>body { margin: 0; text-align: center; } img { max-width: 100%; max-height: 100vh; }</style>"
    return _xhtml(brief, style, f'<img src="cover.svg" alt={alt} />', "cover")


#: The conformance an EPUB claims (EPUB Accessibility 1.1's own wording), and the
#: accessibility features every briefpress EPUB has.
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
COVER_IMAGE = "cover.png"


def package_document(
    brief: Brief,
    files: Mapping[str, bytes],
    description: str,
    citation: str = "",
    page_source: str | None = None,
) -> bytes:
    """The OPF. ``page_source`` names the print edition whose page breaks the EPUB marks."""
    series = brief.series
    stamp = f"{brief.date.isoformat()}T00:00:00Z"
    has_images = any(
        _media_type(name).startswith("image/") and name not in ("cover.svg", COVER_IMAGE)
        for name in files
    )
    meta: list[str] = [
        f'<dc:identifier id="pub-id">{escape(brief.identifier)}</dc:identifier>',
        f"<dc:title>{escape(brief.title)}</dc:title>",
        f"<dc:language>{escape(brief.language)}</dc:language>",
        f"<dc:date>{brief.date.isoformat()}</dc:date>",
        f"<dc:publisher>{escape(brief.publisher_text)}</dc:publisher>",
        # Key issues, else the lead; an empty dc:description is invalid EPUB (RSC-005).
        *([f"<dc:description>{escape(description)}</dc:description>"] if description else []),
        f'<meta property="dcterms:modified">{stamp}</meta>',
    ]
    for number, author in enumerate(brief.authors, start=1):
        meta.append(f'<dc:creator id="creator{number}">{escape(author.name)}</dc:creator>')
        # Reading systems sort by file-as: "von der Leyen, Ursula", "De Smedt, Pieter".
        file_as = escape(author.name_parts.inverted)
        meta.append(f'<meta refines="#creator{number}" property="file-as">{file_as}</meta>')
        meta.append(
            f'<meta refines="#creator{number}" property="role" scheme="marc:relators">aut</meta>'
        )
    for number, translator in enumerate(brief.translators, start=1):
        meta.append(
            f'<dc:contributor id="translator{number}">{escape(translator.name)}</dc:contributor>'
        )
        meta.append(
            f'<meta refines="#translator{number}" property="role" scheme="marc:relators">trl</meta>'
        )
    meta += [f"<dc:subject>{escape(keyword)}</dc:subject>" for keyword in brief.keywords]
    # The other editions (original, translations), by address or identifier.
    meta += [f"<dc:relation>{escape(e.url or e.identifier)}</dc:relation>" for e in brief.editions]
    if citation:  # "How to cite this brief", as the colophon prints it
        meta.append(f'<meta property="dcterms:bibliographicCitation">{escape(citation)}</meta>')
    if brief.license:
        meta.append(f"<dc:rights>{escape(brief.license)}</dc:rights>")
    meta.append(
        f"<dc:source>{escape(series.name)} {escape(brief.issue_label)}"
        + (f", ISSN {escape(series.issn.online)}" if series.issn.online else "")
        + "</dc:source>"
    )
    # The series as an EPUB 3 collection: readers group the briefs by it, in number order.
    meta += [
        f'<meta property="belongs-to-collection" id="series">{escape(series.name)}</meta>',
        '<meta refines="#series" property="collection-type">series</meta>',
        f'<meta refines="#series" property="group-position">{brief.number}</meta>',
    ]
    issn = series.issn.online or series.issn.print
    if issn:
        meta.append(
            f'<meta refines="#series" property="dcterms:identifier">urn:issn:{escape(issn)}</meta>'
        )
    meta += [
        '<meta property="schema:accessMode">textual</meta>',
        *(['<meta property="schema:accessMode">visual</meta>'] if has_images else []),
        '<meta property="schema:accessModeSufficient">textual</meta>',
        '<meta property="schema:accessibilityFeature">structuralNavigation</meta>',
        '<meta property="schema:accessibilityFeature">tableOfContents</meta>',
        '<meta property="schema:accessibilityFeature">readingOrder</meta>',
        '<meta property="schema:accessibilityFeature">displayTransformability</meta>',
        *(
            ['<meta property="schema:accessibilityFeature">alternativeText</meta>']
            if has_images
            else []
        ),
        *(
            [
                '<meta property="schema:accessibilityFeature">pageBreakMarkers</meta>',
                '<meta property="schema:accessibilityFeature">pageNavigation</meta>',
            ]
            if page_source
            else []
        ),
        '<meta property="schema:accessibilityHazard">none</meta>',
        '<meta property="schema:accessibilitySummary">'
        + escape(
            "A reflowable policy brief with a table of contents, headings in reading order, "
            "linked notes and text alternatives for every figure"
            + (", and the print edition's page numbers" if page_source else "")
            + ". It meets WCAG 2.1 Level AA. No hazards."
        )
        + "</meta>",
        # The conformance claim (EPUB Accessibility 1.1, section 2.1): the publisher
        # checks every EPUB with EPUBCheck and DAISY Ace before it is published.
        f'<meta property="dcterms:conformsTo">{CONFORMANCE}</meta>',
        f'<meta property="a11y:certifiedBy">{escape(brief.publisher_text)}</meta>',
    ]
    if page_source:
        meta.append(f'<meta property="pageBreakSource">{escape(page_source)}</meta>')
    items = []
    for index, name in enumerate(sorted(files)):
        properties = {
            "nav.xhtml": ' properties="nav"',
            # The raster cover: library shelves and thumbnails; the SVG is the cover page.
            COVER_IMAGE: ' properties="cover-image"',
        }.get(name, "")
        item_id = "content" if name == CONTENT else f"item{index}"
        items.append(
            f'<item id="{item_id}" href={quoteattr(quote(name))} media-type="{_media_type(name)}"{properties}/>'
        )
    metadata = "\n    ".join(meta)
    manifest = "\n    ".join(items)
    cover_id = next(
        (f"item{i}" for i, n in enumerate(sorted(files)) if n == "cover.xhtml"), "cover"
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id" xml:lang={quoteattr(brief.language)}>
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    {metadata}
  </metadata>
  <manifest>
    {manifest}
  </manifest>
  <spine>
    <itemref idref="{cover_id}" linear="yes"/>
    <itemref idref="content"/>
  </spine>
</package>
""".encode()


def build_epub(
    brief: Brief,
    style: Style,
    folder: Mapping[str, bytes],
    words: Headline,
    openings: list[tuple[str, str]] | None = None,
    previous: bytes | None = None,
) -> bytes:
    """``folder`` is the EPUB-ready XHTML folder (xhtml.render_folder); ``openings`` the first
    running text of each print page (``layout.Layout.openings``), for the page list;
    ``previous`` the EPUB already in the output (its cover picture is kept when its
    inputs are the same)."""
    taken = sorted(
        {"cover.svg", COVER_IMAGE, "cover.xhtml", "nav.xhtml", "package.opf"} & set(folder)
    )
    if taken:  # a figure would be silently replaced by the package's own file
        problem = Problem(brief.path, None, "image", f"{taken[0]}: the EPUB uses this name")
        raise RenderError(str(problem), [problem])
    files = dict(folder)
    labels = style.labels_for(brief.language)
    files[CONTENT], pages = mark_pages(files[CONTENT], openings or [])
    files["cover.svg"] = cover_svg(brief, style, words.masthead, words.byline)
    picture = CardWords(words.masthead, brief.title, words.byline, brief.date_text)
    cover = raster_cover(style, picture, brief.series.print_profile, _member(previous, COVER_IMAGE))
    files[COVER_IMAGE] = cover
    files["cover.xhtml"] = cover_page(brief, labels.get("colon", ": "))
    files["nav.xhtml"] = nav_document(brief, style, files[CONTENT], pages)
    cited = format_brief(brief)  # formatted once per process: the XHTML already asked
    citation = cited.how_to_cite_text if cited else ""
    # The print PDF is the same work as the EPUB: its identifier names the pagination.
    source = f"{brief.identifier}" if pages else None
    package = package_document(brief, files, words.description, citation, source)
    return _zip(brief, {"EPUB/package.opf": package, **{f"EPUB/{k}": v for k, v in files.items()}})


def _member(package: bytes | None, name: str) -> bytes | None:
    """A file of an earlier EPUB (``EPUB/name``), or None when it has none or does not read."""
    if not package:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            return archive.read(f"EPUB/{name}")
    except (KeyError, OSError, ValueError, zipfile.BadZipFile, EOFError):
        return None


def _zip(brief: Brief, files: Mapping[str, bytes]) -> bytes:
    for name in files:
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
            # A reader unpacking the EPUB would write outside its folder (zip-slip).
            raise RenderError(f"{brief.path}: refused EPUB entry name {name!r}")
    when = (max(brief.date.year, 1980), brief.date.month, brief.date.day, 0, 0, 0)
    entries = [
        ("mimetype", b"application/epub+zip", False),
        ("META-INF/container.xml", CONTAINER.encode(), True),
        *((name, files[name], True) for name in sorted(files)),
    ]
    return write_zip(entries, when)


#: The deflated bytes of the files every EPUB of a style carries (its fonts, cut to the
#: same ``latin`` block for brief after brief, and their licences): deflating them again
#: for every brief was a third of the EPUB's time. Bounded: a few styles' fonts.
_DEFLATED: dict[bytes, bytes] = {}
_DEFLATED_MOST = 64
#: Entries under this folder repeat across briefs (``xhtml.FONTS_DIR``).
_SHARED_PREFIX = "EPUB/fonts/"

#: What ``zipfile`` writes: version 2.0 needed and made by, on Unix (``create_system`` 3).
_VERSION = 20
_UNIX = 3
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


def _deflate(name: str, data: bytes) -> bytes:
    """``data`` deflated as ``zipfile`` does at level 6 (raw stream, one call then a flush)."""
    shared = name.startswith(_SHARED_PREFIX)
    if shared and data in _DEFLATED:
        return _DEFLATED[data]
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    if shared:
        if len(_DEFLATED) >= _DEFLATED_MOST:
            _DEFLATED.pop(next(iter(_DEFLATED)))
        _DEFLATED[data] = packed
    return packed


def write_zip(entries: list[tuple[str, bytes, bool]], when: tuple[int, ...]) -> bytes:
    """A ZIP of ``(name, data, deflate)`` in that order, dated ``when``, mode 0644.

    The same bytes ``zipfile.ZipFile.writestr`` writes to a seekable buffer with these
    settings (tests/test_formats_speed.py compares them), written here so that a font
    deflated for one brief is not deflated again for the next.
    """
    dosdate = (when[0] - 1980) << 9 | when[1] << 5 | when[2]
    dostime = when[3] << 11 | when[4] << 5 | (when[5] // 2)
    out = io.BytesIO()
    central = []
    for name, data, deflate in entries:
        try:
            filename, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            filename, flags = name.encode("utf-8"), 0x800
        packed = _deflate(name, data) if deflate else data
        method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        offset = out.tell()
        # The fields in zipfile's order: how, when, then the sizes, for both headers.
        how = (flags, method, dostime, dosdate, zlib.crc32(data), len(packed), len(data))
        out.write(_LOCAL.pack(b"PK\003\004", _VERSION, 0, *how, len(filename), 0))
        out.write(filename)
        out.write(packed)
        # No extra field, no comment, disk 0, no internal attributes; rw-r--r--.
        unix = (_VERSION, _UNIX, _VERSION, 0)
        rest = (len(filename), 0, 0, 0, 0, 0o644 << 16, offset)
        central.append(_CENTRAL.pack(b"PK\001\002", *unix, *how, *rest) + filename)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(_END.pack(b"PK\005\006", 0, 0, len(central), len(central), len(directory), start, 0))
    return out.getvalue()
