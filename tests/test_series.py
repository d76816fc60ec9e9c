"""Several series in one repository: sub-series that extend a style, a style that shares nothing."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from briefpress.build import BuildOptions, Project, build, check
from briefpress.cli import main
from briefpress.errors import StyleError
from briefpress.site.index import write_index
from briefpress.style.loader import load_style

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject
from .test_pdf import normalise, page_texts

SPOTLIGHT = REPO / "source" / "spotlight" / "2024-7-undersea-cables.md"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole repository's run: three series, built and indexed."""
    out = tmp_path_factory.mktemp("series-run")
    report = build([REPO / "source"], Project(REPO), BuildOptions(out_dir=out, jobs=2))
    assert report.exit_code() == 0, [r.errors for r in report.results]
    changed, problems = write_index([REPO / "source"], Project(REPO), out)
    assert problems == [] and changed
    return out


def _colours(pdf: Path) -> set[bytes]:
    with pikepdf.open(pdf) as document:
        contents = document.pages[0].Contents
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        data = b"".join(stream.read_bytes() for stream in streams)
    return set(re.findall(rb"([\d.]+ [\d.]+ [\d.]+) rg", data))


def test_child_style_overrides_a_block_and_a_variable_and_inherits_the_rest(run: Path) -> None:
    child = load_style("csds-korea", REPO / "styles")
    parent = load_style("csds", REPO / "styles")
    assert child.folders == (REPO / "styles" / "csds-korea", REPO / "styles" / "csds")
    assert child.templates == parent.templates and child.rules == parent.rules
    assert child.stylesheets["print"] == (
        REPO / "styles" / "csds" / "print.css",
        REPO / "styles" / "csds-korea" / "korea.css",
    )
    assert child.labels_for("en")["key_issues"] == "Key issues"  # inherited
    assert child.labels_for("en")["partner"].startswith("In partnership")  # its own

    pdf = run / "korea-chair" / "2024-3-seoul-brussels-tech.pdf"
    first = normalise(page_texts(pdf)[0])
    assert normalise("CSDS KOREA CHAIR POLICY BRIEF • 3/2024") in first
    assert normalise("In partnership with the KF-VUB Korea Chair") in first  # the block
    assert normalise("Key issues") in first  # the parent's template around it
    korea, csds = _colours(pdf), _colours(run / "2023-26-nato-japan.pdf")
    assert b"0.043137 0.368627 0.333333" in korea and b"0.043137 0.368627 0.333333" not in csds
    assert b"0.070588 0.235294 0.411765" in csds  # the parent's accent, #123c69


def test_numbering_format_end_to_end(run: Path) -> None:
    pdf = run / "spotlight" / "2024-7-undersea-cables.pdf"
    first = normalise(page_texts(pdf)[0])
    assert normalise("SPOTLIGHT COMMENT • 2024/C 07") in first
    with zipfile.ZipFile(run / "spotlight" / "2024-7-undersea-cables.epub") as epub:
        opf = epub.read("EPUB/package.opf").decode()
    assert "urn:briefpress:spotlight-comment:2024:7" in opf
    catalogue = json.loads((run / "spotlight" / "catalogue.json").read_text())
    assert [b["label"] for b in catalogue["briefs"]] == ["2024/C 07"]
    main_catalogue = json.loads((run / "catalogue.json").read_text())
    assert main_catalogue["series"] == "CSDS Policy Brief"
    assert "2024/C 07" not in json.dumps(main_catalogue)


def test_running_numbers_are_unique_across_years(make_project: MakeProject) -> None:
    series = (REPO / "source" / "series.yaml").read_text() + 'numbering: "No. {number}"\n'
    later = BRIEF_TEMPLATE.format(number=4).replace("2024-03-01", "2025-02-01")
    root = make_project(
        {"2024-4-a.md": BRIEF_TEMPLATE.format(number=4), "2025-4-b.md": later}, series=series
    )
    report = build([], Project(root), BuildOptions(jobs=1))
    lines = [line for result in report.failed for line in result.errors]
    assert lines == [
        "source/2024-4-a.md:-: number: No. 4 is also used by 2025-4-b.md",
        "source/2025-4-b.md:-: number: No. 4 is also used by 2024-4-a.md",
    ]
    (root / "source" / "2025-4-b.md").unlink()
    result = CliRunner().invoke(
        main, ["new", "--title", "Next", "--author", "A", "--date", "2026-01-05"]
    )
    assert result.output.strip() == "source/2026-5-next.md"  # running on across the years
    report = build([], Project(root), BuildOptions(jobs=1, formats=("epub",)))
    assert report.exit_code() == 0
    with zipfile.ZipFile(root / "build" / "2024-4-a.epub") as epub:
        assert "urn:briefpress:csds-policy-brief:4<" in epub.read("EPUB/package.opf").decode()


def test_duplicates_are_per_series(make_project: MakeProject) -> None:
    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    other = root / "source" / "other"
    other.mkdir()
    (other / "series.yaml").write_text(
        (REPO / "source" / "series.yaml").read_text().replace("CSDS Policy Brief", "Other Brief")
    )
    (other / "2024-1-b.md").write_text(BRIEF_TEMPLATE.format(number=1))
    report = build([], Project(root), BuildOptions(jobs=1, formats=("pdf",)))
    assert report.exit_code() == 0, [r.errors for r in report.results]
    assert (root / "build" / "2024-1-a.pdf").is_file()
    assert (root / "build" / "other" / "2024-1-b.pdf").is_file()


def test_spotlight_sets_two_columns(run: Path) -> None:
    document = pdfium.PdfDocument(run / "spotlight" / "2024-7-undersea-cables.pdf")
    textpage = document[0].get_textpage()
    left = textpage.search("A network nobody sees").get_next()
    right = textpage.search("Resilience before deterrence").get_next()
    assert left and right
    x_left = textpage.get_charbox(left[0])[0]
    x_right = textpage.get_charbox(right[0])[0]
    width = document[0].get_width()
    document.close()
    assert x_left < width / 2 < x_right, (x_left, x_right)
    assert x_right - x_left > 80 * 72 / 25.4


def test_spotlight_rules_hold_and_notes_sit_at_the_page_foot(tmp_path: Path) -> None:
    report = check([SPOTLIGHT], Project(REPO), BuildOptions(jobs=1, out_dir=tmp_path))
    (result,) = report.results
    rules = result.rules or {}
    assert "lead-first-page" in rules and "key-issues-first-page" not in rules
    assert not any(rules.values()), rules
    first = page_texts(tmp_path / "spotlight" / f"{SPOTLIGHT.stem}.pdf")[0]
    assert "Estimates vary with the definition of traffic" in first  # footnote 1, page 1


def test_lead_pushed_off_page_one_fails(make_project: MakeProject) -> None:
    root = make_project()
    (root / "source" / "spotlight").mkdir()
    for name in ("series.yaml", SPOTLIGHT.name):
        (root / "source" / "spotlight" / name).write_text((SPOTLIGHT.parent / name).read_text())
    css = root / "styles" / "spotlight" / "print.css"
    css.write_text(css.read_text() + "\n.lead { break-before: page; }\n")
    report = check([], Project(root), BuildOptions(jobs=1))
    (result,) = report.results
    failing = sorted(rule for rule, findings in (result.rules or {}).items() if findings)
    # The byline follows the lead, so it leaves page 1 with it.
    assert failing == ["lead-first-page", "masthead-first-page"]


def test_a_missing_lead_is_a_source_error(make_project: MakeProject) -> None:
    root = make_project()
    (root / "source" / "spotlight").mkdir()
    (root / "source" / "spotlight" / "series.yaml").write_text(
        (SPOTLIGHT.parent / "series.yaml").read_text()
    )
    text = SPOTLIGHT.read_text()
    text = re.sub(r'^lead: ".*"\n', "", text, flags=re.MULTILINE)
    (root / "source" / "spotlight" / SPOTLIGHT.name).write_text(text)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "source/spotlight/2024-7-undersea-cables.md" in result.output
    assert "lead: required field is missing" in result.output


def test_extending_a_missing_parent_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "orphan").mkdir()
    (tmp_path / "orphan" / "style.yaml").write_text("name: Orphan\nextends: nowhere\n")
    with pytest.raises(StyleError) as caught:
        load_style("orphan", tmp_path)
    file = tmp_path / "orphan" / "style.yaml"
    expected = f"{file}:2: extends: parent style 'nowhere' not found in {tmp_path}"
    assert str(caught.value) == expected


def test_no_python_file_names_a_style() -> None:
    for path in (REPO / "src" / "briefpress").rglob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        for name in ("csds", "spotlight"):
            assert not re.search(rf"\b{name}\b", text), f"{path.name} mentions the {name} style"


def test_front_page_groups_every_series(run: Path) -> None:
    page = (run / "index.html").read_text(encoding="utf-8")
    groups = re.findall(r'class="group-title"[^>]*>(?:<a [^>]*>)?([^<]+)<', page)
    assert groups == ["CSDS Policy Brief", "CSDS Korea Chair Policy Brief", "Spotlight Comment"]
    # Under their publishers: CSDS's two series, then Spotlight's.
    publishers = re.findall(r'class="publisher-title"[^>]*>([^<]+)<', page)
    assert len(publishers) == 2 and publishers[1].startswith("Spotlight Institute")
    assert 'href="spotlight/2024-7-undersea-cables.pdf"' in page
    assert 'href="korea-chair/2024-3-seoul-brussels-tech.epub"' in page
    own = (run / "spotlight" / "index.html").read_text(encoding="utf-8")
    assert own.count('class="group-title"') == 1 and 'href="2024-7-undersea-cables.pdf"' in own
