"""Build stage, options: where things are and what a run was asked for."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import CONTROL, UsageError
from ..source import FORMATS
from .formats import reserved_folders
from .variants import VARIANT_SUFFIXES

BRIEF_SUFFIX = ".md"
#: What `build` can write.
BUILDABLE = FORMATS
DEFAULT_TIMEOUT = 300.0
#: Names briefpress itself writes in an output folder: the catalogue's thumbnails
#: and the visual check's diff images. A brief is named after its file, so
#: ``thumbs.md`` would overwrite them; hidden names are briefpress's own files
#: (manifest, lock, temporary files, preview).
RESERVED_STEMS = ("check", *reserved_folders())


def reserved_name(stem: str) -> str | None:
    """Why a brief may not be called ``stem``, or None."""
    if CONTROL.search(stem):
        return "a brief's file name may not hold control characters"
    if stem.startswith("."):
        return "a brief's name may not start with '.' (briefpress keeps its own files so)"
    if stem.lower() in RESERVED_STEMS:
        return f"'{stem}' is reserved for briefpress's own output (rename the file)"
    if stem.lower().endswith(tuple(VARIANT_SUFFIXES.values())):
        # x.pdfa.md would write x.pdfa.pdf, the name of x.md's PDF/A variant.
        return f"'{stem}' ends like a PDF variant's file name (rename the file)"
    return None


@dataclass(frozen=True)
class Project:
    """Where things are (source/, styles/, build/), relative to the project root."""

    root: Path

    @property
    def styles(self) -> Path:
        """The styles folder, ``styles/``."""
        return self.root / "styles"

    @property
    def default_source(self) -> Path:
        """Where briefs are when no path is given, ``source/``."""
        return self.root / "source"

    @property
    def default_output(self) -> Path:
        """Where outputs go when no ``-o`` is given, ``build/``."""
        return self.root / "build"


@dataclass(frozen=True)
class BuildOptions:
    """What a run was asked for, frozen: it travels from the CLI into every worker."""

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
    #: A PDF variant written besides the targets, from the screen rendering
    #: (pdf/a-3b → ``<stem>.pdfa.pdf``, pdf/ua-1 → ``<stem>.ua.pdf``; build/variants.py).
    variant: str | None = None
    #: Move figures and tables that leave a page short (layout/makeup.py); off for comparisons.
    page_makeup: bool = True
    #: ``(k, n)``: build only the k-th of n shares of the briefs (build/shards.py), 1-based.
    shard: tuple[int, int] | None = None
    #: Output store shared by runs and CI jobs (build/store.py): copy, do not lay out again.
    cache: Path | None = None
    #: The output folder's address on the web (``--site-url``): a publish build. A
    #: series' own ``site_url`` wins; without either, the web edition is a preview.
    site_url: str | None = None


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


def _parse_list(
    text: str | None, option: str, allowed: tuple[str, ...] | None
) -> tuple[str, ...] | None:
    """A comma list option (``--format pdf,html``): known names only, in order, once each.

    With ``allowed`` None any name passes here; the caller checks it later.
    """
    if text is None:
        return None
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if allowed is not None and name not in allowed]
    if unknown or not names:
        wrong = ", ".join(unknown) or text
        choices = f" (choose from {', '.join(allowed)})" if allowed else ""
        raise UsageError(f"--{option}: unknown {option} '{wrong}'{choices}")
    return names


def parse_formats(text: str | None) -> tuple[str, ...] | None:
    """The ``--format`` comma list as names, or None; a UsageError for an unknown one."""
    return _parse_list(text, "format", BUILDABLE)


def parse_targets(text: str | None) -> tuple[str, ...] | None:
    """PDF target names; each style declares its own, so the builder judges them per series."""
    return _parse_list(text, "target", None)
