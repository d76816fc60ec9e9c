"""Site stage, catalogue pages: a series' page, the front page and the filter pages.

Every page is the neutral style's web template dressed in the series'
style (its ``web`` stylesheets and its fonts as WOFF2 subsets), so a sub-series
wears its own accent. Filters by year, author and keyword are plain links to
static pages under ``by/``, which work without JavaScript; a small script
filters the list in place when it runs.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..render import brand_files, logo_size
from ..source import Series, split_name
from ..style import Logo, Style
from . import urls
from .page import (
    favicon,
    language_name,
    render_web,
    web_css,
    web_environment,
    web_labels,
)
from .webfonts import FOLDER, PageFonts, page_fonts

FILTERS = "by"
#: Briefs a series lists on its catalogue page; beyond, the year pages (by/year-*.html) list
#: them all and the search finds them.
PAGE_SIZE = 40
_TAG = re.compile(r"<[^>]+>")


@lru_cache(maxsize=8192)  # asked for every facet of every entry of every filter page
def slug(text: str) -> str:
    """``Indo-Pacific`` → ``indo-pacific``; accents folded, so ``Boussole stratégique`` works."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    ascii_slug = re.sub(r"[^a-z0-9]+", "-", bare.lower().encode("ascii", "ignore").decode())
    ascii_slug = ascii_slug.strip("-")
    if ascii_slug and all(c.isascii() or not c.isalnum() for c in bare):
        return ascii_slug
    # Letters with no ASCII form (日本, 中国) would all be "x": a digest of the value
    # keeps each its own filter page.
    digest = hashlib.sha1(text.strip().lower().encode("utf-8")).hexdigest()[:8]
    return f"{ascii_slug}-{digest}" if ascii_slug else f"x-{digest}"


@dataclass(frozen=True)
class Facet:
    """One filter value: the static page's name and what the list shows."""

    kind: str  # year | author | keyword
    value: str

    @property
    def token(self) -> str:
        return f"{self.kind}-{slug(self.value)}"

    @property
    def page(self) -> str:
        return f"{FILTERS}/{self.token}.html"


def facets_of(item: Any) -> list[Facet]:
    brief = item.brief
    found = [Facet("year", str(brief.issue_year))]
    found += [Facet("author", name) for name in item.authors]
    found += [Facet("keyword", keyword) for keyword in brief.keywords]
    return found


def _row(item: Any, prefix: str, style: Style) -> dict[str, Any]:
    """One line of the catalogue, in the brief's own language (a French entry says "et")."""
    from .catalogue import image_size, page_link, summary

    brief = item.brief
    labels = style.labels_for(brief.language)
    page = page_link(item)
    size = None
    if item.thumbnail and item.folder is not None:
        size = image_size(item.folder / item.thumbnail)
    # Each author links to their filter page (the same names the filters list).
    authors = [{"name": name, "page": Facet("author", name).page} for name in item.authors]
    return {
        "item": item,
        "brief": brief,
        "label": f"{brief.series.masthead}{labels.get('separator', ' • ')}{brief.issue_label}",
        "authors": authors,
        "and": labels.get("and", "and"),
        "summary": summary(brief),
        "href": f"{prefix}{page}" if page else None,
        "pdf": f"{prefix}{item.pdf}" if item.pdf else None,
        "epub": f"{prefix}{item.epub}" if item.epub else None,
        "row_labels": labels,
        "thumbnail": f"{prefix}{item.thumbnail}" if item.thumbnail else None,
        "thumb_size": size,
        "tokens": " ".join(sorted({facet.token for facet in facets_of(item)})),
        "lang": brief.language,
    }


def _facet_order(groups: list[Any]) -> list[tuple[str, list[Facet]]]:
    """Every facet of the run by kind, in the order the filter lists show them (sorted once)."""
    kinds: dict[str, dict[str, Facet]] = {"year": {}, "author": {}, "keyword": {}}
    for group in groups:
        for item in group.items:
            for facet in facets_of(item):
                kinds[facet.kind].setdefault(facet.token, facet)
    order = {"year": lambda f: f.value, "author": lambda f: split_name(f.value).sort_key}
    result = []
    for kind, found in kinds.items():
        ordered = sorted(found.values(), key=order.get(kind, lambda f: f.value.lower()))
        if kind == "year":
            ordered.reverse()
        result.append((kind, ordered))
    return result


def _filters(
    ordered: list[tuple[str, list[Facet]]], current: Facet | None
) -> list[tuple[str, list[dict[str, Any]]]]:
    token = current.token if current is not None else None
    return [
        (kind, [{"facet": f, "current": f.token == token} for f in facets])
        for kind, facets in ordered
    ]


def _entry_words(item: Any) -> str:
    """The words an entry shows, for the font subset: every entry, listed on a page or found."""
    from .catalogue import summary

    brief = item.brief
    words = [brief.series.masthead, brief.issue_label, brief.title, brief.subtitle or ""]
    return " ".join([*words, brief.date_text, summary(brief), *item.authors])


def lead(up: str, prefix: str) -> str:
    """``up`` then ``prefix``, unless ``prefix`` is an address of its own (another host)."""
    return prefix if "://" in prefix else up + prefix


_ANCHOR = re.compile(r"[^A-Za-z0-9_.-]+")


def _publishers(groups: list[Any], rows_for: Any, up: str) -> list[dict[str, Any]]:
    """Series grouped under their publisher, in the order the run lists them."""
    publishers: dict[str, list[dict[str, Any]]] = {}
    for group in groups:
        rows = rows_for(group)
        if rows or group is groups[0]:
            href = lead(up, urls.folder_link(group.prefix, group.series)) or "./"
            publishers.setdefault(group.series.publisher, []).append(
                {"series": group.series, "href": href, "rows": rows}
            )
    return [{"name": name, "series": series} for name, series in publishers.items()]


def _editions(item: Any, pages: dict[Path, str]) -> list[dict[str, str]]:
    """The entry's other editions, each with the language it is in and where to read it."""
    found = []
    for edition in item.brief.editions:
        href = pages.get(edition.path) or edition.url
        if href:
            name = language_name(edition.lang)
            found.append({"lang": edition.lang, "name": name, "href": href, "title": edition.title})
    return found


def catalogue_pages(
    groups: list[Any], series: Series, style: Style, styles_root: Path
) -> dict[str, bytes]:
    """The files of a catalogue folder: index.html, the filter pages, web.css and fonts."""
    labels = style.labels_for(series.lang)
    web = web_labels(labels)
    logo = Logo.choose(series.logo, style.logo)
    logo_shown = logo_size(logo)
    icon_files, icon = favicon(logo, style, series.masthead)
    environment = web_environment(style, styles_root)
    all_facets = {f.token: f for g in groups for i in g.items for f in facets_of(i)}
    # Worked out once, so the run stays linear in briefs and facets (3,000 keywords
    # once took 292 s): each item's facets, rows and the sorted filter lists.
    tokens_of = {id(i): {f.token for f in facets_of(i)} for g in groups for i in g.items}
    ordered = _facet_order(groups)
    rows: dict[tuple[int, str], dict[str, Any]] = {}

    def row(item: Any, prefix: str) -> dict[str, Any]:
        key = (id(item), prefix)
        if key not in rows:
            rows[key] = _row(item, prefix, style)
        return rows[key]

    from .catalogue import SEARCH_INDEX, page_link

    publishing = urls.publishing(series)
    truncated: list[str] = []  # the years whose briefs the front page leaves to year pages

    def render(current: Facet | None, fonts: PageFonts | None) -> str:
        up = "../" if current else ""

        # Each brief's page, so an entry links its other editions (another series' too).
        pages = {
            i.brief.path: f"{lead(up, g.prefix)}{page_link(i)}"
            for g in groups
            for i in g.items
            if i.html
        }

        token = current.token if current else None

        def rows_for(group: Any) -> list[dict[str, Any]]:
            chosen = [item for item in group.items if token is None or token in tokens_of[id(item)]]
            if current is None and len(chosen) > PAGE_SIZE:
                # At scale the page lists the newest briefs; year pages hold the rest.
                truncated.extend(str(i.brief.issue_year) for i in chosen[PAGE_SIZE:])
                chosen = chosen[:PAGE_SIZE]
            return [
                {
                    **row(item, lead(up, group.prefix)),
                    "editions": _editions(item, pages),
                    # Two series may each have a 2024-1-x.md: the anchor names the folder.
                    "anchor": _ANCHOR.sub(
                        "-", "-".join(filter(None, (*group.prefix.split("/"), item.brief.stem)))
                    ),
                }
                for item in chosen
            ]

        truncated.clear()
        publishers = _publishers(groups, rows_for, up)
        years = [
            facet
            for kind, facets in ordered
            if kind == "year"
            for facet in facets
            if facet.value in truncated
        ]
        filters = _filters(ordered, current)

        return render_web(
            environment,
            style,
            "catalogue.html.j2",
            dict(
                lang=series.lang,
                series=series,
                labels=labels,
                web=web,
                up=up,
                front=len(groups) > 1,
                current=current,
                publishers=publishers,
                year_filters=next(links for kind, links in filters if kind == "year"),
                other_filters=[(kind, links) for kind, links in filters if kind != "year"],
                earlier=years,
                complete=not years,
                home=urls.folder_link(up, series),
                noindex=not publishing,
                canonical=urls.absolute(series, current.page if current else ""),
                search_index=f"{up}{SEARCH_INDEX}",
                # The fonts' folder is this one's: a filter page under by/ goes up to it.
                font_css=Markup(fonts.css.replace('url("fonts/', f'url("{up}fonts/'))
                if fonts
                else "",
                font_preload=Markup(fonts.preload.replace('href="fonts/', f'href="{up}fonts/'))
                if fonts
                else "",
                logo=logo_shown,
                favicon=icon,
            ),
        )

    pages = {"index.html": None, **{f.page: f for f in all_facets.values()}}
    # The characters the fonts need: the front page shows every row and facet; one
    # filter page of each kind adds the words only a filter page shows.
    samples: dict[str, Facet | None] = {"index.html": None}
    for _kind, facets in ordered:
        samples.update({f.page: f for f in facets[:1]})
    drafts = [render(facet, None) for facet in samples.values()]
    text = "".join(html.unescape(_TAG.sub("", page)) for page in drafts)
    # What the pages not sampled and the search results show: every entry's words.
    text += "".join(_entry_words(item) for group in groups for item in group.items)
    faces = [face for face in style.fonts if not face.fallback]
    fonts = page_fonts(faces, text, "")
    files = {name: render(facet, fonts).encode() for name, facet in pages.items()}
    files["web.css"] = web_css(style, styles_root, series.print_profile)
    files.update({f"{FOLDER}/{name}": data for name, data in fonts.files.items()})
    files.update(brand_files(logo, style))  # the logo and the files web.css names
    files.update(icon_files)
    return files
