"""Model stage, helpers: typed reading of raw front matter, collecting every problem.

A `FieldReader` walks one raw document. Each getter returns a typed value or
None and records a located `Problem` instead of raising, so one pass reports
all the mistakes of a file; `finish()` raises them together.
"""

from __future__ import annotations

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
            raise SourceError(str(self.problems[0]), self.problems)

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
            self.fail(key, f"expected text, got {_kind(value)}")
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
            # Only the extended form: fromisoformat would also take 20231026 (an integer
            # to YAML) and 2023-W43-4.
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                raise ValueError(value)
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(key, f'expected a date as YYYY-MM-DD, got "{value}"')
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
                self.fail(key, f"item {index + 1} must be non-empty text", f"{key}.{index}")
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


def _kind(value: object) -> str:
    return {dict: "a mapping", list: "a list"}.get(type(value), f'"{value}"')
