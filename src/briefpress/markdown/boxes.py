"""Markdown stage, boxes: fenced ``:::`` containers (recommendations, titled boxes, pull quotes).

Which boxes exist and how each renders is style data (``boxes:`` in style.yaml);
this module only knows the shape of a declaration. Box names are case-insensitive.
markdown-it loads only when a parser is made: loading a style never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict


@dataclass(frozen=True)
class BoxSpec:
    """How one ``::: name`` container renders, as a style declares it."""

    name: str
    element: str = "aside"
    css_class: str = ""
    epub_type: str = ""
    #: A label key whose words head the box (``::: recommendations``), or None.
    label: str | None = None
    #: The heading is written after the name (``::: box "Any title"``).
    titled: bool = False

    @property
    def takes_title(self) -> bool:
        """A title after the name shows: as the heading, or instead of the label's words."""
        return self.titled or self.label is not None

    def open_tag(self, title: str) -> str:
        """The opening tag and, for a titled box, its heading."""
        from markdown_it.common.utils import escapeHtml

        classes = f' class="{escapeHtml(self.css_class)}"' if self.css_class else ""
        typed = f' epub:type="{escapeHtml(self.epub_type)}"' if self.epub_type else ""
        heading = f'<h3 class="box-title">{escapeHtml(title)}</h3>\n' if title else ""
        return f"<{self.element}{classes}{typed}>\n{heading}"

    def close_tag(self) -> str:
        """The closing tag."""
        return f"</{self.element}>\n"


def box_name(info: str) -> str:
    """The box a fence opens, as written: ``Box "Title"`` → ``box`` (names ignore case)."""
    return info.strip().split(" ", 1)[0].lower()


def boxes_plugin(md: MarkdownIt, boxes: Iterable[BoxSpec] = ()) -> None:
    """One ``::: name`` container per declared box."""
    from mdit_py_plugins.container import container_plugin

    from .env import label as _label

    def render(spec: BoxSpec) -> Any:
        def render_box(
            self: Any, tokens: Sequence[Token], idx: int, o: OptionsDict, env: EnvType
        ) -> str:
            token = tokens[idx]
            if token.nesting == -1:
                return spec.close_tag()
            if spec.label:  # a title written after the name replaces the label's words
                title = box_title(token.info) or _label(env, spec.label, "")
            elif spec.titled:
                title = box_title(token.info)
            else:
                title = ""
            return spec.open_tag(title)

        return render_box

    def validate(name: str) -> Any:
        return lambda params, *args: box_name(params) == name

    for spec in boxes:
        name = spec.name.lower()
        container_plugin(md, name, validate=validate(name), render=render(spec))


def box_title(info: str) -> str:
    """``box "Any title"`` → ``Any title``."""
    rest = info.strip().split(" ", 1)[1] if " " in info.strip() else ""
    return rest.strip().strip("\"'“”").strip()
