"""Site stage, metadata: Highwire ``citation_*``, Open Graph and the plain citation.

Google Scholar reads the Highwire Press tags and wants absolute URLs; a series
without ``site_url`` still gets its page, with relative links, and ``check``
says what is missing (``site_url_warnings``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from ..source import Brief, Series, split_name

#: The warning ``check`` prints for a series that publishes web pages without ``site_url``.
NO_SITE_URL = (
    "not set: the web edition is a preview (relative links, marked noindex, no sitemap); "
    "Google Scholar needs absolute URLs (citation_pdf_url, the canonical link): "
    "give --site-url URL (make SITE_URL=URL) or set site_url in the series file"
)


@dataclass(frozen=True)
class Urls:
    """Where a brief's files are, seen from its web page: absolute with ``site_url``."""

    page: str
    pdf: str | None
    epub: str | None
    image: str | None
    absolute: bool


def urls_for(brief: Brief, pdf: bool, epub: bool, image: bool) -> Urls:
    """``site_url`` is the series folder's address: pages at ``<site>/<stem>/``."""
    site = brief.series.site_url
    stem = brief.stem
    if site:
        base = site if site.endswith("/") else site + "/"
        page = urljoin(base, f"{stem}/")
        # The PDF and EPUB are copied into the page's folder (``urls.page_file``):
        # Scholar wants the full text beside its abstract page.
        return Urls(
            page,
            urljoin(page, f"{stem}.pdf") if pdf else None,
            urljoin(page, f"{stem}.epub") if epub else None,
            urljoin(page, "card.png") if image else None,
            True,
        )
    return Urls(
        "./",
        f"{stem}.pdf" if pdf else None,
        f"{stem}.epub" if epub else None,
        "card.png" if image else None,
        False,
    )


def inverted_name(name: str) -> str:
    """``Ursula von der Leyen`` → ``von der Leyen, Ursula``, as reference lists write it."""
    return split_name(name).inverted


def full_title(title: str, subtitle: str | None) -> str:
    """``Title: Subtitle``, as reference lists and Scholar's ``citation_title`` have it."""
    if not subtitle:
        return title
    joiner = " " if title.rstrip().endswith(("?", "!", ":")) else ": "
    return f"{title.rstrip()}{joiner}{subtitle}"


def citation_tags(
    brief: Brief, urls: Urls, title: str, subtitle: str | None = None, description: str = ""
) -> list[tuple[str, str]]:
    """Highwire Press tags, in the order Google Scholar's guidelines list them."""
    series = brief.series
    tags = [("citation_title", full_title(title, subtitle))]
    for author in brief.authors:
        # Highwire's form, "Family, Given", so Scholar never reads "De" or "Ó" as a given name;
        # institution and ORCID follow their author (Scholar pairs them by order).
        tags.append(("citation_author", author.name_parts.inverted))
        if author.affiliation:
            tags.append(("citation_author_institution", author.affiliation))
        if author.orcid:
            tags.append(("citation_author_orcid", f"https://orcid.org/{author.orcid}"))
    tags += [
        ("citation_publication_date", brief.date.strftime("%Y/%m/%d")),
        ("citation_online_date", brief.date.strftime("%Y/%m/%d")),
        ("citation_publisher", brief.publisher_text),
        ("citation_technical_report_institution", brief.publisher_text),
        ("citation_technical_report_number", f"{series.name} {brief.issue_label}"),
        ("citation_series_title", series.name),
        ("citation_issue", str(brief.number)),
        ("citation_language", brief.language),
    ]
    if urls.pdf:
        tags.append(("citation_pdf_url", urls.pdf))
    if urls.absolute:
        tags.append(("citation_abstract_html_url", urls.page))
    if brief.doi:
        tags.append(("citation_doi", brief.doi))
    tags += [("citation_issn", n) for n in (series.issn.online, series.issn.print) if n]
    if brief.keywords:
        tags.append(("citation_keywords", "; ".join(brief.keywords)))
    if description:
        tags.append(("citation_abstract", description))
    # Dublin Core for the crawlers that read it instead.
    tags += [("dc.title", full_title(title, subtitle)), ("dc.date", brief.date.isoformat())]
    tags += [("dc.creator", author.name) for author in brief.authors]
    tags += [("dc.publisher", brief.publisher_text), ("dc.language", brief.language)]
    if brief.doi:
        tags.append(("dc.identifier", f"https://doi.org/{brief.doi}"))
    if brief.license:
        tags.append(("dc.rights", brief.license))
    return tags


def social_tags(
    brief: Brief, urls: Urls, title: str, description: str, image_alt: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name tags, property tags): the Twitter card and Open Graph, with the social card."""
    og = [
        ("og:type", "article"),
        ("og:title", title),
        ("og:description", description),
        ("og:site_name", brief.series.name),
        ("og:locale", brief.language.replace("-", "_")),
        ("og:url", urls.page),
    ]
    if urls.image:  # the social card (render.card): landscape, as summary_large_image wants
        og += [
            ("og:image", urls.image),
            ("og:image:type", "image/png"),
            ("og:image:width", "1200"),
            ("og:image:height", "630"),
            ("og:image:alt", image_alt),
        ]
    og.append(("article:published_time", brief.date.isoformat()))
    og += [("article:author", author.name) for author in brief.authors]
    og += [("article:tag", keyword) for keyword in brief.keywords]
    card = "summary_large_image" if urls.image else "summary"
    twitter = [
        ("twitter:card", card),
        ("twitter:title", title),
        ("twitter:description", description),
    ]
    if urls.image:
        twitter += [("twitter:image", urls.image), ("twitter:image:alt", image_alt)]
    return twitter, og


def citation_text(brief: Brief, title: str, url: str | None) -> str:
    """The house citation (Chicago author-date style, a report in a numbered series)."""
    names = [author.name for author in brief.authors]
    if names:
        people = [brief.authors[0].name_parts.inverted, *names[1:]]
        byline = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
    else:
        byline = brief.publisher_text
    parts = [
        f"{byline}. {brief.issue_year}. “{title}.” {brief.series.name} {brief.issue_label}. "
        f"{brief.publisher_text}, {brief.date_text}."
    ]
    if brief.doi:
        parts.append(f"https://doi.org/{brief.doi}.")
    elif url:
        parts.append(f"{url}.")
    return " ".join(parts)


def site_url_warnings(series: Iterable[Series], root: Path | None = None) -> list[str]:
    """One ``path: site_url: …`` line per series that makes web pages without ``site_url``."""
    seen: dict[Path, str] = {}
    for item in series:
        if "html" in item.formats and not item.site_url and item.path not in seen:
            shown = item.path
            if root is not None and item.path.is_relative_to(root.resolve()):
                shown = item.path.relative_to(root.resolve())
            seen[item.path] = f"{shown}: site_url: {NO_SITE_URL}"
    return list(seen.values())


def site_url_warnings_for(paths: Iterable[Path], root: Path) -> list[str]:
    """``site_url_warnings`` for the series of the given brief files."""
    from ..errors import BriefpressError
    from ..source import find_series_file, load_series

    loaded: dict[Path, Series | None] = {}  # each series file read once, not once a brief
    for path in paths:
        try:
            where = find_series_file(path, root)
            if where not in loaded:
                loaded[where] = None
                loaded[where] = load_series(where)
        except BriefpressError:
            continue  # the build reports a series it cannot read
    return site_url_warnings([s for s in loaded.values() if s is not None], root)
