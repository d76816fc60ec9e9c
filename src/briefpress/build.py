"""Build stage: the one orchestrator. Plan, schedule workers, collect results.

Stages never call each other; this module decides the order:
source → model → HTML → layout → PDF, and model → XHTML folder. It also owns
the manifest (what is up to date) and refuses two briefs writing one output.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cache, model, outputs
from .errors import BriefpressError, Problem, StyleError, UsageError
from .model import FORMATS, Brief, Series
from .results import BriefResult, Report
from .style import Style, load_style

BRIEF_SUFFIX = ".md"
#: What `build` can write.
BUILDABLE = FORMATS
DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class Project:
    """Where things are: conventions of DESIGN.md §6b, relative to the project root."""

    root: Path

    @property
    def styles(self) -> Path:
        return self.root / "styles"

    @property
    def default_source(self) -> Path:
        return self.root / "source"

    @property
    def default_output(self) -> Path:
        return self.root / "build"


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path | None = None
    formats: tuple[str, ...] | None = None
    jobs: int = os.cpu_count() or 1
    force: bool = False
    #: Seconds one brief may take before its worker is stopped.
    timeout: float = DEFAULT_TIMEOUT
    #: Also evaluate the style's layout rules (briefpress check) on the same layout.
    evaluate: bool = False
    #: PDF targets to write instead of the series' `targets`.
    targets: tuple[str, ...] | None = None
    #: PDF variant instead of each target's own (pdf/ua-1, pdf/a-3b).
    variant: str | None = None


def find_briefs(paths: Sequence[Path]) -> list[Path]:
    """Brief files named or found under named folders; a missing path is a usage error."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob(f"*{BRIEF_SUFFIX}") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(dict.fromkeys(p.resolve() for p in found))


def _parse_list(text: str | None, option: str, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
    """A comma list option (``--format pdf,html``): known names only, in order, once each."""
    if text is None:
        return None
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        wrong = ", ".join(unknown) or text
        raise UsageError(
            f"--{option}: unknown {option} '{wrong}' (choose from {', '.join(allowed)})"
        )
    return names


TARGETS = ("print", "screen", "draft")


def parse_formats(text: str | None) -> tuple[str, ...] | None:
    return _parse_list(text, "format", BUILDABLE)


def parse_targets(text: str | None) -> tuple[str, ...] | None:
    return _parse_list(text, "target", TARGETS)


class Builder:
    """Builds briefs one after another in one process, reusing one renderer."""

    def __init__(
        self,
        project: Project,
        out_dir: Path,
        formats: tuple[str, ...] | None = None,
        evaluate: bool = False,
        targets: tuple[str, ...] | None = None,
        variant: str | None = None,
    ) -> None:
        self.project = project
        self.out_dir = out_dir
        self.formats = formats
        self.evaluate = evaluate
        self.targets = targets
        self.variant = variant
        self._styles: dict[str, Style] = {}
        self._series: dict[Path, Series] = {}
        self._renderer: Any = None

    def style(self, name: str) -> Style:
        from .checks import rule_problems

        if name not in self._styles:
            style = load_style(name, self.project.styles)
            problems = rule_problems(style)
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
    def renderer(self) -> Any:
        # Imported on first use: a run that renders nothing never pays for WeasyPrint.
        if self._renderer is None:
            from .pdf import Renderer

            self._renderer = Renderer()
        return self._renderer

    def close(self) -> None:
        """Release the renderer while the interpreter is whole (WeasyPrint cleans up in __del__)."""
        self._renderer = None

    def formats_for(self, series: Series) -> tuple[str, ...]:
        wanted = self.formats or series.formats
        if self.evaluate and "pdf" not in wanted:
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
        return self.targets or series.targets

    def settings(self, series: Series) -> str:
        """What was asked for; a dated target (draft) is stale every new day."""
        import datetime as dt

        names = self.targets_for(series)
        style = self.style(series.style)
        dated = any(style.targets[n].dated for n in names if n in style.targets)
        day = dt.date.today().isoformat() if dated else ""
        return cache.settings_key(
            self.formats_for(series), f"{','.join(names)}|{self.variant or ''}|{day}"
        )

    def load(self, path: Path) -> Brief:
        series = self.series(path)
        style = self.style(series.style)
        return model.load_brief(path, series, style.requires)

    def build_one(self, brief: Brief) -> BriefResult:
        # The rendering stages load here, not at import: a run with nothing to
        # rebuild never pays for them.
        from . import epub, html, xhtml
        from .checks import low_resolution_images

        started = time.perf_counter()
        result = BriefResult(brief.path)
        formats = self.formats_for(brief.series)
        out = self.out_for(brief.series)
        try:
            style = self.style(brief.series.style)
            pending: dict[Path, bytes | dict[str, bytes]] = {}
            targets = self.targets_for(brief.series) if "pdf" in formats else ()
            for number, name in enumerate(targets):
                target = style.target(name)
                extra = {
                    "pdf_target": name,
                    "draft_note": draft_note(brief) if target.dated else "",
                }
                document = html.render(brief, style, "print", extra)
                variant = self.variant or target.variant
                layout = self.renderer.layout(brief, style, document.text, target, variant)
                if number == 0:  # warnings and rules once, on the first target's layout
                    result.warnings += [str(w) for w in layout.warnings]
                    result.warnings += [
                        str(_problem(brief.path, warning, "image"))
                        for warning in low_resolution_images(layout.document.pages)
                    ]
                pdf = self.renderer.write(brief, layout)
                pending[out / f"{brief.stem}{target.suffix}.pdf"] = pdf
                if self.evaluate and number == 0:
                    from .checks import evaluate

                    findings = evaluate(brief, style, layout.document, pdf)
                    result.rules = {k: [f.as_dict() for f in v] for k, v in findings.items()}
            if "html" in formats or "epub" in formats:
                folder = xhtml.render_folder(brief, style)
                if "html" in formats:
                    pending[out / brief.stem] = folder
                if "epub" in formats:
                    context = html.template_context(brief, style, "epub")
                    package = epub.build_epub(brief, style, folder, context)
                    pending[out / f"{brief.stem}.epub"] = package
            # Write only when every format rendered: a brief is never half-updated.
            for target, content in pending.items():
                if isinstance(content, bytes):
                    outputs.write_file(target, content)
                else:
                    outputs.write_tree(target, content)
                result.outputs.append(target)
        except BriefpressError as exc:
            result.errors += exc.lines()
        except Exception as exc:  # a layout-engine crash fails this brief, not the run
            result.errors.append(str(_problem(brief.path, f"{type(exc).__name__}: {exc}")))
        result.seconds = time.perf_counter() - started
        return result

    def dependencies(self, brief: Brief) -> list[Path]:
        style = self.style(brief.series.style)
        images = [brief.path.parent / image for image in brief.images]
        fonts = [face.path for face in style.fonts]
        return [brief.path, brief.series.path, *style.files, *fonts, *images]


def draft_note(brief: Brief) -> str:
    """For review copies: the build date, and the source's last commit when it has one."""
    import datetime as dt
    import subprocess

    note = f"Draft of {dt.date.today().isoformat()}"
    try:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%h", "--", brief.path.name],
            cwd=brief.path.parent, capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{note} · commit {commit}" if commit else note


def _problem(path: Path, message: str, field: str = "render") -> Problem:
    return Problem(path, None, field, message)


def _failure(path: Path, lines: Iterable[str]) -> BriefResult:
    return BriefResult(path, errors=list(lines))


@dataclass
class _Plan:
    fresh: list[BriefResult]
    stale: list[Brief]
    failed: list[BriefResult]
    #: Content hashes of what each stale brief depends on, taken before it is
    #: rendered: a file edited during the run leaves the brief stale for the next.
    deps: dict[Path, dict[str, str]] = field(default_factory=dict)


def _plan(
    builder: Builder, paths: list[Path], manifest: cache.Manifest, options: BuildOptions
) -> _Plan:
    hasher = cache.Hasher()
    plan = _Plan([], [], [])
    # (brief, series, numbering scope, number, label) and (brief, output folder)
    numbers: list[tuple[Path, Path, int, int, str]] = []
    places: list[tuple[Path, Path]] = []
    for path in paths:
        try:
            series = builder.series(path)
            builder.style(series.style)
            settings = builder.settings(series)
            entry = manifest.entries.get(str(path))
            checked = not options.evaluate or (entry is not None and entry.rules is not None)
            same_series = entry is not None and entry.series == str(series.path)
            fresh = same_series and cache.is_fresh(entry, settings, hasher)
            if not options.force and checked and fresh:
                assert entry is not None
                plan.fresh.append(
                    BriefResult(path, warnings=entry.warnings, up_to_date=True, rules=entry.rules)
                )
                label = series.numbering.format(number=entry.number, year=entry.year)
                scope = entry.year if series.numbers_per_year else 0
                numbers.append((path, series.path, scope, entry.number, label))
                places.append((path, builder.out_for(series)))
                continue
            brief = builder.load(path)
        except BriefpressError as exc:
            plan.failed.append(_failure(path, exc.lines()))
            continue
        plan.stale.append(brief)
        plan.deps[brief.path] = hasher.files(builder.dependencies(brief))
        scope = brief.issue_year if brief.series.numbers_per_year else 0
        numbers.append((path, brief.series.path, scope, brief.number, brief.issue_label))
        places.append((path, builder.out_for(brief.series)))
    refused = _duplicate_numbers(numbers) + _shared_outputs(places)
    if refused:
        bad = {problem.path for problem in refused}
        plan.fresh = [r for r in plan.fresh if r.path not in bad]
        plan.stale = [b for b in plan.stale if b.path not in bad]
        for path in sorted(bad):
            plan.failed.append(_failure(path, [str(p) for p in refused if p.path == path]))
    return plan


def _duplicate_numbers(numbers: list[tuple[Path, Path, int, int, str]]) -> list[Problem]:
    """Two briefs of one series may not share a number (in a year, when numbering is
    per year); both are named."""
    groups: dict[tuple[Path, int, int], list[tuple[Path, str]]] = {}
    for path, series, scope, number, label in numbers:
        groups.setdefault((series, scope, number), []).append((path, label))
    problems = []
    for entries in groups.values():
        for path, label in entries if len(entries) > 1 else []:
            others = ", ".join(p.name for p, _label in entries if p != path)
            problems.append(_problem(path, f"{label} is also used by {others}", "number"))
    return problems


def _shared_outputs(places: list[tuple[Path, Path]]) -> list[Problem]:
    """Output names follow the file's stem: two briefs with one stem would overwrite."""
    stems: dict[tuple[Path, str], list[Path]] = {}
    for path, folder in places:
        stems.setdefault((folder, path.stem), []).append(path)
    return [
        _problem(
            path,
            f"writes the same outputs as {', '.join(str(p) for p in paths if p != path)}",
            "output",
        )
        for paths in stems.values()
        if len(paths) > 1
        for path in paths
    ]


def build(
    paths: Sequence[Path],
    project: Project,
    options: BuildOptions | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    on_result: Callable[[BriefResult], None] | None = None,
) -> Report:
    """Build every stale brief under ``paths``; one failing brief never stops the others.

    ``on_plan(total, to_build)`` and ``on_result(result)`` let a front end show progress.
    """
    started = time.perf_counter()
    options = options or BuildOptions()
    brief_paths = find_briefs(paths or [project.default_source])
    out = (options.out_dir or project.default_output).resolve()
    outputs.remove_litter(out)
    manifest = cache.Manifest.load(out)
    builder = Builder(
        project, out, options.formats, options.evaluate, options.targets, options.variant
    )
    plan = _plan(builder, brief_paths, manifest, options)
    if on_plan:
        on_plan(len(brief_paths), len(plan.stale))
    results = plan.fresh + plan.failed
    for result in results:
        if on_result:
            on_result(result)
    by_path = {brief.path: brief for brief in plan.stale}
    for result in _run(builder, plan.stale, options, project, out):
        if result.ok:
            brief = by_path[result.path]
            manifest.entries[str(brief.path)] = cache.Entry(
                settings=builder.settings(brief.series),
                deps=plan.deps[brief.path],
                warnings=result.warnings,
                outputs=[str(p) for p in result.outputs],
                series=str(brief.series.path),
                year=brief.issue_year,
                number=brief.number,
                rules=result.rules,
            )
        results.append(result)
        if on_result:
            on_result(result)
    builder.close()
    if plan.stale:
        manifest.save()
    results.sort(key=lambda r: r.path)
    return Report(results, time.perf_counter() - started)


def _run(
    builder: Builder, briefs: list[Brief], options: BuildOptions, project: Project, out: Path
) -> Iterable[BriefResult]:
    if options.jobs <= 1 or len(briefs) <= 1:
        # One brief costs less here than a worker's start-up.
        return (builder.build_one(brief) for brief in briefs)
    from .workers import WorkerConfig, run_parallel

    config = WorkerConfig(
        project.root, out, options.formats, options.evaluate, options.targets, options.variant
    )

    def failed(brief: Brief, message: str) -> BriefResult:
        return _failure(brief.path, [str(_problem(brief.path, message))])

    return run_parallel(briefs, config, options.jobs, options.timeout, failed)


@dataclass(frozen=True)
class Baseline:
    folder: Path
    update: bool = False
    #: Share of a page's pixels that may change before the page fails.
    tolerance: float = 0.001


def check(
    paths: Sequence[Path],
    project: Project,
    options: BuildOptions | None = None,
    baseline: Baseline | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    on_result: Callable[[BriefResult], None] | None = None,
) -> Report:
    """Build what is stale and evaluate the style's rules on that same layout.

    With a baseline, each page is also compared with its approved image (or,
    with ``update``, approved as it is now).
    """
    from dataclasses import replace

    from . import visual

    options = replace(options or BuildOptions(), evaluate=True)
    report = build(paths, project, options, on_plan)
    out = (options.out_dir or project.default_output).resolve()
    places = Builder(project, out)
    for result in report.results:
        if baseline and result.ok and result.rules is not None:
            # Each series has its own output folder, and its own place among the baselines.
            series = places.series(result.path)
            where = places.out_for(series).relative_to(out) / result.path.stem
            pdf = places.pdf_path(series, result.path.stem)
            if baseline.update:
                visual.update_baseline(pdf, baseline.folder / where)
                diffs = []
            else:
                approved, diff_folder = baseline.folder / where, out / "check" / where
                diffs = visual.compare(pdf, approved, diff_folder, baseline.tolerance)
            result.rules = {
                **result.rules,
                visual.RULE: [
                    {"rule": visual.RULE, "page": d.page or None, "message": d.message}
                    for d in diffs
                ],
            }
        if on_result:
            on_result(result)
    return report


def write_index(
    paths: Sequence[Path], project: Project, out_dir: Path | None = None
) -> tuple[list[Path], list[str]]:
    """The catalogue of every series under ``paths``: changed files and problems."""
    from .catalogue import Group, collect, write_catalogue

    out = (out_dir or project.default_output).resolve()
    builder = Builder(project, out)
    by_series: dict[Path, list[Brief]] = {}
    problems: list[str] = []
    for path in find_briefs(paths or [project.default_source]):
        try:
            brief = builder.load(path)
        except BriefpressError as exc:
            problems += exc.lines()
            continue
        by_series.setdefault(brief.series.path, []).append(brief)
    groups = {
        series_path: Group(briefs[0].series, collect(briefs, builder.out_for(briefs[0].series)))
        for series_path, briefs in by_series.items()
    }
    changed: list[Path] = []
    for group in groups.values():
        folder = builder.out_for(group.series)
        others = []
        if folder == out:  # the front page shows every series of the run, grouped
            others = [
                Group(
                    g.series, g.items, builder.out_for(g.series).relative_to(out).as_posix() + "/"
                )
                for g in groups.values()
                if g is not group
            ]
        changed += write_catalogue([group, *others], builder.style(group.series.style), folder)
    return changed, problems


__all__ = ["FORMATS", "BriefResult", "BuildOptions", "Project", "Report", "build"]
