"""Intake stage, the Word file's review layer: tracked changes, comments, and what pandoc drops.

Pandoc applies or rejects tracked changes without a word and ignores comments,
colours, page breaks and most fields; an editor must know about all of them.
This module reads the WordprocessingML parts itself, paragraph by paragraph,
so every finding names the paragraph (its number and first words).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from .container import Docx, ImportRefused

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CHANGES = {"ins": "insertion", "del": "deletion", "moveFrom": "move", "moveTo": "move"}
_FORMAT_CHANGES = ("rPrChange", "pPrChange")
_KEPT_FIELDS = ("HYPERLINK",)
_CITATION_FIELD = re.compile(r"ADDIN\s+(ZOTERO_ITEM|CSL_CITATION|EN\.CITE|Mendeley Citation)")
_BIBLIOGRAPHY_FIELD = re.compile(r"ADDIN\s+(ZOTERO_BIBL|EN\.REFLIST|Mendeley Bibliography)")
_WORDS = 8


@dataclass
class Change:
    kind: str
    author: str
    paragraph: int
    text: str = ""


@dataclass
class Comment:
    author: str
    text: str
    paragraph: int
    anchor: str = ""


@dataclass
class Review:
    """What the review layer holds, each finding with its paragraph number."""

    changes: list[Change] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    #: (paragraph, what was dropped) in document order.
    dropped: list[tuple[int, str]] = field(default_factory=list)
    #: First words of each paragraph of the document, by number (1-based).
    paragraphs: dict[int, str] = field(default_factory=dict)
    citation_fields: int = 0
    #: Word's alt text (``descr``) of each drawing, in document order.
    descriptions: list[str] = field(default_factory=list)

    def where(self, paragraph: int) -> str:
        if paragraph < 0:
            return "in a footnote or endnote"
        words = self.paragraphs.get(paragraph, "")
        return f"paragraph {paragraph}" + (f" (“{words}”)" if words else "")


def first_words(text: str, count: int = _WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def parse_part(docx: Docx, name: str) -> Element | None:
    if not docx.has(name):
        return None
    try:
        root: Element = ElementTree.fromstring(docx.read(name), forbid_dtd=True)
        return root
    except (ElementTree.ParseError, DefusedXmlException, RecursionError) as exc:
        raise ImportRefused.at(docx.path, f"the file is damaged ({name}: {exc})") from exc


def read_review(docx: Docx) -> Review:
    review = Review()
    document = parse_part(docx, "word/document.xml")
    comments = _comment_texts(parse_part(docx, "word/comments.xml"))
    if document is not None:
        _Walker(review, comments).walk(document)
    for part in ("word/footnotes.xml", "word/endnotes.xml"):
        root = parse_part(docx, part)
        if root is not None:
            _Walker(review, {}, count_paragraphs=False).walk(root)
    return review


def _text(element: Element) -> str:
    return "".join(t.text or "" for t in element.iter() if t.tag in (W + "t", W + "delText"))


def _comment_texts(root: Element | None) -> dict[str, tuple[str, str]]:
    if root is None:
        return {}
    return {
        str(c.get(W + "id")): (str(c.get(W + "author") or "unknown"), " ".join(_text(c).split()))
        for c in root.iter(W + "comment")
    }


class _Walker:
    """One pass in document order, keeping the paragraph number and the open comments."""

    def __init__(
        self, review: Review, comments: dict[str, tuple[str, str]], count_paragraphs: bool = True
    ) -> None:
        self.review = review
        self.comments = comments
        self.count_paragraphs = count_paragraphs
        self.paragraph = 0 if count_paragraphs else -1
        self.open_comments: dict[str, Comment] = {}
        self.change: Change | None = None
        self.field_code: list[str] = []

    def walk(self, root: Element) -> None:
        try:
            self._visit(root)
        except RecursionError:
            self.review.dropped.append((self.paragraph, "content nested too deeply"))

    def _drop(self, what: str) -> None:
        self.review.dropped.append((self.paragraph, what))

    def _visit(self, element: Element) -> None:
        tag = element.tag.removeprefix(W) if isinstance(element.tag, str) else ""
        if tag == "p" and self.count_paragraphs:
            self.paragraph += 1
            self.review.paragraphs[self.paragraph] = first_words(_text(element))
        if tag in _CHANGES and any(True for _ in element.iter(W + "r")):
            self._change(element, _CHANGES[tag])
            return
        if tag in _FORMAT_CHANGES:
            author = str(element.get(W + "author") or "unknown")
            self.review.changes.append(Change("formatting change", author, self.paragraph))
            return
        self._inspect(tag, element)
        for child in element:
            self._visit(child)
        if tag == "fldChar" and element.get(W + "fldCharType") == "separate":
            self._field(" ".join(self.field_code))
            self.field_code = []

    def _inspect(self, tag: str, element: Element) -> None:
        if tag in ("t", "delText") and element.text:
            for comment in self.open_comments.values():
                comment.anchor += element.text
        elif tag == "commentRangeStart":
            key = str(element.get(W + "id"))
            author, text = self.comments.get(key, ("unknown", ""))
            self.open_comments[key] = Comment(author, text, self.paragraph)
        elif tag == "commentRangeEnd":
            key = str(element.get(W + "id"))
            if key in self.open_comments:
                self.review.comments.append(self.open_comments.pop(key))
        elif tag == "instrText":
            self.field_code.append(element.text or "")
        elif tag == "fldSimple":
            self._field(str(element.get(W + "instr") or ""))
        elif element.tag in _OBJECTS:
            self._drop(_OBJECTS[str(element.tag)])
        elif element.tag == _DOC_PR:
            self.review.descriptions.append(" ".join(str(element.get("descr") or "").split()))
        elif tag == "txbxContent":
            self._drop("text box: its text now follows this paragraph (check its place)")
        elif tag == "color" and str(element.get(W + "val", "auto")).lower() not in _PLAIN:
            self._drop("text colour")
        elif tag == "highlight":
            self._drop("highlighting")
        elif tag == "br" and element.get(W + "type") in ("page", "column"):
            self._drop(f"{element.get(W + 'type')} break")
        elif tag == "pPr" and element.find(W + "sectPr") is not None:
            self._drop("section break")

    def _change(self, element: Element, kind: str) -> None:
        author = str(element.get(W + "author") or "unknown")
        self.review.changes.append(Change(kind, author, self.paragraph, _text(element)))

    def _field(self, code: str) -> None:
        code = " ".join(code.split())
        if not code:
            return
        if _CITATION_FIELD.search(code):
            self.review.citation_fields += 1
        elif _BIBLIOGRAPHY_FIELD.search(code):
            self._drop(
                "reference-list field (the brief's bibliography is made from its references)"
            )
        elif code.split()[0].upper() not in _KEPT_FIELDS:
            self._drop(f"field {code.split()[0].upper()} (its last shown text is kept)")


_PLAIN = ("auto", "000000")
_OBJECTS = {
    "{http://schemas.openxmlformats.org/drawingml/2006/chart}chart": (
        "chart (pandoc cannot read it: export it as a PNG figure)"
    ),
    "{http://schemas.openxmlformats.org/drawingml/2006/diagram}relIds": (
        "SmartArt diagram (export it as a PNG figure)"
    ),
    "{urn:schemas-microsoft-com:office:office}OLEObject": "embedded object (an Excel sheet…)",
}
_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


def summarise_changes(changes: list[Change], review: Review) -> list[str]:
    """How many, by whom, and the first words of each: what import shows before refusing."""
    by_author = Counter(change.author for change in changes)
    authors = ", ".join(f"{name} ({count})" for name, count in sorted(by_author.items()))
    lines = [f"  {len(changes)} tracked change(s) by {authors}:"]
    for change in changes[:40]:
        words = f": “{first_words(change.text)}”" if change.text.strip() else ""
        lines.append(
            f"    {review.where(change.paragraph)}: {change.kind} by {change.author}{words}"
        )
    if len(changes) > 40:
        lines.append(f"    … and {len(changes) - 40} more")
    lines.append("  Review them in Word, or run again with --accept-changes or --reject-changes.")
    return lines


def iter_dropped(review: Review) -> Iterator[str]:
    """Dropped things, one line per paragraph and kind, counted."""
    counts = Counter(review.dropped)
    for (paragraph, what), count in sorted(counts.items()):
        times = f" ×{count}" if count > 1 else ""
        place = review.where(paragraph)
        yield f"{place}: {what}{times}"
