"""Model stage, guards: field rules that keep hostile input out of every output.

A language tag is written into XHTML and EPUB documents as is, a style name
becomes a folder, a numbering format is run, front-matter text is rendered as
Markdown: each is checked here before the model uses it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence

from .fields import FieldReader

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


def read_lang(reader: FieldReader) -> str | None:
    """A BCP 47 tag: it is written into every XHTML and EPUB document as is."""
    lang = reader.string("lang")
    if lang and not LANG_TAG.match(lang):
        reader.fail("lang", f'expected a language tag like "en" or "fr-BE", got "{lang}"')
        return None
    return lang


def read_style_name(reader: FieldReader) -> str:
    name = reader.string("style", required=True) or ""
    if name and not STYLE_NAME.match(name):
        reader.fail("style", f'"{name}" is not a style name (a folder under styles/, no path)')
    return name


def read_numbering(reader: FieldReader) -> str:
    numbering = reader.string("numbering") or DEFAULT_NUMBERING
    # Checked before it is ever formatted: "{number:>300000000}" allocates gigabytes.
    try:
        fields = list(string.Formatter().parse(numbering))
    except ValueError:
        fields = []  # malformed: the format call below names the problem
    for _text, _name, spec, _conversion in fields:
        widths = [int(n) for n in re.findall(r"\d+", spec or "")]
        if "{" in (spec or "") or any(width > MAX_NUMBER_WIDTH for width in widths):
            reader.fail(
                "numbering",
                f'"{numbering}": widths up to {MAX_NUMBER_WIDTH}, without nested fields',
            )
            return DEFAULT_NUMBERING
    try:
        numbering.format(number=1, year=2000)
    except (KeyError, IndexError, ValueError) as exc:
        reader.fail(
            "numbering", f'"{numbering}" is not a format of {{number}} and {{year}} ({exc})'
        )
        return DEFAULT_NUMBERING
    if "{number" not in numbering:
        reader.fail("numbering", f'"{numbering}" must show the {{number}}')
    return numbering


def check_front_links(reader: FieldReader, fields: Mapping[str, Sequence[str]]) -> None:
    """Front-matter text is inline Markdown: its links obey the body's rule."""
    from .body import inline_link_problems

    for key, texts in fields.items():
        for index, text in enumerate(texts):
            for problem in inline_link_problems(text) if "](" in text or "]:" in text else ():
                reader.fail(key, problem, f"{key}.{index}")  # the item's own line
