"""Cache stage: content hashes of everything a brief's outputs depend on.

Content, not file times, decides what to rebuild (a ``touch`` rebuilds nothing,
a ``git checkout`` that restores old bytes rebuilds what it must). The manifest
lives in the output folder and is written by the parent process only.

A brief depends on: its source, its series file, every file of its style
folder, the style's font files, the images it uses, the briefpress version and
what was asked for (formats, target).

Paths are stored relative: briefs and their inputs to the project root, outputs
to the output folder, so a project moved or copied elsewhere (another checkout,
a CI runner's workspace) finds its manifest valid and rebuilds nothing. In
memory they are absolute, as the rest of the build uses them.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from .outputs import write_file

MANIFEST = ".briefpress-manifest.json"
#: Far above any real manifest (a few hundred bytes a brief).
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
SCHEMA = 3


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
    #: The project root the stored paths are relative to (None: the output folder's parent).
    root: Path | None = None

    @classmethod
    def load(cls, out_dir: Path, root: Path | None = None) -> Manifest:
        root = (root or out_dir.parent).resolve()
        found = cls._load(out_dir, root)
        found.root = root
        return found

    @classmethod
    def _load(cls, out_dir: Path, root: Path) -> Manifest:
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
            return cls(path, _entries(data, out_dir.resolve(), root))
        except ValueError as exc:
            # Never trust its shape: one warning, and everything is rebuilt.
            return cls(path, warning=f"{path}: {exc}; rebuilding all")

    def save(self) -> None:
        root = (self.root or self.path.parent.parent).resolve()
        out = self.path.parent.resolve()
        stored = {
            _relative(key, root): _stored(entry, root, out) for key, entry in self.entries.items()
        }
        data = {
            "schema": SCHEMA,
            "version": __version__,
            "entries": dict(sorted(stored.items())),
        }
        write_file(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def _relative(path: str, start: Path) -> str:
    """``path`` relative to ``start`` (posix) when it lies inside it, else as it is."""
    if not os.path.isabs(path):
        return path
    try:
        return Path(path).relative_to(start).as_posix()
    except ValueError:
        return path  # a font in the user's cache, a source outside the project


def _absolute(path: str, base: Path) -> str:
    # normpath, so ``../../etc/passwd`` cannot pass the inside-the-output check.
    return os.path.normpath(base / path)


def _stored(entry: Entry, root: Path, out: Path) -> dict[str, Any]:
    data = asdict(entry)
    data["deps"] = {_relative(dep, root): digest for dep, digest in entry.deps.items()}
    data["outputs"] = [_relative(output, out) for output in entry.outputs]
    data["series"] = _relative(entry.series, root) if entry.series else ""
    return data


def _entries(data: Any, out_dir: Path, root: Path) -> dict[str, Entry]:
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
        value = {
            **value,
            "deps": {_absolute(dep, root): digest for dep, digest in value["deps"].items()},
            "outputs": [_absolute(output, out_dir) for output in value["outputs"]],
            "series": _absolute(value["series"], root) if value["series"] else "",
        }
        if not all(Path(output).is_relative_to(out_dir) for output in value["outputs"]):
            # Outputs are reported and checked as this run's: never a file elsewhere.
            raise ValueError(f"entry {key!r}: an output outside {out_dir}")
        rules = value["rules"] or {}
        if not all(
            isinstance(found, list) and all(_finding(f) for f in found) for found in rules.values()
        ):
            raise ValueError(f"entry {key!r}: rules have the wrong shape")
        entries[_absolute(key, root)] = Entry(**value)
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
        self._resolved: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        known = self._known.get(path)  # by the path as given first: resolve() costs syscalls
        if known is not None:
            return known
        given = path
        path = path.resolve()
        if path not in self._known:
            try:
                # Regular files only: a manifest naming /dev/zero must not hang the run.
                if not path.is_file():
                    raise FileNotFoundError(path)
                self._known[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._known[path] = "missing"
        self._known[given] = self._known[path]
        return self._known[path]

    def files(self, paths: list[Path]) -> dict[str, str]:
        return {self._name(path): self.file(path) for path in paths}

    def _name(self, path: Path) -> str:
        """The resolved path, once per path a run: every brief names the style's files."""
        name = self._resolved.get(path)
        if name is None:
            name = self._resolved[path] = str(path.resolve())
        return name


def settings_key(formats: tuple[str, ...], target: str) -> str:
    return f"{__version__}|{','.join(formats)}|{target}"


def is_fresh(entry: Entry | None, settings: str, hasher: Hasher) -> bool:
    """Unchanged inputs and every output still present."""
    if entry is None or entry.settings != settings:
        return False
    if not all(Path(output).exists() for output in entry.outputs):
        return False
    return all(hasher.file(Path(dep)) == digest for dep, digest in entry.deps.items())


def failed_briefs(out_dir: Path, root: Path | None = None) -> set[str]:
    """Briefs whose last build broke a hard rule or failed the print preflight.

    Their files stay for the editor to look at, but they are not published: the
    catalogue, feed and sitemap leave them out until a build passes.
    """
    manifest = Manifest.load(out_dir, root)
    return {
        key
        for key, entry in manifest.entries.items()
        if entry.errors or (entry.rules or {}).get("print-preflight")
    }
