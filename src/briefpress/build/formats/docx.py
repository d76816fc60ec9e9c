"""Build stage, the Word unit: ``<stem>.docx``, a referee copy made by pandoc."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..builder import Job


def make(job: Job) -> None:
    from ...render import exchange

    job.pending[job.out / f"{job.brief.stem}.docx"] = exchange.docx(job.brief, job.style)
