"""Model stage, helpers: typed reading of raw front matter, collecting every problem.

A `FieldReader` walks one raw document. Each getter returns a typed value or
None and records a located `Problem` instead of raising, so one pass reports
all the mistakes of a file; `finish()` raises them together.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Iterable
from typing import Any

from ..errors import Problem, SourceError
from .reader import RawDocument


class FieldReader:
    def __init__(self, raw: RawDocument, known: Iterable[str]) -> None:
        self.raw = raw
        self.problems: list[Problem] = []
        known = list(known)
        for key in raw.data:
            if key not in known:
                hint = difflib.get_close_matches(str(key), known, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.fail(str(key), f"unknown field{suggestion}")

    def fail(self, key: str, message: str, line_key: str | None = None) -> None:
        line = self.raw.line_of(line_key or key) or self.raw.line_of(key.split(".")[0])
        self.problems.append(Problem(self.raw.path, line, key, message))

    def finish(self) -> None:
        if self.problems:
            # In file order, as an editor fixes them; unlocated problems last.
            ordered = sorted(self.problems, key=lambda p: (p.line is None, p.line or 0))
            raise SourceError(str(ordered[0]), ordered)

    def present(self, key: str) -> bool:
        return self.raw.data.get(key) is not None

    def _get(self, key: str, required: bool) -> Any:
        value = self.raw.data.get(key)
        if value is None and required:
            self.problems.append(
                Problem(self.raw.path, self.raw.line_of(key), key, "required field is missing")
            )
        return value

    def string(self, key: str, required: bool = False) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            self.fail(key, _colon_hint(value, "text") or f"expected text, got {_kind(value)}")
            return None
        text = str(value).strip()
        if not text:
            self.fail(key, "must not be empty")
            return None
        return text

    def integer(self, key: str, required: bool = False, minimum: int = 1) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f'expected an integer, got "{value}"')
            return None
        if value < minimum:
            self.fail(key, f"must be at least {minimum}, got {value}")
            return None
        return value

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as exc:
            self.fail(key, str(exc))
            return None

    def string_list(
        self, key: str, required: bool = False, min_items: int = 0, max_items: int | None = None
    ) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(key, f"expected a list, got {_kind(value)}")
            return ()
        items: list[str] = []
        for index, item in enumerate(value):
            if item is None or isinstance(item, (dict, list)) or not str(item).strip():
                hint = _colon_hint(item, "item") or "must be non-empty text"
                self.fail(key, f"item {index + 1} {hint}", f"{key}.{index}")
                continue
            items.append(str(item).strip())
        if len(value) < min_items:
            self.fail(key, f"needs at least {min_items} item(s), got {len(value)}")
        if max_items is not None and len(value) > max_items:
            self.fail(key, f"allows at most {max_items} items, got {len(value)}")
        return tuple(items)

    def mapping(self, key: str, required: bool = False) -> dict[str, Any]:
        value = self._get(key, required)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(key, f"expected a mapping, got {_kind(value)}")
            return {}
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.string(key)
        if value is None:
            return default
        if value not in options:
            self.fail(key, f'must be one of {", ".join(options)}, got "{value}"')
            return default
        return value


_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def parse_date(text: str) -> dt.date:
    """A date as YYYY-MM-DD; a ValueError says what is wrong and what to write instead.

    The front matter and ``new --date`` share it, so both give the same advice.
    """
    text = text.strip()
    iso = _ISO.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        if not 1 <= month <= 12:
            raise ValueError(f'"{text}" is not a date: there is no month {month}')
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            raise ValueError(f'"{text}" is not a date: {_MONTHS[month - 1]} {year} has {days} days')
        return dt.date(year, month, day)
    other = _DAY_FIRST.match(text)
    if other:
        first, second, year = (int(part) for part in other.groups())
        readings = []
        for day, month in ((first, second), (second, first)):
            try:
                readings.append(dt.date(year, month, day).isoformat())
            except ValueError:
                continue
        if readings:
            unique = " or ".join(dict.fromkeys(readings))
            raise ValueError(f'write the date as YYYY-MM-DD: "{text}" → {unique}')
    named = _named_date(text)
    if named:
        raise ValueError(f'write the date as YYYY-MM-DD: "{text}" → {named}')
    raise ValueError(f'expected a date as YYYY-MM-DD, got "{text}"')


#: Month names by language, as a date in running text writes them.
MONTH_NAMES = {
    "en": _MONTHS,
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
}  # fmt: skip

#: Month names an editor may type (English, French), lower case, accents as typed.
_MONTH_NUMBERS = {
    name.lower(): number
    for names in MONTH_NAMES.values()
    for number, name in enumerate(names, start=1)
}


def format_date(date: dt.date, pattern: str, lang: str) -> str:
    """``strftime`` with the month named in the brief's language (``%B``), not the C locale's."""
    names = MONTH_NAMES.get(lang.split("-")[0].lower())
    if names:
        pattern = pattern.replace("%B", names[date.month - 1].replace("%", "%%"))
    return date.strftime(pattern)


_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er)?\.?\s+([^\W\d]+)\.?,?\s+(\d{4})$")
_MONTH_DAY = re.compile(r"^([^\W\d]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


def _named_date(text: str) -> str | None:
    """``26 October 2023``, ``October 26, 2023``, ``1er mars 2024`` → ISO, when it is a date."""
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        match = pattern.match(text)
        if not match:
            continue
        name = match[month_group].lower()
        month = _MONTH_NUMBERS.get(name) or next(
            (n for full, n in _MONTH_NUMBERS.items() if len(name) >= 3 and full.startswith(name)),
            None,
        )
        if month is None:
            return None
        try:
            return dt.date(int(match[3]), month, int(match[day_group])).isoformat()
        except ValueError:
            return None
    return None


def _colon_hint(value: object, what: str) -> str | None:
    """``- Japan: its role`` is read as a mapping: say so, and how to quote it."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if not isinstance(inner, (dict, list)):
            text = f"{key}: {inner}" if inner is not None else f"{key}:"
            shown = text if len(text) <= 40 else text[:37].rstrip() + " ..."
            return f'reads as "{shown}" with a colon: put the {what} in quotes'
    return None


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else f'"{value}"'
