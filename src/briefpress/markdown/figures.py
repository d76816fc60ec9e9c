"""Markdown stage, figures: an image alone in its paragraph, captioned by its title.

A figure with a caption or a label (``{#fig-x}`` after the image, see `xrefs`)
is numbered like a table: "Figure 2. Caption", in the style's word for the
brief's language (``labels.figure``), unless the author numbered it already.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .env import label
from .xrefs import define, split_attribute


def figures_plugin(md: MarkdownIt) -> None:
    """An image alone in its paragraph is a figure; its title becomes the caption."""

    def make_figures(state: StateCore) -> None:
        tokens = state.tokens
        word = label(state.env, "figure", "Figure")
        numbered = 0
        for index in range(len(tokens) - 2):
            opening, inline, closing = tokens[index : index + 3]
            children = [
                child
                for child in inline.children or []
                if not (child.type == "text" and not child.content.strip())
            ]
            name = None
            if len(children) == 2 and children[1].type == "text":
                rest, name = split_attribute(children[1].content)
                if name is not None and not rest.strip():
                    children = children[:1]  # the label is no text of the figure's
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
                title = str(children[0].attrs.get("title") or "")
                if not (title or name):
                    continue  # an uncaptioned, unlabelled figure takes no number
                numbered += 1
                # The author's own "Figure 2." stays; otherwise the caption is numbered.
                own = re.match(rf"{re.escape(word)}\s+\d", title)
                opening.meta = {"number": None if own else numbered, "word": word}
                if name is not None:
                    opening.attrSet("id", name)
                    line = opening.map[0] if opening.map else 0
                    define(state.env, name, "figure", numbered, line)

    md.core.ruler.push("figures", make_figures)

    def figure_open(
        self: Any, tokens: Sequence[Token], idx: int, o: OptionsDict, env: EnvType
    ) -> str:
        name = tokens[idx].attrs.get("id")
        anchor = f' id="{escapeHtml(str(name))}"' if name else ""
        return f'<figure class="figure"{anchor}>\n'

    def figure_close(
        self: Any, tokens: Sequence[Token], idx: int, o: OptionsDict, env: EnvType
    ) -> str:
        image = tokens[idx - 1].children[0]  # type: ignore[index]
        title = str(image.attrs.get("title") or "")
        opening = tokens[idx - 2]
        number = (opening.meta or {}).get("number")
        if number is not None:
            prefix = f"{opening.meta['word']}\u00a0{number}"
            title = f"{prefix}. {title}" if title else prefix
        caption = f"<figcaption>{escapeHtml(title)}</figcaption>\n" if title else ""
        return f"\n{caption}</figure>\n"

    def image(
        self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env)
        src = str(token.attrs.get("src", ""))
        # The checked name of a local image (source.body): what the outputs are written as.
        renames = env.get("images") if isinstance(env, dict) else None
        if isinstance(renames, dict):
            name = renames.get(unquote(urlsplit(src).path))
            src = quote(name) if name is not None else src
        src = escapeHtml(src)
        return f'<img src="{src}" alt="{escapeHtml(alt)}" />'

    md.add_render_rule("figure_open", figure_open)
    md.add_render_rule("figure_close", figure_close)
    md.add_render_rule("image", image)
