"""Site stage, index: the catalogue, JSON and feed of every series of a run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..build import (
    DEFAULT_TIMEOUT,
    Builder,
    BuildOptions,
    Project,
    failed_briefs,
    find_briefs,
    locked,
    time_limit,
    unit,
)
from ..errors import BriefpressError
from ..source import Brief, Series
from . import urls

if TYPE_CHECKING:
    from .incremental import IndexState


def write_index(
    paths: Sequence[Path],
    project: Project,
    out_dir: Path | None = None,
    site_url: str | None = None,
) -> tuple[list[Path], list[str]]:
    """The catalogue of every series under ``paths``: changed files and problems.

    Incremental (``incremental``): a run whose inputs are those of the last one
    reads no brief and writes nothing; otherwise only the output folders whose
    listings show something new are rendered again.
    """
    from .incremental import run_key

    out = (out_dir or project.default_output).resolve()
    # The same lock as a build: a build starting now would clear our temporary files.
    with locked(out):
        from .incremental import IndexState

        state = IndexState.load(out)
        key = run_key(paths or [project.default_source], project, out, site_url)
        if key == state.key and all(state.unchanged(out, folder) for folder in state.files):
            return [], list(state.problems)
        changed, problems, fresh = _write_index(paths, project, out, state, site_url)
        fresh.key = key
        fresh.problems = problems
        fresh.save(out)
        return changed, problems


def _write_index(
    paths: Sequence[Path],
    project: Project,
    out: Path,
    state: IndexState,
    site_url: str | None = None,
) -> tuple[list[Path], list[str], IndexState]:
    from .catalogue import Group, collect, write_catalogue
    from .incremental import IndexState, listing_files, relative_folder

    builder = Builder(project, out, BuildOptions(out_dir=out, site_url=site_url))
    by_series: dict[Path, list[Brief]] = {}
    problems: list[str] = []
    # A brief whose last build broke a hard rule is no print file and not published.
    failed = failed_briefs(out, project.root)
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
    fresh = IndexState()
    patterns = unit("catalogue").writes
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
        name = relative_folder(folder, out)
        digest = _listing_digest([group, *others], style.files, builder, site_url)
        if state.digests.get(name) != digest or not state.unchanged(out, name):
            # Something its listings show is new: render them (files rewritten only if changed).
            changed += write_catalogue([group, *others], style, folder, project.styles)
        fresh.digests[name] = digest
        fresh.files[name] = listing_files(folder, patterns)
    from .sitemap import write_sitemap

    top = next((g.series for g in groups.values() if builder.out_for(g.series) == out), None)
    folders = [(g.series, g.items, builder.out_for(g.series)) for g in groups.values()]
    changed += write_sitemap(out, folders, top)
    if groups:  # the shared fonts' caching rule, once for the whole site
        from .catalogue import write_if_changed
        from .webfonts import HEADERS_FILE, headers_file

        if write_if_changed(out / HEADERS_FILE, headers_file()):
            changed.append(out / HEADERS_FILE)
    top_files = fresh.files.setdefault(".", {})
    top_files.update(listing_files(out, ("sitemap.xml", "robots.txt", "_headers")))
    return changed, problems, fresh


def prefix_of(front: Series, other: Series, folder: Path) -> str:
    """How the front page leads to another series' files: its folder, or its own address.

    A series published on another host (its own ``site_url``) is linked absolutely.
    """
    relative = folder.as_posix() + "/"
    here, there = urls.base_of(front), urls.base_of(other)
    if here and there and urls.absolute(front, relative) != there:
        return there
    return relative


def _listing_digest(
    groups: list[Any], style_files: Sequence[Path], builder: Builder, site_url: str | None
) -> str:
    """What a folder's listings show, as plain data: each brief by its source's hash.

    A brief's fields come from its source, its series file and its style (all
    hashed here); its editions and outputs are what the run found; the site's
    address is in every absolute link.
    """
    from .incremental import listing_digest

    hasher = builder.cache.hasher  # files are read once per run, shared with the parse cache
    root = builder.project.root.resolve()

    def rel(path: Path) -> str:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            return str(path)

    parts: list[Any] = [site_url, sorted((rel(p), hasher.file(p)) for p in style_files)]
    for group in groups:
        series = group.series
        parts.append((rel(series.path), hasher.file(series.path), group.prefix))
        for item in group.items:
            brief = item.brief
            editions = [
                (e.lang, e.title, e.identifier, e.stem, rel(e.path), e.url, e.original)
                for e in brief.editions
            ]
            parts.append(
                (rel(brief.path), hasher.file(brief.path), item.pdf, item.epub, item.html,
                 item.thumbnail, editions)
            )  # fmt: skip
    return listing_digest(parts)
