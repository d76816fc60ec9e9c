"""Model stage, dates as an editor writes them (``26.10.2023``, ``26 October 2023``).

`parse_date` is shared by the front matter and ``new --date``; every field of
the front matter, series.yaml and style.yaml is read through its schema
(`schema`, `schemas`, `style.schema`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

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


#: Named lengths of a CLDR date format: ``long`` is "25 novembre 2026" in French.
DATE_LENGTHS = ("full", "long", "medium", "short")
#: Languages whose month names an editor may type in a date (``1er mars 2024``).
_TYPED_LANGUAGES = ("en", "fr", "de", "nl")
#: strftime's named fields as CLDR writes them: old series files keep working.
_STRFTIME_NAMES = {"%B": "MMMM", "%b": "MMM", "%A": "EEEE", "%a": "EEE"}


def locale_of(lang: str) -> Locale:
    """The CLDR locale of a BCP 47 tag (``fr-BE`` → fr_BE), its language alone when
    CLDR has no such region, English when it knows neither."""
    from babel import Locale, UnknownLocaleError

    for tag in (lang.replace("-", "_"), lang.split("-")[0]):
        try:
            return Locale.parse(tag)
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse("en")


def _month_numbers() -> dict[str, int]:
    """Month names and abbreviations an editor may type, lower case."""
    found: dict[str, int] = {}
    for lang in _TYPED_LANGUAGES:
        locale = locale_of(lang)
        for width in ("wide", "abbreviated"):
            for number, name in locale.months["format"][width].items():
                found.setdefault(name.lower().rstrip("."), number)
    return found


@lru_cache(maxsize=4096)  # every page lists a dozen related briefs with their dates
def format_date(date: dt.date, pattern: str, lang: str) -> str:
    """``date`` in the brief's language through CLDR (Babel).

    ``pattern`` is a named length (``long`` → "25 novembre 2026", "25. November
    2026"), a CLDR pattern (``d MMMM y``), or, as series files wrote it before, a
    ``strftime`` pattern (``%d.%m.%Y``) whose month and day names are CLDR's.
    """
    from babel.dates import format_date as cldr_date

    locale = locale_of(lang)
    if pattern in DATE_LENGTHS:
        return str(cldr_date(date, format=pattern, locale=locale))
    if "%" not in pattern:
        return str(cldr_date(date, format=pattern, locale=locale))
    for field_name, cldr in _STRFTIME_NAMES.items():
        if field_name in pattern:
            name = str(cldr_date(date, format=cldr, locale=locale))
            pattern = pattern.replace(field_name, name.replace("%", "%%"))
    return date.strftime(pattern)


def date_format_problem(pattern: str) -> str | None:
    """A CLDR pattern Babel cannot read, said at the series file's line."""
    if pattern in DATE_LENGTHS or "%" in pattern:
        return None
    from babel.dates import parse_pattern

    try:
        parse_pattern(pattern)
    except (ValueError, KeyError) as exc:
        return f'"{pattern}" is not a CLDR date pattern ({exc}); try long, medium or d MMMM y'
    if not any(ch in pattern for ch in "dMyLE"):
        return f'"{pattern}" has no date field; try long, medium or d MMMM y'
    return None


_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er)?\.?\s+([^\W\d]+)\.?,?\s+(\d{4})$")
_MONTH_DAY = re.compile(r"^([^\W\d]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


def _named_date(text: str) -> str | None:
    """``26 October 2023``, ``October 26, 2023``, ``1er mars 2024`` → ISO, when it is a date."""
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        match = pattern.match(text)
        if not match:
            continue
        name = match[month_group].lower()
        months = _month_numbers()
        month = months.get(name) or next(
            (n for full, n in months.items() if len(name) >= 3 and full.startswith(name)),
            None,
        )
        if month is None:
            return None
        try:
            return dt.date(int(match[3]), month, int(match[day_group])).isoformat()
        except ValueError:
            return None
    return None
