"""Layout stage: the one WeasyPrint adapter. HTML → laid-out pages → PDF bytes.

This is the only module that imports WeasyPrint or reads its boxes. Everything
above it sees plain data: `PageView` and `Placed` for the rules, bytes for the
PDF. Four guarantees live here:

* **Explicit process set-up.** `setup_process()` points fontconfig at a private
  configuration (one per user, under the cache folder) that lists no system
  font directory, so Pango cannot fall back to whatever the machine has; only
  the style's ``@font-face`` fonts exist. Pango reads that configuration once,
  when WeasyPrint is first imported, so set-up refuses to run after someone
  else imported WeasyPrint: the isolation would silently do nothing.
* **Sandbox.** WeasyPrint reads through `SandboxFetcher` only: files under the
  brief's folder, the style folders and the style's declared font files, and
  ``data:`` URLs (a brief's own ``data:`` links are refused earlier, by the
  source stage). Everything else, the network included, is refused and reported.
* **Reproducible bytes.** Dates and the PDF identifier come from the brief, file
  names from virtual URLs (`mounts`); ``SOURCE_DATE_EPOCH`` is the brief's date
  while WeasyPrint works (fontTools would stamp the clock into fonts), then restored.
* **Plain data out.** Rules never touch WeasyPrint's box tree: `Layout.pages`
  turns each page into a `PageView` once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import mimetypes
import os
import sys
import uuid
import warnings
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ..errors import Problem, RenderError
from ..faces import roomy_stack
from ..source import Brief, UnsafeSvg, sanitise_svg
from ..style import Style, Target, cache_root
from . import linebreak, press
from .libraries import quick_library_lookup
from .mounts import Mounts, is_within

if TYPE_CHECKING:
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration

_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- briefpress: no system fonts. Only the style's @font-face fonts exist. -->
<fontconfig>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""

_ready = False


def setup_process(subsetter: str = "harfbuzz") -> None:
    """Isolate fontconfig, then import WeasyPrint; once per process, before any layout.

    ``subsetter="fonttools"`` makes WeasyPrint subset fonts with fontTools even
    where HarfBuzz's subsetter is installed (the reproducibility tests use it).
    """
    global _ready
    if _ready:
        return
    if "weasyprint" in sys.modules:
        raise RuntimeError(
            "WeasyPrint was imported before briefpress.layout.engine.setup_process(): "
            "its fonts would not be isolated"
        )
    os.environ["FONTCONFIG_FILE"] = str(_fontconfig_file())
    # Fontconfig has no fonts of its own, which is the point.
    warnings.filterwarnings("ignore", "No fonts configured in FontConfig", UserWarning)
    with quick_library_lookup():
        import weasyprint.pdf.fonts
    _english_patterns()
    import weasyprint.layout.block
    import weasyprint.layout.inline

    linebreak.install(weasyprint.layout.block, weasyprint.layout.inline)
    if subsetter == "fonttools":
        weasyprint.pdf.fonts.harfbuzz_subset = None
    _tag_languages()
    _deflate_once()
    _free_font_features()
    _lazy_font_files()
    _ready = True


def _english_patterns() -> None:
    """English hyphenates with Pyphen's en_US patterns, whatever the region.

    ``lang="en"`` falls back to Pyphen's en_GB dictionary, whose patterns break
    "envir-onment", "res-ults", "capit-als" and "inform-a-tion"; en_US
    (Liang's TeX patterns) breaks them "envi-ron-ment", "results",
    "cap-i-tals", "infor-ma-tion". Spelling (en-GB) is untouched: only the
    break points change. Process-wide, like WeasyPrint's own dictionary cache.
    """
    import pyphen  # type: ignore[import-untyped]

    american = pyphen.LANGUAGES["en_US"]
    for code in [code for code in pyphen.LANGUAGES if code.split("_")[0] == "en"] + ["en"]:
        pyphen.LANGUAGES[code] = american


def _tag_languages() -> None:
    """A phrase in another language (``<span lang="ja">``) keeps it in the PDF's tags.

    WeasyPrint 70 writes a ``/Span`` structure element for the span but no
    ``/Lang``, so a screen reader reads Japanese with the brief's voice (PDF/UA
    7.2, WCAG 3.1.2). Its tree builder is wrapped here, once per process, to
    copy the element's ``lang`` onto the structure element it makes.
    """
    import pydyf
    import weasyprint.pdf.tags as tags

    build = tags._build_box_tree
    if getattr(build, "briefpress_lang", False):
        return

    def with_lang(box: Any, *args: Any) -> Iterator[Any]:
        element = getattr(box, "element", None)
        lang = element.get("lang") if element is not None and box.element_tag == "span" else None
        for made in build(box, *args):
            if lang and made.get("S") == "/Span" and "Lang" not in made:
                made["Lang"] = pydyf.String(lang)
            yield made

    with_lang.briefpress_lang = True  # type: ignore[attr-defined]
    tags._build_box_tree = with_lang


#: Streams deflated lately, by the digest of their bytes (LRU): see `_deflate_once`.
_DEFLATED: OrderedDict[bytes, bytes] = OrderedDict()
_DEFLATED_KEPT = 64
#: zlib's default level: 3.7x faster than pydyf's 9 on a brief's streams, 0.7 % larger.
DEFLATE_LEVEL = 6


def _deflate_once() -> None:
    """Each PDF stream deflated once, at zlib's default level.

    pydyf deflates a stream every time its bytes are asked for, at level 9, and
    WeasyPrint asks twice: to write the file and to hash it for the identifier.
    Measured on one brief's 35 streams: level 9 took 27.7 ms and gave 147,227
    bytes, level 6 7.4 ms and 148,187 bytes; and the press target's ICC profile
    (120 KB, 15 ms at level 9) is the same stream in every brief. Deflating is
    deterministic, so a stream's deflated bytes are kept by the digest of its
    raw bytes for the next request.
    """
    import pydyf

    if getattr(pydyf.Stream.data, "briefpress", False):
        return

    def data(self: Any) -> bytes:
        stream = b"\n".join(pydyf._to_bytes(item) for item in self.stream)
        extra = pydyf.Dictionary(self.extra.copy())
        if self.compress:
            extra["Filter"] = "/FlateDecode"
            key = hashlib.blake2b(stream, digest_size=20).digest()
            deflated = _DEFLATED.get(key)
            if deflated is None:
                deflated = _DEFLATED[key] = zlib.compress(stream, DEFLATE_LEVEL)
                if len(_DEFLATED) > _DEFLATED_KEPT:
                    _DEFLATED.popitem(last=False)
            else:
                _DEFLATED.move_to_end(key)
            stream = deflated
        extra["Length"] = len(stream)
        return b"\n".join((extra.data, b"stream", stream, b"endstream"))

    data.briefpress = True  # type: ignore[attr-defined]
    pydyf.Stream.data = property(data)


class _Unshared(dict[bytes, Any]):
    """``FontConfiguration.font_features`` that keeps nothing: each text layout its own."""

    def setdefault(self, key: bytes, default: Any = None) -> Any:
        return default


def _free_font_features() -> None:
    """Text with OpenType features (kerning, ligatures, figures) frees its Pango memory.

    WeasyPrint 70 gives every text layout of a style with features an attribute
    list it never releases, holding an attribute shared through a cache (and a
    new one made, and leaked, for every lookup). With them, the layouts' lines
    stayed allocated too: a worker grew by 0.2 MiB a brief, for ever (``malloc``
    in use; heaptrack named these allocations). Here each layout gets its own attribute
    and the list's extra reference is dropped, so the layout owns both and they
    go with it. Only for the version measured: a later one may free them itself.
    """
    import weasyprint
    from weasyprint.text import line_break
    from weasyprint.text.ffi import ffi, pango

    setup = line_break.Layout.setup
    if not weasyprint.__version__.startswith("70.") or getattr(setup, "briefpress_free", False):
        return

    def setup_freed(layout: Any, style: Any) -> None:
        config = style.font_config
        if not isinstance(config.font_features, _Unshared):
            config.font_features = _Unshared()
        setup(layout, style)
        # Only the features set attributes in ``setup``: the list has the layout's
        # reference and the one WeasyPrint never drops.
        attributes = pango.pango_layout_get_attributes(layout.layout)
        if attributes != ffi.NULL:
            pango.pango_attr_list_unref(attributes)

    setup_freed.briefpress_free = True  # type: ignore[attr-defined]
    line_break.Layout.setup = setup_freed


_UNREAD = object()


def _lazy_font_files() -> None:
    """A font's whole file is read only when the PDF writer needs it, not for every font.

    WeasyPrint 70 copies each font it writes into a Python ``bytes`` first, then
    subsets it with HarfBuzz from the font itself and replaces the copy: the
    16 MiB CJK fallback of a brief with three Japanese words cost 32 MiB at the
    worker's peak (the copy, and every page of the mapped file read for it).
    The copy is made on first use instead: the fontTools subsetter, a variable
    font's instancing or an emoji font's clean-up still read it; same bytes.
    """
    import weasyprint
    import weasyprint.pdf.fonts as pdf_fonts

    font = pdf_fonts.Font
    if not weasyprint.__version__.startswith("70.") or getattr(font, "briefpress_lazy", False):
        return
    read = pdf_fonts.get_hb_object_data
    start = font.__init__

    def unread(hb_object: Any, *args: Any, **kwargs: Any) -> Any:
        return read(hb_object, *args, **kwargs) if args or kwargs else _UNREAD

    def lazy_start(self: Any, *args: Any, **kwargs: Any) -> None:
        pdf_fonts.get_hb_object_data = unread  # ``__init__`` reads the file this way only
        try:
            start(self, *args, **kwargs)
        finally:
            pdf_fonts.get_hb_object_data = read

    def content(self: Any) -> Any:
        data = self.__dict__.get("_briefpress_file", _UNREAD)
        if data is _UNREAD:
            data = self.__dict__["_briefpress_file"] = read(self.hb_face)
        return data

    def set_content(self: Any, data: Any) -> None:
        self.__dict__["_briefpress_file"] = data

    font.file_content = property(content, set_content)
    font.__init__ = lazy_start
    font.briefpress_lazy = True


def subsetter() -> str:
    """Which font subsetter WeasyPrint uses in this process."""
    setup_process()
    import weasyprint.pdf.fonts

    return "harfbuzz" if weasyprint.pdf.fonts.harfbuzz_subset else "fonttools"


def _fontconfig_file() -> Path:
    """One private configuration per user, written atomically, shared by every process."""
    folder = cache_root() / "fontconfig"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    text = _FONTCONFIG.format(cache=folder / "cache")
    if not conf.is_file() or conf.read_text() != text:
        temp = folder / f".fonts.conf.{os.getpid()}"
        temp.write_text(text)
        temp.replace(conf)
    return conf


def _fetcher(
    roots: tuple[Path, ...], convert: Callable[[str, bytes], bytes] | None, mounts: Mounts
) -> Any:
    """All the engine reads (a whitelist); files are named by virtual URL, never by path."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SandboxFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",))
            self.roots = tuple(root.resolve() for root in roots)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            mounted = mounts.path(url)
            if scheme == "file" or mounted is not None:
                path = (mounted or Path(unquote(urlsplit(url).path))).resolve()
                if is_within(path, self.roots) and path.is_file():
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    body = path.read_bytes()
                    if mime == "image/svg+xml":
                        try:
                            body = sanitise_svg(body)
                        except UnsafeSvg as exc:
                            self.refused.append(f"{url} ({exc})")
                            raise
                    converted = convert(mime, body) if convert else body
                    where = url if converted is body else f"converted:{path.name}"
                    headers = {"Content-Type": mime}
                    return URLFetcherResponse(where, body=converted, headers=headers)
            self.refused.append(url)
            raise ValueError(f"refused by the briefpress sandbox: {url}")

    return SandboxFetcher()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _session(date: dt.date, document_id: str = "") -> Iterator[_Collect]:
    """WeasyPrint's warnings collected, SOURCE_DATE_EPOCH and the XMP DocumentID set."""
    import weasyprint.pdf.metadata as xmp  # PDF/X-4 XMP: a random uuid4 unless replaced

    random_id, xmp.uuid4 = xmp.uuid4, (lambda: document_id) if document_id else xmp.uuid4
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate = logger.propagate
    logger.propagate = False
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    try:
        yield handler
    finally:
        xmp.uuid4 = random_id
        logger.removeHandler(handler)
        logger.propagate = propagate
        if epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = epoch


# The laid-out pages as plain data -------------------------------------------------

#: CSS px → PDF points.
PT = 0.75
_FORCED = {"page", "left", "right", "recto", "verso"}


@dataclass(frozen=True)
class Placed:
    """One laid-out box as the rules see it, in points from the page's top left."""

    kind: str  # line | text | image | table | other
    tag: str
    classes: tuple[str, ...]
    #: The box's element, numbered in document order: one element may make many boxes.
    element: int
    attrs: Mapping[str, str]
    left: float
    top: float
    right: float
    bottom: float
    text: str = ""
    #: For raster images: the image's own width in pixels.
    pixels: int | None = None
    block: str = ""  # ``data-block`` of the nearest element carrying one (page makeup's ids)


@dataclass(frozen=True)
class PageView:
    number: int
    #: The content area: left, top, right, bottom (points).
    area: tuple[float, float, float, float]
    #: Content boxes in tree order; margin boxes (running header, footer) left out.
    boxes: tuple[Placed, ...]
    #: Every text on the page, margin boxes included.
    texts: tuple[str, ...]
    anchors: frozenset[str]
    #: Internal link targets.
    links: tuple[str, ...]
    #: The next page starts at a forced break (``break-before: page``) the style asked for.
    forced_break: bool = False


def _views(pages: list[Any]) -> list[PageView]:
    from weasyprint.formatting_structure import boxes
    from weasyprint.images import RasterImage

    elements: dict[int, int] = {}

    def placed(box: Any, block: str) -> Placed | None:
        element = getattr(box, "element", None)
        tag = getattr(box, "element_tag", "") or ""
        if element is None or "::" in tag:
            return None
        if isinstance(box, boxes.LineBox):
            kind, text = "line", "".join(getattr(b, "text", "") for b in box.descendants())
        elif isinstance(box, boxes.TextBox):
            kind, text = "text", box.text
        elif isinstance(box, boxes.ReplacedBox):
            kind, text = "image", ""
        elif isinstance(box, boxes.TableBox):
            kind, text = "table", ""
        else:
            kind, text = "other", ""
        image = getattr(box, "replacement", None)
        x0, y0 = box.border_box_x(), box.border_box_y()
        return Placed(
            kind=kind,
            tag=tag,
            classes=tuple(str(element.get("class") or "").split()),
            element=elements.setdefault(id(element), len(elements)),
            attrs={str(k): str(v) for k, v in element.attrib.items()},
            left=x0 * PT,
            top=y0 * PT,
            right=(x0 + box.border_width()) * PT,
            bottom=(y0 + box.border_height()) * PT,
            text=text,
            pixels=image.width if isinstance(image, RasterImage) else None,
            block=element.get("data-block") or block,
        )

    def walk(box: Any, block: str) -> Iterator[Placed]:
        if (item := placed(box, block)) is not None:
            yield item
        for child in getattr(box, "children", ()):
            yield from walk(child, item.block if item else block)

    def forced(i: int) -> bool:  # a box the style breaks before opens page i (0-based)
        seen = {id(getattr(b, "element", None)) for b in pages[i - 1]._page_box.descendants()}
        return any(b.style["break_before"] in _FORCED and id(getattr(b, "element", None))
                   not in seen for b in pages[i]._page_box.descendants())  # fmt: skip

    starts = [False, *(forced(i) for i in range(1, len(pages))), False]
    views = []
    for number, page in enumerate(pages, start=1):
        root = page._page_box
        content = [item for child in root.children if not isinstance(child, boxes.MarginBox)
                   for item in walk(child, "")]  # fmt: skip
        left, top = root.content_box_x() * PT, root.content_box_y() * PT
        views.append(
            PageView(
                number=number,
                area=(left, top, left + root.width * PT, top + root.height * PT),
                boxes=tuple(content),
                texts=tuple(t for b in root.descendants() if (t := getattr(b, "text", ""))),
                anchors=frozenset(page.anchors),
                links=tuple(target for kind, target, *_ in page.links if kind == "internal"),
                forced_break=starts[number],
            )
        )
    return views


#: Characters of each page's opening kept for the EPUB's page list: a few lines.
OPENING_CHARACTERS = 240


def page_openings(document: Any, floats: tuple[str, ...]) -> list[tuple[str, str]]:
    """The first running text of every page, in reading order, for the EPUB's page list,
    and the text of the float (figure, table, box) the page opens with, if it does.

    Running text is the flow of the body: the margin boxes (running header and
    footer), the footnote area, generated text (list markers, note calls) and
    the elements page makeup may move (``floats``) are left out, because the
    XHTML keeps floats where the author wrote them; a page that opens with one
    says so, so that the marker can go before it. Lines are separated by a
    newline, so a word hyphenated at a line end can be joined.
    """
    from weasyprint.formatting_structure import boxes

    def texts(box: Any, state: dict[str, Any]) -> Iterator[str]:
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        tag = getattr(box, "element_tag", "") or ""
        if "::" in tag or box.style["position"] in ("absolute", "fixed"):
            return
        if tag in floats or box.style["float"] != "none":
            if not state["running"] and state["float"] is None:
                state["float"] = "".join(_all_text(box, boxes))[:OPENING_CHARACTERS]
            return
        if isinstance(box, boxes.TextBox):
            if box.text.strip():
                state["running"] = True
            yield box.text
        for child in getattr(box, "children", ()):
            yield from texts(child, state)
        if isinstance(box, boxes.LineBox):
            yield "\n"

    openings = []
    for page in document.pages:
        found: list[str] = []
        state: dict[str, Any] = {"running": False, "float": None}
        size = 0
        for text in texts(page._page_box, state):
            found.append(text)
            size += len(text)
            if size >= OPENING_CHARACTERS:
                break
        openings.append(("".join(found)[:OPENING_CHARACTERS], state["float"] or ""))
    return openings


def _all_text(box: Any, boxes: Any) -> Iterator[str]:
    """A box's text in order (a float's), generated text left out, lines apart."""
    tag = getattr(box, "element_tag", "") or ""
    if "::" in tag:
        return
    if isinstance(box, boxes.TextBox):
        yield box.text
    for child in getattr(box, "children", ()):
        yield from _all_text(child, boxes)
    if isinstance(box, boxes.LineBox):
        yield "\n"


@dataclass
class Layout:
    """One laid-out brief: what the rules read and what the PDF is written from."""

    document: Document
    warnings: list[Problem]
    variant: str | None = None
    #: A CMYK target's finisher (marks, output intent); None for RGB.
    finish: press.PressFinish | None = None

    @cached_property
    def pages(self) -> list[PageView]:
        return _views(self.document.pages)

    def openings(self, floats: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """Each page's first running text and opening float (`page_openings`)."""
        return page_openings(self.document, floats)


def _options(variant: str | None) -> dict[str, Any]:
    """Tagged PDF goes with every variant that needs a structure tree."""
    if not variant:
        return {}
    # ``pdf/a-3b+ua-1``: WeasyPrint writes one variant; the UA claim comes with the XMP.
    return {"pdf_variant": variant.split("+")[0], "pdf_tags": True}


@dataclass
class _Sheets:
    """A style's stylesheets for one target, parsed once per process and reused."""

    parsed: list[Any]
    #: Filled by ``@color-profile`` rules as they are parsed; the layout needs it too.
    profiles: dict[str, Any]
    #: Each profile's bytes as parsed: LittleCMS writes a profile out differently
    #: once it has been written (16 bytes more), and a document records where it put
    #: each profile, so every layout gets profiles of its own with these bytes.
    contents: dict[str, bytes]
    #: WeasyPrint's warnings and the sandbox's refusals while parsing, for every brief.
    messages: list[str]
    refused: list[str]

    def fresh_profiles(self) -> dict[str, Any]:
        """The colour profiles for one layout: the parsed ones, as parsed, unshared."""
        parsed = _parsed_profile()
        return {name: parsed(p, self.contents[name]) for name, p in self.profiles.items()}


@cache
def _parsed_profile() -> type:
    """A WeasyPrint ``ColorProfile`` that gives the bytes it was parsed from."""
    from weasyprint.css import ColorProfile

    class Parsed(ColorProfile):  # type: ignore[misc]
        def __init__(self, parsed: Any, content: bytes) -> None:
            self.__dict__.update(parsed.__dict__)
            self.pdf_reference = None
            self._content = content

        @property
        def content(self) -> bytes:
            return self._content

    return Parsed


def _stamps(style: Style) -> tuple[tuple[str, int, int], ...]:
    """The style's files by size and time: `watch` keeps its engine while they are edited."""
    stamps = []
    for path in style.files:
        try:
            stat = path.stat()
        except OSError:
            continue
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


class Engine:
    """One per process: WeasyPrint set up once, one FontConfiguration per style.

    A fresh FontConfiguration per document makes memory grow without bound; one
    shared by all styles would let one style's fonts stand in for another's.
    The stylesheets are parsed once per style and target and reused by every
    layout (page makeup lays a brief out more than once): parsing them cost
    about 12 ms a layout. They read nothing of the brief: images they name are
    fetched when a brief is laid out, through that brief's sandbox.
    """

    def __init__(self) -> None:
        setup_process()
        self._font_configs: dict[Path, FontConfiguration] = {}
        self._stylesheets: dict[tuple[object, ...], _Sheets] = {}

    def font_config(self, style: Style) -> FontConfiguration:
        """The one FontConfiguration of a style, made on first use."""
        from weasyprint.text.fonts import FontConfiguration

        if style.folder not in self._font_configs:
            self._font_configs[style.folder] = FontConfiguration()
        return self._font_configs[style.folder]

    @roomy_stack
    def layout(
        self, brief: Brief, style: Style, html: str, target: Target, variant: str | None = None
    ) -> Layout:
        """Lay out a brief's HTML for a target (and variant): pages as plain data and the PDF."""
        from weasyprint import CSS, HTML

        setup = press.colour_setup(style, target, brief.series.print_profile, variant)
        mounts = Mounts.of(brief, style)
        logo = (brief.series.logo,) if brief.series.logo else ()  # a style's is in its folder
        roots = (brief.path.parent, *style.readable_roots, *setup.roots, *logo)
        fetcher = _fetcher(roots, setup.convert, mounts)
        font_config = self.font_config(style)
        base_url = mounts.folders[0][0]  # the brief's folder
        files = (*style.stylesheets.get("print", ()), *target.stylesheets)
        key = (style.folder, setup.css, tuple(mounts.url(css) for css in files), _stamps(style))
        with _session(brief.date) as collected:
            sheets = self._stylesheets.get(key)
            if sheets is None:
                profiles: dict[str, Any] = {}
                common = {"font_config": font_config, "url_fetcher": fetcher}
                made = [
                    CSS(string=style.font_css(), color_profiles=profiles, **common),
                    CSS(string=setup.css, color_profiles=profiles, **common),
                    *(CSS(url=mounts.url(css), color_profiles=profiles, **common) for css in files),
                ]
                contents = {name: profile.content for name, profile in profiles.items()}
                sheets = _Sheets(
                    made, profiles, contents, [*collected.messages], [*fetcher.refused]
                )
                self._stylesheets[key] = sheets
            else:  # what parsing them said is said again for this brief
                collected.messages += sheets.messages
                fetcher.refused += sheets.refused
            options = {**_options(variant), "color_profiles": sheets.fresh_profiles()}
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                font_config=font_config, stylesheets=sheets.parsed, **options
            )
        if fetcher.refused:
            raise RenderError(
                f"{brief.path}: refused URL",
                [Problem(brief.path, None, "url", f"refused: {url}") for url in fetcher.refused],
            )
        problems = [Problem(brief.path, None, "render", msg) for msg in collected.messages]
        return Layout(document, problems, variant, setup.finish)

    @roomy_stack
    def write(self, brief: Brief, layout: Layout, xmp: bytes = b"") -> bytes:
        """The PDF; ``xmp`` is an ``rdf:Description`` added to the file's XMP packet."""
        identifier = hashlib.sha256(brief.identifier.encode()).hexdigest()[:32].encode()
        archival = (layout.variant or "").startswith("pdf/a")
        metadata = layout.document.metadata
        # WeasyPrint writes extra XMP (its ``xmp_metadata``) after its own rdf:RDF;
        # `_one_rdf` moves it inside, as XMP allows one rdf:RDF per packet.
        metadata.xmp_metadata = [xmp] if xmp else []
        finish = _Finisher(archival, bool(xmp), layout.variant is None, layout.finish)
        with _session(brief.date, str(uuid.UUID(identifier.decode()))):
            data = layout.document.write_pdf(
                pdf_identifier=identifier, finisher=finish, **_options(layout.variant)
            )
        if not isinstance(data, bytes):  # pragma: no cover - bytes when no target is given
            raise RenderError(f"{brief.path}: the layout engine returned no PDF")
        return data


@dataclass(frozen=True)
class _Finisher:
    archival: bool
    xmp: bool
    #: No variant: WeasyPrint writes no metadata stream, so the finisher adds it.
    plain: bool
    #: What a press target adds to the written file (marks, groups, a not-for-print slug).
    press_finish: press.PressFinish | None = None

    def __call__(self, document: Any, pdf: Any) -> None:
        if self.archival:
            _no_interpolation(document, pdf)
        elif self.press_finish is not None:
            self.press_finish(document, pdf)
        if self.xmp and self.plain:
            document.metadata.include_in_pdf(pdf, None, None, None, compress=True)
        if self.xmp:
            _one_rdf(pdf)


def _one_rdf(pdf: Any) -> None:
    """Merge the rdf:RDF elements of the catalogue's XMP packet into the first one."""
    from xml.etree import ElementTree as ET

    import pydyf

    stream = next(
        (
            o
            for o in pdf.objects
            if isinstance(o, pydyf.Stream) and o.extra.get("Type") == "/Metadata"
        ),
        None,
    )
    if stream is None:  # pragma: no cover - include_in_pdf always adds one
        return
    raw = b"".join(s if isinstance(s, bytes) else str(s).encode() for s in stream.stream)
    start, end = raw.index(b"<x:xmpmeta"), raw.rindex(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
    root = ET.fromstring(raw[start:end])
    ET.register_namespace("x", "adobe:ns:meta/")
    rdf_tag = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
    first, *rest = root.findall(rdf_tag)
    for extra in rest:
        first.extend(list(extra))
        root.remove(extra)
    stream.stream = [
        raw[:start] + ET.tostring(root, encoding="utf-8").split(b"?>", 1)[-1].lstrip() + raw[end:]
    ]


def _no_interpolation(document: Any, pdf: Any) -> None:
    """PDF/A forbids ``/Interpolate true`` (ISO 19005-3, 6.2.8), which WeasyPrint writes
    for every image, SVG ``<image>`` too: cleared as WeasyPrint's finisher, on its own
    objects before they are written, so the bytes stay reproducible."""
    import pydyf

    streams = [item for item in pdf.objects if isinstance(item, pydyf.Stream)]
    while streams:  # an image's soft mask is a stream inside its dictionary
        extra = streams.pop().extra
        if "Interpolate" in extra:
            extra["Interpolate"] = "false"
        streams += [value for value in extra.values() if isinstance(value, pydyf.Stream)]
