"""Style stage, declared data: boxes, the theme of the cover and catalogue, the `new` skeleton.

Each reader takes what the parent style declared and what this style's
``style.yaml`` says, so a child style changes one box or one colour and inherits
the rest. Nothing here has a default look: every value comes from a style.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..markdown.boxes import BoxSpec
from ..source.schema import Values

#: The colours of a theme; each is ``#rrggbb``.
THEME_COLOURS = ("paper", "ink", "muted", "accent", "highlight", "rule")
_HEX = re.compile(r"^#[0-9a-f]{6}$")


@dataclass(frozen=True)
class Theme:
    """What no stylesheet draws, the EPUB cover and the catalogue page, is drawn in these."""

    #: Font family names, preferred first; the first should be one the style ships.
    fonts: tuple[str, ...]
    paper: str
    ink: str
    muted: str
    accent: str
    #: A second tone (the cover's lower band).
    highlight: str
    rule: str


@dataclass(frozen=True)
class Skeleton:
    """What ``briefpress new`` writes after number, date, title and authors."""

    front: dict[str, Any] = field(default_factory=dict)
    body: str = ""


def read_boxes(
    given: Mapping[str, Mapping[str, Any] | None], inherited: tuple[BoxSpec, ...]
) -> tuple[BoxSpec, ...]:
    """The parent's boxes, changed or added to by this style; ``name: null`` drops one.

    ``given`` is ``boxes:`` as `schema.BOX_SCHEMA` read it: every key typed, defaults in.
    """
    boxes = {box.name: box for box in inherited}
    for name, value in given.items():
        key = str(name).lower()
        if value is None:
            boxes.pop(key, None)
            continue
        boxes[key] = BoxSpec(
            name=key,
            element=str(value["element"]),
            css_class=str(value["class"]),
            epub_type=str(value["epub_type"]),
            label=value["label"],
            titled=bool(value["titled"]),
        )
    return tuple(boxes.values())


def check_box_labels(
    values: Values, boxes: tuple[BoxSpec, ...], labels: Mapping[str, Mapping[str, str]]
) -> None:
    """A box headed by a label needs that label in the style's first language (the fallback)."""
    default = next(iter(labels.values()), {})
    for box in boxes:
        if box.label and box.label not in default:
            message = f"{box.name}: label '{box.label}' is not in labels"
            values.fail("boxes", message, f"boxes.{box.name}")


def read_theme(values: Values, inherited: Theme | None) -> Theme | None:
    """The parent's theme with this style's values over it; every colour must end up given.

    ``theme:`` is on its way out (its colours go into ``palette:``): read as it was.
    """
    given = values["theme"] or {}
    if not given:
        return inherited
    merged: dict[str, Any] = {**(asdict(inherited) if inherited else {}), **given}
    unknown = sorted(str(k) for k in given if k not in ("fonts", *THEME_COLOURS))
    missing = [k for k in ("fonts", *THEME_COLOURS) if k not in merged]
    if unknown or missing:
        what = f"unknown key {unknown[0]}" if unknown else f"{', '.join(missing)} missing"
        values.fail("theme", f"{what} (give fonts and {', '.join(THEME_COLOURS)})")
        return inherited
    fonts = merged["fonts"]
    if not isinstance(fonts, (str, list, tuple)):
        values.fail("theme", "fonts: expected a list of family names", "theme.fonts")
        fonts = ()
    fonts = (fonts,) if isinstance(fonts, str) else tuple(str(f) for f in fonts)
    colours = {key: str(merged[key]).lower() for key in THEME_COLOURS}
    for key, colour in colours.items():
        if not _HEX.match(colour):
            message = f'{key}: expected a colour like "#123abc", got "{colour}"'
            values.fail("theme", message, f"theme.{key}")
    return Theme(fonts=fonts, **colours)


def read_skeleton(given: Mapping[str, Any] | None, inherited: Skeleton | None) -> Skeleton:
    """``skeleton: {front: {...}, body: "..."}``; what is not given comes from the parent."""
    base = inherited or Skeleton()
    given = given or {}
    front = given.get("front")
    body = given.get("body")
    return Skeleton(
        front=dict(base.front if front is None else front),
        body=base.body if body is None else str(body),
    )
