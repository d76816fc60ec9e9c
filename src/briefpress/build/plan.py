"""Build stage, planning: which briefs are up to date, which to build, which to refuse."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BriefpressError, Problem, UsageError
from ..source import SERIES_FILE, Brief
from . import manifest as cache
from .builder import Builder, _failure, _problem
from .limits import time_limit
from .options import BuildOptions, reserved_name
from .results import BriefResult


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
    hasher = builder.cache.hasher  # shared with the parse cache: each file read once a run
    plan = _Plan([], [], [])
    # (brief, series, numbering scope, number, label) and (brief, output folder)
    numbers: list[tuple[Path, Path, int, int, str]] = []
    places: list[tuple[Path, Path]] = []
    for path in paths:
        try:
            series = builder.series(path)
            builder.style(series.style)
            if builder.skips(series):  # none of the asked targets: noted, not built
                continue
            settings = builder.settings(series)
            entry = manifest.entries.get(str(path))
            checked = not options.evaluate or (entry is not None and entry.rules is not None)
            same_series = entry is not None and entry.series == str(series.path)
            fresh = same_series and cache.is_fresh(entry, settings, hasher)
            if not options.force and checked and fresh:
                assert entry is not None
                plan.fresh.append(
                    BriefResult(
                        path,
                        outputs=[Path(p) for p in entry.outputs],
                        warnings=entry.warnings,
                        errors=list(entry.errors),
                        up_to_date=True,
                        rules=entry.rules,
                        layout_failed=bool(entry.errors),
                        pages=entry.pages,
                    )
                )
                label = series.numbering.format(number=entry.number, year=entry.year)
                scope = entry.year if series.numbers_per_year else 0
                numbers.append((path, series.path, scope, entry.number, label))
                places.append((path, builder.out_for(series)))
                continue
            with time_limit(options.timeout, path):  # parsing is a per-brief stage too
                brief = builder.load(path)
        except UsageError:
            raise  # the command line is wrong (--target): nothing is built
        except BriefpressError as exc:
            plan.failed.append(_failure(path, exc.lines()))
            continue
        plan.stale.append(brief)
        plan.deps[brief.path] = hasher.files(builder.dependencies(brief))
        scope = brief.issue_year if brief.series.numbers_per_year else 0
        numbers.append((path, brief.series.path, scope, brief.number, brief.issue_label))
        places.append((path, builder.out_for(brief.series)))
    builder.check_asked_targets()  # before anything is built
    refused = _duplicate_numbers(numbers) + _shared_outputs(places) + _reserved(places)
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


def _reserved(places: list[tuple[Path, Path]]) -> list[Problem]:
    """``thumbs.md``, ``.briefpress-manifest.json.md``: outputs over briefpress's own files."""
    problems = [
        _problem(path, reason, "output")
        for path, _folder in places
        if (reason := reserved_name(path.stem)) is not None
    ]
    # Outputs mirror the source tree: source/x.md's HTML folder is where the series
    # in source/x/ writes everything.
    problems += [
        _problem(path, f"its HTML folder would replace the outputs of {path.stem}/", "output")
        for path, _folder in places
        if (path.parent / path.stem / SERIES_FILE).is_file()
    ]
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
