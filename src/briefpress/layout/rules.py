"""Checks stage: laid-out pages (and the written PDF) → findings, one function per rule.

Rules read the same layout that wrote the PDF; font rules read the PDF bytes.
Which rules apply, and with what parameters, is the style's choice
(``rules:`` in style.yaml, checked against `style.schema.RULE_SCHEMA` when the
style is loaded). A style may define its own rule ids from the
generic kinds (``kind: first-page`` with ``selectors: [lead]`` makes a
``lead-first-page`` rule), so no rule knows any style.

A rule marked ``hard: true`` is also evaluated by ``build``, on the layout it
writes: its failure is an error there. Each finding speaks twice: ``message``
in the editor's words with what to do (the default output), ``detail`` in the
style's terms, CSS classes and points (``-v`` and ``--json``).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..source import Brief
from ..style import Style, coverage
from . import advice, makeup
from .engine import Layout, PageView, Placed

#: Rule kinds whose findings are warnings: reported, never failing a check.
WARNING_KINDS = {"last-page-fill"}


@dataclass(frozen=True)
class Finding:
    """One broken layout rule (or warning) on one page, in the editor's words."""

    rule: str
    page: int | None  # None: the whole document
    #: In the editor's words, naming the page and saying what to do.
    message: str
    #: The same in the style's terms (CSS classes, points), for ``-v`` and ``--json``.
    detail: str = ""
    #: The source line of the element (a field, an image, a heading), where one exists.
    line: int | None = None
    #: What the message is about, as the editor calls it: "key issues", "length".
    label: str = ""
    #: A hard rule's failure stops ``build`` (exit 1), not only ``check``.
    hard: bool = False
    #: A warning (``last-page-fill``): shown, never failing a check.
    warning: bool = False

    def text(self, path: str, verbose: bool = False) -> str:
        """The line ``path:line: label: message`` the editor reads; ``verbose`` adds the detail."""
        where = "-" if self.line is None else str(self.line)
        extra = f" [{self.rule}: {self.detail}]" if verbose and self.detail else ""
        return f"{path}:{where}: {self.label or self.rule}: {self.message}{extra}"

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON data, for ``--json`` and the manifest."""
        found = {
            "rule": self.rule,
            "page": self.page,
            "message": self.message,
            "detail": self.detail,
            "line": self.line,
            "label": self.label,
            "hard": self.hard,
        }
        return {**found, "severity": "warning"} if self.warning else found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """The finding ``as_dict`` wrote, read back from the manifest."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known, warning=data.get("severity") == "warning")


def class_index(pages: list[PageView]) -> dict[str, dict[int, set[int]]]:
    """class → element → pages it appears on (1-based)."""
    index: dict[str, dict[int, set[int]]] = {}
    for page in pages:
        for box in page.boxes:
            for name in box.classes:
                index.setdefault(name, {}).setdefault(box.element, set()).add(page.number)
    return index


@dataclass(frozen=True)
class Context:
    """What a rule may look at: the laid-out pages as plain data, and the PDF's bytes."""

    brief: Brief
    style: Style
    pages: list[PageView]
    pdf: bytes
    params: dict[str, Any]
    rule: str
    classes: dict[str, dict[int, set[int]]]

    def finding(
        self,
        page: int | None,
        message: str,
        detail: str = "",
        line: int | None = None,
        label: str = "",
    ) -> Finding:
        label = str(self.params.get("label") or label)
        hard = bool(self.params.get("hard", False))
        warning = rule_kind(self.rule, self.params) in WARNING_KINDS
        return Finding(self.rule, page, message, detail or message, line, label, hard, warning)

    def field_of(self, name: str) -> str:
        """The front-matter field an element shows: style data, or the class's own name."""
        fields = self.params.get("fields") or {}
        return str(fields.get(name, name.replace("-", "_")))

    def pages_of(self, name: str) -> dict[int, set[int]]:
        return self.classes.get(name, {})


Rule = Callable[[Context], Iterator[Finding]]


# Rules --------------------------------------------------------------------------


def _pages_text(pages: set[int]) -> str:
    numbers = sorted(pages)
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return f"pages {', '.join(str(p) for p in numbers[:-1])} and {numbers[-1]}"


def first_page(ctx: Context) -> Iterator[Finding]:
    """Each selected element is present, and wholly on page 1."""
    for name in ctx.params.get("selectors", []):
        found = ctx.pages_of(name)
        what = advice.label(ctx.field_of(name))
        line = advice.field_line(ctx.brief, ctx.field_of(name))
        if not found:
            message = f"page 1 shows no {what} (the style's template has no .{name})"
            yield ctx.finding(None, message, f".{name} is missing", line, what)
        for element, pages in found.items():
            if pages == {1}:
                continue
            where = ", ".join(str(p) for p in sorted(pages))
            detail = f".{name} must be wholly on page 1 (is on {where})"
            excess = advice.excess_on_page(ctx.pages, element, 1)
            if excess is None:
                message = f"is on {_pages_text(pages)}, but must be wholly on page 1"
            else:
                message = (
                    f"the box does not fit on page 1 (about {advice.mm(excess.points)} mm "
                    f"too tall): shorten the {what} by about {excess.words} words"
                )
            yield ctx.finding(max(pages), message, detail, line, what)


def last_page(ctx: Context) -> Iterator[Finding]:
    """Each selected element is present, and wholly on the last page."""
    last = len(ctx.pages)
    for name in ctx.params.get("selectors", []):
        found = ctx.pages_of(name)
        what = advice.label(name)
        if not found:
            message = f"the last page shows no {what} (the style's template has no .{name})"
            yield ctx.finding(None, message, f".{name} is missing", label=what)
        for pages in found.values():
            if pages != {last}:
                where = ", ".join(str(p) for p in sorted(pages))
                detail = f".{name} must be on the last page ({last}), is on {where}"
                message = (
                    f"is on {_pages_text(pages)}, but must end the last page (page {last}): "
                    "nothing may follow it"
                )
                yield ctx.finding(min(pages), message, detail, label=what)


def max_pages(ctx: Context) -> Iterator[Finding]:
    limit = ctx.brief.series.max_pages
    if len(ctx.pages) > limit:
        words = advice.words_after(ctx.pages, limit)
        message = (
            f"the brief runs to {len(ctx.pages)} pages, the series allows {limit}: "
            f"shorten it by about {words} words"
        )
        detail = f"{len(ctx.pages)} pages, the series allows {limit}"
        yield ctx.finding(None, message, detail, advice.body_start(ctx.brief), "length")


def no_overflow(ctx: Context) -> Iterator[Finding]:
    """No text, image or table runs outside the page's content area."""
    tolerance = float(ctx.params.get("tolerance", 0.4))
    for page in ctx.pages:
        left, _top, right, bottom = page.area
        reported: set[int] = set()
        for box in page.boxes:
            if box.kind == "other" or box.element in reported:
                continue
            over = max(box.right - right, left - box.left, box.bottom - bottom)
            if over > tolerance:
                reported.add(box.element)
                snippet = f"“{box.text[:30]}” " if box.text else ""
                detail = f"<{box.tag}> {snippet}runs {over:.1f} pt outside the text area"
                yield _overflow(ctx, page.number, box, over, detail)


def _overflow(ctx: Context, page: int, box: Placed, over: float, detail: str) -> Finding:
    size = f"runs about {advice.mm(over)} mm past the text area on page {page}"
    if box.kind == "image":
        source = box.attrs.get("src", "?")
        line = advice.body_line(ctx.brief, source)
        fix = "put it on a line of its own (a figure fits the column) or use a smaller image"
        return ctx.finding(page, f"{source} {size}: {fix}", detail, line, "image")
    if box.kind == "table":
        fix = "use fewer or narrower columns"
        line = advice.text_line(ctx.brief, box.text)
        return ctx.finding(page, f"the table {size}: {fix}", detail, line, "table")
    text = box.text.strip()
    snippet = f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"
    fix = "break the long word, or give a long link short text: [text](url)"
    line = advice.text_line(ctx.brief, text)
    return ctx.finding(page, f"{snippet} {size}: {fix}", detail, line, "text")


def no_stranded_heading(ctx: Context) -> Iterator[Finding]:
    """No heading ends a page while its text starts the next one."""
    tags = set(ctx.params.get("tags", ["h2", "h3", "h4"]))
    for page in ctx.pages[:-1]:
        lines = [box for box in page.boxes if box.kind == "line"]
        if lines and lines[-1].tag in tags:
            text = lines[-1].text.strip()[:40]
            message = (
                f"the heading “{text}” ends page {page.number}, its text starts the next: "
                "shorten what comes before it, or add a sentence"
            )
            detail = f"heading “{text}” ends the page"
            line = advice.text_line(ctx.brief, text)
            yield ctx.finding(page.number, message, detail, line, "heading")


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def fonts_embedded(ctx: Context) -> Iterator[Finding]:
    """Every font in the PDF is embedded and is one the style declares (no fallback)."""
    import pikepdf

    declared = {_normalised(face.family) for face in ctx.style.fonts}
    seen: set[str] = set()
    with pikepdf.open(io.BytesIO(ctx.pdf)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            fonts = page.obj.get("/Resources", pikepdf.Dictionary()).get(
                "/Font", pikepdf.Dictionary()
            )
            for font in fonts.values():
                for part in font.get("/DescendantFonts", [font]):
                    descriptor = part.get("/FontDescriptor", pikepdf.Dictionary())
                    name = str(part.get("/BaseFont", "?")).split("+", 1)[-1]
                    if name in seen:
                        continue
                    seen.add(name)
                    if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                        yield ctx.finding(number, f"page {number}: font {name} is not embedded")
                    if not any(_normalised(name).startswith(family) for family in declared):
                        message = f"page {number}: font {name} is not declared by the style"
                        yield ctx.finding(number, message)


def _needs_glyph(char: str) -> bool:
    """Spaces, controls and variation selectors are not drawn from a font's cmap."""
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs"):
        return False
    return not unicodedata.name(char, "").startswith("VARIATION SELECTOR")


def no_missing_glyphs(ctx: Context) -> Iterator[Finding]:
    """Every character laid out is covered by one of the style's fonts."""
    covered = coverage(tuple(sorted({face.path for face in ctx.style.fonts})))
    reported: set[str] = set()
    for page in ctx.pages:
        for text in page.texts:
            for char in text:
                if char in reported or ord(char) in covered or not _needs_glyph(char):
                    continue
                reported.add(char)
                name = unicodedata.name(char, "unnamed character")
                detail = f"U+{ord(char):04X} {name} ({char}) is in no style font"
                message = (
                    f"page {page.number}: {char} (U+{ord(char):04X} {name}) is in none of the "
                    "style's fonts: replace it, or ask for a font that has it"
                )
                line = advice.body_line(ctx.brief, char)
                yield ctx.finding(page.number, message, detail, line, "character")


def figure_alt_text(ctx: Context) -> Iterator[Finding]:
    for page in ctx.pages:
        for box in page.boxes:
            if box.tag == "img" and not box.attrs.get("alt", "").strip():
                source = box.attrs.get("src", "?")
                message = f"page {page.number}: image {source} has no alt text"
                detail = f"image {source} has no alt text"
                line = advice.body_line(ctx.brief, source)
                yield ctx.finding(page.number, message, detail, line, "image")


def links_resolve(ctx: Context) -> Iterator[Finding]:
    """Every internal link (note references included) points at an anchor that exists."""
    anchors = {name for page in ctx.pages for name in page.anchors}
    for page in ctx.pages:
        for target in page.links:
            if target not in anchors:
                message = f"page {page.number}: the link to #{target} goes nowhere"
                line = advice.body_line(ctx.brief, f"#{target}")
                yield ctx.finding(
                    page.number, message, f"link to #{target} has no target", line, "link"
                )


#: Raster images printed below this resolution get a warning.
MIN_DPI = 200


def low_resolution_images(pages: list[PageView]) -> list[str]:
    """Raster images whose pixels are spread too thin at their printed size (warnings)."""
    warnings = []
    for page in pages:
        for box in page.boxes:
            if box.kind != "image" or box.pixels is None:
                continue
            inches = (box.right - box.left) / 72
            dpi = box.pixels / inches if inches else 0
            if dpi < MIN_DPI:
                source = box.attrs.get("src", "?")
                size = f"{box.pixels} px over {inches * 25.4:.0f} mm"
                warnings.append(
                    f"page {page.number}: image {source} prints at {dpi:.0f} dpi ({size}); "
                    f"{MIN_DPI} dpi or more is needed"
                )
    return warnings


# The page-fill rules measure as page makeup does (makeup.gaps, makeup.fill).
def page_fill(ctx: Context) -> Iterator[Finding]:
    """Every page but the last is filled to ``threshold`` (85 % by default), from the top
    of the text area to the bottom of its last line. A page that ends where the style
    forces a break (``break-before: page``) is exempt."""
    threshold = float(ctx.params.get("threshold", makeup.DEFAULTS["fill"]))
    for page in makeup.gaps(ctx.pages, threshold):
        what = makeup.opening(ctx.pages[page.number])
        full = f"{makeup.fill(page):.0%} full, {threshold:.0%} wanted"
        yield ctx.finding(
            page.number,
            f"page {page.number} is only {full}: {what} did not fit at its foot and "
            f"starts page {page.number + 1}: {makeup.fill_advice(ctx.pages, page)}",
            f"{full}: {what} did not fit and starts page {page.number + 1}",
            label="page fill",
        )


def last_page_fill(ctx: Context) -> Iterator[Finding]:
    """A warning: the last page holds less than ``threshold`` (15 %) of the text area,
    and less than the space left on the page before it: a small cut saves a page."""
    threshold = float(ctx.params.get("threshold", makeup.LAST_PAGE_SHORT))
    *before, last = ctx.pages
    if not before or makeup.fill(last) >= threshold:
        return
    needed = makeup.content_bottom(last) - last.area[1]
    room = before[-1].area[3] - makeup.content_bottom(before[-1])
    if room >= needed:
        yield ctx.finding(
            last.number,
            f"the last page ({last.number}) is {makeup.fill(last):.0%} full: its "
            f"{needed:.0f} pt are less than the {room:.0f} pt left on page "
            f"{before[-1].number}; a small cut saves a page",
            label="last page",
        )


#: "Figure 2. …", "Table 1. …", "Tableau 3 …": a caption's label.
_CAPTION_LABEL = re.compile(r"^\s*([^\W\d]+\.?)[\s\u00a0]+(\d+)\b")


@dataclass(frozen=True)
class _Float:
    label: str
    page: int
    section: int
    #: A mention's line, or a float's caption (after its label).
    heading: str


def _floats_and_mentions(
    pages: list[PageView],
) -> tuple[list[_Float], dict[str, _Float], list[str]]:
    """Floats (by caption), the first body line naming each, and the body's section titles.

    Sections are the body's ``<section class="section">`` elements, in reading order.
    """
    floats: list[_Float] = []
    sections: dict[int, int] = {}
    titles: list[str] = []
    #: Each text element's lines, in reading order: a mention may wrap ("Figure" / "2").
    texts: dict[int, list[tuple[int, int, str]]] = {}
    current, heading = 0, -1
    for page in pages:
        for box in page.boxes:
            if box.tag == "section" and "section" in box.classes:
                current = sections.setdefault(box.element, len(sections) + 1)
            elif box.tag == "section":
                current = 0  # notes, bios: outside the body's sections
            if box.kind != "line":
                continue
            text = " ".join(box.text.replace("\u00a0", " ").split())
            if box.tag == "h2" and current and len(titles) < current:
                titles.append(text)
                heading = box.element
            elif box.tag == "h2" and current and box.element == heading:
                titles[-1] += " " + text  # a title on two lines
            if box.tag in ("figcaption", "caption"):
                match = _CAPTION_LABEL.match(text)
                if match and all(f.label != f"{match[1]} {match[2]}" for f in floats):
                    caption = text[match.end() :].lstrip(" .:")[:60]
                    floats.append(_Float(f"{match[1]} {match[2]}", page.number, current, caption))
                continue
            texts.setdefault(box.element, []).append((page.number, current, text))
    return floats, _mentions(texts), titles


def _mentions(texts: dict[int, list[tuple[int, int, str]]]) -> dict[str, _Float]:
    """The first place each "Word N" is named (keys case-folded: "(figure 1)" names Figure 1)."""
    mentions: dict[str, _Float] = {}
    for lines in texts.values():  # elements in reading order (dicts keep insertion order)
        joined, starts = "", []
        for page, section, text in lines:
            if joined.endswith("\u2010"):  # a hyphenated line: the word goes on
                joined = joined[:-1]
            elif joined:
                joined += " "
            starts.append((len(joined), page, section))
            joined += text
        for match in re.finditer(r"(\w+)\s(\d+)\b", joined):
            key = f"{match[1]} {match[2]}".casefold()
            if key not in mentions:
                _at, page, section = [s for s in starts if s[0] <= match.start()][-1]
                snippet = joined[match.start() : match.start() + 40]
                mentions[key] = _Float(f"{match[1]} {match[2]}", page, section, snippet)
    return mentions


def float_placement(ctx: Context) -> Iterator[Finding]:
    """Each figure and table is in the section of its first mention, on that page or the
    next, and not in the brief's last section unless first mentioned there."""
    floats, mentions, titles = _floats_and_mentions(ctx.pages)
    last = len(titles)
    for found in floats:
        mention = mentions.get(found.label.casefold())
        # The caption's words find the figure's or table's own line, not its mention's.
        line = advice.text_line(ctx.brief, found.heading or found.label)
        if mention is None or not found.section or not mention.section:
            continue
        here = titles[found.section - 1] if found.section <= last else "?"
        there = titles[mention.section - 1] if mention.section <= last else "?"
        if found.section == last and mention.section != last:
            message = (
                f"{found.label} is placed in the last section (“{here}”), but first "
                f"mentioned in “{there}”: it must come before the last section"
            )
            yield ctx.finding(found.page, message, line=line, label="float")
        elif found.section != mention.section:
            message = (
                f"{found.label} left its section: it is in “{here}”, first mentioned in “{there}”"
            )
            yield ctx.finding(found.page, message, line=line, label="float")
        if found.page > mention.page + 1:
            message = (
                f"{found.label} is on page {found.page}, first mentioned on page "
                f"{mention.page}: a reader must meet it on that page or the next"
            )
            yield ctx.finding(found.page, message, line=line, label="float")


KINDS: dict[str, Rule] = {
    "first-page": first_page,
    "last-page": last_page,
    "max-pages": max_pages,
    "no-overflow": no_overflow,
    "no-stranded-heading": no_stranded_heading,
    "fonts-embedded": fonts_embedded,
    "no-missing-glyphs": no_missing_glyphs,
    "figure-alt-text": figure_alt_text,
    "links-resolve": links_resolve,
    "page-fill": page_fill,
    "last-page-fill": last_page_fill,
    "float-placement": float_placement,
}


def rule_kind(rule_id: str, params: dict[str, Any]) -> str:
    return str(params.get("kind", rule_id))


def evaluate(
    brief: Brief, style: Style, layout: Layout, pdf: bytes, hard_only: bool = False
) -> dict[str, list[Finding]]:
    """Findings per rule id, in the order the style lists its rules; [] means it holds.

    ``hard_only`` evaluates only the rules the style marks ``hard`` (what ``build`` does).
    """
    results: dict[str, list[Finding]] = {}
    pages = layout.pages
    classes = class_index(pages)
    for rule_id, params in style.rules.items():
        if hard_only and not params.get("hard"):
            continue
        context = Context(brief, style, pages, pdf, params, rule_id, classes)
        results[rule_id] = list(KINDS[rule_kind(rule_id, params)](context))
    return results
