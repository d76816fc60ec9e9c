"""Build stage, the one orchestrator: plan, schedule workers, collect results, own the manifest.

Stages never call each other; this module decides the order. Workers are pure:
they return outputs and findings; the parent process alone writes the manifest
and refuses two briefs writing one output.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..faces import long_lived
from ..source import Brief
from . import manifest as cache
from . import outputs, shards
from .builder import Builder, _failure, _problem
from .formats import run_units, series_units
from .limits import TimeLimit, time_limit
from .options import BuildOptions, Project, find_briefs
from .plan import _plan
from .results import BriefResult, Report
from .store import Store, entry_key
from .workers import WorkerConfig, build_guarded, run_parallel


def build(
    paths: Sequence[Path],
    project: Project,
    options: BuildOptions | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    on_result: Callable[[BriefResult], None] | None = None,
    on_wait: Callable[[Path], None] | None = None,
) -> Report:
    """Build every stale brief under ``paths``; one failing brief never stops the others.

    ``on_plan(total, to_build)`` and ``on_result(result)`` let a front end show progress;
    ``on_wait(folder)`` is told when another run holds the output folder (this one waits).
    """
    started = time.perf_counter()
    options = options or BuildOptions()
    brief_paths = find_briefs(paths or [project.default_source])
    if options.shard:
        brief_paths = shards.select(brief_paths, project.root, options.shard)
    out = (options.out_dir or project.default_output).resolve()
    with outputs.locked(out, on_wait):
        builder = Builder(project, out, options)
        report = _build(builder, brief_paths, options, out, started, on_plan, on_result)
        # A shard makes the pages of its own briefs only (the others' are other shards').
        asked = list(brief_paths) if options.shard else list(paths)
        for unit in series_units(options.formats) if brief_paths else []:
            # Pages link each brief to its neighbours: made once every brief is built,
            # with the run's builder (series and styles already read).
            written, problems = unit.load()(asked, project, options, builder)
            report.written += written
            report.problems += problems
    report.seconds = time.perf_counter() - started
    return report


def _build(
    builder: Builder,
    brief_paths: list[Path],
    options: BuildOptions,
    out: Path,
    started: float,
    on_plan: Callable[[int, int], None] | None,
    on_result: Callable[[BriefResult], None] | None,
) -> Report:
    outputs.remove_litter(out)
    manifest = cache.Manifest.load(out, builder.project.root)
    plan = _plan(builder, brief_paths, manifest, options)
    if on_plan:
        on_plan(len(brief_paths), len(plan.stale))
    results = plan.fresh + plan.failed
    for result in results:
        if on_result:
            on_result(result)
    by_path = {brief.path: brief for brief in plan.stale}
    store = Store(options.cache) if options.cache else None
    keys = {b.path: _store_key(builder, b, plan.deps[b.path], out) for b in plan.stale}
    evaluate = options.evaluate
    to_build = []
    for brief in plan.stale:
        result = BriefResult(brief.path)
        key = keys[brief.path]
        if store and not options.force and store.restore(key, out, result, brief.stem, evaluate):
            _record(manifest, builder, brief, plan.deps[brief.path], result)
            results.append(result)
            if on_result:
                on_result(result)
        else:
            to_build.append(brief)
    for result in _run(builder, to_build, options, builder.project, out):
        if result.ok or result.layout_failed:
            brief = by_path[result.path]
            _record(manifest, builder, brief, plan.deps[brief.path], result)
            if store and result.ok:
                store.save(keys[brief.path], out, result)
        results.append(result)
        if on_result:
            on_result(result)
    builder.close()
    if plan.stale or (options.shard and not manifest.path.exists()):
        manifest.save()  # a shard with no brief says so to the merge: an empty manifest
    results.sort(key=lambda r: r.path)
    notes = [manifest.warning] if manifest.warning else []
    notes += list(builder.notes)  # asked targets a series' style lacks
    notes += [f"{line}; laid out again" for line in store.damaged] if store else []
    return Report(results, time.perf_counter() - started, notes)


def _record(
    manifest: cache.Manifest,
    builder: Builder,
    brief: Brief,
    deps: dict[str, str],
    result: BriefResult,
) -> None:
    """The manifest entry of a brief just built or restored."""
    manifest.entries[str(brief.path)] = cache.Entry(
        settings=builder.settings(brief.series),
        deps=deps,
        warnings=result.warnings,
        outputs=[str(p) for p in result.outputs],
        series=str(brief.series.path),
        year=brief.issue_year,
        number=brief.number,
        rules=result.rules,
        errors=result.errors if result.layout_failed else [],
        pages=result.pages,
    )


def _store_key(builder: Builder, brief: Brief, deps: dict[str, str], out: Path) -> str:
    place = (builder.out_for(brief.series) / brief.stem).relative_to(out).as_posix()
    return entry_key(builder.settings(brief.series), deps, builder.project.root.resolve(), place)


def _run(
    builder: Builder, briefs: list[Brief], options: BuildOptions, project: Project, out: Path
) -> Iterable[BriefResult]:
    if options.jobs <= 1 or len(briefs) <= 1:
        # One brief costs less here than a worker's start-up; the same timeout holds.
        if any({"pdf", "epub"} & set(builder.formats_for(b.series)) for b in briefs):
            from ..layout import setup_process

            # WeasyPrint before any brief: what is alive now lives as long as the run.
            with long_lived():
                setup_process()
        return (_build_limited(builder, brief, options.timeout) for brief in briefs)

    config = WorkerConfig(project.root, out, options)

    def failed(brief: Brief, message: str) -> BriefResult:
        return _failure(brief.path, [str(_problem(brief.path, message))])

    return run_parallel(briefs, config, options.jobs, options.timeout, failed)


def _build_limited(builder: Builder, brief: Brief, timeout: float) -> BriefResult:
    try:
        with time_limit(timeout, brief.path):
            return build_guarded(builder, brief)
    except TimeLimit as exc:  # fired between two stages, outside the builder's own handling
        return _failure(brief.path, exc.lines())


@dataclass(frozen=True)
class Baseline:
    """Where approved page images are, whether to approve the current ones, and the tolerance."""

    folder: Path
    update: bool = False
    #: Share of a page's pixels that may change before the page fails: none by default,
    #: since the PDFs are byte-reproducible on the platform that made the baselines.
    tolerance: float = 0.0


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
    report.rules_decide = True
    out = (options.out_dir or project.default_output).resolve()
    tolerance = visual.Tolerance(baseline.tolerance if baseline else 0.0)
    if baseline and not baseline.update:
        tolerance, note = visual.tolerance_for(baseline.folder, tolerance)
        if note:  # another platform: said, never a silent pass or failure
            report.warnings.append(note)
    for result in report.results:
        pdf = result.checked_pdf
        if baseline and result.ok and result.rules is not None and pdf is not None:
            # Each series has its own output folder, and its own place among the baselines.
            where = pdf.parent.relative_to(out) / result.path.stem
            if baseline.update:
                visual.update_baseline(pdf, baseline.folder / where)
                diffs = []
            else:
                approved, diff_folder = baseline.folder / where, out / "check" / where
                diffs = visual.compare(pdf, approved, diff_folder, tolerance)
            result.rules = {
                **result.rules,
                visual.RULE: [
                    {"rule": visual.RULE, "page": d.page or None, "message": d.message}
                    for d in diffs
                ],
            }
        if on_result:
            on_result(result)
    if baseline and baseline.update:
        visual.record_platform(baseline.folder)
    return report


def index(
    paths: Sequence[Path],
    project: Project,
    out_dir: Path | None = None,
    site_url: str | None = None,
) -> tuple[list[Path], list[str]]:
    """The run units (catalogue, feed, sitemap) over every series under ``paths``.

    Changed files and problems; each unit takes the output folder's lock itself.
    ``site_url`` is the output folder's address (``--site-url``).
    """
    written: list[Path] = []
    problems: list[str] = []
    for unit in run_units():
        changed, found = unit.load()(list(paths), project, out_dir, site_url)
        written += changed
        problems += found
    return written, problems
