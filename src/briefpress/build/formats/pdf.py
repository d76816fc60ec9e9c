"""Build stage, the PDF unit: one laid-out PDF per target and variant, rules and preflight."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ...errors import Problem, display_path

if TYPE_CHECKING:
    from ...layout import Finding, Layout
    from ...source import Brief
    from ...style import Style, Target
    from ..builder import Job
    from ..variants import PdfJob


def make(job: Job) -> None:
    """Every PDF target the run asks for; rules and warnings from the first target's layout.

    Every rule is evaluated at build time (a few milliseconds on a laid-out brief), so
    ``check`` after ``build`` reads them from the manifest instead of laying out again.
    The style's hard rules fail the build (the PDF is still written, for inspection).
    """
    from ...layout import evaluate, fill_warnings, low_resolution_images
    from ...layout import settings as makeup_settings
    from ...render import html
    from ..builder import draft_note
    from ..workers import drop_font_pages

    brief, style, builder, result = job.brief, job.style, job.builder, job.result
    source = page_source(job)
    # Each target's PDF, then a ``--pdf-variant``'s (a file of its own: build/variants.py).
    for number, pdf_job in enumerate(builder.pdf_jobs(brief.series)):
        target = pdf_job.target
        labels = style.labels_for(brief.language)
        note = draft_note(brief, labels, builder.project.root) if target.dated else ""
        extra = {"pdf_target": pdf_job.name, "draft_note": note, "logo": _print_logo(brief, style)}
        document = html.render(brief, style, "print", extra)
        layout = builder.lay_out(brief, style, document.text, target)
        if number == 0:
            result.warnings += [str(w) for w in layout.warnings]
            low = low_resolution_images(brief, layout.pages, target.min_ppi)
            result.warnings += [str(Problem(brief.path, line, src, fix)) for line, src, fix in low]
            # The preflight measures the same images with the same threshold: one warning each.
            reported = {src for _line, src, _fix in low}
            options = makeup_settings(style.page_makeup)
            result.warnings += [
                str(Problem(brief.path, line, label, warning))
                for line, label, warning in fill_warnings(brief, layout.pages, options)
            ]
        pdf = builder.engine.write(brief, layout, _xmp(brief, layout.variant))
        drop_font_pages()  # what the subsetter read is not kept through the preflight
        if target.colour == "cmyk":
            pdf = _preflight(job, layout, pdf, target, reported if number == 0 else set())
        path = job.out / f"{brief.stem}{pdf_job.suffix}.pdf"
        job.pending[path] = pdf
        if source is not None and pdf_job.name == source.name and OPENINGS not in job.renderings:
            # The EPUB's page list marks where each page of this PDF starts.
            floats = makeup_settings(style.page_makeup).floats
            job.renderings[OPENINGS] = layout.openings(floats)
        if number == 0:
            result.pages = len(layout.pages)
            findings = evaluate(brief, style, layout, pdf)
            job.broken += [f for found in findings.values() for f in found if f.hard]
            rules = {k: [f.as_dict() for f in v] for k, v in findings.items()}
            result.rules = {**rules, **(result.rules or {})}
            if job.broken and layout.finish is not None:
                # A brief that fails a hard rule is not a print file: no PDF/X claim,
                # and the slug beyond the trim says which rules it fails.
                failed = sorted({f.rule for f in job.broken})
                job.pending[path] = _not_for_print(job, layout, failed)


def _print_logo(brief: Brief, style: Style) -> dict[str, object] | None:
    """The logo as the print HTML names it: through the sandbox's mounts, so a CMYK
    target converts it like a figure."""
    from ...layout import Mounts
    from ...render import logo_context

    shown = logo_context(brief, style)
    logo = brief.series.logo or style.logo
    if shown is None or logo is None:
        return None
    return {**shown, "src": Mounts.of(brief, style).url(logo)}


#: ``Job.renderings`` key: the first running text of each page of the brief's first PDF.
OPENINGS = "page_openings"


def page_source(job: Job) -> PdfJob | None:
    """The PDF whose pages the EPUB's page list marks: the series' first target (print),
    whatever ``--target`` a run asks for."""
    from ..variants import pdf_jobs

    names = [n for n in job.brief.series.targets if n in job.style.targets]
    names = names or list(job.style.targets)
    return pdf_jobs(job.style, names[:1], None)[0] if names else None


def page_openings(job: Job) -> list[tuple[str, str]]:
    """Each page's opening in `page_source`'s PDF: the PDF unit's, when it made that PDF in
    this job (it runs first), else from a layout of that target made here."""
    from ...layout import settings as makeup_settings
    from ...render import html

    if OPENINGS not in job.renderings:
        target = page_source(job)
        if target is None:
            return []
        extra = {"pdf_target": target.name, "draft_note": ""}
        document = html.render(job.brief, job.style, "print", extra)
        layout = job.builder.lay_out(job.brief, job.style, document.text, target.target)
        job.renderings[OPENINGS] = layout.openings(makeup_settings(job.style.page_makeup).floats)
    found: list[tuple[str, str]] = job.renderings[OPENINGS]
    return found


def _preflight(
    job: Job, layout: Layout, pdf: bytes, target: Target, reported: set[str] | None = None
) -> bytes:
    """The print PDF claims PDF/X only if briefpress's preflight passes (``print-preflight``).

    A failing file is written without the claim, for inspection: ``build``
    reports the failures as errors (exit 1), ``check`` as the rule's findings.
    Each finding names the figure or paragraph it is in and that source line
    (`advice.locate`); a low resolution already ``reported`` by the layout's
    check of the same image is not said twice.
    """
    from ...layout import Finding, length_pt, locate
    from ...layout.preflight import CLAIMS, RULE, InkRules, preflight

    claim = CLAIMS.get(layout.variant or "")
    if claim is None:
        return pdf
    bleed = length_pt(target.bleed) if target.bleed else None
    profile = job.style.output_profile(job.brief.series.print_profile)
    rules = InkRules(**dataclasses.asdict(target.inks), profile=profile)
    issues = []
    findings: list[Finding] = []
    for issue in preflight(pdf, bleed, claim, rules, target.min_ppi):
        found = locate(job.brief, layout.pages, issue.page, issue.at)
        if found is None:
            where = f"page {issue.page}: " if issue.page else ""
            findings.append(Finding(RULE, issue.page, f"{where}{issue.text()}", label=RULE))
        elif issue.check == "resolution" and found.words.split(" (page")[0] in (reported or ()):
            continue
        else:
            # "text 8.0 pt" says what; a PDF image object says nothing the path does not.
            what = "" if issue.where.startswith("image") else f"{issue.where}: "
            message = f"{found.words}: {issue.check}: {what}{issue.message}"
            findings.append(Finding(RULE, issue.page, message, line=found.line, label=RULE))
        issues.append(issue)
    shown = display_path(job.brief.path)
    job.result.warnings += [
        f.text(shown) for f, i in zip(findings, issues, strict=True) if i.warning
    ]
    errors = [f for f, i in zip(findings, issues, strict=True) if not i.warning]
    job.result.rules = {**(job.result.rules or {}), RULE: [f.as_dict() for f in errors]}
    if not errors:
        return pdf
    job.unclaimed += errors
    return _not_for_print(job, layout, [RULE])


def _not_for_print(job: Job, layout: Layout, rules: list[str]) -> bytes:
    """The print file again, without the PDF/X claim and with ``NOT FOR PRINT: <rules>``."""
    finish = layout.finish and dataclasses.replace(
        layout.finish, not_for_print=f"NOT FOR PRINT: {', '.join(rules)}"
    )
    return job.builder.engine.write(
        job.brief, dataclasses.replace(layout, variant=None, finish=finish), _xmp(job.brief, None)
    )


def _xmp(brief: Brief, variant: str | None) -> bytes:
    """The brief's DOI, series, number, language and licence, in the file's XMP."""
    from ...render import xmp_rdf

    archival = (variant or "").startswith("pdf/a")
    return xmp_rdf(brief, archival, ua_part=1 if (variant or "").endswith("+ua-1") else None)
