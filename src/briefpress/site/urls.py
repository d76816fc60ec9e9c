"""Site stage, addresses: where a brief's web files are and how pages link to each other.

One place decides the published layout, so the page, the catalogue, the feed
and the sitemap agree:

* a brief's page is ``<stem>/index.html``; its PDF and EPUB are copied beside
  it, ``<stem>/<stem>.pdf`` (Google Scholar wants the full text in the folder
  of its abstract page); the build's own ``<stem>.pdf`` stays where the editor
  finds it;
* a *publish* build (the series has a ``site_url``) links pages by their
  folder, ``../x/``, the same URL as the canonical link, as a static host
  serves it; a *preview* (no ``site_url``) links ``../x/index.html`` so the
  files open from disk, and is marked not indexable.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from ..source import Series

INDEX = "index.html"
#: In a preview every page says so to crawlers (``<meta name="robots">``).
NOINDEX = "noindex"


def publishing(series: Series) -> bool:
    """A publish build: the series knows its address (``site_url`` or ``--site-url``)."""
    return bool(series.site_url)


def folder_link(folder: str, series: Series) -> str:
    """A link to the page of ``folder`` (``""``, ``"../"``, ``"../x/"``)."""
    return folder if publishing(series) else f"{folder}{INDEX}"


def page_file(stem: str, kind: str) -> str:
    """``kind`` is ``pdf`` or ``epub``: its copy in the page's folder, relative to the series."""
    return f"{stem}/{stem}.{kind}"


def base_of(series: Series) -> str | None:
    """The series folder's address, ending in ``/``, or None in a preview."""
    site = series.site_url
    return (site if site.endswith("/") else site + "/") if site else None


def absolute(series: Series, relative: str) -> str | None:
    base = base_of(series)
    return urljoin(base, relative) if base else None


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def site_url_for(root: str, relative_folder: str) -> str:
    """``--site-url`` is the output folder's address; a sub-series sits below it."""
    base = root if root.endswith("/") else root + "/"
    folder = relative_folder.strip("/")
    return urljoin(base, f"{folder}/") if folder and folder != "." else base


def check_site_url(text: str) -> str | None:
    """Why ``text`` is no usable site address (``https://host/path/``), or None."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        example = "https://example.org/briefs/"
        return f'expected an absolute http(s) address like "{example}", got "{text}"'
    if parts.query or parts.fragment or any(c.isspace() for c in text):
        return f'expected an address without spaces, query or fragment, got "{text}"'
    return None
