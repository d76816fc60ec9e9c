"""Site stage, index: the catalogue, JSON and feed of every series of a run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..build import (
    DEFAULT_TIMEOUT,
    Builder,
    BuildOptions,
    Project,
    failed_briefs,
    find_briefs,
    locked,
    time_limit,
)
from ..errors import BriefpressError
from ..source import Brief, Series
from . import urls


def write_index(
    paths: Sequence[Path],
    project: Project,
    out_dir: Path | None = None,
    site_url: str | None = None,
) -> tuple[list[Path], list[str]]:
    """The catalogue of every series under ``paths``: changed files and problems."""
    out = (out_dir or project.default_output).resolve()
    # The same lock as a build: a build starting now would clear our temporary files.
    with locked(out):
        return _write_index(paths, project, out, site_url)


def _write_index(
    paths: Sequence[Path], project: Project, out: Path, site_url: str | None = None
) -> tuple[list[Path], list[str]]:
    from .catalogue import Group, collect, write_catalogue

    builder = Builder(project, out, BuildOptions(out_dir=out, site_url=site_url))
    by_series: dict[Path, list[Brief]] = {}
    problems: list[str] = []
    # A brief whose last build broke a hard rule is no print file and not published.
    failed = failed_briefs(out)
    for path in find_briefs(paths or [project.default_source]):
        try:
            with time_limit(DEFAULT_TIMEOUT, path):
                brief = builder.load(path)
        except BriefpressError as exc:
            problems += exc.lines()
            continue
        if str(brief.path) in failed:
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
                    g.series,
                    g.items,
                    prefix_of(group.series, g.series, builder.out_for(g.series).relative_to(out)),
                )
                for g in groups.values()
                if g is not group
            ]
        style = builder.style(group.series.style)
        changed += write_catalogue([group, *others], style, folder, project.styles)
    from .sitemap import write_sitemap

    top = next((g.series for g in groups.values() if builder.out_for(g.series) == out), None)
    folders = [(g.series, g.items, builder.out_for(g.series)) for g in groups.values()]
    changed += write_sitemap(out, folders, top)
    if groups:  # the shared fonts' caching rule, once for the whole site
        from .catalogue import write_if_changed
        from .webfonts import HEADERS_FILE, headers_file

        if write_if_changed(out / HEADERS_FILE, headers_file()):
            changed.append(out / HEADERS_FILE)
    return changed, problems


def prefix_of(front: Series, other: Series, folder: Path) -> str:
    """How the front page leads to another series' files: its folder, or its own address.

    A series published on another host (its own ``site_url``) is linked absolutely.
    """
    relative = folder.as_posix() + "/"
    here, there = urls.base_of(front), urls.base_of(other)
    if here and there and urls.absolute(front, relative) != there:
        return there
    return relative
