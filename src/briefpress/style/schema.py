"""Style stage, declared fields: what a ``style.yaml`` may say, each key once with its meaning.

The loader reads a style through `STYLE_SCHEMA`; targets, fonts, boxes, layout
rules and page makeup are schemas of their own, nested in it. The docs'
table of style keys is generated from here (``briefpress.schema_docs``).
"""

from __future__ import annotations

import re
from typing import Any

from ..source.schema import (
    INVALID,
    Boolean,
    Choice,
    Context,
    Integer,
    Kind,
    Length,
    ListOf,
    MappingOf,
    Number,
    OneOf,
    Option,
    Pattern,
    Schema,
    Text,
    TextList,
)
from ..source.schemas import BRIEF_FIELDS
from .paths import STYLE_NAME

#: The rule kinds `layout.rules` implements (a test holds the two lists equal).
RULE_KINDS = (
    "first-page", "last-page", "max-pages", "no-overflow", "no-stranded-heading",
    "fonts-embedded", "no-missing-glyphs", "figure-alt-text", "links-resolve", "page-fill",
    "last-page-fill", "float-placement",
)  # fmt: skip

_FILE = Text(label="file name")
_FILES = TextList(item=_FILE)

#: A CMYK target's ink rules, which the print preflight enforces (defaults: offset on coated
#: paper, the Ghent Workgroup's and the printers' usual limits).
INKS_SCHEMA = Schema(
    name="inks",
    label="`{small_text_pt, thin_rule_pt, tac, near_black_delta_e, min_dot}`",
    options={
        "small_text_pt": Option(
            Number(minimum=0), "text under this size (pt) prints in one ink", 12.0
        ),
        "thin_rule_pt": Option(
            Number(minimum=0), "rules and strokes thinner than this (pt) print in one ink", 1.0
        ),
        "tac": Option(
            Number(minimum=100, maximum=400), "total area coverage limit (C+M+Y+K, %)", 300.0
        ),
        "near_black_delta_e": Option(
            Number(minimum=0),
            "a colour this close (ΔE) to black ink alone must print as K 100 only",
            10.0,
        ),
        "min_dot": Option(
            Number(minimum=0, maximum=100),
            "an ink under this tint (%) does not count, and a tint of three or four inks "
            "above it is an error",
            5.0,
        ),
    },
)

TARGET_SCHEMA = Schema(
    name="target",
    label="`{stylesheets, colour, bleed, marks, variant, dated, inks, min_ppi}`",
    options={
        "stylesheets": Option(_FILES, "CSS over the style's print CSS, for this target", ()),
        "colour": Option(
            Choice(options=("rgb", "cmyk")),
            "`cmyk`: the palette as `device-cmyk()`, an output profile, images converted, "
            "preflighted; `rgb`: the palette through the profile",
            "rgb",
        ),
        "bleed": Option(Length(), "bleed around the trim (`3mm`)"),
        "marks": Option(
            Choice(options=("none", "crop")),
            "`crop`: crop marks in registration colour outside the bleed, on a larger "
            "MediaBox (printers impose their own: the default is none)",
            "none",
        ),
        "variant": Option(
            Pattern(
                label="`pdf/x-4`, `pdf/ua-1`, …",
                pattern=r"pdf/[a-z]+-[0-9][a-z]?",
                message="'{value}' is not a PDF variant such as pdf/x-4 or pdf/ua-1",
            ),
            "the PDF variant written (`pdf/x-4`, `pdf/ua-1`)",
        ),
        "dated": Option(Boolean(), "carries the build date, so never byte-identical", False),
        "inks": Option(INKS_SCHEMA, "a CMYK target's ink rules (the print preflight's)"),
        "min_ppi": Option(
            Number(minimum=1),
            "a raster image placed at fewer pixels per inch gets a warning (the one "
            "threshold of the figure check and the print preflight)",
            300.0,
        ),
    },
)


class _InstanceAxes(Kind):
    """``{wght: 400, opsz: 10, style: normal}``: axis values, and an optional style."""

    label = "`{axis: value, style?}`"

    def read(self, value: Any, at: Context) -> Any:
        if not isinstance(value, dict):
            return at.fail("expected a mapping of axes to values, like {wght: 400}")
        for axis, number in value.items():
            if axis == "style":
                if number not in ("normal", "italic"):
                    return at.fail(f'style: must be one of normal, italic, got "{number}"')
            elif not re.fullmatch(r"[a-zA-Z]{4}", str(axis)):
                return at.fail(f"'{axis}' is not a font axis tag (wght, opsz, wdth…)")
            elif isinstance(number, bool) or not isinstance(number, (int, float)):
                return at.fail(f'{axis}: expected a number, got "{number}"')
        return value


FONT_SCHEMA = Schema(
    name="font",
    label="`{fontpkg}` or `{package, file, family}` or `{file, family}`",
    options={
        "fontpkg": Option(Text(), "a family installed as a Python font package (`fontpkg-…`)"),
        "weights": Option(
            ListOf(Integer(minimum=1, maximum=1000), "weight"), "static weights to use of it"
        ),
        "instances": Option(
            ListOf(_InstanceAxes(), "instance"), "static instances made once and cached"
        ),
        "package": Option(Text(), "a Python package that ships the font `file`"),
        "file": Option(_FILE, "the font file: in the package, or in the style folder"),
        "family": Option(Text(), "the family name CSS uses, for `package` and `file` fonts"),
        "style": Option(Choice(options=("normal", "italic")), "the face's style", "normal"),
        "weight": Option(Integer(minimum=1, maximum=1000), "the face's weight"),
        "license": Option(_FILE, "its licence file, in the style folder"),
        "fallback": Option(Boolean(), "only for characters the other fonts lack", False),
    },
)

BOX_SCHEMA = Schema(
    name="box",
    label="`{element, class, epub_type, label?, titled?}`",
    options={
        "element": Option(
            Pattern(pattern=r"[a-z][a-z0-9]*", message="'{value}' is not an HTML element name"),
            "the HTML element",
            "aside",
        ),
        "class": Option(Text(), "its CSS classes", ""),
        "epub_type": Option(Text(), "its `epub:type`", ""),
        "label": Option(Text(), "the label (in `labels`) that heads it"),
        "titled": Option(Boolean(), "its first line is its title", False),
    },
)

RULE_SCHEMA = Schema(
    name="rule",
    label="`{kind?, selectors?, tags?, tolerance?, threshold?, hard?, fields?, label?}`",
    options={
        "kind": Option(
            Choice(options=RULE_KINDS), "the built-in rule this one is, when its id is its own"
        ),
        "selectors": Option(TextList(), "class names in the templates (first-page, last-page)"),
        "tags": Option(TextList(), "heading tags (no-stranded-heading; h2, h3, h4 if not given)"),
        "tolerance": Option(
            Number(minimum=0), "points past the text area allowed (no-overflow; 0.4 if not given)"
        ),
        "threshold": Option(
            Number(minimum=0, maximum=1),
            "share of a page to fill (page-fill: page makeup's `fill`; last-page-fill: 0.15)",
        ),
        "hard": Option(Boolean(), "`build` evaluates it too: breaking it is an error", False),
        "fields": Option(MappingOf(Text()), "class → the front-matter field it shows"),
        "label": Option(Text(), "what the editor reads the rule as"),
    },
)

PAGE_MAKEUP_SCHEMA = Schema(
    name="page_makeup",
    label="`{fill, floats, passes, max_squeeze, min_scale, last_page}`",
    options={
        "fill": Option(
            Number(minimum=0, maximum=1), "a page filled less than this share is a gap", 0.85
        ),
        "floats": Option(TextList(), "the elements that may move", ("figure", "table")),
        "passes": Option(
            Integer(minimum=0, maximum=10), "at most this many extra layouts (0: off)", 3
        ),
        "max_squeeze": Option(
            Length(as_points=True),
            "how much each gap between blocks may shrink to pull back a short last page",
            0.0,
            shown_default="`0pt`",
        ),
        "min_scale": Option(
            Number(minimum=0.5, maximum=1),
            "a figure whose section cannot fill the page before it may shrink to this share "
            "of its width to fit there (1: never)",
            1.0,
        ),
        "last_page": Option(
            Number(minimum=0, maximum=1),
            "a last page filled less than this is pulled back, or `build` says how many "
            "lines to cut",
            0.25,
        ),
    },
)

LINT_SCHEMA = Schema(
    name="lint",
    label="`{title_max}`",
    options={
        "title_max": Option(
            Integer(minimum=1),
            "a title longer than this many characters is a warning at `build` and `check` "
            "(it would crowd the masthead); none: no limit",
        ),
    },
)

#: The brief's web page and its pictures (social card, the EPUB's raster cover).
BRIEF_PAGE_SCHEMA = Schema(
    name="brief_page",
    label="`{contents_words, related, card_font}`",
    options={
        "contents_words": Option(
            Integer(minimum=0),
            "a brief whose body is longer than this many words gets an in-page contents "
            "(its sections) under the title of its web page; 0: every brief",
            1200,
        ),
        "related": Option(
            Integer(minimum=0, maximum=12),
            "how many related briefs (shared authors and keywords, then the same series) "
            "the web page lists; 0: none",
            3,
        ),
        "card_font": Option(
            Text(),
            "the family (one of the style's `fonts`) of the social card and the EPUB's "
            "raster cover; the first declared if not given",
        ),
    },
)

SKELETON_SCHEMA = Schema(
    name="skeleton",
    label="`{front, body}`",
    options={
        "front": Option(MappingOf(Kind()), "front-matter fields a new brief starts with"),
        "body": Option(Text(allow_empty=True), "the Markdown body it starts with"),
    },
)


class Cmyk(Kind):
    """``[c, m, y, k]``: four percentages."""

    label = "`[c, m, y, k]` in %"

    def read(self, value: Any, at: Context) -> Any:
        if (
            not isinstance(value, list)
            or len(value) != 4
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            return at.fail("must be [c, m, y, k] percentages, four numbers")
        if any(not 0 <= v <= 100 for v in value):
            return at.fail("has a value outside 0–100 %")
        return tuple(float(v) for v in value)


#: A colour as the press and, where a brand has its own RGB, the screen have it.
COLOUR_SCHEMA = Schema(
    name="colour",
    options={
        "cmyk": Option(Cmyk(), "the press colour", required=True),
        "screen": Option(
            Pattern(
                label='`"#rrggbb"`',
                pattern=r"#[0-9a-fA-F]{6}",
                message='expected "#rrggbb", got "{value}"',
            ),
            "the brand's own screen colour, instead of the one derived through the profile",
        ),
    },
)

PALETTE_COLOUR = OneOf(
    kinds=((list, Cmyk()), (dict, COLOUR_SCHEMA)),
    message='must be [c, m, y, k] percentages, or {cmyk: [c, m, y, k], screen: "#rrggbb"}',
    label="`[c, m, y, k]` or `{cmyk, screen}`",
)


def _front_field(name: str) -> str | None:
    if name in BRIEF_FIELDS:
        return None
    import difflib

    hint = difflib.get_close_matches(name, BRIEF_FIELDS, n=1)
    mean = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"'{name}' is not a front-matter field{mean}"


class _FrontField(Kind):
    label = "front-matter field"

    def read(self, value: Any, at: Context) -> Any:
        message = _front_field(str(value))
        return at.fail(message) if message else value


_NAME = Pattern(
    label="style name",
    pattern=STYLE_NAME.pattern.strip("^$"),
    message='"{value}" is not a style name (a folder under styles/, no path)',
)

STYLE_SCHEMA = Schema(
    name="style.yaml",
    unknown="unknown field",
    options={
        "name": Option(Text(), "the style's human name", shown_default="the parent's"),
        "extends": Option(_NAME, "a parent style: what this one does not give comes from it"),
        "templates": Option(
            MappingOf(_FILE, label="`{print: file, epub: file}`"),
            "Jinja2 templates under `templates/`: `{print: print.html.j2, epub: epub.xhtml.j2}`",
        ),
        "stylesheets": Option(
            MappingOf(_FILES, label="`{print: [css…], screen: […], web: […]}`"),
            "CSS files: `print` for every PDF, `screen` for XHTML and EPUB, `web` for web pages",
        ),
        "fonts": Option(
            ListOf(FONT_SCHEMA, "font"),
            "the ordered font stack: `- fontpkg: Family` or `- file: fonts/x.ttf` (+ `family`)",
        ),
        "palette": Option(
            MappingOf(
                PALETTE_COLOUR,
                key=Pattern(
                    pattern=r"[A-Za-z0-9-]+",
                    message="'{value}' is not a CSS custom-property name",
                ),
                label="`{name: colour}`",
            ),
            "every colour of the style, once, in CMYK % (`accent: [90, 57, 0, 51]`), or "
            '`{cmyk: [...], screen: "#rrggbb"}` where a brand has its own RGB; CSS reads '
            "`var(--accent)`: `device-cmyk()` on the print target, RGB elsewhere; the web's "
            "dark scheme, the EPUB cover and the preview are derived from it. The neutral "
            "templates read `paper`, `ink`, `muted`, `accent` (and `accent-warm`, `tint`, "
            "`rule`, `focus` when given)",
        ),
        "targets": Option(
            # `name:` alone is a target with no CSS of its own.
            MappingOf(TARGET_SCHEMA, nullable=True, label="`{name: target}`"),
            "PDF targets (`print`, `screen`, `draft`, or a style's own): "
            "`<stem>.pdf` for print, `<stem>.<name>.pdf` otherwise "
            "(`proof:` writes `<stem>.proof.pdf`)",
        ),
        "labels": Option(
            MappingOf(MappingOf(Text(allow_empty=True)), label="`{lang: {key: text}}`"),
            "words the templates print, per language (`en`, `fr`, …), the first language the "
            "fallback; with the masthead `separator` and the draft target's `draft_note` "
            "(`Draft of {date}`) and `draft_commit` (`{note} · commit {commit}`)",
        ),
        "quotes": Option(
            MappingOf(
                OneOf(kinds=((str, Text(strip=False)), (list, TextList(strip=False)))),
                label="`{lang: quotes}`",
            ),
            "typographic quotes per language: `“”‘’` or a list of four",
        ),
        "requires": Option(
            TextList(item=_FrontField()), "front-matter fields this style needs (`key_issues`)"
        ),
        "boxes": Option(
            MappingOf(BOX_SCHEMA, nullable=True, label="`{name: box}`"),
            "the `::: name` boxes a brief may use; `name: null` drops a parent's box",
        ),
        "rules": Option(
            MappingOf(RULE_SCHEMA, nullable=True, label="`{rule-id: parameters}`"),
            "the layout rules `briefpress check` evaluates, with their parameters",
        ),
        "page_makeup": Option(PAGE_MAKEUP_SCHEMA, "how print pages are made up"),
        "logo": Option(
            _FILE,
            "the logo, an SVG or PNG file in the style folder: on the print masthead, the "
            "EPUB cover, the web header and as the favicon; a series' `logo` wins",
            shown_default="the parent's",
        ),
        "lint": Option(LINT_SCHEMA, "what `build` and `check` warn about in a brief's text"),
        "brief_page": Option(
            BRIEF_PAGE_SCHEMA, "the brief's web page: in-page contents, related briefs, card"
        ),
        "skeleton": Option(SKELETON_SCHEMA, "what `briefpress new` writes in a new brief"),
    },
)


def rule_kind(rule_id: str, params: dict[str, Any]) -> str:
    """A rule's kind: its own ``kind:``, or its id when that is a built-in rule."""
    return str(params.get("kind") or rule_id)


def unknown_rule(rule_id: str, params: dict[str, Any]) -> str | None:
    """A rule id that is no built-in rule and names no ``kind``."""
    if rule_kind(rule_id, params) in RULE_KINDS:
        return None
    import difflib

    hint = difflib.get_close_matches(rule_id, RULE_KINDS, n=1)
    mean = f"did you mean '{hint[0]}'? or " if hint else ""
    return f"no built-in rule: {mean}give it a kind ({', '.join(RULE_KINDS)})"


__all__ = [
    "BOX_SCHEMA",
    "BRIEF_PAGE_SCHEMA",
    "FONT_SCHEMA",
    "INVALID",
    "LINT_SCHEMA",
    "PAGE_MAKEUP_SCHEMA",
    "RULE_KINDS",
    "RULE_SCHEMA",
    "STYLE_SCHEMA",
    "TARGET_SCHEMA",
    "rule_kind",
    "unknown_rule",
]
