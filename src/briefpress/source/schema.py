"""Model stage, schemas: the front matter and every settings file, declared once as data.

A `Schema` names each key a YAML mapping may hold: its `Kind` (how the value
is read and what it becomes), its default, whether it is required, and one
sentence that the docs' tables are generated from (``briefpress.schema_docs``).
Reading never raises: each problem is recorded at the line of its key as
``path:line: key: message``, an unknown key with the known key it is nearest
to, so one pass reports every mistake of a file. A value that fails takes its
default, so the rest can still be checked.

This is a small declarative layer in the manner of mkdocs' ``config_options``,
not a general validation library: its messages are an editor's, written here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem
from .reader import RawDocument


class _Invalid:
    """What a value that failed to read becomes: its option's default is used instead."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


class Context:
    """Where a value sits: the document, its top-level key and the path below it."""

    def __init__(
        self,
        raw: RawDocument,
        problems: list[Problem],
        key: str,
        path: tuple[str, ...] = (),
        prefix: str = "",
        line_path: tuple[str, ...] | None = None,
    ) -> None:
        self.raw = raw
        self.problems = problems
        self.key = key
        self.path = path
        self.prefix = prefix
        #: The path whose line is reported (a list item's, where the item is the unit).
        self.line_path = path if line_path is None else line_path

    @property
    def line(self) -> int | None:
        """The line of the deepest key of the path that the file has (its own, or a parent's)."""
        parts = (self.key, *self.line_path)
        for end in range(len(parts), 0, -1):
            line = self.raw.line_of(".".join(parts[:end]))
            if line is not None:
                return line
        return None

    def fail(self, message: str) -> Any:
        """Record a problem here; returns INVALID, so a kind can ``return at.fail(...)``."""
        self.problems.append(Problem(self.raw.path, self.line, self.key, self.prefix + message))
        return INVALID

    def at(self, part: str | int, label: str | None = None, *, same_line: bool = False) -> Context:
        """The context of a value inside this one; ``label`` prefixes its messages."""
        prefix = self.prefix + (f"{label}: " if label else "")
        path = (*self.path, str(part))
        line_path = self.line_path if same_line else (*self.line_path, str(part))
        return Context(self.raw, self.problems, self.key, path, prefix, line_path)


def standalone(path: Path, key: str) -> tuple[Context, list[Problem]]:
    """A context for a value read outside a file (a library caller's mapping)."""
    problems: list[Problem] = []
    return Context(RawDocument(path, {}), problems, key), problems


# Kinds ----------------------------------------------------------------------------


class Kind:
    """How one value is read: ``read`` returns it typed, or INVALID after ``at.fail``."""

    #: What the docs say a value of this kind is.
    label = "any value"

    def read(self, value: Any, at: Context) -> Any:
        return value


def kind_of(value: object) -> str:
    """A value as a message names it: ``a mapping``, ``a list``, or the value in quotes."""
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else f'"{value}"'


def colon_hint(value: object, what: str) -> str | None:
    """``- Japan: its role`` is read as a mapping: say so, and how to quote it."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if not isinstance(inner, (dict, list)):
            text = f"{key}: {inner}" if inner is not None else f"{key}:"
            shown = text if len(text) <= 40 else text[:37].rstrip() + " ..."
            return f'reads as "{shown}" with a colon: put the {what} in quotes'
    return None


@dataclass(frozen=True)
class Text(Kind):
    """Text, stripped; a number or a date is read as its text."""

    allow_empty: bool = False
    label: str = "text"
    #: Keep spaces at either end (a separator, a quotation mark with a no-break space).
    strip: bool = True

    def read(self, value: Any, at: Context) -> Any:
        if isinstance(value, (dict, list)):
            return at.fail(colon_hint(value, "text") or f"expected text, got {kind_of(value)}")
        if value is None:
            value = ""
        text = str(value).strip() if self.strip and not self.allow_empty else str(value)
        if not text.strip() and not self.allow_empty:
            return at.fail("must not be empty")
        return text


@dataclass(frozen=True)
class Pattern(Text):
    """Text matching a regular expression; ``message`` is formatted with the ``value``."""

    pattern: str = ".*"
    message: str = '"{value}" is not valid'

    def read(self, value: Any, at: Context) -> Any:
        text = super().read(value, at)
        if text is INVALID or re.fullmatch(self.pattern, text):
            return text
        return at.fail(self.message.format(value=text))


@dataclass(frozen=True)
class Choice(Kind):
    options: tuple[str, ...] = ()

    @property
    def label(self) -> str:  # type: ignore[override]
        return " or ".join(f"`{option}`" for option in self.options)

    def read(self, value: Any, at: Context) -> Any:
        text = Text().read(value, at)
        if text is INVALID:
            return text
        if text not in self.options:
            return at.fail(f'must be one of {", ".join(self.options)}, got "{text}"')
        return text


@dataclass(frozen=True)
class Integer(Kind):
    minimum: int | None = 1
    maximum: int | None = None

    @property
    def label(self) -> str:  # type: ignore[override]
        return _range_label("integer", self.minimum, self.maximum)

    def read(self, value: Any, at: Context) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return at.fail(f'expected an integer, got "{value}"')
        return _in_range(value, self.minimum, self.maximum, at)


@dataclass(frozen=True)
class Number(Kind):
    minimum: float | None = None
    maximum: float | None = None

    @property
    def label(self) -> str:  # type: ignore[override]
        return _range_label("number", self.minimum, self.maximum)

    def read(self, value: Any, at: Context) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return at.fail(f'expected a number, got "{value}"')
        return _in_range(float(value), self.minimum, self.maximum, at)


def _range_label(name: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{name} {low:g}–{high:g}"
    return f"{name} ≥ {low:g}" if low is not None else name


def _in_range(value: Any, low: float | None, high: float | None, at: Context) -> Any:
    if low is not None and value < low:
        if high is not None:
            return at.fail(f"must be between {low:g} and {high:g}, got {value:g}")
        return at.fail(f"must be at least {low:g}, got {value:g}")
    if high is not None and value > high:
        return at.fail(f"must be between {low or 0:g} and {high:g}, got {value:g}")
    return value


@dataclass(frozen=True)
class Boolean(Kind):
    label: str = "`true` or `false`"

    def read(self, value: Any, at: Context) -> Any:
        if not isinstance(value, bool):
            return at.fail(f"expected true or false, got {kind_of(value)}")
        return value


@dataclass(frozen=True)
class Date(Kind):
    label: str = "date `YYYY-MM-DD`"

    def read(self, value: Any, at: Context) -> Any:
        from .fields import parse_date

        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as exc:
            return at.fail(str(exc))


_UNITS = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}
_LENGTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(pt|px|mm|cm|in)\s*")


def points(value: Any) -> float | None:
    """``2pt``, ``0.5mm`` or a bare number of points; None when it is no length."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _LENGTH.fullmatch(str(value))
    return float(match[1]) * _UNITS[match[2]] if match else None


@dataclass(frozen=True)
class Length(Kind):
    """A length such as ``2pt`` or ``3mm``: kept as written, or as points with ``as_points``."""

    as_points: bool = False
    label: str = "length (`2pt`, `3mm`)"

    def read(self, value: Any, at: Context) -> Any:
        found = points(value) if not isinstance(value, (dict, list)) else None
        if found is None or (not self.as_points and isinstance(value, int | float)):
            return at.fail(f"'{value}' is not a length such as 2pt or 3mm")
        return found if self.as_points else str(value).strip()


@dataclass(frozen=True)
class TextList(Kind):
    """A list of texts, each non-empty; a bare text is a list of one with ``one_ok``."""

    min_items: int = 0
    max_items: int | None = None
    one_ok: bool = False
    item: Kind | None = None
    #: Keep the spaces around each item (quotation marks with a no-break space inside).
    strip: bool = True

    @property
    def label(self) -> str:  # type: ignore[override]
        what = "list of " + (self.item.label if self.item else "text")
        if self.max_items is not None:
            return f"{what}, {self.min_items} to {self.max_items} items"
        return f"{what}, at least {self.min_items}" if self.min_items else what

    def read(self, value: Any, at: Context) -> Any:
        if self.one_ok and isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return at.fail(f"expected a list, got {kind_of(value)}")
        items: list[Any] = []
        for index, item in enumerate(value):
            here = at.at(index)
            if item is None or isinstance(item, (dict, list)) or not str(item).strip():
                here.fail(
                    f"item {index + 1} {colon_hint(item, 'item') or 'must be non-empty text'}"
                )
                continue
            text = str(item).strip() if self.strip else str(item)
            if self.item is None:
                items.append(text)
                continue
            read = self.item.read(text, at.at(index, f"item {index + 1}"))
            if read is not INVALID:
                items.append(read)
        if len(value) < self.min_items:
            return at.fail(f"needs at least {self.min_items} item(s), got {len(value)}")
        if self.max_items is not None and len(value) > self.max_items:
            return at.fail(f"allows at most {self.max_items} items, got {len(value)}")
        return tuple(items)


@dataclass(frozen=True)
class ListOf(Kind):
    """A list whose items are each read by ``item`` (a mapping, say), labelled by number."""

    item: Kind = field(default_factory=Kind)
    noun: str = "item"

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"list of {self.item.label}"

    def read(self, value: Any, at: Context) -> Any:
        if not isinstance(value, list):
            return at.fail(f"expected a list, got {kind_of(value)}")
        read = [self.item.read(v, at.at(i, f"{self.noun} {i + 1}")) for i, v in enumerate(value)]
        return tuple(item for item in read if item is not INVALID)


@dataclass(frozen=True)
class MappingOf(Kind):
    """A mapping of names the file chooses (languages, targets, colours) to values."""

    value: Kind = field(default_factory=Kind)
    #: ``name: null`` is kept as None (a child style drops what its parent declared).
    nullable: bool = False
    key: Kind | None = None
    label: str = "mapping"

    def read(self, value: Any, at: Context) -> Any:
        if not isinstance(value, dict):
            return at.fail(f"expected a mapping, got {kind_of(value)}")
        found: dict[str, Any] = {}
        for name, item in value.items():
            here = at.at(name, str(name))
            if self.key is not None and self.key.read(name, at.at(name)) is INVALID:
                continue
            if item is None and self.nullable:
                found[str(name)] = None
                continue
            read = self.value.read(item, here)
            if read is not INVALID:
                found[str(name)] = read
        return found


@dataclass(frozen=True)
class OneOf(Kind):
    """The first of ``kinds`` whose shape the value has (a list, a mapping, a text)."""

    kinds: tuple[tuple[type, Kind], ...] = ()
    message: str = "has the wrong shape"
    label: str = "value"

    def read(self, value: Any, at: Context) -> Any:
        for shape, kind in self.kinds:
            if isinstance(value, shape):
                return kind.read(value, at)
        return at.fail(self.message)


# Options and schemas ---------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One key: how it is read, its default, and what it means (the docs' words)."""

    kind: Kind
    doc: str
    default: Any = None
    required: bool = False
    #: A rule over the value read: returns a message, or None when it holds.
    check: Callable[[Any], str | None] | None = None
    #: Read but not documented: a key on its way out.
    legacy: bool = False
    #: The default as the docs show it, where the value is not what one types.
    shown_default: str | None = None


@dataclass(frozen=True)
class Schema(Kind):
    """A mapping with known keys; as a kind, a nested mapping such as one target."""

    name: str = ""
    options: Mapping[str, Option] = field(default_factory=dict)
    #: What an unknown top-level key is called (``unknown field`` in the front matter).
    unknown: str = "unknown key"
    label: str = "mapping"

    def read_document(self, raw: RawDocument, required: Iterable[str] = ()) -> Values:
        """Every option of a whole file, typed; problems in file order on ``.problems``."""
        problems: list[Problem] = []
        values = self._read(raw.data, raw, problems, (), set(required), top=True)
        return Values(values, raw, problems)

    def read(self, value: Any, at: Context) -> Any:
        if not isinstance(value, dict):
            return at.fail(f"expected a mapping, got {kind_of(value)}")
        return self._read(value, at.raw, at.problems, (at, at.path), set(), top=False)

    def _read(
        self,
        data: Mapping[Any, Any],
        raw: RawDocument,
        problems: list[Problem],
        parent: tuple[Context, tuple[str, ...]] | tuple[()],
        required: set[str],
        top: bool,
    ) -> dict[str, Any]:
        def here(key: str, label: bool = True) -> Context:
            if parent:
                return parent[0].at(key, key if label else None)
            return Context(raw, problems, key)

        known = list(self.options)
        for key in data:
            if str(key) not in self.options:
                hint = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                more = f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(known)}"
                if top:
                    here(str(key)).fail(f"{self.unknown} ({more})" if hint else self.unknown)
                else:
                    here(str(key), label=False).fail(f"unknown key '{key}' ({more})")
        values: dict[str, Any] = {}
        for key, option in self.options.items():
            value = data.get(key)
            if value is None:
                if option.required or key in required:
                    here(key).fail("required field is missing")
                values[key] = option.default
                continue
            at = here(key, label=not top)
            read = option.kind.read(value, at)
            if read is not INVALID and option.check is not None:
                message = option.check(read)
                read = at.fail(message) if message else read
            values[key] = option.default if read is INVALID else read
        return values


@dataclass
class Values:
    """A file's values by key, defaults filled in, and what was wrong with it."""

    values: dict[str, Any]
    raw: RawDocument
    problems: list[Problem]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def given(self, key: str) -> bool:
        """Whether the file itself gives the key (not a default)."""
        return self.raw.data.get(key) is not None

    def fail(self, key: str, message: str, line_key: str | None = None) -> None:
        """A problem found after reading (a rule over two keys, a file not found)."""
        line = self.raw.line_of(line_key or key) or self.raw.line_of(key)
        self.problems.append(Problem(self.raw.path, line, key, message))

    def sorted_problems(self) -> list[Problem]:
        """In file order, as an editor fixes them; unlocated problems last."""
        return sorted(self.problems, key=lambda p: (p.line is None, p.line or 0))
