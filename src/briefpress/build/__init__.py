"""Build stage: plan, workers, manifest and atomic outputs, behind one orchestrator."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .builder import Builder
    from .formats import unit
    from .limits import time_limit
    from .manifest import MANIFEST, failed_briefs
    from .options import (
        DEFAULT_TIMEOUT,
        BuildOptions,
        Project,
        find_briefs,
        parse_formats,
        parse_targets,
    )
    from .outputs import locked, write_file
    from .progress import BuildProgress
    from .reports import as_json, as_junit, lines
    from .results import BriefResult, Report, failures
    from .run import Baseline, build, check, index
    from .shards import merge_shards, parse_shard
    from .visual import render_pages
    from .workers import build_guarded

__all__ = [
    "DEFAULT_TIMEOUT",
    "MANIFEST",
    "Baseline",
    "BriefResult",
    "BuildOptions",
    "BuildProgress",
    "Builder",
    "Project",
    "Report",
    "as_json",
    "as_junit",
    "build",
    "build_guarded",
    "check",
    "failed_briefs",
    "failures",
    "find_briefs",
    "index",
    "lines",
    "locked",
    "merge_shards",
    "parse_formats",
    "parse_shard",
    "parse_targets",
    "render_pages",
    "time_limit",
    "unit",
    "write_file",
]

if not TYPE_CHECKING:  # the names load with their modules, on first use (see faces.py)
    from ..faces import lazy_names

    __getattr__ = lazy_names(
        __name__,
        {
            "builder": ["Builder"],
            "formats": ["unit"],
            "limits": ["time_limit"],
            "manifest": ["MANIFEST", "failed_briefs"],
            "options": [
                "BuildOptions",
                "DEFAULT_TIMEOUT",
                "Project",
                "find_briefs",
                "parse_formats",
                "parse_targets",
            ],
            "outputs": ["locked", "write_file"],
            "progress": ["BuildProgress"],
            "reports": ["as_json", "as_junit", "lines"],
            "results": ["BriefResult", "Report", "failures"],
            "run": ["Baseline", "build", "check", "index"],
            "shards": ["merge_shards", "parse_shard"],
            "visual": ["render_pages"],
            "workers": ["build_guarded"],
        },
    )
