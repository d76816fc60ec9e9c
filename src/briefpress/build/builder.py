"""Build stage, one brief: source → model → HTML → layout → PDF, and model → XHTML → EPUB.

The ``Builder`` renders one brief at a time in one process, reusing one layout
engine; the orchestrator (``run``) decides what is stale and schedules builders.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BriefpressError, Problem, StyleError, display_path
from ..source import Brief, Series, model
from ..style import Style, Target, load_style
from . import manifest as cache
from . import outputs
from .options import BuildOptions, Project, check_targets

if TYPE_CHECKING:
    from ..layout import Engine, Finding, Layout
from .results import BriefResult


class Builder:
    """Builds briefs one after another in one process, reusing one layout engine.

    The contract: ``load(path)`` reads and validates a brief (raising
    ``BriefpressError`` with located problems); ``build_one(brief)`` renders
    every asked-for format and writes them only when all succeeded, returning a
    ``BriefResult`` whose errors are input problems. Anything it raises is a
    bug, caught by the caller at the worker boundary. Series and styles are
    read once per builder; the orchestrator (``run.build``) decides what to build.
    """

    def __init__(
        self,
        project: Project,
        out_dir: Path,
        options: BuildOptions | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.project = project
        self.out_dir = out_dir
        self.options = options or BuildOptions()
        self._styles: dict[str, Style] = {}
        self._series: dict[Path, Series] = {}
        self._engine = engine

    def style(self, name: str) -> Style:
        from ..layout import rule_problems, settings

        if name not in self._styles:
            style = load_style(name, self.project.styles)
            problems = rule_problems(style)
            try:
                settings(style.page_makeup)
            except ValueError as exc:
                problems.append(str(exc))
            if problems:
                where = self.project.styles / name / "style.yaml"
                raise StyleError(f"{where}: {problems[0]}", ())
            self._styles[name] = style
        return self._styles[name]

    def series(self, brief_path: Path) -> Series:
        path = model.find_series_file(brief_path, self.project.root)
        if path not in self._series:
            self._series[path] = model.load_series(path)
        return self._series[path]

    @property
    def engine(self) -> Engine:
        """The layout engine, started on first use: a run that renders nothing never pays for it."""
        if self._engine is None:
            from ..layout import Engine

            self._engine = Engine()
        return self._engine

    def close(self) -> None:
        """Release the engine while the interpreter is whole (WeasyPrint cleans up in __del__)."""
        self._engine = None

    def formats_for(self, series: Series) -> tuple[str, ...]:
        wanted = self.options.formats or series.formats
        if self.options.evaluate and "pdf" not in wanted:
            wanted = ("pdf", *wanted)  # the rules read the PDF's layout
        return tuple(wanted)

    def out_for(self, series: Series) -> Path:
        """Each series writes to the output folder at its place under source/."""
        try:
            relative = series.folder.resolve().relative_to(self.project.default_source.resolve())
        except ValueError:
            return self.out_dir
        return self.out_dir / relative

    def pdf_path(self, series: Series, stem: str) -> Path:
        """The PDF the checks read: the first target's (print, unless the series says)."""
        target = self.style(series.style).target(self.targets_for(series)[0])
        return self.out_for(series) / f"{stem}{target.suffix}.pdf"

    def targets_for(self, series: Series) -> tuple[str, ...]:
        """The PDF targets to write: ``--target`` (checked against the style) or the series'."""
        if self.options.targets:
            check_targets(self.options.targets, self.style(series.style))
        return self.options.targets or series.targets

    def settings(self, series: Series) -> str:
        """What was asked for; a dated target (draft) is stale every new day."""
        import datetime as dt

        names = self.targets_for(series)
        style = self.style(series.style)
        dated = any(style.targets[n].dated for n in names if n in style.targets)
        day = dt.date.today().isoformat() if dated else ""
        makeup = "" if self.options.page_makeup else "|no-makeup"
        return cache.settings_key(
            self.formats_for(series),
            f"{','.join(names)}|{self.options.variant or ''}|{day}{makeup}",
        )

    def load(self, path: Path) -> Brief:
        series = self.series(path)
        style = self.style(series.style)
        return model.load_brief(path, series, style.requires, style.boxes)

    def build_one(self, brief: Brief) -> BriefResult:
        # The rendering stages load here, not at import: a run with nothing to
        # rebuild never pays for them.
        from ..layout import evaluate, low_resolution_images, short_pages
        from ..layout import settings as makeup_settings
        from ..render import epub, html, xhtml

        started = time.perf_counter()
        result = BriefResult(brief.path, warnings=[str(w) for w in brief.warnings])
        formats = self.formats_for(brief.series)
        out = self.out_for(brief.series)
        try:
            style = self.style(brief.series.style)
            pending: dict[Path, bytes | dict[str, bytes]] = {}
            broken: list[Finding] = []
            unclaimed: list[Finding] = []  # print PDFs that failed the preflight
            targets = self.targets_for(brief.series) if "pdf" in formats else ()
            for number, name in enumerate(targets):
                target = style.target(name)
                labels = style.labels_for(brief.language)
                extra = {
                    "pdf_target": name,
                    "draft_note": (
                        draft_note(brief, labels, self.project.root) if target.dated else ""
                    ),
                }
                document = html.render(brief, style, "print", extra)
                layout = self.lay_out(brief, style, document.text, target)
                if number == 0:  # warnings and rules once, on the first target's layout
                    result.warnings += [str(w) for w in layout.warnings]
                    result.warnings += [
                        str(_problem(brief.path, warning, "image"))
                        for warning in low_resolution_images(layout.pages)
                    ]
                    result.warnings += [
                        str(_problem(brief.path, warning, "page-fill"))
                        for warning in short_pages(layout.pages, makeup_settings(style.page_makeup))
                    ]
                pdf = self.engine.write(brief, layout)
                if target.colour == "cmyk":
                    pdf = self._preflight(brief, layout, pdf, target, result, unclaimed)
                pending[out / f"{brief.stem}{target.suffix}.pdf"] = pdf
                if number == 0:
                    result.pages = len(layout.pages)
                    # The style's hard rules hold at build time too: a page 1 with
                    # no key issues is an error, not a PDF to find out about later.
                    findings = evaluate(brief, style, layout, pdf, not self.options.evaluate)
                    broken = [f for found in findings.values() for f in found if f.hard]
                    if self.options.evaluate:
                        rules = {k: [f.as_dict() for f in v] for k, v in findings.items()}
                        result.rules = {**rules, **(result.rules or {})}
            if "html" in formats or "epub" in formats:
                folder = xhtml.render_folder(brief, style)
                if "html" in formats:
                    pending[out / brief.stem] = folder
                if "epub" in formats:
                    words = html.headline(brief, style)  # the cover's words; no second body
                    package = epub.build_epub(brief, style, folder, words)
                    pending[out / f"{brief.stem}.epub"] = package
            # Write only when every format rendered and every path stays inside the
            # output folder: a brief is never half-updated.
            for path, content in pending.items():
                outputs.check_inside(path, self.out_dir)
                for name in content if isinstance(content, dict) else ():
                    outputs.check_name(name)
            for path, content in pending.items():
                if isinstance(content, bytes):
                    outputs.write_file(path, content, root=self.out_dir)
                else:
                    outputs.write_tree(path, content, root=self.out_dir)
                result.outputs.append(path)
            # Written all the same, so the editor can look at what went wrong.
            shown = display_path(brief.path)
            result.errors += [f.text(shown) for f in sorted(broken, key=_by_line)]
            if not self.options.evaluate:  # check reports them as the rule's findings
                result.errors += [f.text(shown) for f in unclaimed]
            result.layout_failed = bool(broken)
        except BriefpressError as exc:
            result.errors += exc.lines()
        result.seconds = time.perf_counter() - started
        return result

    def _preflight(
        self,
        brief: Brief,
        layout: Layout,
        pdf: bytes,
        target: Target,
        result: BriefResult,
        failed: list[Finding],
    ) -> bytes:
        """The print PDF claims PDF/X only if briefpress's preflight passes (``print-preflight``).

        A failing file is written without the claim, for inspection: ``build``
        reports the failures as errors (exit 1), ``check`` as the rule's findings.
        """
        import dataclasses

        from ..layout import Finding, length_pt
        from ..layout.preflight import CLAIMS, RULE, preflight

        claim = CLAIMS.get(layout.variant or "")
        if claim is None:
            return pdf
        bleed = length_pt(target.bleed) if target.bleed else None
        issues = preflight(pdf, bleed, claim)
        findings = [
            Finding(RULE, i.page, f"{f'page {i.page}: ' if i.page else ''}{i.text()}", label=RULE)
            for i in issues
        ]
        result.warnings += [
            f.text(display_path(brief.path))
            for f, i in zip(findings, issues, strict=True)
            if i.warning
        ]
        errors = [f for f, i in zip(findings, issues, strict=True) if not i.warning]
        if self.options.evaluate:
            result.rules = {**(result.rules or {}), RULE: [f.as_dict() for f in errors]}
        if not errors:
            return pdf
        failed += errors
        return self.engine.write(brief, dataclasses.replace(layout, variant=None))

    def lay_out(self, brief: Brief, style: Style, text: str, target: Target) -> Layout:
        """One target's layout, made up (floats moved) unless the options say not to."""
        from ..layout import make_up, settings

        variant = self.options.variant or target.variant
        options = settings(style.page_makeup)
        if not self.options.page_makeup:
            options = replace(options, passes=0)

        def lay_out(html: str) -> Layout:
            return self.engine.layout(brief, style, html, target, variant)

        return make_up(text, lay_out, options).layout

    def dependencies(self, brief: Brief) -> list[Path]:
        style = self.style(brief.series.style)
        images = [brief.path.parent / image for image in brief.images]
        fonts = [face.path for face in style.fonts]
        citing = [brief.series.csl] if brief.series.csl else []
        return [brief.path, brief.series.path, *style.files, *fonts, *images,
                *brief.references, *citing]  # fmt: skip


#: CI sets the commit here: no git is run at all.
COMMIT_VARIABLE = "BRIEFPRESS_COMMIT"
#: Settings that would let a repository's own config run a program (signature
#: checks run ``gpg.program``; a status refresh runs ``core.fsmonitor``).
_SAFE_GIT = (
    "-c", "log.showSignature=false", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
    "-c", "gpg.program=false", "-c", "gpg.ssh.program=false", "-c", "gpg.x509.program=false",
    "-c", "diff.external=", "-c", "core.pager=cat",
)  # fmt: skip


def draft_note(brief: Brief, labels: Mapping[str, str], root: Path | None = None) -> str:
    """For review copies: the build date, and the source's last commit when it has one.

    The words are the style's (``draft_note``, ``draft_commit`` labels), with
    ``{date}``, ``{note}`` and ``{commit}`` replaced, never ``str.format``-ed.
    Git runs at the project root only (a brief's folder may be an unpacked archive
    with its own ``.git`` and a hostile config), with settings that run nothing;
    CI can set ``BRIEFPRESS_COMMIT`` instead.
    """
    import datetime as dt
    import os
    import re
    import subprocess

    note = labels.get("draft_note", "{date}").replace("{date}", dt.date.today().isoformat())
    commit = os.environ.get(COMMIT_VARIABLE, "").strip()
    if not commit and root is not None:
        try:
            relative = brief.path.resolve().relative_to(root.resolve())
            commit = subprocess.run(
                ["git", *_SAFE_GIT, "log", "-1", "--no-show-signature", "--format=%h",
                 "--", relative.as_posix()],
                cwd=root, capture_output=True, text=True, timeout=10, check=True,
                env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_OPTIONAL_LOCKS": "0"},
            ).stdout.strip()  # fmt: skip
        except (OSError, ValueError, subprocess.SubprocessError):
            commit = ""
    commit = commit[:40] if re.fullmatch(r"[0-9A-Za-z._-]+", commit) else ""
    if not commit:
        return note
    return (
        labels.get("draft_commit", "{note} {commit}")
        .replace("{note}", note)
        .replace("{commit}", commit)
    )


def _by_line(finding: Finding) -> tuple[int, int]:
    return (finding.line or 0, finding.page or 0)


def _problem(path: Path, message: str, field: str = "render") -> Problem:
    return Problem(path, None, field, message)


def _failure(path: Path, lines: Iterable[str]) -> BriefResult:
    return BriefResult(path, errors=list(lines))
