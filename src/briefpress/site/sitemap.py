"""Site stage, crawlers: a sitemap per series, a sitemap index and ``robots.txt`` at the root.

The sitemap protocol takes absolute URLs of the sitemap's own host, under its
own folder, so each series with an address (``site_url`` or ``--site-url``)
gets ``sitemap-pages.xml`` in its own folder: its catalogue and brief pages,
nothing of another series or host. The root folder gets ``sitemap.xml``, a
sitemap index of every series sitemap on the root series' host, and
``robots.txt``, which crawlers read at a site's root only. A preview (no
address) has no sitemap at all: an empty ``<urlset/>`` is invalid.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from ..source import Series
from . import urls
from .catalogue import write_if_changed

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: Google's extension for the language editions of a page.
XHTML = "http://www.w3.org/1999/xhtml"
PAGES = "sitemap-pages.xml"
INDEX = "sitemap.xml"
ROBOTS = "robots.txt"


def _newest(items: list[Any]) -> str | None:
    newest = max((item.brief.date for item in items), default=None)
    return newest.isoformat() if newest else None


def sitemap_xml(series: Series, items: list[Any]) -> bytes | None:
    """The series' own pages (catalogue and briefs); None without an address."""
    base = urls.base_of(series)
    if not base:
        return None
    ET.register_namespace("", SITEMAP)
    ET.register_namespace("xhtml", XHTML)
    root = ET.Element(f"{{{SITEMAP}}}urlset")

    def add(location: str, modified: str | None = None, brief: Any = None) -> None:
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = location
        if modified:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = modified
        editions = [e for e in (brief.editions if brief else ()) if e.url]
        if editions:
            # Every edition, itself included, as the protocol asks (one set per URL).
            for lang, href in [(brief.language, location), *((e.lang, e.url) for e in editions)]:
                link = ET.SubElement(url, f"{{{XHTML}}}link", rel="alternate", hreflang=lang)
                link.set("href", href)

    add(base, _newest(items))  # the catalogue, by its folder's address
    for item in items:
        if item.html and item.html.endswith(".html"):
            add(urljoin(base, f"{item.brief.stem}/"), item.brief.date.isoformat(), item.brief)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def sitemap_index(sitemaps: list[tuple[str, str | None]]) -> bytes:
    """A sitemap index: (absolute address, last modified) of each sitemap."""
    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}sitemapindex")
    for location, modified in sitemaps:
        entry = ET.SubElement(root, f"{{{SITEMAP}}}sitemap")
        ET.SubElement(entry, f"{{{SITEMAP}}}loc").text = location
        if modified:
            ET.SubElement(entry, f"{{{SITEMAP}}}lastmod").text = modified
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def robots_txt(sitemap_url: str | None) -> bytes:
    lines = ["# Every page of this site may be crawled.", "User-agent: *", "Allow: /"]
    if sitemap_url:
        lines.append(f"Sitemap: {sitemap_url}")
    return ("\n".join(lines) + "\n").encode()


def write_sitemap(
    out: Path, groups: Sequence[tuple[Series, list[Any], Path]], top: Series | None
) -> list[Path]:
    """``out`` is the top output folder, ``top`` its series; each group names its folder."""
    files: dict[Path, bytes | None] = {}
    listed: list[tuple[str, str | None]] = []
    root_base = urls.base_of(top) if top else None
    for series, items, folder in groups:
        data = sitemap_xml(series, items)
        files[folder / PAGES] = data
        location = urls.absolute(series, PAGES)
        if data and location and root_base and urls.host_of(location) == urls.host_of(root_base):
            listed.append((location, _newest(items)))
    index_url = urljoin(root_base, INDEX) if root_base and listed else None
    files[out / INDEX] = sitemap_index(sorted(listed)) if index_url else None
    files[out / ROBOTS] = robots_txt(index_url)
    changed = []
    for path, data in files.items():
        if data is None:
            if path.is_file():  # a publish build's sitemap, stale in a preview
                path.unlink()
                changed.append(path)
        elif write_if_changed(path, data):
            changed.append(path)
    return changed
