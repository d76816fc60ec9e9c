"""Documentation: the README's tables of fields, generated from the schemas that read them.

The README marks each table with ``<!-- fields:<name> -->`` … ``<!-- /fields -->``;
``python -m briefpress.schema_docs`` rewrites what is between the marks, and
``--check`` (and a test) fails when the README says something else than the
schema, so a key is described once, where it is read.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .source.schema import Schema
from .source.schemas import FRONT_MATTER_SCHEMA, SERIES_SCHEMA
from .style.schema import (
    BOX_SCHEMA,
    COLOUR_SCHEMA,
    FONT_SCHEMA,
    PAGE_MAKEUP_SCHEMA,
    RULE_SCHEMA,
    STYLE_SCHEMA,
    TARGET_SCHEMA,
)

#: Each marked table of the README, and the schema it shows.
TABLES: Mapping[str, Schema] = {
    "front-matter": FRONT_MATTER_SCHEMA,
    "series": SERIES_SCHEMA,
    "style": STYLE_SCHEMA,
    "style-target": TARGET_SCHEMA,
    "style-font": FONT_SCHEMA,
    "style-box": BOX_SCHEMA,
    "style-colour": COLOUR_SCHEMA,
    "style-rule": RULE_SCHEMA,
    "style-page-makeup": PAGE_MAKEUP_SCHEMA,
}
_REGION = re.compile(r"(<!-- fields:([a-z-]+) -->\n)(.*?)(<!-- /fields -->)", re.DOTALL)


def _default(value: Any) -> str:
    if value is None or value == ():
        return ""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return "`[" + ", ".join(str(v) for v in value) + "]`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(schema: Schema) -> str:
    """A Markdown table of the schema's keys: required, kind, default, meaning."""
    rows = ["| key | required | value | default | meaning |", "| --- | --- | --- | --- | --- |"]
    for key, option in schema.options.items():
        if option.legacy:
            continue
        default = option.shown_default or _default(option.default)
        cells = (
            f"`{key}`",
            "yes" if option.required else "",
            option.kind.label,
            default,
            option.doc,
        )
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def update_readme(text: str) -> str:
    """The README with every marked table generated again."""

    def generated(match: re.Match[str]) -> str:
        schema = TABLES.get(match[2])
        body = table(schema) if schema is not None else match[3]
        return match[1] + body + match[4]

    return _REGION.sub(generated, text)


def readme_problems(text: str, name: str = "README.md") -> list[str]:
    """Tables that differ from their schema, and schemas with no table."""
    found = {match[2]: match[3] for match in _REGION.finditer(text)}
    problems = []
    for key, schema in TABLES.items():
        if key not in found:
            problems.append(f"{name}: no <!-- fields:{key} --> table")
        elif found[key] != table(schema):
            problems.append(f"{name}: the {schema.name} table differs from its schema")
    return problems


def main(argv: list[str] | None = None) -> int:
    """``[--check] [README.md]``: rewrite the tables, or say which differ (exit 1)."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    path = Path(paths[0] if paths else "README.md")
    text = path.read_text(encoding="utf-8")
    if check:
        problems = readme_problems(text, str(path))
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    updated = update_readme(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
