"""Site stage, crawlers: ``sitemap.xml`` and ``robots.txt`` at the top of the output.

The sitemap protocol takes absolute URLs only, so it lists the series that have
a ``site_url`` (``check`` warns about the others).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from ..source import Series
from .catalogue import write_if_changed

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: Google's extension for the language editions of a page.
XHTML = "http://www.w3.org/1999/xhtml"


def _base(series: Series) -> str | None:
    site = series.site_url
    return (site if site.endswith("/") else site + "/") if site else None


def sitemap_xml(groups: Sequence[tuple[Series, list[Any]]]) -> bytes:
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

    for series, items in groups:
        base = _base(series)
        if not base:
            continue
        newest = max((item.brief.date for item in items), default=None)
        add(urljoin(base, "index.html"), newest.isoformat() if newest else None)
        for item in items:
            if item.html and item.html.endswith(".html"):
                location = urljoin(base, f"{item.brief.stem}/")
                add(location, item.brief.date.isoformat(), item.brief)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def robots_txt(groups: Sequence[tuple[Series, list[Any]]], sitemap_url: str | None) -> bytes:
    lines = ["# Every page of this site may be crawled and indexed.", "User-agent: *", "Allow: /"]
    if sitemap_url:
        lines.append(f"Sitemap: {sitemap_url}")
    return ("\n".join(lines) + "\n").encode()


def write_sitemap(
    out: Path, groups: Sequence[tuple[Series, list[Any]]], top: Series | None
) -> list[Path]:
    """``out`` is the top output folder; ``top`` its series, whose address the sitemap takes."""
    base = _base(top) if top else None
    sitemap_url = urljoin(base, "sitemap.xml") if base else None
    files = {
        out / "sitemap.xml": sitemap_xml(groups),
        out / "robots.txt": robots_txt(groups, sitemap_url),
    }
    return [path for path, data in files.items() if write_if_changed(path, data)]
