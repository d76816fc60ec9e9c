"""Build stage, the XHTML unit: the EPUB-ready HTML folder of a brief."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..builder import Job


def body(job: Job) -> dict[str, bytes]:
    """``index.xhtml`` and the figures, rendered once per brief for both units."""
    from ...render import xhtml

    if "xhtml-body" not in job.renderings:
        job.renderings["xhtml-body"] = xhtml.render_body(job.brief, job.style)
    files: dict[str, bytes] = job.renderings["xhtml-body"]
    return files


def rendering(job: Job) -> dict[str, bytes]:
    """The EPUB's folder: the body with its own fonts, cut to the brief's text."""
    from ...render import xhtml

    if "xhtml" not in job.renderings:
        job.renderings["xhtml"] = xhtml.with_fonts(job.brief, job.style, body(job))
    files: dict[str, bytes] = job.renderings["xhtml"]
    return files


def make(job: Job) -> None:
    """The folder on disk, whose stylesheet loads the series' shared fonts beside it."""
    from ...render import xhtml

    files, shared = xhtml.with_shared_fonts(job.brief, job.style, body(job))
    job.pending[job.out / job.brief.stem] = files
    for name, data in shared.items():
        job.shared[job.out / xhtml.FONTS_DIR / name] = data
