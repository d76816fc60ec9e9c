"""Source stage, new briefs: the next free number and a skeleton that validates.

Numbers are read from the briefs' front matter (the file name is only a
convention); the next number of a year follows the highest used in that year,
so numbering never goes backwards even when an issue was withdrawn.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import BriefpressError, UsageError
from .source import SERIES_FILE, find_series_file, read_brief

_FILE_NUMBER = re.compile(r"^(\d{4})-(\d+)-")


#: Slugs drop apostrophes inside words: "Europe's" → ``europes``, not ``europe-s``.
_APOSTROPHES = [["'", ""], ["\u2019", ""], ["\u02bc", ""]]
#: Words a cut slug does not end on (``…-and-the``): the short words of the
#: languages briefs are written in. A slug is a file name, not a house's words.
_DANGLING = frozenset(
    ["a", "an", "and", "the", "of", "in", "on", "for", "to", "with", "at", "by", "or", "from",
     "le", "la", "les", "l", "de", "du", "des", "d", "et", "en", "au", "aux", "un", "une",
     "pour", "sur", "der", "die", "das", "und", "von", "zu", "im", "mit", "fur", "ein", "eine",
     "den", "dem", "het", "een", "van", "op", "voor", "met"]
)  # fmt: skip


def slugify(title: str, max_length: int = 50) -> str:
    """``Europe's Space Shield`` → ``europes-space-shield``: ASCII words, cut between words.

    python-slugify transliterates (``Année`` → ``annee``, ``Øresund`` → ``oresund``);
    a slug cut to length never ends on a short word such as ``and`` or ``the``.
    """
    from slugify import slugify as transliterate

    words = [w for w in transliterate(title, replacements=_APOSTROPHES).split("-") if w]
    cut: list[str] = []
    for word in words:  # whole words, in order, while they fit
        if len("-".join([*cut, word])) > max_length:
            break
        cut.append(word)
    if not cut and words:  # one word longer than a slug: its start
        cut = [words[0][:max_length]]
    if 0 < len(cut) < len(words):
        while len(cut) > 1 and cut[-1] in _DANGLING:
            cut.pop()
    return "-".join(w for w in cut if w) or "brief"


#: Shown commented out in a new brief, so an editor sees what else a brief may say:
#: the field, and the label (in the brief's language) or the literal example.
OPTIONAL_FIELDS: dict[str, tuple[str, str]] = {
    "subtitle": ("text", "new_subtitle"),
    "lead": ("text", "new_lead"),
    "key_issues": ("list", "new_key_issue"),
    "keywords": ("words", "new_keywords"),
    "doi": ("literal", "10.1234/abcd"),
    "license": ("literal", "CC BY 4.0"),
}
_PLACEHOLDER = re.compile(r"\{(new_[a-z_]+)\}")


def _fill(value: Any, labels: dict[str, str]) -> Any:
    """The skeleton's ``{new_…}`` placeholders in the brief's language (labels in style.yaml)."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: labels.get(m[1], m[0]), value)
    if isinstance(value, list):
        return [_fill(item, labels) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, labels) for key, item in value.items()}
    return value


def _optional(key: str, labels: dict[str, str]) -> str:
    kind, name = OPTIONAL_FIELDS[key]
    if kind == "literal":
        return f"# {key}: {name}\n"
    text = labels.get(name, name)
    shown = {"text": _quoted(text), "list": f"[{_quoted(text)}]", "words": f"[{text}]"}[kind]
    return f"# {key}: {shown}\n"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's): what an editor can edit."""
    return json.dumps(text, ensure_ascii=False)


class _Dumper(yaml.SafeDumper):
    """Double quotes where YAML needs quotes: ``'Europe''s …'`` is an escape editors break."""

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


class _Title(str):
    """A title, always in double quotes: a colon or an apostrophe in it is then never a slip."""


_Dumper.add_representer(
    _Title, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
)


def series_briefs(series_file: Path, root: Path) -> list[Path]:
    """The briefs whose nearest series file is ``series_file``."""
    series_file = series_file.resolve()
    folder = series_file.parent
    return [
        path
        for path in sorted(folder.rglob("*.md"))
        if path.is_file() and find_series_file(path, root) == series_file
    ]


def used_numbers(series_file: Path, root: Path) -> set[tuple[int, int]]:
    """(year, number) pairs in use, read from front matter; file names for unreadable ones."""
    used: set[tuple[int, int]] = set()
    for path in series_briefs(series_file, root):
        try:
            data = read_brief(path).data
            number = int(data["number"])
            year = int(data.get("year") or str(data["date"])[:4])
        except (BriefpressError, KeyError, TypeError, ValueError):
            match = _FILE_NUMBER.match(path.name)
            if not match:
                continue
            year, number = int(match[1]), int(match[2])
        used.add((year, number))
    return used


def next_number(series_file: Path, root: Path, year: int, per_year: bool = True) -> int:
    """One more than the highest number in use: in that year, or ever for running numbers."""
    used = used_numbers(series_file, root)
    numbers = [number for used_year, number in used if used_year == year or not per_year]
    return max(numbers, default=0) + 1


def front_matter(front: dict[str, Any]) -> str:
    """Front matter as an editor will edit it: the title in double quotes, and double
    quotes wherever YAML needs quotes (``'Europe''s …'`` is an escape editors break)."""
    if isinstance(front.get("title"), str):
        front = {**front, "title": _Title(front["title"])}
    return str(yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000))


def new_brief(
    series_folder: Path,
    root: Path,
    title: str,
    authors: list[str],
    date: dt.date,
    lang: str | None = None,
) -> Path:
    series_file = series_folder / SERIES_FILE
    if not series_file.is_file():
        raise UsageError(f"{series_folder}: no {SERIES_FILE} here (use --series FOLDER)")
    from .source import load_series
    from .style import load_style

    series = load_series(series_file)
    # The skeleton is the style's: the fields it requires (key issues, a lead) and the
    # body, with its placeholders in the brief's language.
    style = load_style(series.style, root / "styles")
    labels = style.labels_for(lang or series.lang)
    skeleton = style.skeleton
    number = next_number(series_file, root, date.year, series.numbers_per_year)
    path = series_folder / f"{date.year}-{number}-{slugify(title)}.md"
    front: dict[str, object] = {"number": number, "date": date, "title": title}
    if lang:
        front["lang"] = lang
    front["authors"] = [{"name": name} for name in authors]
    front.update({**_fill(skeleton.front, labels), "status": "draft"})
    optional = "".join(_optional(key, labels) for key in OPTIONAL_FIELDS if key not in front)
    dumped = front_matter(front)
    text = (
        "---\n"
        + dumped
        + f"# {labels.get('new_optional', '')}\n"
        + optional
        + "---\n\n"
        + _fill(skeleton.body, labels)
    )
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{path}: already exists; nothing was written") from None
    return path
