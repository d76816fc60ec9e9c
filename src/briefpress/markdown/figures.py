"""Markdown stage, figures: an image alone in its paragraph, captioned by its title."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict


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
