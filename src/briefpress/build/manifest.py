"""Cache stage: content hashes of everything a brief's outputs depend on.

Content, not file times, decides what to rebuild (a ``touch`` rebuilds nothing,
a ``git checkout`` that restores old bytes rebuilds what it must). The manifest
lives in the output folder and is written by the parent process only.

A brief depends on: its source, its series file, every file of its style
folder, the style's font files, the images it uses, the briefpress version and
what was asked for (formats, target).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from .outputs import write_file

MANIFEST = ".briefpress-manifest.json"
SCHEMA = 2


@dataclass
class Entry:
    """What the last good build of one brief used and wrote."""

    settings: str
    deps: dict[str, str]
    outputs: list[str]
    #: Series file, year and number: duplicate checks without re-reading the brief.
    series: str = ""
    year: int = 0
    number: int = 0
    #: Findings of the last check (rule id → findings), None when never checked.
    rules: dict[str, list[dict[str, Any]]] | None = None
    #: Warnings of the last build, so an up-to-date brief still reports them.
    warnings: list[str] = field(default_factory=list)
    #: Hard layout rules the last build broke (its outputs were written anyway).
    errors: list[str] = field(default_factory=list)
    pages: int | None = None


@dataclass
class Manifest:
    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        path = out_dir / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("schema") != SCHEMA or data.get("version") != __version__:
                return cls(path)
            entries = {key: Entry(**value) for key, value in data["entries"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return cls(path)  # a missing or damaged manifest only means "rebuild"
        return cls(path, entries)

    def save(self) -> None:
        data = {
            "schema": SCHEMA,
            "version": __version__,
            "entries": {key: asdict(entry) for key, entry in sorted(self.entries.items())},
        }
        write_file(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


class Hasher:
    """File hashes, each file read at most once per run."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        path = path.resolve()
        if path not in self._known:
            try:
                self._known[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._known[path] = "missing"
        return self._known[path]

    def files(self, paths: list[Path]) -> dict[str, str]:
        return {str(path.resolve()): self.file(path) for path in paths}


def settings_key(formats: tuple[str, ...], target: str) -> str:
    return f"{__version__}|{','.join(formats)}|{target}"


def is_fresh(entry: Entry | None, settings: str, hasher: Hasher) -> bool:
    """Unchanged inputs and every output still present."""
    if entry is None or entry.settings != settings:
        return False
    if not all(Path(output).exists() for output in entry.outputs):
        return False
    return all(hasher.file(Path(dep)) == digest for dep, digest in entry.deps.items())
