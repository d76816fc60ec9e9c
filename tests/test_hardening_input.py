"""Hardening (issue 17), items 6-10: control characters, links, lang, names, locking."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpress.build import BuildOptions, Project, build, outputs

from .conftest import MakeProject
from .hardening_support import PNG, brief_with, run

# 6. Control characters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "line", "what"),
    [
        ('title: "A\\0title"', 4, "U+0000"),
        ("title: A\x01title", 4, "U+0001"),
        ('title: "\\ud800"', 4, "U+D800"),
        ('number: "1\\x01"', 2, "U+0001"),
        ('authors:\n  - name: "Ada \\e[31mRed"', 6, "U+001B"),
        ("title: A &#27;[2J title", 4, "&#27;"),
    ],
)
def test_control_characters_are_refused_with_their_line(
    make_project: MakeProject, front: str, line: int, what: str
) -> None:
    text = brief_with("Text.")
    key = front.split(":")[0]
    lines = [row for row in text.split("\n")]
    start = next(i for i, row in enumerate(lines) if row.startswith(key + ":"))
    end = start + 1
    while key == "authors" and lines[end].startswith("  "):
        end += 1
    lines[start:end] = front.split("\n")
    root = make_project({"2024-1-x.md": "\n".join(lines)})
    code, output = run("build", "--format", "html,epub")
    assert code == 1
    assert f"source/2024-1-x.md:{line}: " in output and what in output
    assert "control character" in output and "\x1b" not in output and "\x01" not in output
    assert not (root / "build" / "2024-1-x.epub").exists()


def test_control_characters_in_the_body_are_refused(make_project: MakeProject) -> None:
    make_project({"2024-1-x.md": brief_with("Text with a form feed &#12; in it.\n\nAnd \x7f.")})
    code, output = run("build", "--format", "html")
    assert code == 1
    assert "source/2024-1-x.md:16: control character U+000C" in output


def test_cr_only_line_endings_are_lines(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.").replace("\n", "\r")})
    code, output = run("build", "--format", "html")
    assert code == 0, output
    assert (root / "build" / "2024-1-x" / "index.xhtml").is_file()


def test_printed_and_reported_text_is_escaped(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from briefpress.build.reports import as_junit
    from briefpress.build.results import BriefResult
    from briefpress.errors import Problem

    problem = Problem(tmp_path / "x\x1b[2J.md", 3, "number", 'expected "1\x01\x1b]0;pwn\x07"')
    assert "\x1b" not in str(problem) and "\\x1b[2J" in str(problem)
    report = as_junit([BriefResult(tmp_path / "a\x01.md", errors=[str(problem), "\x00"])], 1.0)
    ET.fromstring(report)  # well-formed XML


# 7. Relative links; no checkout path in the PDF ------------------------------------


@pytest.mark.parametrize("link", ["other.md", "../../etc/passwd", "//example.org/x", ""])
def test_relative_links_are_refused_with_the_line(make_project: MakeProject, link: str) -> None:
    make_project({"2024-1-x.md": brief_with(f"See [this]({link}) and [that](#introduction).")})
    code, output = run("build", "--format", "pdf")
    assert code == 1
    assert f"source/2024-1-x.md:16: link: relative link refused: {link or '(empty)'}" in output


def test_pdf_bytes_do_not_depend_on_the_checkout(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    first = make_project({"2024-1-x.md": brief_with("![A figure](figures/ok.png)")})
    (first / "source" / "figures").mkdir()
    (first / "source" / "figures" / "ok.png").write_bytes(PNG)
    second = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(first, second)
    pdfs = []
    for root in (first, second):
        monkeypatch.chdir(root)
        assert run("build", "--format", "pdf")[0] == 0
        pdfs.append((root / "build" / "2024-1-x.pdf").read_bytes())
    assert pdfs[0] == pdfs[1]
    assert str(tmp_path).encode() not in pdfs[0] and b"file:" not in pdfs[0]


# 8. lang and numbering --------------------------------------------------------------


def _series_with(old: str, new: str) -> str:
    from .conftest import REPO

    text = (REPO / "source" / "series.yaml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("lang: en", 'lang: en"><script>x</script>', "expected a language tag"),
        ("lang: en", "lang: en_US", "expected a language tag"),
        ("max_pages: 8", 'numbering: "{number:>300000000}/{year}"', "widths up to 12"),
        ("max_pages: 8", 'numbering: "{number:{year}}"', "without nested fields"),
        ("max_pages: 8", 'numbering: "{number:.99999999999}"', "widths up to 12"),
    ],
)
def test_series_lang_and_numbering_are_bounded(
    make_project: MakeProject, old: str, new: str, message: str
) -> None:
    series = _series_with(old, new)
    root = make_project({"2024-1-x.md": brief_with("Text.")}, series=series)
    code, output = run("build", "--format", "epub")
    assert code == 1
    line = series.splitlines().index(new) + 1
    assert f"source/series.yaml:{line}: " in output and message in output
    assert not (root / "build" / "2024-1-x.epub").exists()


def test_house_numbering_widths_still_work(make_project: MakeProject) -> None:
    series = _series_with("max_pages: 8", 'numbering: "{year}/C {number:03}"')
    root = make_project({"2024-1-x.md": brief_with("Text.")}, series=series)
    assert run("build", "--format", "html")[0] == 0
    assert "2024/C 001" in (root / "build" / "2024-1-x" / "index.xhtml").read_text()


# 9. Reserved names ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["thumbs.md", ".briefpress-manifest.json.md", "Check.md"])
def test_reserved_brief_names_are_refused(make_project: MakeProject, name: str) -> None:
    root = make_project({name: brief_with("Text."), "2024-2-ok.md": brief_with("Text.", 2)})
    code, output = run("build", "--format", "html")
    assert code == 1
    assert f"source/{name}:-: output: " in output
    assert (root / "build" / ".briefpress-manifest.json").is_file()
    assert (root / "build" / "2024-2-ok" / "index.xhtml").is_file()
    assert not (root / "build" / Path(name).stem).is_dir()


# 10. One run at a time per output folder -------------------------------------------------


def test_a_second_run_waits_for_the_first(make_project: MakeProject) -> None:
    import threading

    root = make_project({"2024-1-x.md": brief_with("Text.")})
    out = root / "build"
    waiting = threading.Event()
    reports = []

    def second() -> None:
        options = BuildOptions(formats=("html",), jobs=1)
        reports.append(
            build([root / "source"], Project(root), options, on_wait=lambda _f: waiting.set())
        )

    with outputs.locked(out):
        (out / f"{outputs.TEMP_PREFIX}running").write_bytes(b"the first run's temporary file")
        thread = threading.Thread(target=second)
        thread.start()
        assert waiting.wait(60)
        assert thread.is_alive() and not reports
        assert (out / f"{outputs.TEMP_PREFIX}running").exists()  # not cleared as litter
    thread.join(120)
    assert reports and reports[0].exit_code() == 0


def test_relative_links_in_front_matter_are_refused(make_project: MakeProject) -> None:
    text = brief_with("Text.").replace("  - First issue.", "  - First [issue](../../etc/passwd).")
    make_project({"2024-1-x.md": text})
    code, output = run("build", "--format", "pdf")
    assert code == 1
    assert "source/2024-1-x.md:8: key_issues: relative link refused: ../../etc/passwd" in output


@pytest.mark.parametrize("tag", ["en", "fr-BE", "zh-Hant-TW", "de-CH-1901", "es-419", "x-house"])
def test_bcp47_tags_are_accepted(tag: str) -> None:
    from briefpress.source.guards import LANG_TAG

    assert LANG_TAG.match(tag)


def test_a_brief_named_like_a_series_folder_is_refused(make_project: MakeProject) -> None:
    from .conftest import REPO

    root = make_project({"sub.md": brief_with("Text."), "sub/2024-2-y.md": brief_with("T.", 2)})
    (root / "source" / "sub" / "series.yaml").write_text(
        (REPO / "source" / "series.yaml").read_text().replace("name: CSDS", "name: Sub CSDS")
    )
    code, output = run("build", "--format", "html")
    assert code == 1
    assert "source/sub.md:-: output: its HTML folder would replace the outputs of" in output
    assert (root / "build" / "sub" / "2024-2-y" / "index.xhtml").is_file()


@pytest.mark.parametrize("char", ["\ufffe", "\uffff", "\x85"])
def test_characters_xml_cannot_hold_are_refused(make_project: MakeProject, char: str) -> None:
    make_project({"2024-1-x.md": brief_with(f"Text {char}.")})
    code, output = run("build", "--format", "epub")
    assert code == 1 and f"U+{ord(char):04X}" in output
