"""Style stage, declared data: boxes and the skeleton `briefpress new` writes.

Each reader takes what the parent style declared and what this style's
``style.yaml`` says, so a child style changes one box or one colour and inherits
the rest. Nothing here has a default look: every value comes from a style.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..markdown import BoxSpec
from ..source.schema import Values


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
