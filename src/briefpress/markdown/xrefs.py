"""Markdown stage, cross-references: ``{#fig-x}`` / ``{#tbl-x}`` labels, ``@fig-x`` references.

The syntax is Quarto's, so an editor who knows it writes nothing new: a label
goes after a figure's image (``![alt](x.png "Caption"){#fig-spending}``) or at
the end of a table's caption line (``Table: Budget {#tbl-budget}``), and
``@fig-spending`` in the text becomes "Figure 2", linked to the figure.
``[@fig-x]`` reads the same; ``[-@fig-x]`` is the number alone ("2").

Only the ``fig-`` and ``tbl-`` prefixes are cross-references: ``[@key]`` stays
a citation and ``name@fig-mail.org`` an address. The figures and tables
plugins number and register what they label (:func:`define`); references are
resolved when they are rendered, so a reference may come before its figure.
Unknown and duplicate labels are the body check's (:func:`xref_problems`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .env import label as label_word

#: A label's prefix → what it labels (and the style's word for it, ``labels.figure``).
KINDS = {"fig": "figure", "tbl": "table"}
#: Quarto's label shape; trailing punctuation ("see @fig-x.") is not part of it.
_NAME = r"[A-Za-z](?:[\w-]*\w)?"
#: ``{#fig-x}`` at the end of a figure's paragraph or a table's caption.
ATTRIBUTE = re.compile(rf"\s*\{{#({_NAME})\}}\s*$")
_BARE = re.compile(r"@((?:fig|tbl)-\w(?:[\w-]*\w)?)")
_BRACKETED = re.compile(r"\[(-?)@((?:fig|tbl)-\w(?:[\w-]*\w)?)\]")
#: What may stand before the ``@`` of a reference: not a word (``mail@fig-x.org``).
_ADDRESS_CHARS = re.compile(r"[\w.+-]")
_DEFINED = "xrefs"
_DUPLICATES = "xref_duplicates"
_MISPLACED = "xref_misplaced"


@dataclass(frozen=True)
class Target:
    """A labelled figure or table: its kind, number and body line (0-based)."""

    kind: str
    number: int
    line: int


def kind_of(name: str) -> str | None:
    """``fig-x`` → ``figure``; None for a prefix that is not a cross-reference's."""
    return KINDS.get(name.split("-", 1)[0])


def define(env: EnvType, name: str, kind: str, number: int, line: int) -> None:
    """Register a label; a second definition, or one of the wrong kind, is kept for the check."""
    if kind_of(name) != kind:
        env.setdefault(_MISPLACED, []).append((name, kind, line))
        return
    defined: dict[str, Target] = env.setdefault(_DEFINED, {})
    if name in defined:
        env.setdefault(_DUPLICATES, []).append((name, line, defined[name].line))
        return
    defined[name] = Target(kind, number, line)


def split_attribute(text: str) -> tuple[str, str | None]:
    """``Caption {#tbl-x}`` → (``Caption``, ``tbl-x``); text without a label is returned whole."""
    match = ATTRIBUTE.search(text)
    if not match:
        return text, None
    return text[: match.start()], match[1]


def reference_text(env: EnvType, name: str, number_only: bool = False) -> str | None:
    """ "Figure 2" (the style's word, a no-break space), or None for an unknown label."""
    target = (env.get(_DEFINED) or {}).get(name)
    if target is None:
        return None
    if number_only:
        return str(target.number)
    word = label_word(env, target.kind, target.kind.capitalize())
    return f"{word}\u00a0{target.number}"


_ANY = re.compile(
    r"\[(-?)@((?:fig|tbl)-\w(?:[\w-]*\w)?)\](?![(\[])|(?<![\w.+-])@((?:fig|tbl)-\w(?:[\w-]*\w)?)"
)


def link_references(text: str, env: EnvType) -> str:
    """The Markdown with each known reference as a link, ``[Figure 2](#fig-x)``.

    For pandoc (Word, JATS), which reads the brief's own Markdown and would take
    ``@fig-x`` for a citation; ``env`` is one a parse of the same text filled.
    """

    def swap(match: re.Match[str]) -> str:
        name = match[2] or match[3]
        shown = reference_text(env, name, bool(match[1]))
        if shown is None:
            return match[0]
        if match.string.startswith("](", match.end()):
            return shown  # a link's text already: no link inside a link
        return f"[{shown}](#{name})"

    return _ANY.sub(swap, text)


def xrefs_plugin(md: MarkdownIt) -> None:
    """``@fig-x``, ``[@fig-x]`` and ``[-@fig-x]`` as ``xref`` tokens, rendered as links."""

    def reference(state: StateInline, silent: bool) -> bool:
        src, start = state.src, state.pos
        if src[start] == "@":
            if start > 0 and _ADDRESS_CHARS.match(src[start - 1]):
                return False
            match = _BARE.match(src, start)
            suppress = False
        elif src[start] == "[":
            match = _BRACKETED.match(src, start)
            suppress = bool(match and match[1])
            # ``[@fig-x](url)`` is a link whose text happens to look like one.
            if match and src[match.end() : match.end() + 1] in ("(", "["):
                return False
        else:
            return False
        if not match:
            return False
        if not silent:
            token = state.push("xref", "", 0)
            token.content = match[0]
            token.meta = {
                "label": match[match.lastindex or 0],
                "number_only": suppress,
                "in_link": state.linkLevel > 0,
            }
        state.pos = match.end()
        return True

    def render(
        self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        name = str(token.meta["label"])
        text = reference_text(env, name, bool(token.meta.get("number_only")))
        if text is None:  # unknown: the body check has named it; printed as written
            return escapeHtml(token.content)
        if token.meta.get("in_link"):
            return escapeHtml(text)  # no link inside a link
        return f'<a class="xref" href="#{escapeHtml(name)}">{escapeHtml(text)}</a>'

    # Before citations: ``[@fig-x]`` is a cross-reference, ``[@key]`` a citation.
    md.inline.ruler.before("link", "xref", reference)
    md.add_render_rule("xref", render)


def xref_problems(
    tokens: Sequence[Token], env: EnvType, body_line: int = 0
) -> Iterator[tuple[int, str, str]]:
    """(0-based body line, field, message): unknown, duplicate and misplaced labels.

    ``body_line`` is the file line of the body's first line, for messages that
    name a second line (where a duplicate label was first given).
    """
    defined: dict[str, Target] = env.get(_DEFINED) or {}
    for name, line, first in env.get(_DUPLICATES) or ():
        yield (
            line,
            "cross-reference",
            f'duplicate label "{name}" (first given on line {body_line + first}): give '
            "each figure and table its own label",
        )
    for name, kind, line in env.get(_MISPLACED) or ():
        prefix = next(p for p, k in KINDS.items() if k == kind)
        yield (
            line,
            "cross-reference",
            f'a {kind} label starts with "{prefix}-": write {{#{prefix}-'
            f"{name.split('-', 1)[-1]}}} instead of {{#{name}}}",
        )
    for line, token in _references(tokens):
        name = str(token.meta["label"])
        if name in defined:
            continue
        kind = kind_of(name) or "figure"
        same = [n for n, t in defined.items() if t.kind == kind]
        close = difflib.get_close_matches(name, same, n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else _known(kind, same)
        yield line, "cross-reference", f'unknown {kind} label "{name}"{hint}'


def _known(kind: str, names: list[str]) -> str:
    if not names:
        prefix = next(p for p, k in KINDS.items() if k == kind)
        return f" (no {kind} has a label: add {{#{prefix}-…}} to the one you mean)"
    return f" (labels: {', '.join(sorted(names))})"


def _references(tokens: Sequence[Token]) -> Iterator[tuple[int, Token]]:
    """Every ``xref`` token with its block's line, notes and table cells included."""
    for token in tokens:
        if token.type == "inline" and token.children:
            line = token.map[0] if token.map else 0
            for child in token.children:
                if child.type == "xref":
                    yield line, child
