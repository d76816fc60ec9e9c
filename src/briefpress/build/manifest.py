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
#: Far above any real manifest (a few hundred bytes a brief).
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
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


#: Each field of an entry and the type its JSON value must have.
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "settings": str,
    "deps": dict,
    "outputs": list,
    "series": str,
    "year": int,
    "number": int,
    "rules": (dict, type(None)),
    "warnings": list,
    "errors": list,
    "pages": (int, type(None)),
}


@dataclass
class Manifest:
    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    #: Why a manifest that was there could not be used (the run rebuilds everything).
    warning: str | None = None

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        path = out_dir / MANIFEST
        try:
            if path.exists() and not path.is_file():
                raise ValueError("not a file")
            if path.exists() and path.stat().st_size > MAX_MANIFEST_BYTES:
                raise ValueError("too large")
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, RecursionError) as exc:
            return cls(path, warning=f"{path}: unreadable ({type(exc).__name__}); rebuilding all")
        if isinstance(data, dict) and (
            data.get("schema") != SCHEMA or data.get("version") != __version__
        ):
            return cls(path)  # another briefpress wrote it: rebuilding is expected
        try:
            return cls(path, _entries(data, out_dir.resolve()))
        except ValueError as exc:
            # Never trust its shape: one warning, and everything is rebuilt.
            return cls(path, warning=f"{path}: {exc}; rebuilding all")

    def save(self) -> None:
        data = {
            "schema": SCHEMA,
            "version": __version__,
            "entries": {key: asdict(entry) for key, entry in sorted(self.entries.items())},
        }
        write_file(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def _entries(data: Any, out_dir: Path) -> dict[str, Entry]:
    """The entries of a manifest, or ValueError naming what is not as this module writes it."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        raise ValueError("not a briefpress manifest")
    entries = {}
    for key, value in data["entries"].items():
        if not isinstance(value, dict) or set(value) != set(_FIELDS):
            raise ValueError(f"entry {key!r} has the wrong fields")
        for name, kind in _FIELDS.items():
            item = value[name]
            if not isinstance(item, kind) or isinstance(item, bool):
                raise ValueError(f"entry {key!r}: {name} has the wrong type")
        text = [
            *value["deps"], *value["deps"].values(), *value["outputs"], *value["warnings"],
            *value["errors"],
        ]  # fmt: skip
        if not all(isinstance(item, str) for item in text):
            raise ValueError(f"entry {key!r}: expected text in deps, outputs, warnings")
        if not all(Path(output).is_relative_to(out_dir) for output in value["outputs"]):
            # Outputs are reported and checked as this run's: never a file elsewhere.
            raise ValueError(f"entry {key!r}: an output outside {out_dir}")
        rules = value["rules"] or {}
        if not all(
            isinstance(found, list) and all(_finding(f) for f in found) for found in rules.values()
        ):
            raise ValueError(f"entry {key!r}: rules have the wrong shape")
        entries[key] = Entry(**value)
    return entries


def _finding(value: Any) -> bool:
    """A rule finding as `check` stores it: a page (number or None) and a message."""
    if not isinstance(value, dict) or not isinstance(value.get("message"), str):
        return False
    page = value.get("page")
    return page is None or (isinstance(page, int) and not isinstance(page, bool))


class Hasher:
    """File hashes, each file read at most once per run."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        path = path.resolve()
        if path not in self._known:
            try:
                # Regular files only: a manifest naming /dev/zero must not hang the run.
                if not path.is_file():
                    raise FileNotFoundError(path)
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


def failed_briefs(out_dir: Path) -> set[str]:
    """Briefs whose last build broke a hard rule or failed the print preflight.

    Their files stay for the editor to look at, but they are not published: the
    catalogue, feed and sitemap leave them out until a build passes.
    """
    manifest = Manifest.load(out_dir)
    return {
        key
        for key, entry in manifest.entries.items()
        if entry.errors or (entry.rules or {}).get("print-preflight")
    }
