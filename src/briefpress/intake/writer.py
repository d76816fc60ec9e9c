"""Intake stage, writer: pandoc's JSON AST written out in the brief's Markdown syntax.

The brief syntax is CommonMark plus ``[^n]`` notes, pipe tables with a
``Table:`` caption line, figures (``![alt](figures/x.png "Caption")``) and
``[@key]`` citations. Whatever has no place in it (underline, colours, raw
Word XML, equations) is dropped here and named in the import report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Node = dict[str, Any]
#: (block's first words, what): an entry of the import report.
Finding = tuple[str, str]

_ESCAPE = re.compile(r"([\\`*_\[\]<>~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(#{1,6}(?=\s|$)|[>+\-=](?=\s|$)|\d+(?=[.)](\s|$))|:{3}|Table:)")
_SAFE_LINK = ("http://", "https://", "mailto:")
_PAGE_LABEL = re.compile(r"^\s*,?\s*(?:page|pages|p\.|pp\.)\s+", re.IGNORECASE)
CAPTION_STYLES = ("Caption", "Table Caption", "Image Caption", "Figure Caption")


def escape(text: str) -> str:
    return _ENTITY.sub("\\&", _ESCAPE.sub(r"\\\1", text))


def stringify(nodes: list[Node] | Node) -> str:
    """Plain text of inlines or blocks, as pandoc's ``stringify`` does."""
    if isinstance(nodes, dict):
        nodes = [nodes]
    parts: list[str] = []
    for node in nodes:
        kind = node.get("t")
        content: Any = node.get("c")
        if kind == "Str":
            parts.append(str(content))
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind == "Quoted":
            open_, close = ("“", "”") if content[0]["t"] == "DoubleQuote" else ("‘", "’")
            parts.append(open_ + stringify(content[1]) + close)
        elif kind in ("Code", "Math"):
            parts.append(str(content[-1]))
        elif kind in ("Note", "Cite", "RawInline", "RawBlock"):
            continue
        elif isinstance(content, list):
            parts.append(stringify([c for c in _nested(content)]))
    return "".join(parts)


def _nested(content: list[Any]) -> list[Node]:
    """The child nodes inside a node's content, whatever its shape (attr, lists of lists)."""
    found: list[Node] = []
    for item in content:
        if isinstance(item, dict) and "t" in item:
            found.append(item)
        elif isinstance(item, list):
            found.extend(_nested(item))
    return found


@dataclass
class Writer:
    """Blocks and inlines to Markdown; notes are numbered as they come."""

    #: Registers an image part and returns its path relative to the brief, or None.
    image: Callable[[str], str | None]
    #: The citation key for a pandoc citation id.
    cite_key: Callable[[str], str]
    #: Word's alt text of each image in reading order, when it can be matched one to one.
    descriptions: list[str] | None = None
    images_seen: int = 0
    notes: list[str] = field(default_factory=list)
    dropped: list[Finding] = field(default_factory=list)
    todo: list[Finding] = field(default_factory=list)
    context: str = ""
    #: Levels Word's headings are moved up: a manuscript whose first heading is a
    #: Heading 3 still opens its sections with ``##`` (mapping sets it).
    heading_shift: int = 0
    tables_seen: int = 0

    # -- blocks ---------------------------------------------------------------------

    def blocks(self, blocks: list[Node]) -> str:
        out: list[str] = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            caption = _caption_after(blocks, index)
            text = self.block(block, caption)
            if caption is not None and text:
                index += 1  # the caption paragraph is now the table's or figure's
            if text:
                out.append(text)
            index += 1
        return "\n\n".join(out)

    def block(self, block: Node, caption: str | None = None) -> str:
        kind = block.get("t")
        content: Any = block.get("c")
        self.context = stringify(block)[:60] or self.context
        if kind in ("Para", "Plain"):
            if _lone_image(content):
                image = next(n for n in content if n.get("t") == "Image")
                return self.figure(image, caption or "")
            return _guard(self.inlines(content))
        if kind == "Header":
            level = min(max(int(content[0]) - self.heading_shift, 1) + 1, 4)
            return "#" * level + " " + self.inlines(content[2]).strip()
        if kind == "BulletList":
            return "\n".join(self.item("- ", item) for item in content)
        if kind == "OrderedList":
            start = content[0][0]
            return "\n".join(self.item(f"{start + i}. ", it) for i, it in enumerate(content[1]))
        if kind == "BlockQuote":
            inner = self.blocks(content)
            return "\n".join(("> " + line).rstrip() for line in inner.split("\n"))
        if kind == "Table":
            return self.table(content, caption)
        if kind == "Figure":
            return self.figure_block(content)
        if kind == "Div":
            if caption is not None and len(content[1]) == 1:
                return self.block(content[1][0], caption)
            return self.blocks(content[1])
        if kind == "CodeBlock":
            return f"```\n{content[1]}\n```"
        if kind == "LineBlock":
            return "\\\n".join(self.inlines(line) for line in content)
        if kind == "DefinitionList":
            return "\n\n".join(
                f"**{self.inlines(term)}**\n\n" + "\n\n".join(self.blocks(d) for d in defs)
                for term, defs in content
            )
        self.dropped.append((self.context, _DROPPED_BLOCKS.get(str(kind), f"{kind} block")))
        return ""

    def item(self, marker: str, blocks: list[Node]) -> str:
        text = self.blocks(blocks)
        pad = " " * len(marker)
        lines = text.split("\n")
        return (
            marker + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:])
        )

    def table(self, content: list[Any], caption: str | None) -> str:
        _attr, (_short, long_caption), colspecs, head, bodies, foot = content
        rows = [row for row in head[1]]
        for body in bodies:
            rows.extend(body[2])
            rows.extend(body[3])
        rows.extend(foot[1])
        grid: list[list[str]] = []
        merged = False
        for row in rows:
            cells: list[str] = []
            for cell in row[1]:
                _cattr, _align, rowspan, colspan, cell_blocks = cell
                merged = merged or rowspan > 1 or colspan > 1
                text = " ".join(self._cell(b) for b in cell_blocks).strip()
                cells.extend([text] + [""] * (colspan - 1))
            grid.append(cells)
        if not grid:
            return ""
        title = self.blocks(long_caption).replace("\n", " ").strip() or (caption or "")
        self.context = self._table_name(title, grid)
        if merged:
            self.dropped.append((self.context, "merged table cells (now separate)"))
        width = max(len(colspecs), *(len(r) for r in grid))
        grid = [r + [""] * (width - len(r)) for r in grid]
        if not head[1]:
            self.todo.append((self.context, "table has no header row: its first row became one"))
        lines = ["| " + " | ".join(grid[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in grid[1:]]
        if title:
            lines += ["", "Table: " + title]
        else:
            self.todo.append((self.context, "table has no caption: add a 'Table:' line"))
        return "\n".join(lines)

    def _table_name(self, title: str, grid: list[list[str]]) -> str:
        """How the report names a table: its number and caption, else its first cells."""
        self.tables_seen += 1
        if title:
            return f"Table {self.tables_seen} “{_shortened(title, 50)}”"
        cells = " · ".join(cell for cell in grid[0] if cell)
        return f"Table {self.tables_seen} ({_shortened(cells, 40)})"

    def _cell(self, block: Node) -> str:
        if block.get("t") not in ("Para", "Plain"):
            self.dropped.append((self.context, "layout inside a table cell (kept as text)"))
            return escape(stringify(block)).replace("|", "\\|")
        return self.inlines(block["c"]).replace("\\\n", " ").replace("|", "\\|")

    def figure_block(self, content: list[Any]) -> str:
        _attr, (_short, caption_blocks), body = content
        caption = stringify(caption_blocks).strip()
        images = [n for n in _walk_inlines(body) if n.get("t") == "Image"]
        if not images:
            return self.blocks(body)
        return "\n\n".join(self.figure(image, caption) for image in images)

    def figure(self, image: Node, caption: str) -> str:
        attr, alt_nodes, (src, _title) = image["c"]
        path = self.image(str(src))
        if path is None:
            self.dropped.append((self.context, f"image {src} (external or unreadable)"))
            return ""
        self.images_seen += 1
        if self.descriptions is not None and self.images_seen <= len(self.descriptions):
            alt = self.descriptions[self.images_seen - 1]  # Word's own alt text, exactly
        else:
            # Pandoc keeps Word's alt text as an attribute when its inlines are the caption.
            described = dict(attr[2]).get("alt")
            alt = " ".join(str(described or stringify(alt_nodes)).split())
            alt = "" if not described and alt == caption else alt
        if not alt:
            where = f"“{caption}”" if caption else "figure"
            self.todo.append((where, f"{path}: write the alt text (the build refuses)"))
            alt = ""
        title = ""
        if caption:
            title = ' "' + caption.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"![{escape(alt)}]({path}{title})"

    # -- inlines --------------------------------------------------------------------

    def inlines(self, nodes: list[Node]) -> str:
        return "".join(self.inline(node) for node in nodes)

    def inline(self, node: Node) -> str:
        kind = node.get("t")
        content: Any = node.get("c")
        simple = {"Space": " ", "SoftBreak": " ", "LineBreak": "\\\n"}
        if kind in simple:
            return simple[str(kind)]
        if kind == "Str":
            return escape(str(content))
        if kind == "Emph":
            return _wrap("*", self.inlines(content))
        if kind == "Strong":
            return _wrap("**", self.inlines(content))
        if kind == "Strikeout":
            return _wrap("~~", self.inlines(content))
        if kind == "Quoted":
            open_, close = ("“", "”") if content[0]["t"] == "DoubleQuote" else ("‘", "’")
            return open_ + self.inlines(content[1]) + close
        if kind == "Code":
            return "`" + str(content[1]).replace("`", "'") + "`"
        if kind == "Link":
            return self.link(content)
        if kind == "Image":
            return self.figure(node, "")
        if kind == "Note":
            return self.note(content)
        if kind == "Cite":
            return self.cite(content[0])
        if kind in ("Span", "SmallCaps", "Underline", "Superscript", "Subscript"):
            if kind in _DROPPED_INLINES:
                self.dropped.append((self.context, _DROPPED_INLINES[str(kind)]))
            return self.inlines(content[-1] if kind == "Span" else content)
        if kind == "Math":
            self.dropped.append((self.context, "equation (kept as its source text)"))
            return escape(str(content[1]))
        self.dropped.append((self.context, f"{kind} (raw Word content)"))
        return ""

    def link(self, content: list[Any]) -> str:
        text = self.inlines(content[1])
        url = str(content[2][0])
        if not url.lower().startswith(_SAFE_LINK):
            if not url.startswith("#"):
                self.dropped.append((self.context, f"link to {url} (not a web or mail link)"))
            return text
        return f"[{text}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"

    def note(self, blocks: list[Node]) -> str:
        cites = [n for n in _walk_inlines(blocks) if n.get("t") == "Cite"]
        rest = stringify(blocks).strip(" .;,")
        if cites and not rest:  # a note that only cites: the citation style makes the note
            return "".join(self.cite(c["c"][0]) for c in cites)
        saved = self.context
        text = self.blocks(blocks)
        self.context = saved
        self.notes.append(text)
        return f"[^{len(self.notes)}]"

    def cite(self, citations: list[Node]) -> str:
        parts = []
        for citation in citations:
            prefix = stringify(citation.get("citationPrefix", [])).strip()
            suffix = " ".join(stringify(citation.get("citationSuffix", [])).split())
            suffix = _PAGE_LABEL.sub(", ", suffix).strip()
            if suffix and not suffix.startswith(","):
                suffix = ", " + suffix
            mode = citation.get("citationMode", {}).get("t")
            dash = "-" if mode == "SuppressAuthor" else ""
            key = self.cite_key(str(citation.get("citationId", "")))
            parts.append((escape(prefix) + " " if prefix else "") + f"{dash}@{key}{suffix}")
        return "[" + "; ".join(parts) + "]"

    def note_definitions(self) -> str:
        out = []
        for number, text in enumerate(self.notes, 1):
            lines = text.split("\n")
            rest = "".join("\n" + ("    " + line if line else "") for line in lines[1:])
            out.append(f"[^{number}]: {lines[0]}{rest}")
        return "\n\n".join(out)


_DROPPED_BLOCKS = {
    "HorizontalRule": "horizontal rule",
    "RawBlock": "raw Word content",
}
_DROPPED_INLINES = {
    "Underline": "underline (kept as plain text)",
    "Superscript": "superscript (kept as plain text)",
    "Subscript": "subscript (kept as plain text)",
    "SmallCaps": "small capitals (kept as plain text)",
}


def _wrap(mark: str, text: str) -> str:
    """Emphasis markers must touch the words: ``* a *`` would not be emphasis."""
    stripped = text.strip()
    if not stripped:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _guard(text: str) -> str:
    """A paragraph must not start like a heading, list, quote, box or table caption."""
    text = text.strip()
    match = _LINE_START.match(text)
    if not match:
        return text
    if match[1] == "Table:":
        return "Table\\:" + text[6:]
    if match[1][0].isdigit():
        return text[: match.end()] + "\\" + text[match.end() :]
    return "\\" + text


def _lone_image(content: list[Node]) -> bool:
    kept = [n for n in content if n.get("t") not in ("Space", "SoftBreak", "LineBreak")]
    return len(kept) == 1 and kept[0].get("t") == "Image"


def _style(block: Node) -> str:
    if block.get("t") != "Div":
        return ""
    attrs = dict(block["c"][0][2])
    return str(attrs.get("custom-style", ""))


def _caption_after(blocks: list[Node], index: int) -> str | None:
    """The text of a Word 'Caption' paragraph right after a table or lone image, if any."""
    block = blocks[index]
    is_image = block.get("t") in ("Para", "Plain") and _lone_image(block["c"])
    if block.get("t") == "Div" and len(block["c"][1]) == 1:
        inner = block["c"][1][0]
        is_image = inner.get("t") in ("Para", "Plain") and _lone_image(inner["c"])
        if is_image:
            block = inner
    if not (is_image or block.get("t") == "Table") or index + 1 >= len(blocks):
        return None
    following = blocks[index + 1]
    if _style(following) in CAPTION_STYLES:
        return " ".join(stringify(following).split())
    return None


def _walk_inlines(blocks: list[Node]) -> list[Node]:
    found: list[Node] = []
    stack: list[Any] = list(reversed(blocks))
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and "t" in node:
            found.append(node)
            if node["t"] != "Note" and isinstance(node.get("c"), list):
                stack.extend(reversed(node["c"]))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


def _shortened(text: str, length: int) -> str:
    """At most ``length`` characters, cut after a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(" ·,;:") + "…"
