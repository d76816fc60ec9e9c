"""A style is data: no colour, word or typeface of a house style is written in src/.

Each colour is written once, in a style's ``palette:``; everything else (print
CSS, screen RGB, the web's dark scheme, the EPUB cover, the preview) is derived
from it. These tests collect what the house styles in ``styles/`` declare, as
every form it reaches an output in, and search the Python sources for it.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import tokenize
from pathlib import Path

import pytest

from briefpress.style.loader import Style, load_style
from briefpress.style.palette import read_palette, screen_colours
from briefpress.style.schemes import dark_colours, hex_rgb

from .conftest import REPO

STYLES = REPO / "styles"
SOURCES = sorted((REPO / "src").rglob("*.py"))
#: A hex colour, not an HTML character reference (``&#123;``) or part of a word.
HEX = re.compile(r"(?<![&\w])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
RGB_FUNCTION = re.compile(r"rgba?\(\s*(\d{1,3})[\s,]+(\d{1,3})[\s,]+(\d{1,3})")
#: CSS colour keywords a house style might use by name (white and black belong to no house).
NAMED = re.compile(
    r"\b(?:navy|teal|maroon|crimson|darkred|firebrick|goldenrod|darkgoldenrod|"
    r"steelblue|midnightblue|darkslategr[ae]y|slategr[ae]y|tomato|orange|orangered|"
    r"seagreen|darkgreen|indigo|purple|burlywood|wheat|linen|ivory|beige)\b",
    re.IGNORECASE,
)


def _house_styles() -> list[Style]:
    names = sorted(p.parent.name for p in STYLES.glob("*/style.yaml"))
    assert {"base", "csds", "csds-korea", "spotlight"} <= set(names)
    # The neutral style is complete only as a parent: its palette is read from its file.
    return [load_style(name, STYLES) for name in names if name != "base"]


def _expand(colour: str) -> str:
    colour = colour.lower()
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour[:7]


def house_colours() -> set[str]:
    """Every colour a house style shows, as #rrggbb: its CSS, and its palette light and dark."""
    colours: set[str] = set()
    for path in STYLES.rglob("*"):
        if path.suffix in (".css", ".j2"):
            colours |= {_expand(c) for c in HEX.findall(path.read_text(encoding="utf-8"))}
    for style in _house_styles():
        light = screen_colours(style.palette)
        colours |= set(light.values()) | set(dark_colours(light).values())
        colours |= {hex_rgb(c.screen) for c in style.palette.values() if c.screen}
    # White and black belong to no house: they are not an identity to leak.
    return colours - {"#ffffff", "#000000"}


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a Python file (f-string parts too) with their lines; no docstrings.

    A docstring may say what a house style does; a literal is what the code writes.
    """
    text = path.read_text(encoding="utf-8")
    documented = {
        node.body[0].lineno
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
        and isinstance(node.body[0].value.value, str)
    }
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        kinds = (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1))
        if token.type in kinds and token.start[0] not in documented:
            found.append((token.start[0], token.string))
    return found


def test_src_writes_no_hex_colour_at_all() -> None:
    """Not even a neutral one: a colour in Python is a colour no style can change."""
    found = [
        f"{path.relative_to(REPO)}:{number}: {match}"
        for path in SOURCES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in HEX.findall(line)
    ]
    assert not found, found


def test_no_house_colour_is_written_in_src_in_any_form() -> None:
    colours = house_colours()
    assert len(colours) > 20, "the collection sees the house styles' colours"
    channels = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)): c for c in colours}
    found = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        lowered = text.lower()
        found += [f"{path.name}: {c}" for c in colours if c in lowered or f"0x{c[1:]}" in lowered]
        for match in RGB_FUNCTION.finditer(text):
            rgb = tuple(int(v) for v in match.groups())
            if rgb in channels:
                found.append(f"{path.name}: {match[0]} ({channels[rgb]})")
        for rgb, colour in channels.items():
            # A bare triple, (18, 60, 105) or 0x12, 0x3C, 0x69, is a colour too.
            decimal = r"\(\s*" + r"\s*,\s*".join(str(v) for v in rgb) + r"\s*[,)]"
            hexa = r",\s*".join(f"0x{v:02x}" for v in rgb)
            if re.search(decimal, text) or re.search(hexa, text, re.IGNORECASE):
                found.append(f"{path.name}: {rgb} ({colour})")
        found += [
            f"{path.name}:{number}: {NAMED.search(string)[0]}"  # type: ignore[index]
            for number, string in _strings(path)
            if NAMED.search(string)
        ]
    assert not found, found


def test_no_house_typeface_or_word_is_written_in_src() -> None:
    styles = _house_styles()
    families = {face.family for style in styles for face in style.fonts}
    assert {"Source Serif 4", "IBM Plex Sans"} <= families
    # Words: every label of more than one word (one-word labels, "Page", "Notes",
    # are also ordinary identifiers and messages), in every language.
    words = {
        text
        for style in styles
        for labels in style.labels.values()
        for text in labels.values()
        if len(text.split()) > 1 and "{" not in text
    }
    assert "How to cite this brief" in words and "Skip to the text" in words
    found = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {family}" for family in families if family in text]
        found += [
            f"{path.name}:{number}: {word!r}"
            for number, string in _strings(path)
            for word in words
            if word in string
        ]
    assert not found, found


@pytest.mark.parametrize(
    ("entry", "screen"),
    [([90, 57, 0, 51], None), ({"cmyk": [0, 99, 75, 16], "screen": "#c8102e"}, "#c8102e")],
)
def test_a_palette_entry_is_written_once_in_either_form(entry: object, screen: str | None) -> None:
    palette = read_palette({"accent": entry, "paper": [0, 0, 0, 0]})
    light = screen_colours(palette)
    assert light["paper"] == "#ffffff"
    assert light["accent"] == (screen or light["accent"])
    dark = dark_colours(light)
    assert set(dark) == set(light)
    # A dark ground, and the accent on it as legible as text on paper (WCAG AA).
    assert _luminance(dark["paper"]) < 0.03
    assert _contrast(dark["accent"], dark["paper"]) >= 4.5


def _contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG), 0 black to 1 white."""
    values = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        values.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * values[0] + 0.7152 * values[1] + 0.0722 * values[2]


def test_every_shipped_stylesheet_and_template_writes_colours_only_through_the_palette() -> None:
    """The product's own check (run whenever a style loads), over every file of styles/."""
    from briefpress.style.css import colour_literals, template_colours

    sheets = sorted(STYLES.rglob("*.css"))
    templates = sorted(STYLES.rglob("*.j2"))
    assert len(sheets) > 10 and len(templates) > 5
    found = [str(p) for path in sheets for p in colour_literals(path)]
    found += [str(p) for path in templates for p in template_colours(path)]
    assert found == []


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("color: #d9661f;", "#d9661f"),
        ("color: rgba(217, 102, 31, 0.22);", "rgba(217, 102, 31, 0.22)"),
        ("border: 1pt solid navy;", "navy"),
        ("background: var(--tint, #eee);", "#eee"),
        ("color: device-cmyk(0 0.65 0.91 0.12);", "device-cmyk(0 0.65 0.91 0.12)"),
    ],
)
def test_a_users_style_that_writes_a_colour_is_refused_at_its_line(
    tmp_path: Path, written: str, shown: str
) -> None:
    from briefpress.errors import StyleError

    styles = tmp_path / "styles"
    shutil.copytree(STYLES / "base", styles / "base")
    folder = styles / "mine"
    folder.mkdir()
    (folder / "style.yaml").write_text(
        "extends: base\nstylesheets: {print: [print.css]}\nfonts: [{fontpkg: IBM Plex Sans}]\n",
        encoding="utf-8",
    )
    (folder / "print.css").write_text(
        "/* color: #123456 in a comment is no colour */\n"
        "h1 { color: var(--accent); background: transparent; }\n"
        f"@media print {{ .draft {{ {written} }} }}\n",
        encoding="utf-8",
    )
    with pytest.raises(StyleError) as caught:
        load_style("mine", styles)
    assert [str(p) for p in caught.value.problems] == [
        f"{folder / 'print.css'}:3: colour: {shown} is a colour literal: declare it once in "
        "style.yaml palette: (name: [c, m, y, k]) and write var(--name)"
    ]


def test_white_and_black_are_neutral_on_screens_but_not_on_press(tmp_path: Path) -> None:
    """On press white is no ink and black four: a print stylesheet names palette colours."""
    from briefpress.errors import StyleError

    styles = tmp_path / "styles"
    shutil.copytree(STYLES / "base", styles / "base")
    folder = styles / "mine"
    folder.mkdir()
    (folder / "style.yaml").write_text(
        "extends: base\nstylesheets: {print: [print.css], screen: [screen.css]}\n"
        "fonts: [{fontpkg: IBM Plex Sans}]\n",
        encoding="utf-8",
    )
    (folder / "screen.css").write_text("figure img { background: white; }\n", encoding="utf-8")
    (folder / "print.css").write_text(".masthead { color: white; }\n", encoding="utf-8")
    with pytest.raises(StyleError) as caught:
        load_style("mine", styles)
    assert [f"{p.path.name}:{p.line}" for p in caught.value.problems] == ["print.css:1"]
    assert "white is a colour literal" in str(caught.value.problems[0])
