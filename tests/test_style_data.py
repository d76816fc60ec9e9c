"""The style is data: no template copied between styles, no style named in Python, and
targets, boxes, words, the `new` skeleton and the cover colours declared in style.yaml."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import shutil
import tokenize
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from briefpress.build.builder import draft_note
from briefpress.cli import main
from briefpress.errors import StyleError
from briefpress.markdown.parser import create_parser, render_body
from briefpress.render.epub import cover_svg
from briefpress.source.body import check_body
from briefpress.source.model import load_brief, load_series
from briefpress.style.loader import load_style
from briefpress.style.palette import screen_colours

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject

STYLES = REPO / "styles"
#: Two templates this alike (difflib ratio, comments and spacing ignored) are one copied.
NEAR_SAME = 0.8
#: Shorter than this, a template is an ``extends`` with one small block (a cover's
#: typeface): two such are alike by their boilerplate, not copied.
ONE_BLOCK = 160


def _template_text(path: Path) -> str:
    text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return " ".join(text.split())


def test_no_template_is_duplicated_between_styles() -> None:
    templates = sorted(STYLES.glob("*/templates/**/*.j2"))
    assert {p.relative_to(STYLES).parts[0] for p in templates} >= {"base", "spotlight"}
    for index, first in enumerate(templates):
        for second in templates[index + 1 :]:
            if first.relative_to(STYLES).parts[0] == second.relative_to(STYLES).parts[0]:
                continue
            a, b = _template_text(first), _template_text(second)
            if min(len(a), len(b)) < ONE_BLOCK:
                continue
            ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
            assert ratio < NEAR_SAME, (
                f"{first.relative_to(STYLES)} and {second.relative_to(STYLES)} are {ratio:.0%} "
                "alike: extend the base template and override only the blocks that differ"
            )


def test_the_duplicate_check_catches_a_copy_with_one_class_changed(tmp_path: Path) -> None:
    copy = (STYLES / "base" / "templates" / "print.html.j2").read_text(encoding="utf-8")
    (tmp_path / "a.j2").write_text(copy, encoding="utf-8")
    (tmp_path / "b.j2").write_text(copy.replace("brief", "comment"), encoding="utf-8")
    a, b = _template_text(tmp_path / "a.j2"), _template_text(tmp_path / "b.j2")
    assert difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR_SAME


#: Token types that carry words: strings (f-string parts from Python 3.12) and comments.
_WORDS = {tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def _style_mentions(source: str, names: list[str]) -> list[str]:
    """Style names in a Python file's strings and comments (identifiers are code, not data).

    ``}base`` and ``xml:base`` are XML's own attribute, not a style folder.
    """
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _WORDS:
            continue
        text = token.string
        prefix = re.match(r"[a-zA-Z]*", text)
        assert prefix is not None  # `*` matches the empty string too
        if "f" in prefix[0].lower():  # an f-string's {fields} are code
            text = re.sub(r"\{[^{}]*\}", "", text)
        for name in names:
            if re.search(rf"(?<![\w}}:.-]){re.escape(name)}(?![\w-])", text, re.I):
                found.append(f"line {token.start[0]}: {name}")
    return found


def test_no_python_file_names_any_style_folder() -> None:
    names = sorted(p.parent.name for p in STYLES.glob("*/style.yaml"))
    assert {"base", "csds", "csds-korea", "spotlight"} <= set(names)
    names += [part for name in names if "-" in name for part in name.split("-") if len(part) > 3]
    names = sorted(set(names))
    for path in (REPO / "src").rglob("*.py"):
        mentions = _style_mentions(path.read_text(encoding="utf-8"), names)
        assert not mentions, f"{path.relative_to(REPO)} names a style: {mentions}"
    assert _style_mentions('STYLE = "spotlight"  # the Korea chair\n', names) == [
        "line 1: spotlight",
        "line 1: korea",
    ]
    assert _style_mentions('key = f"{base}-x"  # {http://x}base, xml:base\n', names) == []


def test_a_style_adds_a_proof_target_and_target_names_are_checked(
    make_project: MakeProject,
) -> None:
    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    style = root / "styles" / "csds" / "style.yaml"
    text = style.read_text(encoding="utf-8")
    style.write_text(
        text.replace(
            "  draft: {stylesheets: [targets/draft.css], dated: true}\n",
            "  draft: {stylesheets: [targets/draft.css], dated: true}\n"
            "  proof: {stylesheets: [targets/draft.css], dated: true}\n",
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--format", "pdf", "--target", "proof"])
    assert result.exit_code == 0, result.output
    assert (root / "build" / "2024-1-a.proof.pdf").is_file()

    result = runner.invoke(main, ["build", "--format", "pdf", "--target", "print,galley"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "--target: unknown target 'galley' (the styles of this run declare print, screen, "
        "draft, proof)"
    ]
    assert not (root / "build" / "2024-1-a.pdf").exists(), "a usage error builds nothing"


def test_boxes_are_the_styles_and_their_names_ignore_case(tmp_path: Path) -> None:
    shutil.copytree(STYLES, tmp_path / "styles")
    (tmp_path / "styles" / "memo").mkdir()
    (tmp_path / "styles" / "memo" / "style.yaml").write_text(
        "extends: csds\nname: Memo\n"
        "boxes:\n"
        "  warning: {element: div, class: box warning, epub_type: sidebar, label: warning}\n"
        "  pullquote: null\n"
        "labels:\n  en:\n    warning: Beware\n",
        encoding="utf-8",
    )
    style = load_style("memo", tmp_path / "styles")
    assert [box.name for box in style.boxes] == ["recommendations", "box", "warning"]
    md = create_parser(boxes=style.boxes)
    html = render_body(md, "::: Warning\nMind the gap.\n:::\n", {"labels": style.labels_for("en")})
    assert html == (
        '<div class="box warning" epub:type="sidebar">\n'
        '<h3 class="box-title">Beware</h3>\n<p>Mind the gap.</p>\n</div>\n'
    )
    body = "::: RECOMMENDATIONS\n- Act.\n:::\n\n::: pullquote\nQuoted.\n:::\n"
    report = check_body(tmp_path / "x.md", body, 10, style.boxes)
    assert [str(p) for p in report.problems] == [
        f"{tmp_path / 'x.md'}:14: box: unknown box 'pullquote' "
        "(use one of: recommendations, box, warning)"
    ]


def test_a_box_heading_needs_a_declared_label(tmp_path: Path) -> None:
    shutil.copytree(STYLES, tmp_path / "styles")
    (tmp_path / "styles" / "memo").mkdir()
    (tmp_path / "styles" / "memo" / "style.yaml").write_text(
        "extends: csds\nboxes:\n  aside: {label: asides}\n", encoding="utf-8"
    )
    with pytest.raises(StyleError, match=r"style.yaml:3: boxes: aside: label 'asides' is not in"):
        load_style("memo", tmp_path / "styles")


def test_a_palette_screen_value_is_checked(tmp_path: Path) -> None:
    shutil.copytree(STYLES, tmp_path / "styles")
    (tmp_path / "styles" / "memo").mkdir()
    (tmp_path / "styles" / "memo" / "style.yaml").write_text(
        'extends: csds\npalette:\n  accent: {cmyk: [90, 57, 0, 51], screen: "navy"}\n',
        encoding="utf-8",
    )
    expected = r'style\.yaml:3: palette: accent: screen: expected "#rrggbb", got "navy"'
    with pytest.raises(StyleError, match=expected):
        load_style("memo", tmp_path / "styles")


def test_a_style_has_no_theme_any_more(tmp_path: Path) -> None:
    """Colours are the palette's only: a leftover ``theme:`` is an unknown field."""
    shutil.copytree(STYLES, tmp_path / "styles")
    (tmp_path / "styles" / "memo").mkdir()
    (tmp_path / "styles" / "memo" / "style.yaml").write_text(
        'extends: csds\ntheme:\n  accent: "#123c69"\n', encoding="utf-8"
    )
    with pytest.raises(StyleError, match=r"style\.yaml:2: theme"):
        load_style("memo", tmp_path / "styles")


def test_the_epub_cover_is_drawn_in_the_styles_palette() -> None:
    brief = load_brief(
        REPO / "source" / "spotlight" / "2024-7-undersea-cables.md",
        load_series(REPO / "source" / "spotlight" / "series.yaml"),
        ("lead",),
    )
    spotlight, house = load_style("spotlight", STYLES), load_style("csds", STYLES)
    own = screen_colours(spotlight.palette)
    svg = cover_svg(brief, spotlight, "MASTHEAD", "By A").decode()
    ET.fromstring(svg.encode())  # well-formed XML, the declaration first
    assert "font-family=\"'IBM Plex Sans', sans-serif\"" in svg
    assert f'<rect width="800" height="1200" fill="{own["paper"]}"/>' in svg
    assert f'fill="{own["accent"]}"' in svg and f'fill="{own["ink"]}"' in svg
    # A style with no second accent closes the cover in its accent; the house's are absent.
    assert f'<rect x="0" y="1176" width="800" height="24" fill="{own["accent"]}"/>' in svg
    theirs = screen_colours(house.palette)
    # Both muted greys are the same K tint (small text in one ink): not a house colour.
    for name in ("accent", "accent-warm"):
        assert theirs[name] not in svg
    assert "Source Sans" not in svg


def test_a_brand_screen_value_is_used_on_screens_and_never_on_press() -> None:
    korea = load_style("csds-korea", STYLES)
    assert korea.palette["accent-warm"].screen == (0xC8, 0x10, 0x2E)
    assert screen_colours(korea.palette)["accent-warm"] == "#c8102e"
    assert "--accent-warm: #c8102e;" in korea.palette_css("rgb")
    assert "--accent-warm: device-cmyk(0 0.99 0.75 0.16);" in korea.palette_css("cmyk")


def test_draft_note_words_are_the_styles(tmp_path: Path) -> None:
    series = load_series(REPO / "source" / "series.yaml")
    path = tmp_path / "2024-1-a.md"  # outside any git work tree: no commit to name
    path.write_text(BRIEF_TEMPLATE.format(number=1), encoding="utf-8")
    brief = load_brief(path, series)
    today = dt.date.today().isoformat()
    house = load_style("csds", STYLES).labels_for("en")
    assert draft_note(brief, house) == f"Draft of {today}"
    assert draft_note(brief, {"draft_note": "Brouillon du {date}"}) == f"Brouillon du {today}"


def test_new_writes_each_styles_skeleton_and_it_validates(make_project: MakeProject) -> None:
    root = make_project()
    folder = root / "source" / "spotlight"
    folder.mkdir()
    shutil.copy(REPO / "source" / "spotlight" / "series.yaml", folder / "series.yaml")
    for series_folder, required in ((folder, "lead"), (root / "source", "key_issues")):
        result = CliRunner().invoke(
            main,
            ["new", "--title", "Cables", "--author", "A", "--date", "2024-05-02",
             "--series", str(series_folder.relative_to(root))],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        path = root / result.output.strip()
        series = load_series(series_folder / "series.yaml")
        style = load_style(series.style, root / "styles")
        assert required in style.requires
        brief = load_brief(path, series, style.requires, style.boxes)  # raises if invalid
        assert brief.status == "draft" and brief.body.lstrip().startswith("## Introduction")
        assert (required == "lead") == bool(brief.lead)
