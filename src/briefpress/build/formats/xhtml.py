"""Build stage, the XHTML unit: the EPUB-ready HTML folder of a brief."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..builder import Job


def rendering(job: Job) -> dict[str, bytes]:
    """The folder's files, rendered once per brief: the EPUB unit reads the same files."""
    from ...render import xhtml

    if "xhtml" not in job.renderings:
        job.renderings["xhtml"] = xhtml.render_folder(job.brief, job.style)
    files: dict[str, bytes] = job.renderings["xhtml"]
    return files


def make(job: Job) -> None:
    job.pending[job.out / job.brief.stem] = rendering(job)
