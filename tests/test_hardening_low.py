"""Hardening, second pass (issue 29): the low findings."""

from __future__ import annotations

from pathlib import Path

from briefpress.build.outputs import TEMP_PREFIX, remove_litter
from briefpress.site.listing import slug
from briefpress.source.guards import numbering_problem


def test_non_ascii_keywords_get_pages_of_their_own() -> None:
    assert slug("日本") != slug("中国")
    assert slug("日本").startswith("x-") and slug("中国").startswith("x-")
    assert slug("Boussole stratégique") == "boussole-strategique"
    assert slug("Indo-Pacific") == "indo-pacific"


def test_numbering_reads_no_attributes() -> None:
    for hostile in ("{number.__class__.__mro__}/{year}", "{number[0]}/{year}", "{0}/{year}"):
        assert numbering_problem(hostile) is not None, hostile
    assert numbering_problem("{year}/C {number:02}") is None


def test_litter_is_cleaned_at_any_depth(tmp_path: Path) -> None:
    page = tmp_path / "2024-1-x"
    page.mkdir()
    (page / "index.html").write_text("kept")
    (page / f"{TEMP_PREFIX}abc").write_text("half a page")
    (page / f"{TEMP_PREFIX}dir").mkdir()
    (page / f"{TEMP_PREFIX}dir" / "x").write_text("x")
    (tmp_path / f"{TEMP_PREFIX}top").write_text("x")
    remove_litter(tmp_path)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == ["2024-1-x", "2024-1-x/index.html"]
