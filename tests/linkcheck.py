"""A link checker over an output folder, written apart from the code that wrote it.

Every ``href``/``src``/``srcset``/``poster`` of every HTML, XHTML, SVG, OPF and
Atom/sitemap file, and every ``url()`` of every stylesheet, that points inside the
folder must name a file that exists there (fragments and queries dropped).
Absolute URLs (``https:``, ``mailto:``) and pure fragments are out of scope.
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

MARKUP = {".html", ".xhtml", ".svg", ".opf", ".xml", ".ncx"}
LINK_ATTRIBUTES = {"href", "src", "poster", "data", "xlink:href"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


@dataclass(frozen=True)
class Dangling:
    file: Path
    link: str

    def __str__(self) -> str:
        return f"{self.file}: {self.link} points at nothing"


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in LINK_ATTRIBUTES:
                self.links.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.links += [part.strip().split()[0] for part in value.split(",") if part.strip()]
            elif name == "style":
                self.links += CSS_URL.findall(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def links_of(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".css":
        return CSS_URL.findall(text)
    parser = _Links()
    parser.feed(text)
    found = parser.links
    if path.suffix in (".xml",):  # feeds and sitemaps: <loc> and <link href>
        found += re.findall(r"<loc>([^<]+)</loc>", text)
    # Inline <style> blocks.
    for block in re.findall(r"<style[^>]*>(.*?)</style>", text, re.S):
        found += CSS_URL.findall(block)
    return found


def check_folder(root: Path) -> list[Dangling]:
    """Every dangling local link under ``root`` (an empty list when all resolve)."""
    dangling: list[Dangling] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or (path.suffix not in MARKUP and path.suffix != ".css"):
            continue
        for link in links_of(path):
            parts = urlsplit(link.strip())
            if parts.scheme or parts.netloc or link.startswith(("#", "data:")) or not parts.path:
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            if parts.path.startswith("/"):
                target = (root / unquote(parts.path).lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                dangling.append(Dangling(path.relative_to(root), link))
    return dangling
