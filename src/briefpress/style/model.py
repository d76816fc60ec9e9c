"""Style stage, the model: a house style and its PDF targets, loaded, typed and frozen.

What the stages above know of ``styles/<name>/``; `loader.load_style` makes
these from a style.yaml and its parents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import StyleError
from ..markdown import BoxSpec
from .data import Skeleton
from .fonts import FontFace
from .palette import Colour, output_profile, palette_css
from .paths import template_environment


@dataclass(frozen=True)
class Inks:
    """A CMYK target's ink rules (style.yaml ``targets.<name>.inks``), for the preflight."""

    #: Text under this size (pt) prints in one ink.
    small_text_pt: float = 12.0
    #: Strokes thinner than this (pt) print in one ink.
    thin_rule_pt: float = 1.0
    #: Total area coverage limit, C+M+Y+K in percent.
    tac: float = 300.0
    #: A colour within this ΔE (CIE76) of K 100 is a near-black: K only.
    near_black_delta_e: float = 10.0
    #: An ink under this tint (%) is not counted; a tint in three or four inks is an error.
    min_dot: float = 5.0


@dataclass(frozen=True)
class Target:
    """A PDF target: extra stylesheets over the style's print CSS, and a PDF variant."""

    name: str
    stylesheets: tuple[Path, ...] = ()
    variant: str | None = None
    #: Output file suffix: ``<stem>.pdf`` for print, ``<stem>.<name>.pdf`` otherwise.
    suffix: str = ""
    #: Never byte-identical (draft copies carry the build date).
    dated: bool = False
    #: ``cmyk``: palette as ``device-cmyk()``, output profile, images converted,
    #: preflighted; ``rgb``: palette as RGB derived through the profile.
    colour: str = "rgb"
    #: Bleed around the trim (a CSS length, ``3mm``), and whether crop marks are drawn.
    bleed: str | None = None
    marks: bool = False
    inks: Inks = field(default_factory=Inks)
    #: A raster image placed at fewer pixels per inch than this gets a warning.
    min_ppi: float = 300.0


@dataclass(frozen=True)
class Style:
    """A house style, loaded: everything the stages above need to know of ``styles/<name>/``.

    A style is data (style.yaml, templates, CSS, fonts); Python never names one.
    With ``extends`` the style is searched first, then its parents, so a style
    keeps only what differs. Every path here was resolved inside a style folder
    or a declared font package when the style was loaded.
    """

    name: str
    folder: Path
    templates: dict[str, str]
    stylesheets: dict[str, tuple[Path, ...]]
    fonts: tuple[FontFace, ...]
    labels: dict[str, dict[str, str]]
    requires: tuple[str, ...]
    quotes: dict[str, str | list[str]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    #: Search path, this style first, then its parents (``extends``).
    folders: tuple[Path, ...] = ()
    #: Template loaders of the parents by name, for ``{% extends "parent/x.j2" %}``.
    parents: tuple[str, ...] = ()
    #: The ``::: name`` containers a brief may use, and how each renders.
    boxes: tuple[BoxSpec, ...] = ()
    skeleton: Skeleton = field(default_factory=Skeleton)
    #: Every colour of the style, once: CMYK percentages for print, and an optional
    #: screen value; the stylesheets use them as ``var(--name)``.
    palette: dict[str, Colour] = field(default_factory=dict)

    def palette_css(self, model: str, profile: Path | None = None) -> str:
        """The palette as ``:root`` custom properties, ``cmyk`` or ``rgb`` (via the profile)."""
        return palette_css(self.palette, model, profile)

    def output_profile(self, name: str | None = None) -> Path:
        """The print output profile: a file in the style's folders, or FOGRA39 by default."""
        return output_profile(self.folders or (self.folder,), name)

    #: Page makeup settings (layout/makeup.py reads and checks them).
    page_makeup: dict[str, Any] = field(default_factory=dict)
    #: The style's logo (``logo:``), a checked SVG or PNG; a series' own logo wins.
    logo: Path | None = None
    #: What lint warns about (``lint:`` in style.yaml: ``title_max``).
    lint: dict[str, Any] = field(default_factory=dict)
    #: The brief's web page and pictures, as style.yaml gives them (``brief_page_settings``).
    brief_page: dict[str, Any] = field(default_factory=dict)

    def brief_page_settings(self) -> dict[str, Any]:
        """``brief_page:`` with the declared defaults for what the style does not say."""
        from .schema import BRIEF_PAGE_SCHEMA

        defaults = {key: o.default for key, o in BRIEF_PAGE_SCHEMA.options.items()}
        return {**defaults, **self.brief_page}

    def target(self, name: str) -> Target:
        """The PDF target called ``name``; a StyleError naming the style's targets otherwise."""
        if name not in self.targets:
            raise StyleError(
                f"style '{self.name}' has no PDF target '{name}' "
                f"(it has: {', '.join(self.targets) or 'none'})"
            )
        return self.targets[name]

    @cached_property
    def jinja(self) -> Any:  # jinja2.Environment, imported on first use
        return template_environment(self.folders or (self.folder,), {})

    def labels_for(self, lang: str) -> dict[str, str]:
        """Labels in the brief's language, falling back to the first the style lists."""
        base = lang.split("-")[0].lower()
        default = next(iter(self.labels.values()), {})
        return {**default, **self.labels.get(base, {}), **self.labels.get(lang, {})}

    def quotes_for(self, lang: str) -> str | list[str]:
        """The typographic quotes of a language (by its primary subtag), English's by default."""
        return self.quotes.get(lang.split("-")[0].lower(), "“”‘’")

    def font_css(self, url_for: dict[Path, str] | None = None) -> str:
        """``@font-face`` rules for every declared font; URLs default to file URIs."""
        return "\n".join(face.css((url_for or {}).get(face.path)) for face in self.fonts)

    @property
    def readable_roots(self) -> tuple[Path, ...]:
        """What the renderer may read for this style: its folders and its font files."""
        return (*(self.folders or (self.folder,)), *(face.path for face in self.fonts))

    @property
    def files(self) -> list[Path]:
        """Every file the output depends on, for cache keys (parents' files too)."""
        folders = self.folders or (self.folder,)
        return sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())
