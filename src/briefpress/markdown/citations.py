"""Markdown stage, citations: ``[@key]``, ``[@key, 12]``, ``[@a; @b]`` and ``[-@key]``.

The syntax is pandoc's, so pandoc's citeproc formats exactly what the editor
wrote. Parsing numbers each cluster in reading order; rendering takes cluster
*n*'s formatted text from ``env["citations"]``. With a note style a cluster in
the text becomes a note in the same numbered sequence as the author's own
notes (it is allocated exactly as an inline ``^[...]`` note would be); inside an
author's note it stays in that note's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

#: pandoc's citation keys: inner punctuation allowed, trailing punctuation not.
_KEY = r"[A-Za-z0-9_](?:[\w:.#$%&+?<>~/-]*\w)?"
_ITEM = re.compile(
    rf"^\s*(?:(?P<prefix>[^@;\[\]]*?)\s+)?(?P<dash>-?)@(?P<key>{_KEY})(?P<suffix>(?:[,\s][^;@]*)?)$"
)
_IN_NOTE = "_citation_inlines_in_notes"
_PUNCTUATION = (".", ",", ";", ":", "!", "?")


@dataclass(frozen=True)
class Cited:
    key: str
    prefix: str
    suffix: str
    suppress_author: bool


def parse_cluster(text: str) -> tuple[Cited, ...] | None:
    """``see @a, 12; -@b`` → its items; None when the text is not a citation cluster."""
    items: list[Cited] = []
    for part in text.split(";"):
        match = _ITEM.match(part)
        if not match:
            return None
        items.append(
            Cited(match["key"], match["prefix"] or "", match["suffix"].strip(), bool(match["dash"]))
        )
    return tuple(items) or None


def citations_plugin(md: MarkdownIt) -> None:
    """Citation clusters as ``citation`` tokens; notes of their own with a note style."""

    def mark_note_inlines(state: StateCore) -> None:
        # An inline rule cannot see its block; the list it fills is the only link to it.
        inside = False
        marked: set[int] = set()
        for token in state.tokens:
            if token.type == "footnote_reference_open":
                inside = True
            elif token.type == "footnote_reference_close":
                inside = False
            elif inside and token.type == "inline":
                token.children = token.children or []
                marked.add(id(token.children))
        state.env[_IN_NOTE] = marked

    def citation(state: StateInline, silent: bool) -> bool:
        src, start = state.src, state.pos
        if src[start] != "[" or src.startswith("[^", start):
            return False
        end = src.find("]", start + 1)
        if end < 0 or "[" in src[start + 1 : end] or src[end + 1 : end + 2] in ("(", "["):
            return False
        items = parse_cluster(src[start + 1 : end])
        if items is None:
            return False
        if silent:
            state.pos = end + 1
            return True
        note_style = bool((state.env.get("citations") or {}).get("note_style"))
        in_note = id(state.tokens) in state.env.get(_IN_NOTE, set())
        state.pos = end + 1
        if note_style and not in_note and src[end + 1 : end + 2] in _PUNCTUATION:
            # As pandoc does for note styles: "text [@key]." → "text.¹"
            state.pending = state.pending.rstrip() + src[end + 1]
            state.pos += 1
        _push(state, src[start : end + 1], items)
        return True

    def render(
        self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        formatted = (env.get("citations") or {}).get("html") or []
        index = int(token.meta["index"])
        if index < len(formatted):
            return str(formatted[index])
        return escapeHtml(token.content)

    md.core.ruler.before("inline", "citations_in_notes", mark_note_inlines)
    md.inline.ruler.before("link", "citation", citation)
    md.add_render_rule("citation", render)


def _push(state: StateInline, raw: str, items: tuple[Cited, ...]) -> None:
    env = state.env
    index = int(env.get("citation_count", 0))
    env["citation_count"] = index + 1
    in_note = id(state.tokens) in env.get(_IN_NOTE, set())
    clusters = env.setdefault("citation_clusters", [])
    clusters.append((raw, items, in_note))
    meta = {"index": index, "items": items, "in_note": in_note}
    if not in_note and (env.get("citations") or {}).get("note_style"):
        token = Token("citation", "", 0, content=raw, meta=meta)
        # Allocated as mdit-py-plugins allocates an inline ^[...] note: same numbering.
        notes = env.setdefault("footnotes", {})
        notes.setdefault("refs", {})
        entries = notes.setdefault("list", {})
        note_id = len(entries)
        entries[note_id] = {"content": raw, "tokens": [token]}
        ref = state.push("footnote_ref", "", 0)
        ref.meta = {"id": note_id}
        return
    token = state.push("citation", "", 0)
    token.content, token.meta = raw, meta
