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
        key, _, value = source.strip().removeprefix("- ").partition(":")
        value = value.strip()
        quoted = value.replace('"', '\\"')
        if source.strip().startswith("- "):
            fix = f'put the item in quotes: - "{quoted}"'
        else:
            fix = f'put the text in quotes: {key.strip()}: "{quoted}"'
        return line, key.strip(), f'"{value}" has a colon, which YAML reads as a new key: {fix}'
    if "while scanning a quoted scalar" in (error.context or ""):
        start = error.context_mark.line if error.context_mark else index
        return (
            first_line + start,
            "",
            ("a quotation mark opened on this line is never closed: close it with the same mark"),
        )
    return line, "", f"invalid YAML: {reason}"


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
