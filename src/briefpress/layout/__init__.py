"""Layout stage: pages from WeasyPrint, page makeup, the check rules and the print preflight."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import preflight
    from .advice import locate
    from .engine import Engine, Layout, setup_process
    from .makeup import fill_warnings, make_up, settings, short_last_page, short_pages
    from .mounts import Mounts
    from .press import length_pt
    from .rules import Finding, evaluate, low_resolution_images

__all__ = [
    "Engine",
    "Finding",
    "Layout",
    "Mounts",
    "evaluate",
    "fill_warnings",
    "length_pt",
    "locate",
    "low_resolution_images",
    "make_up",
    "preflight",
    "settings",
    "setup_process",
    "short_last_page",
    "short_pages",
]

if not TYPE_CHECKING:  # the names load with their modules, on first use (see faces.py)
    from ..faces import lazy_names

    __getattr__ = lazy_names(
        __name__,
        {
            "advice": ["locate"],
            "engine": ["Engine", "Layout", "setup_process"],
            "mounts": ["Mounts"],
            "makeup": ["fill_warnings", "make_up", "settings", "short_last_page", "short_pages"],
            "preflight": ["preflight"],
            "press": ["length_pt"],
            "rules": ["Finding", "evaluate", "low_resolution_images"],
        },
    )
