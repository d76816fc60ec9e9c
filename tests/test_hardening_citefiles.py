"""Hardening, second pass (issue 29): RIS and BibTeX downloads that cannot be forged."""

from __future__ import annotations

import json
from pathlib import Path

import rispy  # type: ignore[import-untyped]  # no py.typed in 0.10

from briefpress.site import citefiles
from briefpress.source.model import load
from briefpress.source.pandoc import run_pandoc

from .conftest import REPO, MakeProject
from .test_citefiles import _load, cache

__all__ = ["cache"]  # the fixture, shared

HOSTILE_TITLE = r"Safe}, howpublished = {\input /etc/passwd}, note = {x"
HOSTILE_BRIEF = """---
number: 1
date: 2024-03-05
title: '{title}'
authors:
  - name: "Ada Tester\\nER  -\\nTY  - JOUR\\nTI  - Forged"
  - name: "Bob {{\\\\input /etc/passwd}} Builder"
keywords: ["one\\nER  -\\nTY  - BOOK", "two\\u2028KW  - three", "{{four}}"]
key_issues:
  - One.
---

Body.
"""


def test_injections_are_neutralised_and_read_back_as_one_record(
    make_project: MakeProject, cache: Path
) -> None:
    text = HOSTILE_BRIEF.format(title=HOSTILE_TITLE)
    (brief,) = _load(make_project, {"2024-1-a.md": text})
    assert brief.series.publisher
    files = citefiles.citation_files(brief)
    bib = files["2024-1-a.bib"].decode()
    ris = files["2024-1-a.ris"].decode()

    # RIS: one record, every value on its own line, nothing forged.
    records = rispy.loads(ris.replace("\r\n", "\n"))
    assert len(records) == 1
    (record,) = records
    assert record["type_of_reference"] == "RPRT"
    assert len(record["authors"]) == 2
    assert "primary_title" in record or "title" in record
    assert ris.count("TY  - ") == 1 and ris.count("ER  -") == 1
    assert all(line[:2].isupper() for line in ris.split("\r\n") if line)
    assert record["keywords"] == ["one ER - TY - BOOK", "two KW - three", "{four}"]

    # BibTeX: one entry, the title whole, no field pandoc did not write.
    fields = [line.split(" = ")[0].strip() for line in bib.splitlines()[1:-1]]
    assert "howpublished" not in fields and "note" not in fields
    for reader in ("bibtex", "biblatex"):
        back = json.loads(run_pandoc(["-f", reader, "-t", "csljson"], bib))
        assert len(back) == 1
        (item,) = back
        assert item["title"] == HOSTILE_TITLE
        assert len(item["author"]) == 2
        assert item["publisher"] == brief.series.publisher  # one institution, "and" or not


def test_an_institution_with_and_stays_one(make_project: MakeProject, cache: Path) -> None:
    series = (REPO / "source" / "series.yaml").read_text(encoding="utf-8")
    lines = [line for line in series.splitlines() if not line.startswith("publisher:")]
    series = "\n".join(lines) + '\npublisher: "Research and Development {Institute}"\n'
    root = make_project({"2024-1-a.md": HOSTILE_BRIEF.format(title="Plain")}, series)
    brief = load(root / "source" / "2024-1-a.md", root)
    bib = citefiles.citation_files(brief)["2024-1-a.bib"].decode()
    (item,) = json.loads(run_pandoc(["-f", "biblatex", "-t", "csljson"], bib))
    assert item["publisher"] == "Research and Development {Institute}"
