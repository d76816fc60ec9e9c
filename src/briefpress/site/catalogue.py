"""Site stage, catalogue: a series' catalogue pages, catalogue.json and an Atom feed.

Made from the briefs' models and the PDFs already built; it never lays out a
page, so it never imports WeasyPrint. Only published briefs are listed, newest
first. Files are rewritten only when their content changes, so ``make`` after
``make`` touches nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..build import write_file
from ..markdown import create_parser, plain_text
from ..render import description_of
from ..source import Brief, Series
from ..style import Style
from . import urls
from .images import compact_png
from .page import bleed_crop

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
THUMBS = "thumbs"
THUMB_WIDTH = 240


#: Where a sentence ends, for the one-sentence summary of a catalogue entry.
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“«‘(\[]?[A-ZÀ-Ý0-9])")
SUMMARY_LENGTH = 200


@dataclass(frozen=True)
class Item:
    brief: Brief
    pdf: str | None
    epub: str | None
    html: str | None
    thumbnail: str | None
    #: The series' output folder (the files' sizes, the thumbnail's).
    folder: Path | None = None

    @property
    def authors(self) -> list[str]:
        return [author.name for author in self.brief.authors]


def _download(out_dir: Path, stem: str, kind: str) -> str | None:
    """The PDF or EPUB a reader is sent to: the copy beside the page, else the build's."""
    for name in (urls.page_file(stem, kind), f"{stem}.{kind}"):
        if (out_dir / name).is_file():
            return name
    return None


def collect(briefs: list[Brief], out_dir: Path) -> list[Item]:
    """Published briefs with the outputs that exist, newest first."""
    items = []
    for brief in briefs:
        if brief.status != "published":
            continue
        pdf = out_dir / f"{brief.stem}.pdf"
        # The web page when there is one, else the EPUB-ready XHTML.
        page = next(
            (f"{brief.stem}/{name}" for name in ("index.html", "index.xhtml")
             if (out_dir / brief.stem / name).is_file()),
            None,
        )  # fmt: skip
        items.append(
            Item(
                brief,
                _download(out_dir, brief.stem, "pdf"),
                _download(out_dir, brief.stem, "epub"),
                page,
                _thumbnail(pdf, out_dir / THUMBS / f"{brief.stem}.png"),
                out_dir,
            )
        )
    return sorted(items, key=lambda i: (i.brief.date, i.brief.number), reverse=True)


def page_link(item: Item) -> str | None:
    """How catalogue, feed and search link the brief's page: ``x/`` when publishing."""
    if item.html and item.html.endswith("/" + urls.INDEX):
        return urls.folder_link(item.html.removesuffix(urls.INDEX), item.brief.series)
    return item.html


@functools.cache
def _plain_parser() -> Any:
    return create_parser()


def summary(brief: Brief) -> str:
    """One sentence: the lead's or the first key issue's first, cut at 200 characters."""
    return _summary((brief.lead, *brief.key_issues))


@functools.lru_cache(maxsize=4096)  # the catalogue, search index and font sample ask alike
def _summary(texts: tuple[str | None, ...]) -> str:
    md = _plain_parser()
    text = next((plain_text(md, t).strip() for t in texts if t and plain_text(md, t).strip()), "")
    first = SENTENCE_END.split(text, maxsplit=1)[0].strip()
    if len(first) > SUMMARY_LENGTH:
        cut = first[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:")
        first = cut + "…"
    return first


def image_size(png: Path) -> tuple[int, int] | None:
    """A PNG's width and height, from its header (the catalogue's ``<img>`` reserves them)."""
    try:
        with png.open("rb") as handle:
            head = handle.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _thumbnail(pdf: Path, png: Path) -> str | None:
    """Page 1 as a small PNG, redrawn only when the PDF is newer."""
    if not pdf.is_file():
        return None
    if not png.is_file() or png.stat().st_mtime < pdf.stat().st_mtime:
        import pypdfium2

        document = pypdfium2.PdfDocument(pdf)
        try:
            page = document[0]
            crop, shown = bleed_crop(page)
            image = page.render(scale=THUMB_WIDTH / shown, crop=crop).to_pil()
            data = compact_png(image)
        finally:
            document.close()
        write_file(png, data)
    return f"{THUMBS}/{png.name}"


def catalogue_json(items: list[Item], series: Series) -> bytes:
    entries: list[dict[str, Any]] = []
    for item in items:
        brief = item.brief
        entries.append(
            {
                "id": brief.identifier,
                "series": brief.series.name,
                "number": brief.number,
                "year": brief.issue_year,
                "label": brief.issue_label,
                "title": brief.title,
                "subtitle": brief.subtitle,
                "authors": item.authors,
                "date": brief.date.isoformat(),
                "lang": brief.language,
                "keywords": list(brief.keywords),
                "doi": brief.doi,
                "pdf": item.pdf,
                "epub": item.epub,
                "html": item.html,
                "url": page_link(item),
                "summary": summary(brief),
                "thumbnail": item.thumbnail,
            }
        )
    data = {"series": series.name, "publisher": series.publisher, "briefs": entries}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def _authority(series: Series) -> str:
    """The tag URI's authority: the series as a DNS name under ``.invalid`` (no domain claimed)."""
    return f"{series.slug or 'series'}.invalid"


def feed_id(series: Series) -> str:
    """RFC 4151 tag URI: the same whatever the address, before and after ``site_url``."""
    return f"tag:{_authority(series)},2000:feed"


def entry_id(brief: Brief) -> str:
    """The series, the year and the number (and the language of a translation): no spaces.

    Not the address: an entry keeps its id when the site moves or first gets one,
    so a reader never sees a brief twice; not the file name, which an editor may change.
    """
    edition = f"-{brief.language.lower()}" if brief.translation_of is not None else ""
    return f"tag:{_authority(brief.series)},2000:{brief.issue_year}-{brief.number}{edition}"


def atom_feed(items: list[Item], series: Series) -> bytes:
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    def stamp(date: dt.date) -> str:
        return f"{date.isoformat()}T00:00:00Z"

    feed = ET.Element(f"{{{ATOM}}}feed")
    feed.set(XML_LANG, series.lang)
    base = urls.base_of(series)
    if base:
        feed.set("{http://www.w3.org/XML/1998/namespace}base", base)
    sub(feed, "id", feed_id(series))
    sub(feed, "title", series.name)
    sub(feed, "updated", stamp(max((i.brief.date for i in items), default=dt.date(2000, 1, 1))))
    publisher = sub(feed, "author")
    sub(publisher, "name", series.publisher)
    sub(feed, "link", rel="self", href="feed.xml")
    sub(feed, "link", rel="alternate", type="text/html", href=urls.folder_link("./", series))
    sub(feed, "generator", "briefpress")
    md = create_parser()
    for item in items:
        brief = item.brief
        entry = sub(feed, "entry")
        if brief.language != series.lang:
            entry.set(XML_LANG, brief.language)
        sub(entry, "id", entry_id(brief))
        sub(entry, "title", brief.title)
        sub(entry, "published", stamp(brief.date))
        sub(entry, "updated", stamp(brief.date))
        for name in item.authors:
            sub(sub(entry, "author"), "name", name)
        page = page_link(item)
        if item.html and page:
            kind = "text/html" if item.html.endswith(".html") else "application/xhtml+xml"
            sub(entry, "link", rel="alternate", type=kind, href=page)
        for edition in brief.editions:  # the same work in another language
            if edition.url:
                sub(entry, "link", rel="alternate", hreflang=edition.lang, href=edition.url)
        for href, kind in ((item.pdf, "application/pdf"), (item.epub, "application/epub+zip")):
            if href:
                size = (item.folder / href).stat().st_size if item.folder else None
                length = {"length": str(size)} if size is not None else {}
                sub(entry, "link", rel="enclosure", type=kind, href=href, **length)
        # The page's own description (meta, Open Graph, JSON-LD, the EPUB's dc:description).
        sub(entry, "summary", description_of(brief, md) or brief.title)
        for keyword in brief.keywords:
            sub(entry, "category", term=keyword)
    ET.indent(feed)
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


#: The catalogue's search index: what its script searches, fetched on first use.
SEARCH_INDEX = "search.json"


def search_json(groups: list[Group]) -> bytes:
    """Every brief the catalogue page lists: titles, authors, keywords and summaries.

    Links are relative to the catalogue folder; a filter page puts ``../`` before them.
    """
    entries = []
    for group in groups:
        for item in group.items:
            brief = item.brief
            page = page_link(item) or item.pdf
            entries.append(
                {
                    "title": brief.title,
                    "subtitle": brief.subtitle or "",
                    "authors": item.authors,
                    "keywords": list(brief.keywords),
                    "summary": summary(brief),
                    "label": f"{brief.series.masthead} • {brief.issue_label}",
                    "date": brief.date.isoformat(),
                    "dateText": brief.date_text,
                    "lang": brief.language,
                    "href": f"{group.prefix}{page}" if page else None,
                }
            )
    data = {"briefs": entries}
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


@dataclass(frozen=True)
class Group:
    """One series on a catalogue page; ``prefix`` leads from the page to its files."""

    series: Series
    items: list[Item]
    prefix: str = ""


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    write_file(path, data)
    return True


def write_catalogue(
    groups: list[Group], style: Style, out_dir: Path, styles_root: Path
) -> list[Path]:
    """Write the catalogue pages, catalogue.json and feed.xml of the first group's series.

    Further groups (the other series of the run) appear on the pages only.
    """
    from .listing import catalogue_pages

    own = groups[0]
    pages = catalogue_pages(list(groups), own.series, style, styles_root)
    files = {out_dir / name: data for name, data in pages.items()}
    files[out_dir / SEARCH_INDEX] = search_json(groups)
    files[out_dir / "catalogue.json"] = catalogue_json(own.items, own.series)
    files[out_dir / "feed.xml"] = atom_feed(own.items, own.series)
    return [path for path, data in files.items() if write_if_changed(path, data)]
