"""Documentation: the docs site's tables of fields, generated from the schemas that read them.

The pages under ``docs/`` mark each table with ``<!-- fields:<name> -->`` …
``<!-- /fields -->``; ``python -m briefpress.schema_docs`` rewrites what is
between the marks in every page, and ``--check`` (and a test) fails when a page
says something else than the schema, or when a table is missing or shown twice,
so a key is described once, where it is read.
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
    BRIEF_PAGE_SCHEMA,
    COLOUR_SCHEMA,
    FONT_SCHEMA,
    PAGE_MAKEUP_SCHEMA,
    RULE_SCHEMA,
    STYLE_SCHEMA,
    TARGET_SCHEMA,
)

#: Each marked table of the docs, and the schema it shows.
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
    "style-brief-page": BRIEF_PAGE_SCHEMA,
}
#: Where the docs pages are, from the project root.
DOCS = Path("docs")
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


def update_page(text: str) -> str:
    """The page with every marked table generated again."""

    def generated(match: re.Match[str]) -> str:
        schema = TABLES.get(match[2])
        body = table(schema) if schema is not None else match[3]
        return match[1] + body + match[4]

    return _REGION.sub(generated, text)


def page_problems(pages: Mapping[str, str]) -> list[str]:
    """Tables that differ from their schema, unknown or repeated tables, schemas with none.

    ``pages`` maps a page's name (as messages show it) to its text.
    """
    problems = []
    seen: dict[str, str] = {}
    for name, text in pages.items():
        for match in _REGION.finditer(text):
            key = match[2]
            schema = TABLES.get(key)
            if schema is None:
                problems.append(f"{name}: <!-- fields:{key} -->: no such schema table")
            elif key in seen:
                problems.append(f"{name}: the {schema.name} table is shown in {seen[key]} too")
            elif match[3] != table(schema):
                problems.append(f"{name}: the {schema.name} table differs from its schema")
            seen.setdefault(key, name)
    for key, schema in TABLES.items():
        if key not in seen:
            problems.append(f"no page has the <!-- fields:{key} --> table of {schema.name}")
    return problems


def read_pages(folder: Path) -> dict[str, str]:
    """Every Markdown page under ``folder``, by its path, in a stable order."""
    return {str(path): path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.md"))}


def main(argv: list[str] | None = None) -> int:
    """``[--check] [DOCS]``: rewrite the tables of the docs pages, or say which differ (exit 1)."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    folders = [a for a in args if a != "--check"]
    pages = read_pages(Path(folders[0]) if folders else DOCS)
    if check:
        problems = page_problems(pages)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for name, text in pages.items():
        updated = update_page(text)
        if updated != text:
            Path(name).write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
