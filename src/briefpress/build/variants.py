"""Build stage, PDF jobs: which PDF files one brief gets, from the asked targets and variant.

A target writes ``<stem><suffix>.pdf`` with its own variant (print: PDF/X-4).
A variant asked on the command line (``--pdf-variant``) is an output of its own,
``<stem>.pdfa.pdf`` or ``<stem>.ua.pdf``, made from the screen rendering (RGB,
no bleed, no marks): it never replaces the print file, whose CMYK and crop
marks no archival or accessible standard allows (docs/print.md, Variants).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..style import Style, Target

#: The variants ``--pdf-variant`` makes, and the name each file takes.
VARIANT_SUFFIXES = {
    "pdf/a-3b": ".pdfa",
    "pdf/ua-1": ".ua",
    "pdf/ua-2": ".ua2",
    # One archival and accessible screen file: PDF/A-3b, tagged, claiming PDF/UA-1 too.
    "pdf/a-3b+ua-1": ".pdfaua",
}
#: The target a variant is rendered like, when the style declares it.
SCREEN = "screen"


@dataclass(frozen=True)
class PdfJob:
    """One PDF of a brief: the target it is laid out for, and its file suffix."""

    #: The template's ``pdf_target`` (``target-<name>`` class on the body).
    name: str
    target: Target
    #: ``<stem><suffix>.pdf``.
    suffix: str

    @property
    def variant(self) -> str | None:
        return self.target.variant


def variant_target(style: Style, variant: str) -> Target:
    """The screen rendering under ``variant``: the style's screen target, or plain RGB.

    Whatever the style's screen target says about colour, bleed or marks, the
    variant has none of them: its standard wants one RGB output intent.
    """
    base = style.targets.get(SCREEN) or Target(SCREEN)
    return replace(
        base, variant=variant, suffix=VARIANT_SUFFIXES[variant], colour="rgb", bleed=None,
        marks=False, dated=False,
    )  # fmt: skip


def pdf_jobs(style: Style, targets: Iterable[str], variant: str | None) -> list[PdfJob]:
    """The PDFs of one brief in writing order: each target's, then the variant's."""
    jobs = [PdfJob(name, style.target(name), style.target(name).suffix) for name in targets]
    if variant:
        target = variant_target(style, variant)
        jobs.append(PdfJob(target.name, target, target.suffix))
    return jobs


def split_targets(asked: Iterable[str], style: Style) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The asked targets the style declares, and those it lacks (skipped, with a warning)."""
    names = tuple(asked)
    return (
        tuple(n for n in names if n in style.targets),
        tuple(n for n in names if n not in style.targets),
    )


def undeclared(asked: Iterable[str], styles: Iterable[Style]) -> list[str]:
    """Asked target names no style of the run declares: a usage error, not a skip."""
    known = {name for style in styles for name in style.targets}
    return [name for name in asked if name not in known]
