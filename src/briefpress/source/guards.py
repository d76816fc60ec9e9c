"""Model stage, guards: field rules that keep hostile input out of every output.

A language tag is written into XHTML and EPUB documents as is, a style name
becomes a folder, a numbering format is run, front-matter text is rendered as
Markdown: each is checked here before the model uses it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .schema import Values

#: A BCP 47 language tag (RFC 5646): language, script, region, variants, extensions,
#: private use; or a private-use tag alone (x-...).
LANG_TAG = re.compile(
    r"^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"
    r"(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"
    r"(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"
    r"|x(?:-[a-z0-9]{1,8})+)$",
    re.IGNORECASE,
)
#: A style is a folder name under styles/, never a path (style.loader checks it again).
STYLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
#: ``{number:03}`` is a house style; ``{number:>300000000}`` is an attack.
MAX_NUMBER_WIDTH = 12
DEFAULT_NUMBERING = "{number}/{year}"


def lang_problem(lang: str) -> str | None:
    """A BCP 47 tag: it is written into every XHTML and EPUB document as is."""
    if not LANG_TAG.match(lang):
        return f'expected a language tag like "en" or "fr-BE", got "{lang}"'
    return None


def style_name_problem(name: str) -> str | None:
    if not STYLE_NAME.match(name):
        return f'"{name}" is not a style name (a folder under styles/, no path)'
    return None


def numbering_problem(numbering: str) -> str | None:
    """What is wrong with a numbering format, checked before it is ever formatted."""
    # "{number:>300000000}" allocates gigabytes.
    try:
        fields = list(string.Formatter().parse(numbering))
    except ValueError:
        fields = []  # malformed: the format call below names the problem
    for _text, name, spec, _conversion in fields:
        # "{number.__class__.__mro__}" reads Python's internals into every output.
        if name is not None and name not in ("number", "year"):
            return f'"{numbering}": only {{number}} and {{year}}, without attributes or indexes'
        widths = [int(n) for n in re.findall(r"\d+", spec or "")]
        if "{" in (spec or "") or any(width > MAX_NUMBER_WIDTH for width in widths):
            return f'"{numbering}": widths up to {MAX_NUMBER_WIDTH}, without nested fields'
    try:
        numbering.format(number=1, year=2000)
    except (KeyError, IndexError, ValueError) as exc:
        return f'"{numbering}" is not a format of {{number}} and {{year}} ({exc})'
    if "{number" not in numbering:
        return f'"{numbering}" must show the {{number}}'
    return None


def check_front_links(reader: Values, fields: Mapping[str, Sequence[str]]) -> None:
    """Front-matter text is inline Markdown: its links obey the body's rule."""
    from .body import inline_link_problems

    for key, texts in fields.items():
        for index, text in enumerate(texts):
            for problem in inline_link_problems(text) if "](" in text or "]:" in text else ():
                reader.fail(key, problem, f"{key}.{index}")  # the item's own line
