"""`briefpress index`: the catalogue page, catalogue.json and a valid Atom feed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from briefpress.cli import main

from .conftest import BRIEF_TEMPLATE, MakeProject

ATOM = "{http://www.w3.org/2005/Atom}"


def _series(make_project: MakeProject) -> Path:
    older = BRIEF_TEMPLATE.format(number=1).replace("A test brief", "Older brief")
    newer = (
        BRIEF_TEMPLATE.format(number=2)
        .replace("2024-03-01", "2024-05-01")
        .replace("A test brief", "Newer brief")
        .replace("  - name: Ada Tester\n", "  - name: Ada Tester\n  - name: Bo Second\n")
    )
    draft = BRIEF_TEMPLATE.format(number=3).replace("number: 3\n", "number: 3\nstatus: draft\n")
    root = make_project({"2024-1-old.md": older, "2024-2-new.md": newer, "2024-3-draft.md": draft})
    runner = CliRunner()
    assert runner.invoke(main, ["build", "-j", "1"]).exit_code == 0
    result = runner.invoke(main, ["index", "-v"])
    assert result.exit_code == 0, result.output
    return root / "build"


def test_catalogue_lists_published_briefs_newest_first(make_project: MakeProject) -> None:
    out = _series(make_project)
    data = json.loads((out / "catalogue.json").read_text(encoding="utf-8"))
    assert [b["title"] for b in data["briefs"]] == ["Newer brief", "Older brief"]
    newer = data["briefs"][0]
    assert newer["label"] == "2/2024" and newer["authors"] == ["Ada Tester", "Bo Second"]
    # The PDF a reader is sent to is the copy beside the page (Scholar's layout).
    assert newer["pdf"] == "2024-2-new/2024-2-new.pdf" and newer["html"] == "2024-2-new/index.html"
    assert newer["url"] == "2024-2-new/index.html", "a preview links files, to open from disk"
    assert newer["summary"] == "First issue."
    assert newer["thumbnail"] == "thumbs/2024-2-new.png"
    assert (out / newer["thumbnail"]).read_bytes()[:4] == b"\x89PNG"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.index("Newer brief") < page.index("Older brief")
    assert ">Ada Tester</a> and <a" in page and "01.05.2024" in page
    assert 'href="2024-2-new/2024-2-new.pdf"' in page and "Draft" not in page


def test_feed_is_valid_atom(make_project: MakeProject) -> None:
    out = _series(make_project)
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.findtext(f"{ATOM}updated") == "2024-05-01T00:00:00Z"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Newer brief", "Older brief"]
    ids = [e.findtext(f"{ATOM}id", "") for e in entries]
    assert len(set(ids)) == 2 and all(i.startswith("tag:") for i in ids)
    for entry in entries:
        for required in ("id", "title", "updated", "author", "link", "summary"):
            assert entry.find(f"{ATOM}{required}") is not None, required


def test_index_rewrites_nothing_when_nothing_changed(make_project: MakeProject) -> None:
    out = _series(make_project)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, ["index", "-v"])
    assert result.exit_code == 0 and "wrote" not in result.output
    assert before == {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_a_brief_that_fails_a_hard_rule_is_not_published(make_project: MakeProject) -> None:
    """Its files stay for the editor; catalogue, feed and sitemap leave it out until it passes."""
    long = (
        BRIEF_TEMPLATE.format(number=2).replace("A test brief", "Too long brief")
        + "\n## More\n\n"
        + "A long paragraph. " * 900
    )
    older = BRIEF_TEMPLATE.format(number=1).replace("A test brief", "Short brief")
    root = make_project({"2024-1-short.md": older, "2024-2-long.md": long})
    series = root / "source" / "series.yaml"
    series.write_text(series.read_text().replace("max_pages: 8", "max_pages: 1"))
    runner = CliRunner()
    assert runner.invoke(main, ["build", "-j", "1"]).exit_code == 1
    assert (root / "build" / "2024-2-long.pdf").is_file(), "written, for the editor"
    result = runner.invoke(main, ["index"])
    assert result.exit_code == 0, result.output
    out = root / "build"
    data = json.loads((out / "catalogue.json").read_text(encoding="utf-8"))
    assert [b["title"] for b in data["briefs"]] == ["Short brief"]
    assert "Too long brief" not in (out / "feed.xml").read_text(encoding="utf-8")
    assert "2024-2-long" not in (out / "search.json").read_text(encoding="utf-8")

    series.write_text(series.read_text().replace("max_pages: 1", "max_pages: 8"))
    assert runner.invoke(main, ["build", "-j", "1"]).exit_code == 0
    assert runner.invoke(main, ["index"]).exit_code == 0
    data = json.loads((out / "catalogue.json").read_text(encoding="utf-8"))
    assert [b["title"] for b in data["briefs"]] == ["Too long brief", "Short brief"]
