"""Model stage, editions: a brief and its translations, found by series and number.

``translation_of`` names the original as an editor and a reader know it: the
series and the issue number (and year, where the numbering restarts each year).
File names are not identities: two series may each have a ``2024-1-x.md``, and
they are not editions of each other. A stem is still read, with a warning,
looked up in the translation's own series first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .schema import Context, Kind, kind_of


@dataclass(frozen=True)
class TranslationRef:
    """What ``translation_of`` says: a series (its name, or None for the brief's own),
    a number and maybe a year; or, the old way, a file stem."""

    series: str | None = None
    number: int | None = None
    year: int | None = None
    stem: str | None = None


class TranslationOf(Kind):
    """``{series: Policy Brief, number: 27, year: 2023}``, a number, or (deprecated) a stem."""

    label = "`{series?, number, year?}` or a number"

    def read(self, value: Any, at: Context) -> Any:
        if isinstance(value, bool):
            return at.fail(f"expected a number or {{series, number}}, got {kind_of(value)}")
        if isinstance(value, int):
            return TranslationRef(number=value)
        if isinstance(value, str) and value.strip():
            return TranslationRef(stem=value.strip())
        if not isinstance(value, dict):
            return at.fail(f"expected {{series, number}}, got {kind_of(value)}")
        unknown = sorted(str(k) for k in value if k not in ("series", "number", "year"))
        if unknown:
            return at.fail(f"unknown key '{unknown[0]}' (known: series, number, year)")
        number, year = value.get("number"), value.get("year")
        if isinstance(number, bool) or not isinstance(number, int):
            return at.at("number", "number").fail(
                f"expected an issue number, got {kind_of(number)}"
            )
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            return at.at("year", "year").fail(f"expected a year, got {kind_of(year)}")
        series = value.get("series")
        return TranslationRef(
            series=str(series).strip() if series else None, number=number, year=year
        )


@dataclass(frozen=True)
class Entry:
    """One brief as editions are matched: where it is, which series, which issue."""

    path: Path
    series_folder: Path
    #: Names the series answers to: its ``name``, its slug and its folder's name.
    series_names: frozenset[str]
    number: int
    year: int
    ref: TranslationRef | None


def _matches(entry: Entry, ref: TranslationRef, own: Entry) -> bool:
    if ref.stem is not None:
        return entry.path.stem == ref.stem
    in_series = (
        entry.series_folder == own.series_folder
        if ref.series is None
        else ref.series.casefold() in entry.series_names
    )
    year_ok = ref.year is None or entry.year == ref.year
    return in_series and entry.number == ref.number and year_ok


def original_of(entry: Entry, entries: Iterable[Entry]) -> Entry | None:
    """The brief ``entry`` translates; a stem is looked for in its own series first."""
    if entry.ref is None:
        return None
    found = [
        other for other in entries if other.path != entry.path and _matches(other, entry.ref, entry)
    ]
    if entry.ref.stem is not None:
        own = [other for other in found if other.series_folder == entry.series_folder]
        found = own or found
    if entry.ref.year is None and len(found) > 1:
        # Numbering by year: the nearest year is the one meant.
        found.sort(key=lambda other: abs(other.year - entry.year))
    return found[0] if found else None


def edition_groups(entries: list[Entry]) -> dict[Path, list[Path]]:
    """Brief path → the paths of every edition of it, itself included, original first."""
    roots: dict[Path, Path] = {}
    for entry in entries:
        original = original_of(entry, entries)
        roots[entry.path] = original.path if original else entry.path
    groups: dict[Path, list[Path]] = {}
    for entry in entries:
        groups.setdefault(roots[entry.path], []).append(entry.path)
    found: dict[Path, list[Path]] = {}
    for root, members in groups.items():
        ordered = [root, *(m for m in members if m != root)]
        for member in members:
            found[member] = ordered
    return found


def series_names(name: str, slug: str, folder: Path) -> frozenset[str]:
    return frozenset(n.casefold() for n in (name, slug, folder.name) if n)
