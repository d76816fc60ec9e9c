"""Build stage, the EPUB unit: the EPUB 3 package, from the XHTML rendering."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import xhtml

if TYPE_CHECKING:
    from ..builder import Job


def make(job: Job) -> None:
    from ...render import epub, html

    words = html.headline(job.brief, job.style)  # the cover's words; no second body
    package = epub.build_epub(job.brief, job.style, xhtml.rendering(job), words)
    job.pending[job.out / f"{job.brief.stem}.epub"] = package
