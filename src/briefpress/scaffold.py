"""Source stage, new briefs: the next free number and a skeleton that validates.

Numbers are read from the briefs' front matter (the file name is only a
convention); the next number of a year follows the highest used in that year,
so numbering never goes backwards even when an issue was withdrawn.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import yaml

from .errors import BriefpressError, UsageError
from .source import SERIES_FILE, find_series_file, read_brief

_FILE_NUMBER = re.compile(r"^(\d{4})-(\d+)-")


#: Letters NFKD does not take apart into a Latin letter and an accent.
_LATIN = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
                        "ð": "d", "þ": "th", "ı": "i"})  # fmt: skip


def slugify(title: str, max_words: int = 6, max_length: int = 50) -> str:
    """``EU–Japan: a new front`` → ``eu-japan-a-new-front``: ASCII words, cut between words."""
    letters = unicodedata.normalize("NFKD", title.lower().translate(_LATIN))
    bare = "".join(c for c in letters if not unicodedata.combining(c))
    # Any other character (a dash, a colon, a letter of another script) ends a word.
    words = re.findall(r"[a-z0-9]+", bare)
    slug: list[str] = []
    for word in words[:max_words]:
        if slug and len("-".join([*slug, word])) > max_length:
            break
        slug.append(word[:max_length])
    return "-".join(slug) or "brief"


#: Shown commented out in a new brief, so an editor sees what else a brief may say.
OPTIONAL_FIELDS = {
    "subtitle": '"A subtitle"',
    "lead": '"One paragraph that opens the brief."',
    "key_issues": '["State the first key issue in one or two sentences."]',
    "keywords": "[first keyword, second keyword]",
    "doi": "10.1234/abcd",
    "license": "CC BY 4.0",
}


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
    # The skeleton is the style's: the fields it requires (key issues, a lead) and the body.
    skeleton = load_style(series.style, root / "styles").skeleton
    number = next_number(series_file, root, date.year, series.numbers_per_year)
    path = series_folder / f"{date.year}-{number}-{slugify(title)}.md"
    front: dict[str, object] = {"number": number, "date": date, "title": title}
    if lang:
        front["lang"] = lang
    front["authors"] = [{"name": name} for name in authors]
    front.update({**skeleton.front, "status": "draft"})
    optional = "".join(
        f"# {key}: {example}\n" for key, example in OPTIONAL_FIELDS.items() if key not in front
    )
    text = (
        "---\n"
        + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
        + "# Optional: remove the '# ' to use one.\n"
        + optional
        + "---\n\n"
        + skeleton.body
    )
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{path}: already exists; nothing was written") from None
    return path
