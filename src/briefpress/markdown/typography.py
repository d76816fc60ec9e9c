"""Markdown stage, typography: the spacing a language sets around its punctuation.

French puts a narrow no-break space (U+202F) before ``; ! ?`` and inside « »,
and a no-break space before ``:`` (U+00A0 in the Imprimerie nationale's rule;
many houses, and this one, set U+202F there too: the text layer of a PDF keeps
it, where fonts draw U+00A0 with the space's glyph and it is read back as a
space), so the mark never starts a line. Authors type an ordinary space, or none; the rule
sets the right one in every text the parser renders (body, front matter,
titles), so print, EPUB and web pages agree. Code is left as written.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

NARROW = "\u202f"
_SPACES = "[ \u00a0\u202f]"
#: A mark after a word (or a closing quote or bracket), with or without a space.
_TALL = re.compile(
    rf"(?<=[\w»)\]’”]){_SPACES}?([;!?]+)(?=\s|$|[»)\]’”,.])|(?<=^){_SPACES}+([;!?]+)"
)
_COLON = re.compile(rf"(?<=[\w»)\]’”]){_SPACES}?:(?=\s|$)|(?<=^){_SPACES}+:(?=\s|$)")
_OPEN = re.compile(rf"([«‹]){_SPACES}*")
_CLOSE = re.compile(rf"{_SPACES}*([»›])")


def french_spacing(text: str) -> str:
    """``mot ?`` → ``mot\u202f?``, ``titre : suite`` → ``titre\u202f: suite``, « … »."""
    text = _TALL.sub(lambda m: NARROW + (m[1] or m[2]), text)
    text = _COLON.sub(NARROW + ":", text)
    text = _OPEN.sub(lambda m: m[1] + NARROW, text)
    return _CLOSE.sub(lambda m: NARROW + m[1], text)


def spacing_for(lang: str) -> bool:
    """Whether ``lang`` sets spaces before its tall punctuation (French, in any region)."""
    return lang.split("-")[0].lower() == "fr"


def typography_plugin(md: MarkdownIt, lang: str = "") -> None:
    """Set the language's punctuation spacing in every text token, after the typographer."""
    if not spacing_for(lang):
        return

    def space(state: StateCore) -> None:
        for token in state.tokens:
            for child in token.children or []:
                if child.type == "text":
                    child.content = french_spacing(child.content)

    md.core.ruler.push("typography", space)
