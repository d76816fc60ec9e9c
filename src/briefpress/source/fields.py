"""Model stage, dates as an editor writes them (``26.10.2023``, ``26 October 2023``).

`parse_date` is shared by the front matter and ``new --date``; every field of
the front matter, series.yaml and style.yaml is read through its schema
(`schema`, `schemas`, `style.schema`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

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
