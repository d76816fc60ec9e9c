"""Source stage, YAML hints: a YAML mistake explained in an editor's words, with the fix.

PyYAML says "mapping values are not allowed here"; an editor needs to hear that
the colon in their title reads as a new key and that quotes fix it. And PyYAML
keeps the last of two equal keys without a word, so duplicates are found here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import yaml

#: (1-based line, field, message)
Hint = tuple[int | None, str, str]
#: Front-matter lists whose items are plain text: a colon in one needs the whole item quoted.
LISTS_OF_TEXT = ("key_issues", "keywords")


def explain(error: yaml.MarkedYAMLError, text: str, first_line: int) -> Hint:
    """What went wrong at the error's mark, and what to type instead."""
    mark = error.problem_mark or error.context_mark
    reason = error.problem or error.context or "invalid YAML"
    if mark is None:
        return None, "", f"invalid YAML: {reason}"
    lines = text.split("\n")
    index = min(mark.line, len(lines) - 1)
    source = lines[index] if lines else ""
    line = first_line + index
    if "\t" in source or "'\\t'" in reason:
        column = source.find("\t") + 1 if "\t" in source else mark.column + 1
        return (
            line,
            "",
            (
                f"a tab at column {column}: YAML indents with spaces only: "
                "replace the tab with spaces"
            ),
        )
    if "mapping values are not allowed" in reason:
        return _colon(lines, index, first_line)
    if "while scanning a quoted scalar" in (error.context or ""):
        start = error.context_mark.line if error.context_mark else index
        return (
            first_line + start,
            "",
            ("a quotation mark opened on this line is never closed: close it with the same mark"),
        )
    return line, "", f"invalid YAML: {reason}"


def _parent_key(lines: list[str], index: int) -> str:
    """The top-level key a list item belongs to: the nearest unindented ``key:`` above."""
    for text in reversed(lines[:index]):
        if text and not text[0].isspace() and not text.startswith("-") and ":" in text:
            return text.split(":", 1)[0].strip()
    return ""


def _colon(lines: list[str], index: int, first_line: int) -> Hint:
    """``title: Japan: its role``: the second colon reads as a mapping inside a value."""
    source = lines[index].strip()
    line = first_line + index
    item = source.startswith("- ")
    text = source[2:].strip() if item else source
    parent = _parent_key(lines, index) if item or lines[index][:1].isspace() else ""
    key, _, value = text.partition(":")
    # A list of texts (key issues): the whole item is the text; else the value after the key.
    if item and parent in LISTS_OF_TEXT:
        quoted = text.replace('"', '\\"')
        message = f'"{text}" has a colon, which YAML reads as a new key'
        return line, parent, f'{message}: put the item in quotes: - "{quoted}"'
    value = value.strip()
    quoted = value.replace('"', '\\"')
    field = parent or key.strip()
    prefix = "- " if item else ""
    message = f'"{value}" has a colon, which YAML reads as a new key'
    return line, field, f'{message}: put the text in quotes: {prefix}{key.strip()}: "{quoted}"'


def duplicate_keys(root: yaml.Node, first_line: int) -> Iterator[Hint]:
    """Keys given twice in one mapping, anywhere in the document: both lines are named."""
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                name = str(key.value)
                line = first_line + key.start_mark.line
                if name in seen:
                    yield line, name, f"given twice (lines {seen[name]} and {line}): keep one"
                else:
                    seen[name] = line
                stack.append(value)


#: Characters Word and web pages paste that look like a space, or like nothing.
INVISIBLE = frozenset(
    "\u00a0\u202f\u2007\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a"
    "\u205f\u3000\u200b\u200c\u200d\u2060\ufeff\u00ad"
)
_INVISIBLE = "".join(sorted(INVISIBLE))
_KEY = re.compile(
    rf"(?P<key>[\w{_INVISIBLE}-]+)(?P<pre>[ \t{_INVISIBLE}]*):(?P<post>[ \t{_INVISIBLE}]*)"
)
#: Typographic quotes a word processor puts where YAML needs straight ones.
_CURLY = {"“": "”", "”": "”", "‘": "’", "’": "’", "„": "“", "«": "»"}


def _named(char: str) -> str:
    name = unicodedata.name(char, "invisible character").lower()
    return f"a {name} (U+{ord(char):04X})"


def invisible(text: str, first_line: int) -> Iterator[tuple[int, int, str, str]]:
    """Word's invisible characters where YAML reads syntax, with line, column and the fix.

    A no-break space after ``date:`` or in an indentation, a zero-width space in
    a key, curly quotes around a value: YAML reads them as text, and its own
    error would point somewhere else (or the curly quotes would print).
    (1-based line, 1-based column, field, message)
    """
    for index, source in enumerate(text.split("\n")):
        line = first_line + index
        stripped = source.lstrip(" \t" + _INVISIBLE)
        indent = len(source) - len(stripped)
        for column, char in enumerate(source[:indent]):
            if char in INVISIBLE:
                yield (
                    line,
                    column + 1,
                    "",
                    f"{_named(char)} in the indentation (pasted from a word processor?): "
                    "YAML indents with plain spaces only: retype the indentation with spaces",
                )
                break
        rest, start, item = stripped, indent, False
        if rest.startswith("-") and rest[1:2] and rest[1] in " \t" + _INVISIBLE:
            gap = len(rest[1:]) - len(rest[1:].lstrip(" \t" + _INVISIBLE))
            bad = next((i for i, c in enumerate(rest[1 : 1 + gap]) if c in INVISIBLE), None)
            if bad is not None:
                yield (
                    line,
                    start + 2 + bad,
                    "",
                    f"{_named(rest[1 + bad])} after the list dash: YAML needs a plain space "
                    "there: retype it as a space",
                )
            rest, start, item = rest[1 + gap :], start + 1 + gap, True
        match = _KEY.match(rest)
        if match and not rest.startswith(("'", '"', "#")):
            key = "".join(c for c in match["key"] if c not in INVISIBLE)
            for part in ("key", "pre", "post"):
                bad = next((i for i, c in enumerate(match[part]) if c in INVISIBLE), None)
                if bad is None:
                    continue
                where = {"key": f"inside the key '{key}'", "pre": f"before the colon of '{key}:'"}
                shown = rest[match.end() :].strip() or "…"
                yield (
                    line,
                    start + match.start(part) + bad + 1,
                    key,
                    f"{_named(match[part][bad])} {where.get(part, f'after {key}:')} (pasted "
                    f"from a word processor?): YAML reads only plain letters and spaces "
                    f"there: retype the line: {key}: {shown}",
                )
                break
            value, start = rest[match.end() :], start + match.end()
        else:
            key, value = "", rest if item else ""
        quoted = value.split(" #")[0].rstrip()
        if len(quoted) > 1 and quoted[0] in _CURLY and quoted[-1] == _CURLY[quoted[0]]:
            inner = quoted[1:-1].replace('"', '\\"')
            prefix = f"{key}: " if key else "- "
            yield (
                line,
                start + 1,
                key,
                f"the text is in typographic quotes {quoted[0]}…{quoted[-1]}, which YAML does "
                f'not read as quotes (they would print): use straight quotes: {prefix}"{inner}" '
                f'(to print the quotation marks: {prefix}"{quoted}")',
            )
