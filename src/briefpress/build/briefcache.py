"""Build stage, parse cache: briefs as last read, kept by the hashes of what they were read from.

Reading a brief (YAML front matter, body checks, reference files) costs about
10 ms; an archive of 1,000 briefs paid 10 s whenever any page had to be made
again, though only one brief had changed. A brief read without problems is
kept here, with the hashes of every file it was read from (its source, its
series file, its style's files, its reference files, its images), and is
taken from here only while every one of those files still has the same bytes
and briefpress is the same version.

Like Sphinx's environment pickle, the cache is a pickle in the output folder
(``.briefpress-cache/``), written by the parent process only: the output
folder is the project's own. An entry that does not read is read from the
source again, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..source import SERIES_FILE, Brief
from ..style import Style, coverage_spans, remember_coverage
from .manifest import Hasher
from .outputs import write_file

FOLDER = ".briefpress-cache"
#: Bumped when what is stored changes shape.
SCHEMA = 2


def _code_stamp() -> str:
    """The reading code's files by size and time: what other code read is read again."""
    from .. import source, style

    stamp = hashlib.sha256(__version__.encode())
    for package in (source, style):
        for path in sorted(Path(str(package.__file__)).parent.glob("*.py")):
            stat = path.stat()
            stamp.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return stamp.hexdigest()


class BriefCache:
    """Briefs by path, each valid while the files it was read from keep their bytes."""

    def __init__(self, out_dir: Path, hasher: Hasher | None = None) -> None:
        self.folder = out_dir / FOLDER / "briefs"
        self.hasher = hasher or Hasher()
        self._stamp: str | None = None
        #: Briefs read from the cache and briefs parsed, this run (for tests and benchmarks).
        self.hits = 0
        self.misses = 0

    @property
    def stamp(self) -> str:
        if self._stamp is None:
            self._stamp = _code_stamp()
        return self._stamp

    def _file(self, path: Path, context: str) -> Path:
        # One slot per brief and reading context: an edit replaces its entry, never adds one.
        name = hashlib.sha256(f"{path}\0{context}".encode()).hexdigest()[:32]
        return self.folder / f"{name}.pickle"

    def _read(self, file: Path) -> tuple[dict[str, str], object] | None:
        """What ``file`` holds when briefpress's same code wrote it, with its inputs' hashes."""
        try:
            stored: Any = pickle.loads(file.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                IndexError, KeyError, TypeError, ValueError):  # fmt: skip
            return None  # a damaged or foreign entry: read the source again
        if not (isinstance(stored, tuple) and len(stored) == 4):
            return None
        schema, stamp, deps, value = stored
        if schema != SCHEMA or stamp != self.stamp or not isinstance(deps, dict):
            return None
        return deps, value

    def _valid(self, deps: dict[str, str]) -> bool:
        return all(self.hasher.file(Path(dep)) == digest for dep, digest in deps.items())

    def _write(self, file: Path, deps: Iterable[Path], value: object) -> None:
        """Keep ``value``, made from ``deps``; a file that cannot be written is only not kept."""
        hashes = self.hasher.files(list(deps))
        if "missing" in hashes.values():
            return  # made from a file that is gone: nothing to check it against next time
        data = pickle.dumps((SCHEMA, self.stamp, hashes, value), protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            write_file(file, data)

    def get(self, path: Path, context: str = "") -> Brief | None:
        found = self._read(self._file(path, context))
        brief = found[1] if found is not None else None
        if found is None or not isinstance(brief, Brief) or brief.path != path:
            self.misses += 1
            return None
        if not self._valid(found[0]):
            self.misses += 1
            return None
        self.hits += 1
        return brief

    def put(self, brief: Brief, deps: Iterable[Path], context: str = "") -> None:
        self._write(self._file(brief.path, context), deps, brief)

    def style(self, name: str, styles_root: Path) -> Style | None:
        """A style as last loaded, while its folders hold the same files with the same bytes.

        Loading one (YAML, inheritance, every check) costs 25-45 ms in every process
        of a run: the parent, each worker, ``index``. The code points of its fonts
        come with it (``remember_coverage``): reading their cmaps costs about 0.1 s.
        """
        found = self._read(self._file(styles_root.resolve() / name, "style"))
        value = found[1] if found is not None else None
        if found is None or not (isinstance(value, tuple) and len(value) == 2):
            return None
        style, covered = value
        if not isinstance(style, Style) or not isinstance(covered, dict):
            return None
        deps = found[0]
        # A file added to a style folder is an input too: the same files, then the same bytes.
        now = {str(path.resolve()) for path in _style_inputs(style)}
        if now != set(deps) or not self._valid(deps):
            return None
        remember_coverage({Path(path): points for path, points in covered.items()})
        return style

    def put_style(self, name: str, styles_root: Path, style: Style) -> None:
        # Read once per change of the style or of its fonts, the font files being its inputs.
        from fontTools.ttLib import TTLibError

        # What fontTools raises for a file it cannot read as a font (its table readers assert).
        unreadable = (TTLibError, OSError, ValueError, KeyError, IndexError, EOFError,
                      AssertionError, struct.error)  # fmt: skip
        covered: dict[str, tuple[int, ...]] = {}
        for face in style.fonts:
            try:
                covered[str(face.path)] = coverage_spans(face.path)
            except unreadable:
                continue  # such a font fails where it is used, as it did before the cache
        key = self._file(styles_root.resolve() / name, "style")
        self._write(key, _style_inputs(style), (style, covered))

    def editions(self, root: Path) -> list[Any] | None:
        """The edition entries of every brief under ``root`` (``model.edition_entries``),
        while the same briefs and series files are there with the same bytes.

        Reading the front matter of every brief of an archive costs about 1 ms a
        brief in every run that loads one brief, a single brief's build included.
        """
        found = self._read(self._file(root, "editions"))
        if found is None or not isinstance(found[1], list):
            return None
        deps = found[0]
        now = {str(path.resolve()) for path in _edition_inputs(root)}
        return found[1] if now == set(deps) and self._valid(deps) else None

    def put_editions(self, root: Path, entries: list[Any]) -> None:
        self._write(self._file(root, "editions"), _edition_inputs(root), entries)


def _edition_inputs(root: Path) -> list[Path]:
    """What the entries under ``root`` are read from: its briefs and its series files."""
    return [*root.rglob("*.md"), *root.rglob(SERIES_FILE)]


def _style_inputs(style: Style) -> list[Path]:
    """Every file of the style's folders (its parents' too) and its font files."""
    return [*style.files, *(face.path for face in style.fonts)]
