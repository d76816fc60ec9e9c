"""Build stage: plan, workers, manifest and atomic outputs, behind one orchestrator."""

from __future__ import annotations

from .builder import Builder
from .options import BuildOptions, Project, find_briefs, parse_formats, parse_targets
from .results import BriefResult, Report
from .run import Baseline, build, check, index

__all__ = [
    "Baseline",
    "BriefResult",
    "BuildOptions",
    "Builder",
    "Project",
    "Report",
    "build",
    "check",
    "find_briefs",
    "index",
    "parse_formats",
    "parse_targets",
]
