"""Checks stage: laid-out pages (and the written PDF) → findings, one function per rule.

Rules read the same layout that wrote the PDF; font rules read the PDF bytes.
Which rules apply, and with what parameters, is the style's choice
(``rules:`` in style.yaml). A style may define its own rule ids from the
generic kinds (``kind: first-page`` with ``selectors: [lead]`` makes a
``lead-first-page`` rule), so no rule knows any style.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..source.model import Brief
from ..style.fonts import coverage
from ..style.loader import Style
from . import makeup
from .engine import Layout, PageView

#: Parameters a rule may take; anything else in style.yaml is reported.
RULE_PARAMETERS = {"kind", "selectors", "tags", "tolerance", "threshold"}
#: Rule kinds whose findings are warnings: reported, never failing a check.
WARNING_KINDS = {"last-page-fill"}


@dataclass(frozen=True)
class Finding:
    rule: str
    page: int | None  # None: the whole document
    message: str
    warning: bool = False

    def line(self, path: str) -> str:
        return f"{path}:{'-' if self.page is None else self.page}: {self.rule}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        found = {"rule": self.rule, "page": self.page, "message": self.message}
        return {**found, "severity": "warning"} if self.warning else found


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

    def finding(self, page: int | None, message: str) -> Finding:
        warning = rule_kind(self.rule, self.params) in WARNING_KINDS
        return Finding(self.rule, page, message, warning)

    def pages_of(self, name: str) -> dict[int, set[int]]:
        return self.classes.get(name, {})


Rule = Callable[[Context], Iterator[Finding]]


# Rules --------------------------------------------------------------------------


def first_page(ctx: Context) -> Iterator[Finding]:
    """Each selected element is present, and wholly on page 1."""
    for name in ctx.params.get("selectors", []):
        found = ctx.pages_of(name)
        if not found:
            yield ctx.finding(None, f".{name} is missing")
        for pages in found.values():
            if pages != {1}:
                where = ", ".join(str(p) for p in sorted(pages))
                yield ctx.finding(max(pages), f".{name} must be wholly on page 1 (is on {where})")


def last_page(ctx: Context) -> Iterator[Finding]:
    """Each selected element is present, and wholly on the last page."""
    last = len(ctx.pages)
    for name in ctx.params.get("selectors", []):
        found = ctx.pages_of(name)
        if not found:
            yield ctx.finding(None, f".{name} is missing")
        for pages in found.values():
            if pages != {last}:
                where = ", ".join(str(p) for p in sorted(pages))
                yield ctx.finding(
                    min(pages), f".{name} must be on the last page ({last}), is on {where}"
                )


def max_pages(ctx: Context) -> Iterator[Finding]:
    limit = ctx.brief.series.max_pages
    if len(ctx.pages) > limit:
        yield ctx.finding(None, f"{len(ctx.pages)} pages, the series allows {limit}")


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
                yield ctx.finding(
                    page.number,
                    f"<{box.tag}> {snippet}runs {over:.1f} pt outside the text area",
                )


def no_stranded_heading(ctx: Context) -> Iterator[Finding]:
    """No heading ends a page while its text starts the next one."""
    tags = set(ctx.params.get("tags", ["h2", "h3", "h4"]))
    for page in ctx.pages[:-1]:
        lines = [box for box in page.boxes if box.kind == "line"]
        if lines and lines[-1].tag in tags:
            text = lines[-1].text.strip()[:40]
            yield ctx.finding(page.number, f"heading “{text}” ends the page")


def page_fill(ctx: Context) -> Iterator[Finding]:
    """Every page but the last is filled to ``threshold`` (85 % by default), from the top
    of the text area to the bottom of its last line. A page that ends where the style
    forces a break (``break-before: page``) is exempt."""
    threshold = float(ctx.params.get("threshold", makeup.DEFAULTS["fill"]))
    for page in makeup.gaps(ctx.pages, threshold):
        yield ctx.finding(
            page.number,
            f"{makeup.fill(page):.0%} full, {threshold:.0%} wanted: "
            f"{makeup.opening(ctx.pages[page.number])} did not fit and starts page "
            f"{page.number + 1}",
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
            f"the last page is {makeup.fill(last):.0%} full: its {needed:.0f} pt are less than "
            f"the {room:.0f} pt left on page {before[-1].number}; a small cut saves a page",
        )


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def fonts_embedded(ctx: Context) -> Iterator[Finding]:
    """Every font in the PDF is embedded and is one the style declares (no fallback)."""
    import pypdf

    declared = {_normalised(face.family) for face in ctx.style.fonts}
    reader = pypdf.PdfReader(io.BytesIO(ctx.pdf))
    seen: set[str] = set()
    for number, page in enumerate(reader.pages, start=1):
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            for part in font.get("/DescendantFonts", [font]):
                part = part.get_object()
                descriptor = part.get("/FontDescriptor")
                name = str(part.get("/BaseFont", "?")).split("+", 1)[-1]
                if name in seen:
                    continue
                seen.add(name)
                descriptor = descriptor.get_object() if descriptor else {}
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    yield ctx.finding(number, f"font {name} is not embedded")
                if not any(_normalised(name).startswith(family) for family in declared):
                    yield ctx.finding(number, f"font {name} is not declared by the style")


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
                yield ctx.finding(
                    page.number, f"U+{ord(char):04X} {name} ({char}) is in no style font"
                )


def figure_alt_text(ctx: Context) -> Iterator[Finding]:
    for page in ctx.pages:
        for box in page.boxes:
            if box.tag == "img" and not box.attrs.get("alt", "").strip():
                source = box.attrs.get("src", "?")
                yield ctx.finding(page.number, f"image {source} has no alt text")


def links_resolve(ctx: Context) -> Iterator[Finding]:
    """Every internal link (note references included) points at an anchor that exists."""
    anchors = {name for page in ctx.pages for name in page.anchors}
    for page in ctx.pages:
        for target in page.links:
            if target not in anchors:
                yield ctx.finding(page.number, f"link to #{target} has no target")


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
}


def rule_kind(rule_id: str, params: dict[str, Any]) -> str:
    return str(params.get("kind", rule_id))


def rule_problems(style: Style) -> list[str]:
    """What is wrong with a style's ``rules:``: unknown kinds or parameters."""
    problems = []
    for rule_id, params in style.rules.items():
        kind = rule_kind(rule_id, params)
        if kind not in KINDS:
            problems.append(f"rule {rule_id}: unknown kind '{kind}' (known: {', '.join(KINDS)})")
        for key in sorted(set(params) - RULE_PARAMETERS):
            problems.append(f"rule {rule_id}: unknown parameter '{key}'")
    return problems


def evaluate(brief: Brief, style: Style, layout: Layout, pdf: bytes) -> dict[str, list[Finding]]:
    """Findings per rule id, in the order the style lists its rules; [] means it holds."""
    results: dict[str, list[Finding]] = {}
    pages = layout.pages
    classes = class_index(pages)
    for rule_id, params in style.rules.items():
        context = Context(brief, style, pages, pdf, params, rule_id, classes)
        results[rule_id] = list(KINDS[rule_kind(rule_id, params)](context))
    return results
