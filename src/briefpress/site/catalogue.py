"""Site stage, catalogue: a series' catalogue pages, catalogue.json and an Atom feed.

Made from the briefs' models and the PDFs already built; it never lays out a
page, so it never imports WeasyPrint. Only published briefs are listed, newest
first. Files are rewritten only when their content changes, so ``make`` after
``make`` touches nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from ..build import write_file
from ..markdown import create_parser, plain_text
from ..source import Brief, Series
from ..style import Style
from .page import bleed_crop

ATOM = "http://www.w3.org/2005/Atom"
THUMBS = "thumbs"
THUMB_WIDTH = 240


@dataclass(frozen=True)
class Item:
    brief: Brief
    pdf: str | None
    epub: str | None
    html: str | None
    thumbnail: str | None

    @property
    def authors(self) -> list[str]:
        return [author.name for author in self.brief.authors]


def collect(briefs: list[Brief], out_dir: Path) -> list[Item]:
    """Published briefs with the outputs that exist, newest first."""
    items = []
    for brief in briefs:
        if brief.status != "published":
            continue
        pdf = out_dir / f"{brief.stem}.pdf"
        epub = out_dir / f"{brief.stem}.epub"
        # The web page when there is one, else the EPUB-ready XHTML.
        page = next(
            (f"{brief.stem}/{name}" for name in ("index.html", "index.xhtml")
             if (out_dir / brief.stem / name).is_file()),
            None,
        )  # fmt: skip
        items.append(
            Item(
                brief,
                pdf.name if pdf.is_file() else None,
                epub.name if epub.is_file() else None,
                page,
                _thumbnail(pdf, out_dir / THUMBS / f"{brief.stem}.png"),
            )
        )
    return sorted(items, key=lambda i: (i.brief.date, i.brief.number), reverse=True)


def _thumbnail(pdf: Path, png: Path) -> str | None:
    """Page 1 as a small PNG, redrawn only when the PDF is newer."""
    if not pdf.is_file():
        return None
    if not png.is_file() or png.stat().st_mtime < pdf.stat().st_mtime:
        import io

        import pypdfium2

        document = pypdfium2.PdfDocument(pdf)
        try:
            page = document[0]
            crop, shown = bleed_crop(page)
            image = page.render(scale=THUMB_WIDTH / shown, crop=crop).to_pil()
            buffer = io.BytesIO()
            # No optimize=True: five times the time for a file no smaller (page.page_image).
            image.save(buffer, format="PNG")
        finally:
            document.close()
        write_file(png, buffer.getvalue())
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
                "thumbnail": item.thumbnail,
            }
        )
    data = {"series": series.name, "publisher": series.publisher, "briefs": entries}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def _entry_id(brief: Brief) -> str:
    site = brief.series.site_url
    if site:
        return urljoin(site if site.endswith("/") else site + "/", f"{brief.stem}/")
    # RFC 4151 tag URI; ".invalid" says plainly that no domain is claimed.
    return f"tag:{brief.series.slug}.invalid,{brief.date.isoformat()}:{brief.issue_label}"


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
    if series.site_url:
        feed.set("{http://www.w3.org/XML/1998/namespace}base", series.site_url)
    sub(feed, "id", series.site_url or f"tag:{series.slug}.invalid,2000:feed")
    sub(feed, "title", series.name)
    sub(feed, "updated", stamp(max((i.brief.date for i in items), default=dt.date(2000, 1, 1))))
    publisher = sub(feed, "author")
    sub(publisher, "name", series.publisher)
    sub(feed, "link", rel="self", href="feed.xml")
    sub(feed, "link", rel="alternate", type="text/html", href="index.html")
    sub(feed, "generator", "briefpress")
    md = create_parser()
    for item in items:
        brief = item.brief
        entry = sub(feed, "entry")
        sub(entry, "id", _entry_id(brief))
        sub(entry, "title", brief.title)
        sub(entry, "published", stamp(brief.date))
        sub(entry, "updated", stamp(brief.date))
        for name in item.authors:
            sub(sub(entry, "author"), "name", name)
        if item.html:
            kind = "text/html" if item.html.endswith(".html") else "application/xhtml+xml"
            sub(entry, "link", rel="alternate", type=kind, href=item.html)
        for edition in brief.editions:  # the same work in another language
            if edition.url:
                sub(entry, "link", rel="alternate", hreflang=edition.lang, href=edition.url)
        if item.pdf:
            sub(entry, "link", rel="enclosure", type="application/pdf", href=item.pdf)
        if item.epub:
            sub(entry, "link", rel="enclosure", type="application/epub+zip", href=item.epub)
        summary = " ".join(plain_text(md, issue) for issue in brief.key_issues)
        sub(entry, "summary", summary or brief.lead or brief.title)
        for keyword in brief.keywords:
            sub(entry, "category", term=keyword)
    ET.indent(feed)
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


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
    files[out_dir / "catalogue.json"] = catalogue_json(own.items, own.series)
    files[out_dir / "feed.xml"] = atom_feed(own.items, own.series)
    return [path for path, data in files.items() if write_if_changed(path, data)]
