"""Markdown stage, tables: ``Table:`` captions and right-aligned numeric columns."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .env import label
from .xrefs import define, split_attribute

_NUMBER = re.compile(r"^[−+\-]?[\d\s.,\u00a0\u202f]+(%|‰)?$|^[$€£¥]\s?[\d\s.,]+$")
_TABLE_CAPTION = re.compile(r"^Table:\s*")


def tables_plugin(md: MarkdownIt) -> None:
    """A ``Table: …`` line after a table is its caption; numeric columns align right."""

    def caption_and_columns(state: StateCore) -> None:
        tokens = state.tokens
        index = 0
        word = label(state.env, "table", "Table")
        numbered = 0
        while index < len(tokens):
            if tokens[index].type != "table_open":
                index += 1
                continue
            close = next(i for i in range(index, len(tokens)) if tokens[i].type == "table_close")
            after = tokens[close + 1 : close + 4]
            if (
                len(after) == 3
                and after[0].type == "paragraph_open"
                and _TABLE_CAPTION.match(after[1].content)
            ):
                inline = after[1]
                first = (inline.children or [Token("text", "", 0)])[0]
                first.content = _TABLE_CAPTION.sub("", first.content, count=1)
                # Numbered like figures ("Table 2. …"), unless the author numbered it.
                numbered += 1
                # ``Table: Caption {#tbl-x}``: the label ends the caption (Quarto's place).
                last = (inline.children or [first])[-1]
                last.content, name = split_attribute(last.content)
                if name is not None:
                    tokens[index].attrSet("id", name)
                    define(state.env, name, "table", numbered, inline.map[0] if inline.map else 0)
                if not re.match(rf"{re.escape(word)}\s+\d", first.content):
                    first.content = f"{word}\u00a0{numbered}. {first.content}"
                del tokens[close + 1 : close + 4]
                caption = [
                    Token("table_caption_open", "caption", 1),
                    inline,
                    Token("table_caption_close", "caption", -1),
                ]
                tokens[index + 1 : index + 1] = caption
                close += 3
            _mark_numeric_columns(tokens[index:close])
            tokens[index].attrSet("class", "table")
            index = close + 1

    md.core.ruler.push("tables", caption_and_columns)


def _mark_numeric_columns(table: list[Token]) -> None:
    rows: list[list[tuple[Token, str]]] = []
    in_body = False
    for index, token in enumerate(table):
        if token.type == "tbody_open":
            in_body = True
        if token.type == "tr_open":
            rows.append([])
        if token.type in ("th_open", "td_open") and rows:
            rows[-1].append((token, table[index + 1].content.strip()))
    body = rows[1:] if in_body else []
    if not body:
        return
    for column in range(len(rows[0])):
        values = [row[column][1] for row in body if column < len(row) and row[column][1]]
        if values and all(_NUMBER.match(value) for value in values):
            for row in rows:
                if column < len(row):
                    row[column][0].attrSet("class", "num")
