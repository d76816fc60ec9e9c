"""Build stage, the JATS unit: ``<stem>.jats.xml``, JATS Publishing made by pandoc."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..builder import Job


def make(job: Job) -> None:
    from ...render import exchange

    job.pending[job.out / f"{job.brief.stem}.jats.xml"] = exchange.jats(job.brief, job.style)
