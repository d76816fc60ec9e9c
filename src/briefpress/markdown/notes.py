"""Markdown stage, notes: footnote syntax as numbered endnotes or page-bottom footnotes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .env import label as _label


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
        title = escapeHtml(_label(env, "notes", "notes"))
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
        back = escapeHtml(_label(env, "back_to_text", "back_to_text"))
        return (
            f' <a href="#noteref-{number}{suffix}" class="backref" role="doc-backlink" '
            f'title="{back}">↩</a>'
        )

    md.add_render_rule("footnote_ref", ref)
    md.add_render_rule("footnote_block_open", block_open)
    md.add_render_rule("footnote_block_close", lambda *a: "</ol>\n</section>\n")
    md.add_render_rule("footnote_open", note_open)
    md.add_render_rule("footnote_anchor", anchor)
