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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..source import Brief
from .manifest import Hasher
from .outputs import write_file

FOLDER = ".briefpress-cache"
#: Bumped when what is stored changes shape.
SCHEMA = 1


def _code_stamp() -> str:
    """The reading code's files by size and time: a brief read by other code is read again."""
    from .. import source

    stamp = hashlib.sha256(__version__.encode())
    for path in sorted(Path(source.__file__).parent.glob("*.py")):
        stat = path.stat()
        stamp.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
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

    def get(self, path: Path, context: str = "") -> Brief | None:
        try:
            data = self._file(path, context).read_bytes()
            stored: Any = pickle.loads(data)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # a damaged or foreign entry: read the source again
            self.misses += 1
            return None
        if not (isinstance(stored, tuple) and len(stored) == 4):
            self.misses += 1
            return None
        schema, stamp, deps, brief = stored
        fresh = (
            schema == SCHEMA
            and stamp == self.stamp
            and isinstance(brief, Brief)
            and brief.path == path
            and isinstance(deps, dict)
            and all(self.hasher.file(Path(dep)) == digest for dep, digest in deps.items())
        )
        if not fresh:
            self.misses += 1
            return None
        self.hits += 1
        found: Brief = brief
        return found

    def put(self, brief: Brief, deps: Iterable[Path], context: str = "") -> None:
        """Keep ``brief``, read from ``deps``; a file that cannot be written is only not kept."""
        hashes = self.hasher.files(list(deps))
        if "missing" in hashes.values():
            return  # read from a file that is gone: nothing to check it against next time
        data = pickle.dumps((SCHEMA, self.stamp, hashes, brief), protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            write_file(self._file(brief.path, context), data)
