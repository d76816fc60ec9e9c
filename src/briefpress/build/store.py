"""Build stage, output store: a content-addressed cache of briefs' outputs shared by runs.

A CI job that restores the store from an earlier job (``actions/cache``,
GitLab's ``cache:``) copies an unchanged brief's outputs instead of laying it
out again, on any runner and in any checkout folder. The key is what the
manifest already hashes: the settings of the run and the content of every file
the brief depends on, named relative to the project (a file outside it, such
as a font in a package, by its content alone), plus where its outputs go.
Outputs are reproducible byte for byte, so a copy equals a fresh rendering.

The store is a folder the CI system restores: half-trusted like the series
files. Every name in an entry is checked before anything is copied, and a
damaged entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .formats import brief_units, claimed_by_others
from .outputs import OutsideOutput, check_name, write_file, write_tree
from .results import BriefResult

#: Part of every key: a change of the entry format never reads an old entry.
STORE_SCHEMA = "1"
ENTRY_FILE = "entry.json"
FILES = "files"


def entry_key(settings: str, deps: dict[str, str], root: Path, place: str) -> str:
    """The key of one brief's outputs: what it was made from, never where that lay on disk.

    ``place`` is the brief's output stem relative to the output folder
    (``comments/2024-7-cables``).
    """
    named = sorted(_portable(Path(dep), root) + "\0" + digest for dep, digest in deps.items())
    text = "\n".join([STORE_SCHEMA, settings, place, *named])
    return hashlib.sha256(text.encode()).hexdigest()


def _portable(dep: Path, root: Path) -> str:
    # Files outside the project (fonts fetched into a cache, a package's CSL style)
    # sit at a different path on every runner: their content is their name.
    return dep.relative_to(root).as_posix() if dep.is_relative_to(root) else ""


@dataclass
class Store:
    """A store folder and what this run did with it."""

    folder: Path
    hits: int = 0
    saved: int = 0
    #: Entries found damaged (each a miss): said once at the end of the run.
    damaged: list[str] = field(default_factory=list)

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def restore(
        self, key: str, out: Path, result: BriefResult, stem: str, need_rules: bool = False
    ) -> bool:
        """Copy the outputs stored under ``key`` into ``out``; False on a miss.

        ``need_rules``: only an entry whose rules were evaluated will do (``check``).
        """
        entry = self._entry(key)
        try:
            meta = json.loads((entry / ENTRY_FILE).read_text(encoding="utf-8"))
            outputs = _outputs(meta)
            if need_rules and meta["rules"] is None:
                return False
            planned = [_read(entry / FILES / name, name, stem) for name in outputs]
        except FileNotFoundError:
            return False
        except (OSError, ValueError, OutsideOutput) as exc:
            self.damaged.append(f"{entry}: {exc}")
            return False
        for name, content in planned:
            path = out / name.rstrip("/")
            if isinstance(content, bytes):
                write_file(path, content, root=out)
            else:
                write_tree(path, content, root=out, keep=_kept_by_others(stem))
            result.outputs.append(path)
        result.warnings = list(meta["warnings"])
        result.errors = list(meta["errors"])
        result.layout_failed = bool(meta["errors"])
        result.rules = meta["rules"]
        result.pages = meta["pages"]
        result.restored = True
        self.hits += 1
        return True

    def save(self, key: str, out: Path, result: BriefResult) -> None:
        """Keep a brief's fresh outputs under ``key`` (a key already stored is left as it is)."""
        entry = self._entry(key)
        if entry.is_dir():
            return
        stem = result.path.stem
        keep = _kept_by_others(stem)
        entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=entry.parent))
        try:
            names = []
            for path in result.outputs:
                name = path.relative_to(out).as_posix()
                target = staging / FILES / name
                if path.is_dir():
                    names.append(name + "/")
                    for file in sorted(p for p in path.rglob("*") if p.is_file()):
                        inner = file.relative_to(path).as_posix()
                        if not keep(inner):  # the web page is the series unit's, made anew
                            _copy(file, target / inner)
                else:
                    names.append(name)
                    _copy(path, target)
            meta = {
                "outputs": names,
                "warnings": result.warnings,
                "errors": result.errors,
                "rules": result.rules,
                "pages": result.pages,
            }
            (staging / ENTRY_FILE).write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
            try:
                os.replace(staging, entry)  # atomic: another shard may store the same key
            except OSError:
                shutil.rmtree(staging, ignore_errors=True)
                return
            self.saved += 1
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _kept_by_others(stem: str) -> Callable[[str], bool]:
    owner = next((u.name for u in brief_units(["html"]) if "{stem}/" in u.writes), "xhtml")
    return claimed_by_others(owner, stem)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _outputs(meta: Any) -> list[str]:
    """The output names of an entry, each checked: a damaged store never writes elsewhere."""
    fields: dict[str, type | tuple[type, ...]] = {
        "outputs": list, "warnings": list, "errors": list, "rules": (dict, type(None)),
    }  # fmt: skip
    if not isinstance(meta, dict) or not all(isinstance(meta.get(k), t) for k, t in fields.items()):
        raise ValueError("not an entry of this store")
    if not (meta.get("pages") is None or isinstance(meta.get("pages"), int)):
        raise ValueError("pages: not a number")
    names: list[str] = meta["outputs"]
    if not all(isinstance(n, str) for n in [*names, *meta["warnings"], *meta["errors"]]):
        raise ValueError("expected text")
    for name in names:
        check_name(name.rstrip("/"))
    return names


def _read(where: Path, name: str, stem: str) -> tuple[str, bytes | dict[str, bytes]]:
    if not name.endswith("/"):
        if where.is_symlink() or not where.is_file():
            raise ValueError(f"{name}: missing")
        return name, where.read_bytes()
    files: dict[str, bytes] = {}
    for path in sorted(where.rglob("*")) if where.is_dir() else []:
        if path.is_symlink():
            raise ValueError(f"{name}: a symbolic link")
        if path.is_file():
            inner = path.relative_to(where).as_posix()
            check_name(inner)
            files[inner] = path.read_bytes()
    return name, files
