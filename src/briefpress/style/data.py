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

from ..markdown import BoxSpec
from ..source import FieldReader

#: What one ``boxes:`` entry may say.
BOX_FIELDS = ("element", "class", "epub_type", "label", "titled")
#: The colours of a theme; each is ``#rrggbb``.
THEME_COLOURS = ("paper", "ink", "muted", "accent", "highlight", "rule")
_ELEMENT = re.compile(r"^[a-z][a-z0-9]*$")
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


def read_boxes(reader: FieldReader, inherited: tuple[BoxSpec, ...]) -> tuple[BoxSpec, ...]:
    """The parent's boxes, changed or added to by this style; ``name: null`` drops one."""
    boxes = {box.name: box for box in inherited}
    for name, value in reader.mapping("boxes").items():
        key = str(name).lower()
        if value is None:
            boxes.pop(key, None)
            continue
        if not isinstance(value, Mapping):
            where = f"boxes.{name}"
            reader.fail("boxes", f"{name}: expected a mapping of {', '.join(BOX_FIELDS)}", where)
            continue
        where = f"boxes.{name}"
        unknown = sorted(str(k) for k in value if k not in BOX_FIELDS)
        if unknown:
            message = f"{name}: unknown key {unknown[0]} (use {', '.join(BOX_FIELDS)})"
            reader.fail("boxes", message, where)
        element = str(value.get("element", "aside"))
        if not _ELEMENT.match(element):
            reader.fail("boxes", f"{name}: '{element}' is not an HTML element name", where)
        label = value.get("label")
        boxes[key] = BoxSpec(
            name=key,
            element=element,
            css_class=str(value.get("class") or ""),
            epub_type=str(value.get("epub_type") or ""),
            label=str(label) if label else None,
            titled=bool(value.get("titled", False)),
        )
    return tuple(boxes.values())


def check_box_labels(
    reader: FieldReader, boxes: tuple[BoxSpec, ...], labels: Mapping[str, Mapping[str, str]]
) -> None:
    """A box headed by a label needs that label in the style's first language (the fallback)."""
    default = next(iter(labels.values()), {})
    for box in boxes:
        if box.label and box.label not in default:
            message = f"{box.name}: label '{box.label}' is not in labels"
            reader.fail("boxes", message, f"boxes.{box.name}")


def read_theme(reader: FieldReader, inherited: Theme | None) -> Theme | None:
    """The parent's theme with this style's values over it; every colour must end up given."""
    given = reader.mapping("theme")
    if not given:
        return inherited
    values: dict[str, Any] = {**(asdict(inherited) if inherited else {}), **given}
    unknown = sorted(str(k) for k in given if k not in ("fonts", *THEME_COLOURS))
    missing = [k for k in ("fonts", *THEME_COLOURS) if k not in values]
    if unknown or missing:
        what = f"unknown key {unknown[0]}" if unknown else f"{', '.join(missing)} missing"
        reader.fail("theme", f"{what} (give fonts and {', '.join(THEME_COLOURS)})")
        return inherited
    fonts = values["fonts"]
    fonts = (fonts,) if isinstance(fonts, str) else tuple(str(f) for f in fonts)
    colours = {key: str(values[key]).lower() for key in THEME_COLOURS}
    for key, colour in colours.items():
        if not _HEX.match(colour):
            reader.fail("theme", f'{key}: expected a colour like "#123abc", got "{colour}"')
    return Theme(fonts=fonts, **colours)


def read_skeleton(reader: FieldReader, inherited: Skeleton | None) -> Skeleton:
    """``skeleton: {front: {...}, body: "..."}``; what is not given comes from the parent."""
    given = reader.mapping("skeleton")
    base = inherited or Skeleton()
    unknown = sorted(str(k) for k in given if k not in ("front", "body"))
    if unknown:
        reader.fail("skeleton", f"unknown key {unknown[0]} (use front, body)")
    front = given.get("front", base.front)
    if not isinstance(front, Mapping):
        reader.fail("skeleton", "front: expected a mapping of front-matter fields")
        front = base.front
    return Skeleton(front=dict(front), body=str(given.get("body", base.body)))
