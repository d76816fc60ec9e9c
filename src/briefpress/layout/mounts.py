"""Layout stage, mounts: the virtual URLs under which the renderer sees local folders.

WeasyPrint names each image in the PDF after its URL (an MD5 of it); a file
URL would put this checkout's path into the PDF, and make two checkouts of one
project write different bytes. The brief's folder and the style folders are
therefore served under a fixed, unresolvable host, by the sandbox fetcher only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ..source import Brief
from ..style import Style

#: ``.invalid`` never resolves (RFC 2606): nothing can be fetched from it by mistake.
VIRTUAL = "https://briefpress.invalid/"


@dataclass(frozen=True)
class Mounts:
    """Virtual URL folders → real folders: the brief's, then each style folder."""

    folders: tuple[tuple[str, Path], ...]

    @classmethod
    def of(cls, brief: Brief, style: Style) -> Mounts:
        """The folders a brief's layout may read: its own, its style's, its series' logo."""
        styles = style.folders or (style.folder,)
        # A series' logo may sit above the brief's folder (beside series.yaml).
        logo = [(f"{VIRTUAL}logo/", brief.series.logo.parent)] if brief.series.logo else []
        return cls(
            (
                (f"{VIRTUAL}brief/", brief.path.parent.resolve()),
                *((f"{VIRTUAL}style/{n}/", f.resolve()) for n, f in enumerate(styles)),
                *logo,
            )
        )

    def url(self, path: Path) -> str:
        """The virtual URL of a file in a mounted folder (stylesheets)."""
        real = path.resolve()
        for prefix, folder in self.folders:
            if real.is_relative_to(folder):
                return prefix + quote(real.relative_to(folder).as_posix())
        return real.as_uri()

    def path(self, url: str) -> Path | None:
        """The file a virtual URL names, or None for a URL outside every mounted folder."""
        for prefix, folder in self.folders:
            if url.startswith(prefix):
                return folder / unquote(urlsplit(url).path[len(urlsplit(prefix).path) :])
        return None


def is_within(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or root in path.parents for root in roots)
