"""Build stage, formats: every kind of output briefpress writes, as one registry of units.

Each output kind is a ``Unit`` that declares what asks for it (a ``--format``
name), what it needs first, which files it writes (so no other unit ever
removes them) and where its code lives. The one orchestrator
(``build.run``) plans every command from this table: ``build``, ``check``,
``index``, ``watch`` and the library API. As WeasyPrint builds ``VARIANTS``
from its ``pdfa``/``pdfua``/``pdfx`` modules and Pelican registers generators,
adding a format is one module and one entry below.

A *brief* unit runs in a worker, one brief at a time, and returns its outputs
in memory: the builder writes them only when every unit of the brief rendered.
A *series* unit runs in the parent once every brief of the run is built,
because it links briefs to each other (web pages, the catalogue); it writes
its own files and reports what it changed.
"""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "UNITS",
    "Unit",
    "brief_units",
    "claimed_by_others",
    "reserved_folders",
    "run_units",
    "series_units",
    "unit",
]


@dataclass(frozen=True)
class Unit:
    """One kind of output and its contract with the orchestrator."""

    #: Registry key, as messages and the manifest name it.
    name: str
    #: The ``--format`` (and series ``formats:``) name that asks for it; None: its own command.
    format: str | None
    #: ``brief``: made per brief in a worker; ``series``: after every brief, in the parent;
    #: ``run``: by its own command (``index``) over every series of the run.
    scope: Literal["brief", "series", "run"]
    #: Files it writes, relative to the series' output folder; ``{stem}`` is the brief's
    #: file stem. A pattern ending in ``/`` is a folder the unit owns, less what the
    #: other units claim inside it.
    writes: tuple[str, ...]
    #: ``module:function`` that makes it, imported on first use (a no-op run imports nothing).
    maker: str
    #: What it reads: the brief's source, another unit's rendering (by name), built files.
    reads: tuple[str, ...] = ("source",)
    doc: str = ""

    def load(self) -> Callable[..., Any]:
        module, _, function = self.maker.partition(":")
        made: Callable[..., Any] = getattr(importlib.import_module(module), function)
        return made

    def patterns(self, stem: str) -> list[str]:
        return [pattern.replace("{stem}", stem) for pattern in self.writes]


UNITS: tuple[Unit, ...] = (
    Unit(
        "pdf",
        "pdf",
        "brief",
        ("{stem}.pdf", "{stem}.*.pdf"),
        "briefpress.build.formats.pdf:make",
        doc="One PDF per target the run asks for (print, screen, draft), and variants.",
    ),
    Unit(
        "xhtml",
        "html",
        "brief",
        ("{stem}/", "fonts/*.woff2", "fonts/*-OFL.txt"),
        "briefpress.build.formats.xhtml:make",
        doc="EPUB-ready XHTML: index.xhtml, style.css and the figures; the fonts are the "
        "series' shared ones (fonts/, named by content), with their licences.",
    ),
    Unit(
        "epub",
        "epub",
        "brief",
        ("{stem}.epub",),
        "briefpress.build.formats.epub:make",
        reads=("source", "xhtml", "pdf"),
        doc="The EPUB 3 package, made from the XHTML rendering; its page list from the print "
        "layout (the PDF unit's, or one of its own when no PDF is asked for).",
    ),
    Unit(
        "docx",
        "docx",
        "brief",
        ("{stem}.docx",),
        "briefpress.build.formats.docx:make",
        doc="A Word copy for referees, through pandoc with the style's reference document.",
    ),
    Unit(
        "jats",
        "jats",
        "brief",
        ("{stem}.jats.xml",),
        "briefpress.build.formats.jats:make",
        doc="JATS Publishing XML for archives and repositories, through pandoc.",
    ),
    Unit(
        "web",
        "html",
        "series",
        (
            "{stem}/index.html",
            "{stem}/web.css",
            "{stem}/page-1.png",
            # The PDF and EPUB again beside the page (Scholar: the full text in the
            # abstract page's folder); site/urls.py decides this layout.
            "{stem}/{stem}.pdf",
            "{stem}/{stem}.epub",
            "{stem}/card.png",
            "{stem}/{stem}.bib",
            "{stem}/{stem}.ris",
            "{stem}/.page-key",
            "{stem}/favicon.svg",
            "{stem}/favicon.png",
            "fonts/*.woff2",
        ),
        "briefpress.site.pages:write_pages",
        reads=("source", "pdf", "epub"),
        doc="The web page of each brief, with its neighbours, editions and citation files.",
    ),
    Unit(
        "catalogue",
        None,
        "run",
        (
            "index.html",
            "catalogue.json",
            "feed.xml",
            "sitemap.xml",
            "sitemap-pages.xml",
            "search.json",
            "robots.txt",
            "_headers",
            "web.css",
            "fonts/",
            "by/",
            "thumbs/",
            "favicon.svg",
            "favicon.png",
            "brand/",
        ),
        "briefpress.site.index:write_index",
        reads=("source", "pdf", "epub", "web"),
        doc="The catalogue pages, catalogue.json, the feed (Atom), the sitemap and the "
        "hosts' caching rule for the shared fonts (_headers).",
    ),
)


def reserved_folders() -> tuple[str, ...]:
    """Folders the run units write beside the briefs' outputs: no brief may take their name."""
    return tuple(
        pattern.rstrip("/")
        for u in UNITS
        if u.scope == "run"
        for pattern in u.writes
        if pattern.endswith("/") and "{stem}" not in pattern
    )


def unit(name: str) -> Unit:
    """The registered unit called ``name``."""
    return next(u for u in UNITS if u.name == name)


def brief_units(formats: Iterable[str]) -> list[Unit]:
    """The per-brief units a run with ``formats`` makes, with what they read, in order."""
    asked = set(formats)
    return [u for u in UNITS if u.scope == "brief" and u.format in asked]


def series_units(formats: Iterable[str] | None) -> list[Unit]:
    """The series units a run makes; ``None`` asks for each series' own formats."""
    return [
        u for u in UNITS if u.scope == "series" and (formats is None or u.format in set(formats))
    ]


def run_units() -> list[Unit]:
    """The units of their own command (``index``): the catalogue, feed and sitemap."""
    return [u for u in UNITS if u.scope == "run"]


def claimed_by_others(owner: str, stem: str) -> Callable[[str], bool]:
    """For ``owner``'s folder ``{stem}/``: is a file in it (a relative name) another unit's?

    The XHTML folder is shared with the web page; rewriting one never removes the other.
    """
    prefix = f"{stem}/"
    patterns = [
        pattern.removeprefix(prefix)
        for other in UNITS
        if other.name != owner
        for pattern in other.patterns(stem)
        if pattern.startswith(prefix) and pattern != prefix
    ]

    def claimed(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)

    return claimed
