"""Layout stage: WeasyPrint's line breaker taught two rules a typesetter keeps.

At most `MAX_LADDER` hyphenated lines in a row (CSS ``hyphenate-limit-lines``,
which WeasyPrint 70 lacks) and no word broken at the foot of a page. Without
them nearly every brief broke one of the two, and `hyphenation.fix` had to lay
the whole brief out a second time (measured on 40 generated briefs: 39 needed
it, 2.3 layouts a brief). Here a line that would break either rule is set again
at once, with hyphenation off for that line only, before the next line is made.

`hyphenation.fix` still checks the finished pages and stays the safety net: a
line this cannot redo safely (one that placed a float or an absolutely
positioned box, a first-letter line) or a page foot it did not foresee (widows
moved lines, a box's padding) is left to it.

WeasyPrint has no hook for this; `install` (called by `engine.setup_process`
with WeasyPrint's modules) replaces the one function its block layout calls to
make the lines of a paragraph (``iter_line_boxes``, same arguments) and wraps
the one that breaks a text (``split_first_line``), once per process, like the
structure-tree wrapper in `engine`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

#: The most hyphenated lines in a row a typesetter lets stand.
MAX_LADDER = 2
#: A line that ends in a word broken by hyphenation (WeasyPrint adds U+2010 HYPHEN).
BROKEN = re.compile(r"(\w+)[\u2010\u00ad]$")
#: Set on WeasyPrint's layout context while a line is set again without hyphenation.
_WHOLE_WORDS = "briefpress_whole_words"
#: On the layout context: hyphenated lines in a row before a paragraph's resume point.
_RUNS = "briefpress_hyphen_runs"


def install(block: Any, inline: Any) -> None:
    """Teach WeasyPrint's block layout the two rules; once per process, after its import.

    ``block`` and ``inline`` are WeasyPrint's ``layout.block`` and ``layout.inline``
    modules, given by the adapter (`engine`), the one module that imports WeasyPrint.
    """
    if getattr(block.iter_line_boxes, "briefpress", False):
        return
    inline.split_first_line = _whole_words(inline.split_first_line)
    lines = _line_boxes(inline)
    lines.briefpress = True  # type: ignore[attr-defined]
    block.iter_line_boxes = lines


def line_text(line: Any) -> str:
    """The text of a laid-out line box, trailing space removed."""
    return "".join(_texts(line)).rstrip()


def _texts(box: Any) -> Iterator[str]:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        yield text
    for child in getattr(box, "children", ()):
        yield from _texts(child)


def _whole_words(split: Callable[..., Any]) -> Callable[..., Any]:
    """``split_first_line`` that keeps words whole while the context says so."""

    def split_first_line(text: str, style: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(context, _WHOLE_WORDS, False) and style["hyphens"] == "auto":
            manual = style.copy()
            manual["hyphens"] = "manual"  # soft hyphens still count, as in the HTML fix
            style = manual
        return split(text, style, context, *args, **kwargs)

    return split_first_line


def _line_boxes(inline: Any) -> Callable[..., Iterator[tuple[Any, Any]]]:
    """WeasyPrint 70's ``iter_line_boxes``, with each line checked before it is yielded."""

    def iter_line_boxes(
        context: Any,
        box: Any,
        position_y: float,
        bottom_space: float,
        skip_stack: Any,
        containing_block: Any,
        absolute_boxes: list[Any],
        fixed_boxes: list[Any],
        first_letter_style: Any,
        first_line_style: Any,
    ) -> Iterator[tuple[Any, Any]]:
        inline.resolve_percentages(box, containing_block)
        if skip_stack is None:
            inline.resolve_one_percentage(box, "text_indent", containing_block.width)
        else:
            box.text_indent = 0
        runs: dict[tuple[int, str], int] | None = getattr(context, _RUNS, None)
        if runs is None:
            runs = {}
            setattr(context, _RUNS, runs)
        # A paragraph that goes on from the page before keeps its count.
        run = runs.get((id(box), repr(skip_stack)), 0) if skip_stack is not None else 0
        while True:
            arguments = (
                context, box, position_y, bottom_space, skip_stack, containing_block,
                absolute_boxes, fixed_boxes, first_letter_style, first_line_style,
            )  # fmt: skip
            before = _side_effects(context, absolute_boxes, fixed_boxes)
            line, resume_at = inline.get_next_linebox(*arguments)
            broken = line is not None and resume_at is not None and _broken(line)
            if (
                broken
                and (run >= MAX_LADDER or _last_on_page(context, line, bottom_space))
                and first_letter_style is None
                and _side_effects(context, absolute_boxes, fixed_boxes) == before
            ):
                setattr(context, _WHOLE_WORDS, True)
                try:
                    line, resume_at = inline.get_next_linebox(*arguments)
                finally:
                    setattr(context, _WHOLE_WORDS, False)
                broken = line is not None and resume_at is not None and _broken(line)
            run = run + 1 if broken else 0
            first_line_style = None
            if line:
                inline.handle_leader(context, line, containing_block)
                position_y = line.position_y + line.height
            if line is None:
                return
            if resume_at is not None:
                runs[(id(box), repr(resume_at))] = run
            yield line, resume_at
            if resume_at is None:
                return
            skip_stack = resume_at
            box.text_indent = 0
            first_letter_style = None

    return iter_line_boxes


def _broken(line: Any) -> bool:
    return BROKEN.search(line_text(line)) is not None


def _last_on_page(context: Any, line: Any, bottom_space: float) -> bool:
    """Whether a line of the same height after this one would not fit on the page."""
    if getattr(context, "in_column", False):
        return False
    return bool(context.overflows_page(bottom_space, line.position_y + 2 * line.height))


def _side_effects(
    context: Any, absolute_boxes: list[Any], fixed_boxes: list[Any]
) -> tuple[int, ...]:
    """What making a line may add to the layout besides the line (floats, placeholders)."""
    return (
        len(absolute_boxes),
        len(fixed_boxes),
        len(context.excluded_shapes),
        len(getattr(context, "broken_out_of_flow", ())),
    )
