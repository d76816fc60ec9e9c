"""Markdown stage, typography: no line break inside what a reader takes in at a glance.

A short numeric range ("2023–2025"), a number with its unit ("35 %", "1,7 Md€",
"12 km") and a currency sign with its amount or scale ("€ 5 bn", "(€ m)") are
wrapped in ``<span class="nobr">`` (each style's print CSS: ``white-space:
nowrap``); the text itself is unchanged, so search, screen readers and EPUB
read it as written. Adjacent note calls ("⁸⁹") get the style's separator
(label ``note_separator``) between them: "⁸,⁹".
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .env import label as _label

#: Currency signs that go with an amount or a scale.
_CURRENCY = "€$£¥₩"
#: Units a number is never parted from (SI, money scales, per cent).
_UNITS = (
    r"%|‰|per\s+cent|°C|km²|km|m²|mm|cm|m|kg|t|Mt|GW|MW|kW|TWh|GWh|MWh|kWh|nm|ha|bn|mn|"
    r"Md€|M€|k€|Mds?|md|[" + _CURRENCY + r"]"
)
_NUMBER = r"\d+(?:[.,\u00a0\u202f]\d+)*"
_SPACE = r"[ \u00a0\u202f]"
NOBR = re.compile(
    # 2023–2025, 5–10, 1990-95: a short range of one to four digits each side
    r"(?<![\w.,])\d{1,4}[–-]\d{1,4}(?![\w–-])"
    # (€ m), € 5 bn, $10: a currency sign with its amount or its scale
    rf"|[{_CURRENCY}]{_SPACE}?(?:{_NUMBER}(?:{_SPACE}(?:bn|mn|m|k)\b)?|(?:bn|mn|m|k)\b)"
    # 35 %, 1,7 Md€, 12 km, 52 per cent
    rf"|(?<![\w.,]){_NUMBER}{_SPACE}?(?:{_UNITS})(?![\w])"
)


def _split(text: str) -> list[tuple[str, bool]]:
    """The text in runs, each with whether it must stay on one line."""
    runs: list[tuple[str, bool]] = []
    at = 0
    for match in NOBR.finditer(text):
        if " " not in match[0] and "–" not in match[0] and "-" not in match[0]:
            continue  # nothing in it a line could break at
        runs += [(text[at : match.start()], False), (match[0], True)]
        at = match.end()
    runs.append((text[at:], False))
    return [(run, keep) for run, keep in runs if run]


def _separator(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = f'<sup class="noteref-sep">{escapeHtml(content)}</sup>'
    return token


def nobreak_plugin(md: MarkdownIt) -> None:
    """No-break spans in text runs, and a separator between adjacent note calls."""

    def keep_together(state: StateCore) -> None:
        separator = _label(state.env, "note_separator", ",")
        for token in state.tokens:
            if token.type != "inline" or not token.children:
                continue
            children: list[Token] = []
            for child in token.children:
                adjacent = children and children[-1].type == "footnote_ref"
                if child.type == "footnote_ref" and adjacent and separator:
                    children.append(_separator(separator))
                if child.type != "text" or not NOBR.search(child.content):
                    children.append(child)
                    continue
                for run, keep in _split(child.content):
                    if keep:
                        opened = Token("html_inline", "", 0)
                        opened.content = f'<span class="nobr">{escapeHtml(run)}</span>'
                        children.append(opened)
                    else:
                        text = Token("text", "", 0)
                        text.content = run
                        children.append(text)
            token.children = children

    md.core.ruler.push("keep_together", keep_together)
