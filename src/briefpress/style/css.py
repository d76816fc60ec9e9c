"""Style stage, stylesheets: what a style's CSS may name, checked when the style is loaded.

Two promises of a style are held here, at build time, with the stylesheet's
line: each colour is written once, in ``palette:`` (a stylesheet or template
that writes a hex colour or ``rgb(…)`` is an error: a new style copied from a
house style would carry its colours without anyone seeing them), and every file
a stylesheet names with ``url(…)`` is shipped with the outputs that use it (an
EPUB whose CSS names a missing file is invalid, RSC-007). The XHTML folder, the
EPUB and the web pages copy those files under `BRAND`, with the URLs rewritten
to them; print reads them from the style folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import Problem

#: Where outputs carry the style's files (and the logo): ``brand/<style>/<path>``.
BRAND = "brand"
#: Colour keywords that are no house's identity: a screen or web stylesheet may write these.
#: On press white is no ink and black is four: a print stylesheet names palette colours.
NEUTRAL_KEYWORDS = frozenset({"white", "black", "transparent", "currentcolor"})
PRINT_KEYWORDS = frozenset({"transparent", "currentcolor"})
#: CSS colour functions tinycss2's CSS Color 3 reader does not know.
COLOUR_FUNCTIONS = frozenset(
    {"rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color",
     "device-cmyk", "color-mix"}
)  # fmt: skip
#: What a stylesheet may name with ``url()``: images (fonts are declared in ``fonts:``).
ASSET_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")
_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_IMPORT = re.compile(r"@import\b", re.IGNORECASE)
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
#: A colour attribute of a template (SVG covers), or an inline style.
_TEMPLATE_COLOUR = re.compile(
    r"""\b(?:fill|stroke|stop-color|flood-color|lighting-color|color|bgcolor|style)\s*=\s*"""
    r"""(["'])([^"']*)\1""",
    re.IGNORECASE,
)
_HEX = re.compile(r"(?<![&\w])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})\b")
_PALETTE_FIX = "declare it once in style.yaml palette: (name: [c, m, y, k]) and write var(--name)"


@dataclass(frozen=True)
class Asset:
    """A file a stylesheet names: where it is, and its name in an output."""

    source: Path
    name: str


def _blank_comments(text: str) -> str:
    """Comments as spaces, newlines kept: a URL in a comment names nothing, lines stay right."""
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# Colours ------------------------------------------------------------------------


def colour_literals(path: Path, allowed: frozenset[str] = NEUTRAL_KEYWORDS) -> list[Problem]:
    """Every colour a stylesheet writes itself, at its line (the ``allowed`` keywords aside)."""
    import tinycss2

    text = path.read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    return [
        Problem(path, line, "colour", f"{written} is a colour literal: {_PALETTE_FIX}")
        for line, written in _in_rules(rules, allowed)
    ]


def _in_rules(rules: Iterable[object], allowed: frozenset[str]) -> list[tuple[int, str]]:
    import tinycss2

    found: list[tuple[int, str]] = []
    for rule in rules:
        content = getattr(rule, "content", None)
        if getattr(rule, "type", "") == "at-rule" and getattr(rule, "lower_at_keyword", "") in (
            "media", "supports", "document", "layer", "container",
        ):  # fmt: skip
            if content:
                found += _in_rules(
                    tinycss2.parse_rule_list(content, skip_comments=True, skip_whitespace=True),
                    allowed,
                )
            continue
        if content is None:
            continue
        # Declarations, and nested rules (@page's margin boxes, nested CSS).
        items = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
        for item in items:
            if item.type == "declaration":
                if item.lower_name != "font-family":  # a family may be called "Navy"
                    found += _in_values(item.value, allowed)
            elif item.type in ("qualified-rule", "at-rule"):
                found += _in_rules([item], allowed)
    return found


def _in_values(tokens: Iterable[object], allowed: frozenset[str]) -> list[tuple[int, str]]:
    from tinycss2 import serialize
    from tinycss2.color3 import parse_color

    found: list[tuple[int, str]] = []
    for token in tokens:
        kind = getattr(token, "type", "")
        line = int(getattr(token, "source_line", 0))
        if kind == "function" and getattr(token, "lower_name", "") in COLOUR_FUNCTIONS:
            found.append((line, serialize([token])))
            continue
        if kind in ("hash", "ident"):
            colour = parse_color(token)
            name = str(getattr(token, "lower_value", "")) if kind == "ident" else ""
            if colour is not None and name not in allowed:
                found.append((line, serialize([token])))
            continue
        arguments = getattr(token, "arguments", None) or getattr(token, "content", None)
        if isinstance(arguments, list):  # var(--x, fallback), a () block
            found += _in_values(arguments, allowed)
    return found


def template_colours(path: Path) -> list[Problem]:
    """Colours a template writes in an attribute (an SVG cover's ``fill="#…"``, ``style=``)."""
    text = path.read_text(encoding="utf-8")
    problems = []
    for match in _TEMPLATE_COLOUR.finditer(text):
        value = match[2]
        written = _HEX.search(value) or re.search(r"\b(?:rgba?|hsla?)\(", value)
        if written:
            problems.append(
                Problem(
                    path,
                    _line(text, match.start()),
                    "colour",
                    f"{written[0].rstrip('(')} is a colour literal: {_PALETTE_FIX}; "
                    "a template reads colours[name]",
                )
            )
    return problems


# Files a stylesheet names -------------------------------------------------------


def _target(written: str, css: Path, folders: tuple[Path, ...]) -> tuple[Path | None, str | None]:
    """The file a ``url()`` names, or why it cannot be shipped (None, None: nothing to ship)."""
    if not written or written.startswith("#"):
        return None, None  # url(#gradient): a fragment of the document itself
    scheme = urlsplit(written).scheme.lower()
    if scheme == "data":
        return None, None
    if scheme or written.startswith("//"):
        return None, (
            f"url({written}): a stylesheet names files of the style folder only "
            "(an EPUB may not fetch from the network): copy it into the style folder"
        )
    relative = unquote(urlsplit(written).path)
    if relative.startswith("/"):
        return None, f"url({written}): absolute paths are refused; name it relative to {css.name}"
    target = (css.parent / relative).resolve()
    home = next((f for f in folders if f.resolve() in target.parents), None)
    if home is None:
        return None, f"url({written}): outside the style folder {folders[0]}"
    if not target.is_file():
        where = (css.parent / relative).parent
        return None, (
            f"url({written}): {target.name} not found in {where} (every output carries "
            "the files its CSS names: add the file, or remove the url())"
        )
    if target.suffix.lower() not in ASSET_SUFFIXES:
        return None, (
            f"url({written}): a stylesheet may name images only ({', '.join(ASSET_SUFFIXES)}); "
            "fonts are declared under fonts: in style.yaml"
        )
    return target, None


def css_assets(path: Path, folders: tuple[Path, ...]) -> tuple[list[Asset], list[Problem]]:
    """The files a stylesheet names, as shipped, and what it names that cannot be shipped."""
    text = _blank_comments(path.read_text(encoding="utf-8"))
    assets: list[Asset] = []
    problems: list[Problem] = []
    for match in _IMPORT.finditer(text):
        problems.append(
            Problem(
                path,
                _line(text, match.start()),
                "url",
                "@import is not followed into the EPUB or the web pages: "
                "list the file under stylesheets: in style.yaml instead",
            )
        )
    for match in _URL.finditer(text):
        written = next(g for g in match.groups() if g is not None)
        target, problem = _target(written, path, folders)
        if problem:
            problems.append(Problem(path, _line(text, match.start()), "url", problem))
        elif target is not None:
            assets.append(Asset(target, shipped_name(target, folders)))
    return assets, problems


def shipped_name(target: Path, folders: tuple[Path, ...]) -> str:
    """``brand/<style>/<path in its folder>``: one name per file, whichever sheet names it."""
    resolved = target.resolve()
    for folder in folders:
        root = folder.resolve()
        if root in resolved.parents:
            return f"{BRAND}/{folder.name}/{resolved.relative_to(root).as_posix()}"
    raise ValueError(f"{target} is outside the style folders")


def shipped_css(path: Path, folders: tuple[Path, ...]) -> tuple[str, dict[str, Path]]:
    """A stylesheet as an output carries it beside its files: each ``url()`` → `BRAND`.

    ``folders`` are the style's; the loader has already refused what cannot be
    shipped, so what is left here is found.
    """
    text = path.read_text(encoding="utf-8")
    blanked = _blank_comments(text)
    files: dict[str, Path] = {}
    pieces: list[str] = []
    end = 0
    for match in _URL.finditer(blanked):
        written = next(g for g in match.groups() if g is not None)
        target, problem = _target(written, path, folders)
        if target is None or problem:
            continue
        name = shipped_name(target, folders)
        files[name] = target
        pieces += [text[end : match.start()], f'url("{name}")']
        end = match.end()
    pieces.append(text[end:])
    return "".join(pieces), files


def style_problems(
    stylesheets: Iterable[Path],
    templates: Iterable[Path],
    folders: tuple[Path, ...],
    printed: Iterable[Path] = (),
) -> list[Problem]:
    """Colour literals and unshippable ``url()``s of a style's own files; ``printed``
    are the print stylesheets (no white or black keyword either)."""
    problems: list[Problem] = []
    on_press = set(printed)
    for path in dict.fromkeys([*stylesheets, *on_press]):
        if not path.is_file():
            continue
        problems += colour_literals(path, PRINT_KEYWORDS if path in on_press else NEUTRAL_KEYWORDS)
        problems += css_assets(path, folders)[1]
    for path in templates:
        problems += template_colours(path)
    return problems
