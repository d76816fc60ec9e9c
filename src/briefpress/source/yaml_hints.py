"""Source stage, YAML hints: a YAML mistake explained in an editor's words, with the fix.

PyYAML says "mapping values are not allowed here"; an editor needs to hear that
the colon in their title reads as a new key and that quotes fix it. And PyYAML
keeps the last of two equal keys without a word, so duplicates are found here.
"""

from __future__ import annotations

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
