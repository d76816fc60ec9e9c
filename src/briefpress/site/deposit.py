"""Site stage, deposit: Crossref and DataCite files for every brief under the paths.

Nothing goes over the network: the files are written and the commands that
upload them are returned for the user to run with their own credentials.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..build import DEFAULT_TIMEOUT, Builder, Project, find_briefs, time_limit
from ..errors import BriefpressError, display_path
from ..source import Brief
from .crossref import crossref_xml, upload_command
from .datacite import datacite_xml
from .registration import doi_problems, record

DATACITE_MDS = "https://mds.datacite.org"


@dataclass
class Deposited:
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Briefs left out, with why (a series that registers no DOIs): not errors.
    skipped: list[str] = field(default_factory=list)
    #: Shell commands that upload the files, in order.
    commands: list[str] = field(default_factory=list)


def write_deposits(
    paths: Sequence[Path], project: Project, out_dir: Path, now: dt.datetime | None = None
) -> Deposited:
    """``<stem>.crossref.xml`` and ``<stem>.datacite.xml`` per published brief, in ``out_dir``."""
    now = now or dt.datetime.now(dt.UTC)
    done = Deposited()
    # Only reads briefs: its parse cache is the build's, never a file among the deposits.
    builder = Builder(project, project.default_output)
    by_series: dict[Path, list[Brief]] = {}
    for path in find_briefs(paths or [project.default_source]):
        try:
            with time_limit(DEFAULT_TIMEOUT, path):
                brief = builder.load(path)
        except BriefpressError as exc:
            done.problems += exc.lines()
            continue
        by_series.setdefault(brief.series.path, []).append(brief)
    out_dir.mkdir(parents=True, exist_ok=True)
    for briefs in by_series.values():
        # Uniqueness is over the whole series, also when only one brief is deposited.
        series = _whole_series(briefs, builder)
        problems = doi_problems(series)
        done.problems += [str(p) for p in problems if p.path in {b.path for b in briefs}]
        bad = {p.path for p in problems}
        for brief in briefs:
            if brief.path in bad or brief.status != "published":
                continue
            if not brief.doi:
                why = "not deposited: no `doi:`, and its series.yaml has no `doi_pattern`"
                done.skipped.append(f"{display_path(brief.path)}: {why}")
                continue
            try:
                _deposit(brief, series, out_dir, now, done)
            except BriefpressError as exc:
                done.problems += exc.lines()
    return done


def _whole_series(briefs: list[Brief], builder: Builder) -> list[Brief]:
    loaded = {b.path.resolve(): b for b in briefs}
    for path in find_briefs([briefs[0].series.folder]):
        if path.resolve() in loaded:
            continue
        try:
            brief = builder.load(path)
        except BriefpressError:
            continue  # its own deposit reports it
        if brief.series.path == briefs[0].series.path:
            loaded[path.resolve()] = brief
    return list(loaded.values())


def _deposit(
    brief: Brief, series: list[Brief], out_dir: Path, now: dt.datetime, done: Deposited
) -> None:
    entry = record(brief, series)
    files = {
        out_dir / f"{brief.stem}.crossref.xml": crossref_xml([entry], now),
        out_dir / f"{brief.stem}.datacite.xml": datacite_xml(entry),
    }
    for path, data in files.items():
        path.write_bytes(data)
        done.written.append(path)
    crossref, datacite = files
    done.commands.append(upload_command(crossref))
    done.commands.append(
        f'curl -X PUT --user "$DATACITE_USER:$DATACITE_PASSWORD" '
        f'-H "Content-Type: application/xml;charset=UTF-8" --data-binary "@{datacite}" '
        f"{DATACITE_MDS}/metadata/{entry.doi}"
    )
    if entry.page:
        done.commands.append(
            f'curl -X PUT --user "$DATACITE_USER:$DATACITE_PASSWORD" '
            f'-H "Content-Type: text/plain;charset=UTF-8" '
            f"--data-binary $'doi={entry.doi}\\nurl={entry.page}' {DATACITE_MDS}/doi/{entry.doi}"
        )
