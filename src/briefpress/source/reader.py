"""Source stage: read a brief or series file into raw data that remembers its lines.

Nothing here knows what the fields mean (that is the model's job); this module
only guarantees that what it hands on is safely parsed YAML plus a Markdown body,
with the line of every top-level key so later stages can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import CONTROL, Problem, SourceError
from . import yaml_hints

#: A brief is prose, not a data dump: anything bigger is a mistake or an attack.
MAX_SOURCE_BYTES = 2 * 1024 * 1024
#: Generous for real front matter, small enough to stop alias bombs early.
MAX_YAML_NODES = 20_000

FENCE = "---"
#: Tags a settings or brief file may use (implicitly): text, numbers, lists, mappings.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
#: A numeric character reference (``&#12;``, ``&#x1b;``), which Markdown decodes.
_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,9}));")


class _Loader(yaml.SafeLoader):
    """Safe loading, but dates stay text: the model parses them and names a bad one."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class RawDocument:
    """Front matter as plain data, the body as text, and where each came from."""

    path: Path
    data: dict[str, Any]
    #: 1-based line of each key as a dotted path (``targets.print``), of each item as
    #: ``key.index``.
    key_lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    #: 1-based line of the body's first line in the file.
    body_line: int = 1

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError.single(path, None, "", f"cannot read file: {exc.strerror}") from exc
    if len(raw) > MAX_SOURCE_BYTES:
        raise SourceError.single(
            path, None, "", f"file is larger than {MAX_SOURCE_BYTES // 1024} KiB"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError.single(path, line, "", "file is not valid UTF-8") from exc
    # Old Mac files end lines with CR alone: lines all the same.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    found = control_character(text)
    if found is not None:
        offset, message = found
        raise SourceError.single(path, text.count("\n", 0, offset) + 1, "", message)
    return text


def control_character(text: str) -> tuple[int, str] | None:
    """The offset of the first control character (raw or as ``&#…;``), and what it is."""
    found: list[tuple[int, str]] = []
    match = CONTROL.search(text)
    if match:
        found.append((match.start(), f"control character U+{ord(match[0]):04X} is not allowed"))
    for ref in _REFERENCE.finditer(text, 0, match.start() if match else len(text)):
        code = int(ref[1], 16) if ref[1] else int(ref[2])
        if code < 0x110000 and CONTROL.match(chr(code)):
            message = f"control character U+{code:04X} is not allowed ({ref[0]})"
            found.append((ref.start(), message))
            break
    return min(found) if found else None


def read_brief(path: Path) -> RawDocument:
    """Split ``---`` front matter from the Markdown body."""
    text = read_text(path)
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise SourceError.single(path, 1, "", "no front matter: a brief starts with '---'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise SourceError.single(
            path, 1, "", "front matter is not closed: add a '---' line after it"
        ) from None
    front = "\n".join(lines[1:end])
    data, key_lines = parse_yaml(path, front, first_line=2)
    return RawDocument(path, data, key_lines, "\n".join(lines[end + 1 :]), body_line=end + 2)


def read_yaml_file(path: Path) -> RawDocument:
    """A settings file (series.yaml, style.yaml): all front matter, no body."""
    data, key_lines = parse_yaml(path, read_text(path), first_line=1)
    return RawDocument(path, data, key_lines)


def parse_yaml(path: Path, text: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Safe-load a mapping, refusing tags and alias bombs, and note each key's line."""
    pasted = [
        Problem(path, line, key, message, column)
        for line, column, key, message in yaml_hints.invisible(text, first_line)
    ]
    if pasted:
        raise SourceError(str(pasted[0]), pasted)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        _check_size(path, node, first_line)
        twice = [Problem(path, *hint) for hint in yaml_hints.duplicate_keys(node, first_line)]
        if twice:
            raise SourceError(str(twice[0]), sorted(twice, key=lambda p: p.line or 0))
        _check_text(path, node, first_line)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        line, key, message = yaml_hints.explain(exc, text, first_line)
        raise SourceError.single(path, line, key, message) from exc
    except (yaml.YAMLError, ValueError) as exc:
        raise SourceError.single(path, None, "", f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise SourceError.single(path, None, "", "invalid YAML: nested too deeply") from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SourceError.single(
            path, first_line, "", "front matter must be a mapping of 'key: value' lines"
        )
    return data, _key_lines(node, first_line)


def _check_size(path: Path, root: yaml.Node, first_line: int) -> None:
    """Count nodes as the constructor would expand them, aliases included."""
    seen = 0
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_YAML_NODES:
            line = first_line + node.start_mark.line
            raise SourceError.single(path, line, "", "YAML is too large (alias expansion?)")
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def _check_text(path: Path, root: yaml.Node, first_line: int) -> None:
    """YAML escapes (``"\\x1b"``, ``"\\ud800"``) make what the file itself may not hold."""
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, key = stack.pop()
        line = first_line + node.start_mark.line
        if node.tag not in _PLAIN_TAGS:  # !!binary, !!set, !!omap: not what a brief holds
            raise SourceError.single(
                path, line, key, f"invalid YAML: tag {node.tag} is not allowed"
            )
        if isinstance(node, yaml.ScalarNode):
            found = control_character(str(node.value))
            if found is not None:
                line = first_line + node.start_mark.line
                raise SourceError.single(path, line, key, found[1])
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, key) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            for name, value in node.value:
                field = key or str(name.value)
                stack.extend(((name, field), (value, field)))


def _key_lines(root: yaml.Node, first_line: int) -> dict[str, int]:
    """The line of every key, as a dotted path (``targets.print.colour``), and of every
    list item (``key_issues.2``), so a problem deep in a settings file names its line."""
    lines: dict[str, int] = {}
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, prefix = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{prefix}{key.value}"
                lines.setdefault(name, first_line + key.start_mark.line)
                stack.append((value, name + "."))
        elif isinstance(node, yaml.SequenceNode) and prefix:
            for index, item in enumerate(node.value):
                name = f"{prefix}{index}"
                lines.setdefault(name, first_line + item.start_mark.line)
                stack.append((item, name + "."))
    return lines
