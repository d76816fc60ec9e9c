"""Site stage, incremental listings: what the last `index` read, so the next does only what changed.

Listing pages (catalogue pages, filter pages, catalogue.json, the feed, the
sitemap) are made from every brief of a run, so without a record an unchanged
archive would be read and rendered again on every ``make``: 29 s at 1,000
briefs. Two records, kept in ``.briefpress-cache/index.json`` in the output
folder, make the work follow the change:

* the **run key**: a digest of everything an ``index`` run reads (the sources'
  bytes, the styles' bytes, the manifest, the built files' sizes and times),
  taken without reading a brief. When it is unchanged and every file the last
  run left is still as it left it, the run ends there: a no-op ``index``
  reads a few files and writes none.
* a **listing digest** per output folder: the digest of what that folder's
  listings show (each listed brief's source hash and outputs, its editions,
  the series and style files). A folder whose digest is unchanged is not
  rendered again, so editing one brief rewrites its own series' listings
  and the front page that lists every series, not the others.

Both are generic over the listing unit's files: what counts as a listing file
is the ``catalogue`` unit's ``writes`` patterns, whatever pages it makes.
Paths in the record are relative (to the project, to the output folder), so a
moved project keeps it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..build import Project, write_file

STATE = "index.json"
FOLDER = ".briefpress-cache"
#: Bumped when the record changes shape.
SCHEMA = 1
#: Source files a listing may be made from (briefs, series files, references).
SOURCE_SUFFIXES = (".md", ".yaml", ".yml", ".bib", ".json", ".csl")


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return str(path.resolve())


def _stat(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def run_key(paths: Sequence[Path], project: Project, out: Path, site_url: str | None = None) -> str:
    """Everything an ``index`` run reads, as one digest; no brief is parsed.

    Sources and styles by content (a copied project, with new file times, keeps
    its key); built files by size and time, from the manifest's list of them;
    the site's address (``--site-url``), which every absolute link carries.
    """
    root = project.root.resolve()
    digest = hashlib.sha256(f"{SCHEMA}|{__version__}|{site_url}".encode())
    asked = sorted(_relative(path, root) for path in paths)
    digest.update(f"{asked!r}|{_relative(out, root)}".encode())
    code = Path(__file__).parent
    for path in sorted(code.glob("*.py")):  # this stage's own code: a newer briefpress remakes
        digest.update(f"{path.name}:{_stat(path)}".encode())
    folders = [*paths, project.default_source]
    seen: set[Path] = set()
    for folder in folders:
        files = sorted(folder.rglob("*")) if folder.is_dir() else [folder]
        for path in files:
            if path in seen or path.suffix not in SOURCE_SUFFIXES or not path.is_file():
                continue
            seen.add(path)
            digest.update(_relative(path, root).encode() + b"\0" + _file_hash(path).encode())
    styles = sorted(project.styles.rglob("*")) if project.styles.is_dir() else []
    for path in styles:
        if path.is_file():
            digest.update(_relative(path, root).encode() + b"\0" + _file_hash(path).encode())
    for name, stat in _built_files(out):
        digest.update(f"{name}:{stat}".encode())
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _built_files(out: Path) -> Iterable[tuple[str, list[int] | None]]:
    """The manifest itself, the web pages' key and every output the manifest lists.

    A listing links a brief's PDF, EPUB and page only when they exist, and draws a
    thumbnail from the PDF: their sizes and times are what it reads of them.
    """
    from ..build import MANIFEST

    manifest = out / MANIFEST
    yield MANIFEST, [0, 0] if not manifest.is_file() else [1, int(_file_hash(manifest), 16)]
    pages_key = out / ".briefpress-pages-key"
    yield pages_key.name, _stat(pages_key)
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("entries", {})
    except (OSError, ValueError, AttributeError):
        return
    for entry in entries.values() if isinstance(entries, dict) else ():
        for output in entry.get("outputs", []) if isinstance(entry, dict) else ():
            path = out / str(output)
            if path.is_dir():  # the brief's folder: the pages a listing links to
                for name in ("index.html", "index.xhtml"):
                    yield f"{output}/{name}", _stat(path / name)
            else:
                yield str(output), _stat(path)


def listing_files(folder: Path, patterns: Iterable[str]) -> dict[str, list[int] | None]:
    """The listing unit's files in ``folder`` (its ``writes`` patterns), with sizes and times."""
    found: dict[str, list[int] | None] = {}
    for pattern in patterns:
        if "{stem}" in pattern:
            continue
        if pattern.endswith("/"):
            sub = folder / pattern.rstrip("/")
            for path in sorted(sub.rglob("*")) if sub.is_dir() else []:
                if path.is_file():
                    found[path.relative_to(folder).as_posix()] = _stat(path)
        elif any(c in pattern for c in "*?["):
            for path in sorted(folder.iterdir()) if folder.is_dir() else []:
                if path.is_file() and fnmatch.fnmatchcase(path.name, pattern):
                    found[path.name] = _stat(path)
        elif (folder / pattern).is_file():
            found[pattern] = _stat(folder / pattern)
    return found


@dataclass
class IndexState:
    """The record of the last ``index`` run in an output folder."""

    key: str = ""
    #: Output folder (relative to the top one) → the digest of what its listings show.
    digests: dict[str, str] = field(default_factory=dict)
    #: Output folder → its listing files (relative) with size and time as written.
    files: dict[str, dict[str, list[int] | None]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, out: Path) -> IndexState:
        """The record, or an empty one: a record that does not read only costs a full run."""
        try:
            data = json.loads((out / FOLDER / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return cls()
        try:
            return cls(
                str(data["key"]),
                {str(k): str(v) for k, v in data["digests"].items()},
                {str(k): dict(v) for k, v in data["files"].items()},
                [str(p) for p in data["problems"]],
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls()

    def save(self, out: Path) -> None:
        data = {
            "schema": SCHEMA,
            "key": self.key,
            "digests": self.digests,
            "files": self.files,
            "problems": self.problems,
        }
        write_file(out / FOLDER / STATE, (json.dumps(data, sort_keys=True) + "\n").encode())

    def unchanged(self, out: Path, folder: str) -> bool:
        """Every listing file of ``folder`` is still as the last run left it."""
        recorded = self.files.get(folder)
        if recorded is None:
            return False
        where = out / folder if folder != "." else out
        return all(
            _stat(where / name) == (list(stat) if stat else None) for name, stat in recorded.items()
        )


def listing_digest(parts: Iterable[Any]) -> str:
    """A digest of the reprs of what a folder's listings show (plain data only)."""
    digest = hashlib.sha256(f"{SCHEMA}|{__version__}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):  # the code that renders them
        digest.update(f"{path.name}:{_stat(path)}".encode())
    for part in parts:
        digest.update(repr(part).encode() + b"\0")
    return digest.hexdigest()


def relative_folder(folder: Path, out: Path) -> str:
    return os.path.relpath(folder, out) if folder != out else "."
