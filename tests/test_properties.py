"""Property-based tests: whatever an editor writes ends in a brief or a clear error."""

from __future__ import annotations

import datetime as dt
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefpress.build import Builder, BuildOptions, Project
from briefpress.errors import BriefpressError
from briefpress.source.model import BRIEF_FIELDS, Brief, load_brief, load_series

from .conftest import REPO

SERIES = load_series(REPO / "source" / "series.yaml")
FOLDER = Path(tempfile.mkdtemp(prefix="briefpress-properties-"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.dates().map(dt.date.isoformat),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(BRIEF_FIELDS) | st.text(
    string.ascii_lowercase + "_", min_size=1, max_size=12
)
fragments = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("#*_[]()!^:`>-|\n "),
    max_size=20,
) | st.sampled_from(["[^1]", "[^1]: n", "![x](y.png)", "[l](javascript:x)", "<script>", "\n\n"])
bodies = st.lists(fragments, max_size=15).map("".join)


def _read(text: str) -> Brief | None:
    path = FOLDER / "2024-1-x.md"
    path.write_text(text, encoding="utf-8")
    try:
        return load_brief(path, SERIES)
    except BriefpressError as exc:
        assert exc.lines() and all(line.startswith(str(path)) for line in exc.lines())
        return None


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=st.dictionaries(keys, values, max_size=10), body=bodies)
def test_any_front_matter_reads_or_fails_clearly(front: dict[str, object], body: str) -> None:
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    _read(text)


@settings(max_examples=600, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400))
def test_any_text_reads_or_fails_clearly(text: str) -> None:
    _read(text)


plain = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1, max_size=60
).filter(lambda s: s.strip())


@st.composite
def valid_briefs(draw: st.DrawFn) -> str:
    front = {
        "number": draw(st.integers(1, 999)),
        "date": draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))).isoformat(),
        "title": draw(plain),
        "authors": [{"name": draw(plain)} for _ in range(draw(st.integers(1, 3)))],
        "key_issues": draw(st.lists(plain, min_size=1, max_size=8)),
    }
    paragraphs = draw(st.lists(plain, min_size=1, max_size=6))
    body = "\n\n".join(f"## {p}" if i % 3 == 0 else p for i, p in enumerate(paragraphs))
    return "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n\n" + body + "\n"


@pytest.fixture(scope="module")
def builder() -> Iterator[Builder]:
    builder = Builder(Project(REPO), FOLDER / "out", BuildOptions(formats=("pdf", "html")))
    yield builder
    builder.close()


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=valid_briefs())
def test_valid_briefs_render_or_fail_clearly(builder: Builder, text: str) -> None:
    brief = _read(text)
    if brief is None:  # a generated title may still be refused, e.g. all-markup
        return
    result = builder.build_one(brief)
    assert result.ok, result.errors
    assert (FOLDER / "out" / "2024-1-x.pdf").stat().st_size > 1000
