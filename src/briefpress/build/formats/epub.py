"""Build stage, the EPUB unit: the EPUB 3 package, from the XHTML rendering and the print
layout (its page list marks the print PDF's pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import pdf, xhtml

if TYPE_CHECKING:
    from ..builder import Job


def make(job: Job) -> None:
    from ...render import epub, html

    words = html.headline(job.brief, job.style)  # the cover's words; no second body
    openings = pdf.page_openings(job)  # the PDF unit ran first in this job, if it was asked
    path = job.out / f"{job.brief.stem}.epub"
    try:  # the last build's, whose cover picture is kept if drawn from the same inputs
        previous: bytes | None = path.read_bytes()
    except OSError:
        previous = None
    package = epub.build_epub(job.brief, job.style, xhtml.rendering(job), words, openings, previous)
    job.pending[path] = package
