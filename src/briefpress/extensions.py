"""Markdown stage, house extensions: notes, figures, tables and boxes.

Each is a plain ``*_plugin(md)`` function that adds core rules and render
rules, as markdown-it-py's own plugins do. Rendering reads two keys of the
markdown-it ``env``: ``labels`` (the style's words in the brief's language)
and ``notes`` (``endnotes``, or ``footnotes`` for page-bottom notes in print).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.container import container_plugin

BOXES = ("recommendations", "box", "pullquote")
_NUMBER = re.compile(r"^[−+\-]?[\d\s.,\u00a0\u202f]+(%|‰)?$|^[$€£¥]\s?[\d\s.,]+$")
_TABLE_CAPTION = re.compile(r"^Table:\s*")


def _label(env: EnvType, key: str, default: str) -> str:
    labels = env.get("labels") or {}
    return str(labels.get(key, default))


# Notes --------------------------------------------------------------------------


def notes_plugin(md: MarkdownIt) -> None:
    """Footnote syntax as numbered endnotes, or as page-bottom footnotes for print.

    Numbering follows first reference (mdit-py-plugins' footnote order); ids are
    XML names (``note-1``, ``noteref-1-2``) so the XHTML stays valid EPUB.
    """

    def move_notes_inline(state: StateCore) -> None:
        if state.env.get("notes") != "footnotes":
            return
        bodies: dict[int, list[Token]] = {}
        kept: list[Token] = []
        current: list[Token] | None = None
        for token in state.tokens:
            if token.type == "footnote_block_open" or token.type == "footnote_block_close":
                continue
            if token.type == "footnote_open":
                current = bodies.setdefault(token.meta["id"], [])
            elif token.type == "footnote_close":
                current = None
            elif current is not None:
                if token.type == "inline":
                    current.extend(token.children or [])
            else:
                kept.append(token)
        state.tokens = kept
        state.env["note_bodies"] = bodies

    md.core.ruler.after("footnote_tail", "notes_inline", move_notes_inline)

    def ref(
        self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        number = tokens[idx].meta["id"] + 1
        sub = tokens[idx].meta.get("subId", 0)
        bodies = env.get("note_bodies")
        if bodies is not None and sub == 0:
            inner = self.renderInline(bodies.get(number - 1, []), options, env)
            return f'<span class="footnote">{inner}</span>'
        if bodies is not None:  # a note cited again: point at its number only
            return f'<sup class="noteref">{number}</sup>'
        suffix = f"-{sub}" if sub else ""
        return (
            f'<sup class="noteref"><a href="#note-{number}" id="noteref-{number}{suffix}" '
            f'epub:type="noteref" role="doc-noteref">{number}</a></sup>'
        )

    def block_open(
        self: Any, tokens: Sequence[Token], idx: int, o: OptionsDict, env: EnvType
    ) -> str:
        title = escapeHtml(_label(env, "notes", "Notes"))
        return (
            '<section class="notes" id="notes" epub:type="endnotes" role="doc-endnotes">\n'
            f"<h2>{title}</h2>\n<ol>\n"
        )

    def note_open(
        self: Any, tokens: Sequence[Token], idx: int, o: OptionsDict, env: EnvType
    ) -> str:
        number = tokens[idx].meta["id"] + 1
        return f'<li id="note-{number}" epub:type="endnote">'

    def anchor(self: Any, tokens: Sequence[Token], idx: int, o: OptionsDict, env: EnvType) -> str:
        number = tokens[idx].meta["id"] + 1
        sub = tokens[idx].meta.get("subId", 0)
        suffix = f"-{sub}" if sub else ""
        back = escapeHtml(_label(env, "back_to_text", "Back to the text"))
        return (
            f' <a href="#noteref-{number}{suffix}" class="backref" role="doc-backlink" '
            f'title="{back}">↩</a>'
        )

    md.add_render_rule("footnote_ref", ref)
    md.add_render_rule("footnote_block_open", block_open)
    md.add_render_rule("footnote_block_close", lambda *a: "</ol>\n</section>\n")
    md.add_render_rule("footnote_open", note_open)
    md.add_render_rule("footnote_anchor", anchor)


# Figures ------------------------------------------------------------------------


def figures_plugin(md: MarkdownIt) -> None:
    """An image alone in its paragraph is a figure; its title becomes the caption."""

    def make_figures(state: StateCore) -> None:
        tokens = state.tokens
        for index in range(len(tokens) - 2):
            opening, inline, closing = tokens[index : index + 3]
            children = [
                child
                for child in inline.children or []
                if not (child.type == "text" and not child.content.strip())
            ]
            if (
                opening.type == "paragraph_open"
                and inline.type == "inline"
                and closing.type == "paragraph_close"
                and len(children) == 1
                and children[0].type == "image"
            ):
                opening.type, opening.tag = "figure_open", "figure"
                closing.type, closing.tag = "figure_close", "figure"
                opening.attrSet("class", "figure")
                inline.children = children

    md.core.ruler.push("figures", make_figures)

    def figure_open(
        self: Any, tokens: Sequence[Token], idx: int, o: OptionsDict, env: EnvType
    ) -> str:
        return '<figure class="figure">\n'

    def figure_close(
        self: Any, tokens: Sequence[Token], idx: int, o: OptionsDict, env: EnvType
    ) -> str:
        image = tokens[idx - 1].children[0]  # type: ignore[index]
        title = str(image.attrs.get("title") or "")
        caption = f"<figcaption>{escapeHtml(title)}</figcaption>\n" if title else ""
        return f"\n{caption}</figure>\n"

    def image(
        self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env)
        src = escapeHtml(str(token.attrs.get("src", "")))
        return f'<img src="{src}" alt="{escapeHtml(alt)}" />'

    md.add_render_rule("figure_open", figure_open)
    md.add_render_rule("figure_close", figure_close)
    md.add_render_rule("image", image)


# Tables -------------------------------------------------------------------------


def tables_plugin(md: MarkdownIt) -> None:
    """A ``Table: …`` line after a table is its caption; numeric columns align right."""

    def caption_and_columns(state: StateCore) -> None:
        tokens = state.tokens
        index = 0
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


# Boxes --------------------------------------------------------------------------


def boxes_plugin(md: MarkdownIt) -> None:
    """``::: recommendations``, ``::: box "Title"`` and ``::: pullquote`` containers."""

    def render(name: str) -> Any:
        def render_box(
            self: Any, tokens: Sequence[Token], idx: int, o: OptionsDict, env: EnvType
        ) -> str:
            token = tokens[idx]
            if token.nesting == -1:
                return "</blockquote>\n" if name == "pullquote" else "</aside>\n"
            if name == "pullquote":
                return '<blockquote class="pullquote" epub:type="pullquote">\n'
            if name == "recommendations":
                title = _label(env, "recommendations", "Recommendations")
            else:
                title = box_title(token.info)
            heading = f'<h3 class="box-title">{escapeHtml(title)}</h3>\n' if title else ""
            return f'<aside class="box {name}" epub:type="sidebar">\n{heading}'

        return render_box

    for name in BOXES:
        container_plugin(md, name, render=render(name))


def box_title(info: str) -> str:
    """``box "Any title"`` → ``Any title``."""
    rest = info.strip().split(" ", 1)[1] if " " in info.strip() else ""
    return rest.strip().strip("\"'“”").strip()
