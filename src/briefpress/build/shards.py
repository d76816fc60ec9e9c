"""Build stage, shards: one archive built by several CI jobs, then merged into one tree.

``build --shard K/N`` builds the briefs whose stable hash falls in share K of
N: the same brief always goes to the same shard, whatever else was added, so
each job's output store (``--cache``) keeps serving it. ``index --merge``
gathers the shards' output folders and manifests into one output folder and
writes the catalogue over all of them; the merged tree is the one a single
machine would have written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from . import manifest as cache
from .outputs import locked, write_file

SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/4"`` → (2, 4); anything else is a usage error naming the option."""
    if text is None:
        return None
    found = SHARD.match(text)
    if not found or not 1 <= int(found[1]) <= int(found[2]):
        raise UsageError(f'--shard: expected K/N with 1 <= K <= N, like "2/4", got "{text}"')
    return int(found[1]), int(found[2])


def shard_of(brief: Path, root: Path, count: int) -> int:
    """The shard (1-based) of a brief: from its path in the project, never its content.

    A content hash would move an edited brief to another job, away from its cache.
    """
    name = brief.relative_to(root).as_posix() if brief.is_relative_to(root) else brief.name
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % count + 1


def select(briefs: Sequence[Path], root: Path, shard: tuple[int, int]) -> list[Path]:
    """The briefs of share ``k`` of ``n``."""
    k, n = shard
    root = root.resolve()
    return [brief for brief in briefs if shard_of(brief, root, n) == k]


@dataclass
class Merged:
    """What a merge wrote, and why it refused what it refused."""

    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def merge_shards(folders: Sequence[Path], out: Path, root: Path) -> Merged:
    """Copy the shards' output ``folders`` into ``out`` and merge their manifests.

    Two shards that wrote one file differently (built from different inputs)
    or one brief twice are refused before anything is copied: the previous
    output stays as it was. ``root`` is the project's: the manifests name
    briefs and inputs relative to it.
    """
    out = out.resolve()
    merged = Merged()
    sources: dict[str, tuple[Path, str]] = {}
    shard_manifests: list[tuple[Path, cache.Manifest]] = []
    for folder in (f.resolve() for f in folders):
        if not folder.is_dir():
            raise UsageError(f"--merge: {folder}: no such folder")
        if folder == out:
            raise UsageError(f"--merge: {folder} is the output folder itself")
        loaded = cache.Manifest.load(folder, root)
        if loaded.warning or not loaded.path.is_file():
            merged.problems.append(
                f"{loaded.path}: {loaded.warning or 'missing'}: not the output of a build"
            )
            continue
        shard_manifests.append((folder, loaded))
        for path in _files(folder):
            name = path.relative_to(folder).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            first = sources.setdefault(name, (folder, digest))
            if first[1] != digest:
                merged.problems.append(
                    f"{path}: differs from {first[0] / name} (were the shards built from "
                    "the same commit and options?)"
                )
    entries: dict[str, cache.Entry] = {}
    for folder, loaded in shard_manifests:
        for key, entry in loaded.entries.items():
            if key in entries:
                merged.problems.append(f"{key}: built by two shards (is --shard the same N?)")
                continue
            entries[key] = _rebased(entry, folder, out)
    merged.problems += _same_numbers(entries)
    if merged.problems:
        return merged
    with locked(out):
        for name, (folder, _digest) in sorted(sources.items()):
            target = out / name
            data = (folder / name).read_bytes()
            if not target.is_file() or target.read_bytes() != data:
                write_file(target, data, root=out)
                merged.written.append(target)
        manifest = cache.Manifest.load(out, root)
        manifest.entries.update(entries)
        manifest.save()
    return merged


def _same_numbers(entries: dict[str, cache.Entry]) -> list[str]:
    """Two briefs of one series with one number, built on two shards (each alone saw no clash)."""
    from ..errors import BriefpressError
    from ..source import load_series

    per_year: dict[str, bool] = {}
    groups: dict[tuple[str, int, int], list[str]] = {}
    for key, entry in sorted(entries.items()):
        if entry.series not in per_year:
            try:
                per_year[entry.series] = load_series(Path(entry.series)).numbers_per_year
            except (BriefpressError, OSError):
                per_year[entry.series] = True  # the build reports the series file itself
        scope = entry.year if per_year[entry.series] else 0
        groups.setdefault((entry.series, scope, entry.number), []).append(key)
    problems = []
    for (_series, _scope, number), keys in groups.items():
        for key in keys if len(keys) > 1 else []:
            others = ", ".join(Path(k).name for k in keys if k != key)
            problems.append(f"{key}: number {number} is also used by {others} (another shard)")
    return problems


def _files(folder: Path) -> list[Path]:
    """The files a shard published.

    Hidden names are briefpress's own (lock, manifest, a killed run's litter, the
    pages' stamps): the manifest is merged, the stamps are made again by the next run.
    """
    found = []
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if not hidden and path.is_file() and not path.is_symlink():
            found.append(path)
    return found


def _rebased(entry: cache.Entry, folder: Path, out: Path) -> cache.Entry:
    from dataclasses import replace

    outputs = [str(out / Path(output).relative_to(folder)) for output in entry.outputs]
    return replace(entry, outputs=outputs)
