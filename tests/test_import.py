"""`briefpress import`: Word manuscripts become briefs; what cannot be mapped is reported."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from briefpress.cli import main
from briefpress.source.model import load

from .conftest import MakeProject
from .wordfiles import (
    at_end_of_paragraph,
    commented,
    comments_part,
    deletion,
    docx_from_markdown,
    insertion,
    paragraph,
    png,
    rewrite,
    text_box,
    zotero_field,
    zotero_item,
)

MANUSCRIPT = """\
---
title: Europe and the Arctic
subtitle: A new frontier
author: [Ada Tester, Bob Builder]
date: 12 March 2024
---

# Key issues

- The first key issue, with **bold** words.
- The second “quoted” issue.

# Introduction

Some *italic* text with a note.[^1] And a [link](https://example.org), a
non-breaking\u00a0space and a second note.[^2]

> A block quote.

## Numbers

| Country | Share |
|---|---|
| France | 12 % |
| Germany | 15 % |

: Shares of defence spending

![Figure 1](red.png){alt="A red rectangle on white"}

![](blue.png)

# About the authors

Ada Tester is a researcher at the Centre.

Bob Builder is a fellow.

[^1]: The first note.

[^2]: The second note, *emphasised*.
"""


def _import(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["import", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def manuscript(make_project: MakeProject, tmp_path: Path) -> Path:
    make_project()
    folder = tmp_path / "word"
    folder.mkdir()
    png(folder / "red.png")
    png(folder / "blue.png", (30, 30, 200))
    return docx_from_markdown(MANUSCRIPT, folder)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in (root / "source").rglob("*") if p.is_file()}


def test_a_manuscript_becomes_a_brief(manuscript: Path) -> None:
    root = Path.cwd()
    code, out, err = _import(str(manuscript))
    assert code == 0, err
    path = root / "source" / "2024-1-europe-and-the-arctic.md"
    assert out.splitlines()[0] == "imported source/2024-1-europe-and-the-arctic.md"
    text = path.read_text(encoding="utf-8")
    assert "## Introduction\n\nSome *italic* text with a note.[^1]" in text
    assert "### Numbers" in text
    assert "[link](<https://example.org>)" in text
    assert "non-breaking\u00a0space" in text
    assert "> A block quote." in text
    assert "| France | 12 % |" in text and "Table: Shares of defence spending" in text
    assert '![A red rectangle on white](figures/2024-1-1.png "Figure 1")' in text
    assert "![](figures/2024-1-2.png)" in text
    assert "[^1]: The first note." in text and "[^2]: The second note, *emphasised*." in text
    assert "Key issues" not in text and "About the authors" not in text
    assert (root / "source" / "figures" / "2024-1-1.png").is_file()
    # The front matter as the build reads it, once the editor has written the alt text.
    path.write_text(text.replace("![](", "![A blue rectangle]("), encoding="utf-8")
    brief = load(path, root)
    assert (brief.number, brief.title, brief.subtitle) == (
        1,
        "Europe and the Arctic",
        "A new frontier",
    )
    assert str(brief.date) == "2024-03-12" and brief.status == "draft"
    assert brief.key_issues == (
        "The first key issue, with **bold** words.",
        "The second “quoted” issue.",
    )
    assert [(a.name, a.bio) for a in brief.authors] == [
        ("Ada Tester", "Ada Tester is a researcher at the Centre."),
        ("Bob Builder", "Bob Builder is a fellow."),
    ]


def test_the_report_says_what_was_mapped_and_what_is_left(manuscript: Path) -> None:
    code, out, _ = _import(str(manuscript))
    assert code == 0
    assert "  key_issues: 2 from the “key issues” section" in out
    assert "  notes: 2 footnote(s) and endnote(s) as [^n]" in out
    assert "figures/2024-1-2.png: write the alt text (the build refuses)" in out
    # Then the brief is checked like any brief: the missing alt text is an error with its line.
    checks = out.split("checks:")[1]
    assert "image: figures/2024-1-2.png: alt text is required" in checks


def test_import_never_overwrites(manuscript: Path) -> None:
    assert _import(str(manuscript))[0] == 0
    code, out, _ = _import(str(manuscript))
    assert code == 0
    assert out.startswith("imported source/2024-2-europe-and-the-arctic.md")
    assert (Path.cwd() / "source" / "figures" / "2024-2-1.png").is_file()


def test_tracked_changes_are_refused_without_a_decision(manuscript: Path) -> None:
    changes = insertion(" words Carol added", "Carol Editor", 901)
    changes += deletion(" words Dan removed", "Dan Deleter", 902)
    rewrite(manuscript, {"word/document.xml": at_end_of_paragraph("Centre.", changes)})
    before = _files(Path.cwd())
    code, out, err = _import(str(manuscript))
    assert code == 1 and out == ""
    assert "import: 2 tracked change(s): nothing was written" in err
    assert "2 tracked change(s) by Carol Editor (1), Dan Deleter (1):" in err
    assert "insertion by Carol Editor: “words Carol added”" in err
    assert "deletion by Dan Deleter: “words Dan removed”" in err
    assert _files(Path.cwd()) == before

    code, _, err = _import(str(manuscript), "--accept-changes", "--reject-changes")
    assert code == 2 and "not both" in err and _files(Path.cwd()) == before
    code, out, _ = _import(str(manuscript), "--accept-changes")
    assert code == 0 and "tracked changes: 2 accepted" in out
    accepted = (Path.cwd() / "source" / "2024-1-europe-and-the-arctic.md").read_text()
    assert "words Carol added" in accepted and "words Dan removed" not in accepted
    code, out, _ = _import(str(manuscript), "--reject-changes")
    rejected = (Path.cwd() / "source" / "2024-2-europe-and-the-arctic.md").read_text()
    assert "words Carol added" not in rejected and "words Dan removed" in rejected


def test_comments_are_listed_with_their_anchor_never_printed(manuscript: Path) -> None:
    rewrite(
        manuscript,
        {
            "word/document.xml": at_end_of_paragraph("quote.", commented(" anchored words", 7)),
            "word/comments.xml": comments_part([(7, "Eve Reviewer", "Check this claim")]),
        },
    )
    code, out, _ = _import(str(manuscript))
    assert code == 0
    assert "comments (1, not in the brief):" in out
    assert "Eve Reviewer on “anchored words”: Check this claim" in out
    text = (Path.cwd() / "source" / "2024-1-europe-and-the-arctic.md").read_text()
    assert "anchored words" in text and "Check this claim" not in text


def test_zotero_and_mendeley_fields_become_citations(manuscript: Path) -> None:
    smith = zotero_item(11, "Smith", "The Alliance", 2020, locator="12", label="page")
    doe = zotero_item(12, "Doe", "Ships in the Ice", 2019)
    mendeley = zotero_item(13, "Smith", "Another Alliance", 2020)
    fields = zotero_field([smith], "(Smith 2020, 12)") + zotero_field([doe, mendeley], "(Doe)", "")
    rewrite(manuscript, {"word/document.xml": at_end_of_paragraph("quote.", fields)})
    # The reference list Zotero typed into the document is made anew from the references.
    rewrite(
        manuscript,
        {"word/document.xml": lambda xml: xml.replace("About the authors", "Bibliography")},
    )
    code, out, err = _import(str(manuscript))
    assert code == 0, err
    text = (Path.cwd() / "source" / "2024-1-europe-and-the-arctic.md").read_text()
    assert "> A block quote.[@smith2020, 12][@doe2019; @smith2020a]" in text
    assert "references: 2024-1-europe-and-the-arctic.references.json" in text
    data = json.loads(
        (Path.cwd() / "source" / "2024-1-europe-and-the-arctic.references.json").read_text()
    )
    assert [item["id"] for item in data] == ["doe2019", "smith2020", "smith2020a"]
    assert data[1]["title"] == "The Alliance" and data[1]["issued"] == {"date-parts": [[2020]]}
    assert "citations: 3 reference(s) from reference-manager fields" in out
    assert "“bibliography” section: reference list (the brief's bibliography is made" in out
    assert "Bob Builder is a fellow" not in text
    # The new brief's citations check against its new references file.
    checks = out.split("checks:")[1]
    assert "citation" not in checks and "references" not in checks


def test_dropped_formatting_is_reported_with_its_paragraph(manuscript: Path) -> None:
    extra = '<w:r><w:rPr><w:color w:val="FF0000"/></w:rPr><w:t>red words</w:t></w:r>'
    extra += '<w:r><w:br w:type="page"/></w:r>'
    chart = '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"/>'
    extra += f"<w:r><w:drawing>{chart}</w:drawing></w:r>"
    rewrite(manuscript, {"word/document.xml": at_end_of_paragraph("quote.", extra)})
    code, out, _ = _import(str(manuscript))
    assert code == 0
    dropped = out.split("dropped:")[1].split("to do:")[0]
    assert "(“A block quote.red words”): text colour" in dropped
    assert "(“A block quote.red words”): page break" in dropped
    assert "(“A block quote.red words”): chart (pandoc cannot read it" in dropped


def _word_document(folder: Path, heading: str, author_line: str | None) -> Path:
    """A manuscript as Word itself writes one (python-docx): styles, not Markdown."""
    document = docx.Document()
    document.core_properties.author = "Claire Propriétés"
    document.add_paragraph("La boussole stratégique", style="Title")
    if author_line:
        document.add_paragraph(author_line)
        document.add_paragraph("4 mars 2024")
    document.add_heading(heading, level=1)
    document.add_paragraph("Premier point clé.", style="List Bullet")
    document.add_paragraph("Second point clé.", style="List Bullet")
    document.add_heading("Introduction", level=1)
    document.add_paragraph("Un paragraphe d’introduction.")
    document.add_picture(str(png(folder / "green.png", (20, 160, 20))))
    drawing = document.paragraphs[-1]._p.xpath(".//wp:docPr")[0]
    drawing.set("descr", "Un rectangle vert")
    document.add_paragraph("Figure 1 : la légende", style="Caption")
    document.add_heading("Contexte", level=2)
    document.add_paragraph("Suite.")
    path = folder / "manuscrit.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize("heading", ["Points clés", "Key points", "Summary"])
def test_a_word_document_with_a_key_points_section(
    make_project: MakeProject, tmp_path: Path, heading: str
) -> None:
    root = make_project()
    path = _word_document(tmp_path, heading, "Par Anne Auteur et Paul Auteur")
    code, out, err = _import(str(path))
    assert code == 0, err
    brief = out.splitlines()[0].removeprefix("imported ")
    text = (root / brief).read_text(encoding="utf-8")
    assert 'title: "La boussole stratégique"' in text
    assert "- name: Anne Auteur\n- name: Paul Auteur" in text
    assert "key_issues:\n- Premier point clé.\n- Second point clé." in text
    assert "## Introduction" in text and "### Contexte" in text
    assert "![Un rectangle vert](figures/" in text and '"Figure 1 : la légende")' in text
    assert "date: 2024-03-04 from the line “4 mars 2024”" in out
    assert brief.startswith("source/2024-1-") and "4 mars" not in text


def test_authors_fall_back_to_the_document_properties(
    make_project: MakeProject, tmp_path: Path
) -> None:
    make_project()
    code, out, _ = _import(str(_word_document(tmp_path, "Key issues", None)))
    assert code == 0
    assert "authors: Claire Propriétés from the document properties" in out
    assert "no Date paragraph: write the publication date" in out
    assert "date: required field is missing" in out  # the check lists it; import still succeeds
    assert "authors come from the file's properties: check them" in out


def _ole(stream: str) -> bytes:
    """The start of an OLE compound file naming one stream, as Word 97 and encryption write."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + stream.encode("utf-16-le") + b"\0" * 100
    )


def _bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b" " * (60 * 2**20))


def _damaged(path: Path, manuscript: Path) -> None:
    data = bytearray(manuscript.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = b"\0" * 200
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "notes.txt",
            lambda p, m: p.write_text("just text"),
            "not a Word .docx file (it is not a zip",
        ),
        ("old.doc", lambda p, m: p.write_bytes(_ole("WordDocument")), "a Word 97-2003 .doc"),
        (
            "secret.docx",
            lambda p, m: p.write_bytes(_ole("EncryptionInfo")),
            "the document is encrypted",
        ),
        ("damaged.docx", _damaged, "the file is damaged"),
        ("bomb.docx", lambda p, m: _bomb(p), "(zip bomb?)"),
        (
            "empty.docx",
            lambda p, m: zipfile.ZipFile(p, "w").close(),
            "not a Word .docx file (no word/",
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    manuscript: Path, name: str, make: object, message: str
) -> None:
    path = manuscript.parent / name
    make(path, manuscript)  # type: ignore[operator]
    before = _files(Path.cwd())
    code, out, err = _import(str(path))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert f"{name}:-: import: " in err and message in err
    assert _files(Path.cwd()) == before


ENDNOTE = (
    "&lt;EndNote&gt;&lt;Cite&gt;&lt;Author&gt;Roe&lt;/Author&gt;&lt;Year&gt;2018&lt;/Year&gt;"
    "&lt;RecNum&gt;5&lt;/RecNum&gt;&lt;record&gt;&lt;rec-number&gt;5&lt;/rec-number&gt;"
    '&lt;ref-type name="Book"&gt;6&lt;/ref-type&gt;&lt;contributors&gt;&lt;authors&gt;'
    "&lt;author&gt;Roe, Richard&lt;/author&gt;&lt;/authors&gt;&lt;/contributors&gt;&lt;titles&gt;"
    "&lt;title&gt;Polar Routes&lt;/title&gt;&lt;/titles&gt;&lt;dates&gt;&lt;year&gt;2018"
    "&lt;/year&gt;&lt;/dates&gt;&lt;publisher&gt;Ice Press&lt;/publisher&gt;&lt;/record&gt;"
    "&lt;/Cite&gt;&lt;/EndNote&gt;"
)


def test_a_note_that_only_cites_becomes_a_citation_and_endnote_fields_are_read(
    make_project: MakeProject, tmp_path: Path
) -> None:
    make_project()
    text = "---\ntitle: Notes\n---\n\n# Intro\n\nA claim.[^1] Another claim.\n\n[^1]: CITEHERE\n"
    path = docx_from_markdown(text, tmp_path)
    smith = zotero_item(11, "Smith", "The Alliance", 2020, locator="12", label="page")
    field = zotero_field([smith], "John Smith, The Alliance (2020), 12.")
    endnote = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        f" ADDIN EN.CITE {ENDNOTE}</w:instrText></w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>(Roe 2018)</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    rewrite(
        path,
        {
            "word/footnotes.xml": lambda xml: xml.replace(
                '<w:t xml:space="preserve">CITEHERE</w:t></w:r>', "</w:r>" + field
            ),
            "word/document.xml": at_end_of_paragraph("Another", endnote),
        },
    )
    code, out, err = _import(str(path))
    assert code == 0, err
    brief = out.splitlines()[0].removeprefix("imported ")
    body = (Path.cwd() / brief).read_text(encoding="utf-8").split("---\n")[2]
    assert body.strip() == "## Intro\n\nA claim.[@smith2020, 12] Another claim.[@roe2018]"
    references = json.loads((Path.cwd() / brief.replace(".md", ".references.json")).read_text())
    assert [(r["id"], r["title"]) for r in references] == [
        ("roe2018", "Polar Routes"),
        ("smith2020", "The Alliance"),
    ]


def test_key_issues_in_a_text_box_are_read(make_project: MakeProject, tmp_path: Path) -> None:
    make_project()
    path = docx_from_markdown(
        "---\ntitle: Boxed\n---\n\nOpening words.\n\n# Intro\n\nText.\n", tmp_path
    )
    box = text_box(
        paragraph("Key issues", "Heading1")
        + paragraph("The first boxed issue.", "ListBullet")
        + paragraph("The second boxed issue.", "ListBullet")
    )
    rewrite(path, {"word/document.xml": at_end_of_paragraph("Opening", box)})
    code, out, err = _import(str(path))
    assert code == 0, err
    brief = out.splitlines()[0].removeprefix("imported ")
    text = (Path.cwd() / brief).read_text(encoding="utf-8")
    assert "key_issues:\n- The first boxed issue.\n- The second boxed issue.\n" in text
    assert text.count("boxed issue") == 2  # once, not again from Word's fallback copy
    assert "text box: its text now follows this paragraph (check its place)" in out


def test_a_summary_in_prose_stays_in_the_text(make_project: MakeProject, tmp_path: Path) -> None:
    make_project()
    text = "---\ntitle: Prose\n---\n\n# Summary\n\nAn abstract in prose.\n\n# Intro\n\nText.\n"
    code, out, _ = _import(str(docx_from_markdown(text, tmp_path)))
    assert code == 0
    brief = (Path.cwd() / out.splitlines()[0].removeprefix("imported ")).read_text()
    assert "## Summary\n\nAn abstract in prose." in brief and "key_issues" not in brief
    assert "no key-issues section: write key_issues" in out


LEVEL_THREE = """\
---
title: "Europe's Space Shield and the Constellations: a Long View of the Future"
author: [Eva Example, Jan de Vries]
date: 12 March 2024
---

### Key issues

- Satellites are infrastructure now.

### Introduction

Orbit is crowded.

#### Launchers

| Launcher | Flights |
|---|---|
| Ariane 6 | 2 |
| Vega C | 1 |

### About the authors

**Eva Example** is a researcher at the Institute.

**Jan de Vries**: senior fellow of the Institute.

### Reference list
"""


def test_import_polish_headings_bios_reference_list_and_tables(
    make_project: MakeProject, tmp_path: Path
) -> None:
    make_project()
    folder = tmp_path / "word"
    folder.mkdir()
    code, out, err = _import(str(docx_from_markdown(LEVEL_THREE, folder)))
    assert code == 0, err
    # A slug of whole words from the title, the apostrophe dropped, not cut at "-and-the".
    name = "2024-1-europes-space-shield-and-the-constellations-a-long.md"
    assert out.splitlines()[0] == f"imported source/{name}"
    path = Path.cwd() / "source" / name
    text = path.read_text(encoding="utf-8")
    # The title in double quotes, as `new` writes it.
    assert (
        'title: "Europe’s Space Shield and the Constellations: a Long View of the Future"' in text
    )
    # Heading 3 is the manuscript's top level: sections open with ##, a Heading 4 is ###.
    assert "## Introduction\n\nOrbit is crowded.\n\n### Launchers" in text
    assert "  headings: Heading 3 and below moved up 2 level(s), so sections open with ##" in out
    # The emptied reference list leaves no heading behind.
    assert "Reference list" not in text
    assert "“reference list” heading: an empty reference list" in out
    # The bio is printed under the author's name: no second, bold one.
    brief = load(path, Path.cwd())
    assert [(a.name, a.bio) for a in brief.authors] == [
        ("Eva Example", "Eva Example is a researcher at the Institute."),
        ("Jan de Vries", "Senior fellow of the Institute."),
    ]
    # The table is named by its number and first cells in the to-do list, not its text run on.
    assert "  Table 1 (Launcher · Flights): table has no caption: add a 'Table:' line" in out
    assert "LauncherFlights" not in out and "Ariane 6" not in out.split("to do:")[1]
    # And the brief passes the checks the build makes: no heading jumps from the title.
    assert out.rstrip().endswith("checks: the brief builds as it is")
