"""Markdown stage, boxes: fenced ``:::`` containers (recommendations, titled boxes, pull quotes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.container import container_plugin

from .env import label as _label

BOXES = ("recommendations", "box", "pullquote")
#: Boxes that show a title: ``::: recommendations "Five steps"`` replaces the label.
TITLED_BOXES = ("recommendations", "box")


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
                title = box_title(token.info) or _label(env, "recommendations", "Recommendations")
            else:
                title = box_title(token.info)
            heading = f'<h3 class="box-title">{escapeHtml(title)}</h3>\n' if title else ""
            return f'<aside class="box {name}" epub:type="sidebar">\n{heading}'

        return render_box

    def named(name: str) -> Any:
        # Box names in any case: "::: Recommendations" is what an editor means.
        return lambda params, markup: params.strip().split(" ", 1)[0].lower() == name

    for name in BOXES:
        container_plugin(md, name, validate=named(name), render=render(name))


def box_title(info: str) -> str:
    """``box "Any title"`` → ``Any title``."""
    rest = info.strip().split(" ", 1)[1] if " " in info.strip() else ""
    return rest.strip().strip("\"'“”").strip()
