"""Style stage, loading: ``styles/<name>/style.yaml`` and its parents into a `Style`.

A style is ``styles/<name>/style.yaml`` plus templates and stylesheets beside it.
Python never names a style: everything a series looks like is declared there,
read through `schema.STYLE_SCHEMA`. `load_style` is the one way in: ``new``,
``build`` and ``check`` all take a style from it, so a style one of them
accepts is one every one of them accepts. Every problem is reported at its
line, as ``styles/<name>/style.yaml:<line>: <key>: …``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import Problem, StyleError
from ..source import check_logo, read_yaml_file
from ..source.schema import Values
from .css import style_problems
from .data import check_box_labels, read_boxes, read_skeleton
from .fonts import FontFace
from .fontstack import read_fonts
from .model import Inks, Style, Target
from .palette import read_palette
from .paths import STYLE_NAME, inside, outside_templates
from .schema import STYLE_SCHEMA, TARGET_SCHEMA, unknown_rule

STYLE_FILE = "style.yaml"
#: Every key a style.yaml may hold (declared, with its meaning, in `schema`).
STYLE_FIELDS = tuple(STYLE_SCHEMA.options)

__all__ = ["STYLE_FIELDS", "STYLE_FILE", "Style", "StyleError", "Target", "load_style"]


def load_style(name: str, styles_root: Path, _children: tuple[str, ...] = ()) -> Style:
    """Load ``styles/<name>``; with ``extends``, what it does not give comes from its parent.

    Raises `StyleError` carrying every problem of the file, each at its line.
    """
    if not STYLE_NAME.match(name):
        raise StyleError(f"style '{name}': a style is a folder name under {styles_root}")
    folder = styles_root / name
    path = folder / STYLE_FILE
    if not path.is_file():
        raise StyleError(f"style '{name}': {path} not found")
    values = STYLE_SCHEMA.read_document(read_yaml_file(path))
    parent = _load_parent(values, styles_root, (*_children, name))
    style = _Reading(values, folder, parent).style(used=not _children)
    problems = values.sorted_problems()
    if problems:
        raise StyleError(str(problems[0]), problems)
    return style


def _load_parent(values: Values, styles_root: Path, chain: tuple[str, ...]) -> Style | None:
    name = values["extends"]
    if name is None:
        return None
    where = f"{values.raw.path}:{values.raw.line_of('extends')}: extends"
    if name in chain:
        raise StyleError(
            f"{where}: styles extend each other in a circle ({' → '.join([*chain, name])})"
        )
    if not (styles_root / name / STYLE_FILE).is_file():
        raise StyleError(f"{where}: parent style '{name}' not found in {styles_root}")
    return load_style(name, styles_root, chain)


class _Reading:
    """One style.yaml, read over its parent: each key merged, each file found."""

    def __init__(self, values: Values, folder: Path, parent: Style | None) -> None:
        self.values = values
        self.folder = folder
        self.parent = parent
        self.folders = (folder, *(parent.folders if parent else ()))

    def style(self, used: bool) -> Style:
        values, parent = self.values, self.parent
        style = Style(
            name=values["name"] or (parent.name if parent else self.folder.name),
            folder=self.folder,
            templates={**(parent.templates if parent else {}), **self.templates()},
            stylesheets={**(parent.stylesheets if parent else {}), **self.stylesheets()},
            fonts=self.fonts(used),
            labels=_merge_labels(parent.labels if parent else {}, values["labels"] or {}),
            requires=tuple(values["requires"] or (parent.requires if parent else ())),
            quotes={**(parent.quotes if parent else {}), **self.quotes()},
            rules={**(parent.rules if parent else {}), **self.rules()},
            targets=self.targets(),
            folders=self.folders,
            parents=(*((parent.folder.name, *parent.parents) if parent else ()),),
            boxes=read_boxes(values["boxes"] or {}, parent.boxes if parent else ()),
            skeleton=read_skeleton(values["skeleton"], parent.skeleton if parent else None),
            palette={**(parent.palette if parent else {}), **self.palette()},
            logo=self.logo(),
            page_makeup={
                **(parent.page_makeup if parent else {}),
                **_given(values.raw.data.get("page_makeup")),
            },
            lint={**(parent.lint if parent else {}), **_given(values.raw.data.get("lint"))},
            brief_page={
                **(parent.brief_page if parent else {}),
                **_given(values.raw.data.get("brief_page")),
            },
        )
        check_box_labels(values, style.boxes, style.labels)
        self.values.problems.extend(self.own_file_problems(style))
        for key in ("templates", "stylesheets"):
            if not getattr(style, key):
                values.fail(key, "required field is missing")
        return style

    def logo(self) -> Path | None:
        """``logo:``, a file of this style's folder; else the parent's."""
        written = self.values["logo"]
        if not written:
            return self.parent.logo if self.parent else None
        logo, problem = check_logo(written, self.folder)
        if problem:
            self.values.fail("logo", problem)
        return logo

    def own_file_problems(self, style: Style) -> list[Problem]:
        """Colour literals and unshippable ``url()``s in this folder's stylesheets and templates.

        A parent's files were checked when it was loaded.
        """
        root = self.folder.resolve()
        printed = [
            *style.stylesheets.get("print", ()),
            *(p for target in style.targets.values() for p in target.stylesheets),
        ]
        sheets = [
            *(p for kind, paths in style.stylesheets.items() if kind != "print" for p in paths),
            self.folder / "web" / "web.css",
        ]

        def own(paths: list[Path]) -> list[Path]:
            return [p for p in paths if p.is_file() and root in p.resolve().parents]

        # A template that leads outside the folder is refused where it is used; not read here.
        templates = [
            p for p in sorted((self.folder / "templates").rglob("*.j2")) if inside(p, self.folder)
        ]
        folders = style.folders or (self.folder,)
        return style_problems(own(sheets), templates, folders, own(printed))

    def resolve(self, name: str, line_key: str, key: str) -> Path:
        """A file named by the style: this folder first, then the parents'."""
        for candidate in self.folders:
            if (candidate / name).is_file():
                if not inside(candidate / name, candidate):
                    message = f"{name} is outside the style folder {candidate}"
                    self.values.fail(key, message, line_key)
                return candidate / name
        where = " or ".join(str(f) for f in self.folders)
        self.values.fail(key, f"{name} not found in {where}", line_key)
        return self.folder / name

    def templates(self) -> dict[str, str]:
        templates: dict[str, str] = dict(self.values["templates"] or {})
        for outside in outside_templates(templates.values(), self.folders):
            self.values.fail("templates", outside)
        return templates

    def stylesheets(self) -> dict[str, tuple[Path, ...]]:
        return {
            target: tuple(
                self.resolve(css, f"stylesheets.{target}.{index}", "stylesheets")
                for index, css in enumerate(files)
            )
            for target, files in (self.values["stylesheets"] or {}).items()
        }

    def fonts(self, used: bool) -> tuple[FontFace, ...]:
        # A style that is only ever extended (the neutral one) may leave the fonts to its children.
        entries = self.values["fonts"]
        if entries is None:
            if used and not (self.parent and self.parent.fonts):
                self.values.fail("fonts", "a style must declare at least one font")
            return self.parent.fonts if self.parent else ()
        problems = [(i, _font_entry_problem(entry)) for i, entry in enumerate(entries)]
        for index, problem in problems:
            if problem:
                self.values.fail("fonts", f"font {index + 1}: {problem}", f"fonts.{index}")
        if any(problem for _index, problem in problems):
            return ()
        faces, missing = read_fonts(entries, self.folder)
        for index, message in missing:
            self.values.fail("fonts", message, f"fonts.{index}")
        if not faces:
            self.values.fail("fonts", "a style must declare at least one font")
        return faces

    def quotes(self) -> dict[str, str | list[str]]:
        quotes = self.values["quotes"] or {}
        return {lang: q if isinstance(q, str) else list(q) for lang, q in quotes.items()}

    def rules(self) -> dict[str, dict[str, Any]]:
        rules: dict[str, dict[str, Any]] = {}
        for rule_id, params in (self.values["rules"] or {}).items():
            given = {k: v for k, v in (params or {}).items() if v is not None}
            problem = unknown_rule(rule_id, given)
            if problem:
                self.values.fail("rules", f"{rule_id}: {problem}", f"rules.{rule_id}")
            rules[rule_id] = given
        return rules

    def targets(self) -> dict[str, Target]:
        # A style without targets still prints; a child adds to its parent's.
        targets = dict(self.parent.targets) if self.parent else {"print": Target("print")}
        for name, value in (self.values["targets"] or {}).items():
            value = value or {}
            sheets = tuple(
                self.resolve(css, f"targets.{name}.stylesheets.{index}", "targets")
                for index, css in enumerate(value.get("stylesheets") or ())
            )
            targets[name] = Target(
                name=name,
                stylesheets=sheets,
                variant=value.get("variant"),
                suffix="" if name == "print" else f".{name}",
                dated=bool(value.get("dated")),
                colour=value.get("colour") or "rgb",
                bleed=value.get("bleed"),
                marks=value.get("marks") == "crop",
                inks=Inks(
                    **{k: float(v) for k, v in (value.get("inks") or {}).items() if v is not None}
                ),
                min_ppi=float(value.get("min_ppi") or TARGET_SCHEMA.options["min_ppi"].default),
            )
        return targets

    def palette(self) -> dict[str, Any]:
        # The shapes were checked by the schema; what a colour means is `palette.read_palette`'s.
        given = self.values.raw.data.get("palette")
        if not isinstance(given, Mapping) or any(
            p.field == "palette" for p in self.values.problems
        ):
            return {}
        try:
            return dict(read_palette(given))
        except (ValueError, TypeError) as exc:
            self.values.fail("palette", str(exc))
            return {}


def _font_entry_problem(entry: Mapping[str, Any]) -> str | None:
    """One source per entry, and a family name for a file."""
    sources = [key for key in ("fontpkg", "package", "file") if entry.get(key)]
    if not sources:
        return "give fontpkg (a font package), package and file, or file"
    if entry.get("fontpkg") and len(sources) > 1:
        return f"fontpkg and {sources[1]}: give one"
    if entry.get("package") and not entry.get("file"):
        return "package: name the font file in it (file:)"
    if not entry.get("fontpkg") and not entry.get("family"):
        return "family: required with file (the name CSS uses)"
    return None


def _given(value: Any) -> dict[str, Any]:
    """A mapping as the file wrote it (the schema checked it), for settings read later."""
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _merge_labels(
    parent: dict[str, dict[str, str]], child: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    merged = {lang: dict(words) for lang, words in parent.items()}
    for lang, words in child.items():
        merged.setdefault(lang, {}).update(words)
    return merged
