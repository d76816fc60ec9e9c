"""Related briefs and neighbours as pages link them (`site.pages.PageRun`).

The index scores only the briefs that share an author or a keyword with a page's
brief; these tests hold it to the rule scored brute force over every pair.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from briefpress.build import BuildOptions, Project
from briefpress.build.builder import Builder
from briefpress.site.pages import (
    MOST_RELATED,
    SAME_SERIES,
    SHARED_AUTHOR,
    SHARED_KEYWORD,
    PageRun,
)
from briefpress.source import Brief

from .conftest import MakeProject

AUTHORS = ["Ada Tester", "Bo Second", "Chen Wei", "Dana Ito", "ÉLODIE MARTIN"]
KEYWORDS = ["NATO", "Arctic", "Japan", "Trade", "nato", "Energy", "Cyber"]


def _brief(number: int, rng: random.Random, extra: str = "") -> tuple[str, str]:
    """A brief's file name and text, with a random date, authors and keywords."""
    date = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 1500))
    authors = "".join(f"  - name: {name}\n" for name in rng.sample(AUTHORS, rng.randint(1, 2)))
    keywords = ", ".join(rng.sample(KEYWORDS, rng.randint(0, 3)))
    text = (
        f'---\nnumber: {number}\ndate: {date.isoformat()}\ntitle: "Brief {number}"\n'
        f"authors:\n{authors}keywords: [{keywords}]\n{extra}"
        "key_issues:\n  - An issue.\n---\n\n## Introduction\n\nText.\n"
    )
    return f"{date.year}-{number}-b.md", text


def _briefs(make_project: MakeProject, count: int = 40) -> list[Brief]:
    rng = random.Random(28)
    files = dict(_brief(n, rng) for n in range(1, count + 1))
    first = next(name for name in files if name.endswith("-1-b.md"))
    # A French edition of brief 1: neither is the other's related brief.
    name, text = _brief(count + 1, rng, f"lang: fr\ntranslation_of: {first[:-3]}\n")
    files[name] = text
    root = make_project(files)
    builder = Builder(Project(root), root / "build", BuildOptions())
    return [builder.load(root / "source" / name) for name in sorted(files)]


def _brute_force(brief: Brief, others: list[Brief], limit: int) -> list[Path]:
    """The rule, pair by pair: authors 4, keywords 2, series 1 (casefolded); newer, then
    file name, breaks ties; the brief's own editions left out."""
    own = {e.path for e in brief.editions} | {brief.path}
    authors = {a.name.casefold() for a in brief.authors}
    keywords = {k.casefold() for k in brief.keywords}
    scored = []
    for other in others:
        if other.path in own or any(e.path == brief.path for e in other.editions):
            continue
        score = SHARED_AUTHOR * len(authors & {a.name.casefold() for a in other.authors})
        score += SHARED_KEYWORD * len(keywords & {k.casefold() for k in other.keywords})
        score += SAME_SERIES if other.series.path == brief.series.path else 0
        if score:
            scored.append((-score, -other.date.toordinal(), other.path.as_posix(), other.path))
    return [item[-1] for item in sorted(scored)[:limit]]


def test_related_briefs_follow_the_scoring_rule(make_project: MakeProject) -> None:
    briefs = _briefs(make_project)
    run = PageRun(briefs)
    for brief in briefs:
        for limit in (1, 3, MOST_RELATED, 100):
            wanted = _brute_force(brief, briefs, limit)
            assert [b.path for b in run.related(brief, limit)] == wanted, brief.path.name
    french = next(b for b in briefs if b.language == "fr")
    english = next(b for b in briefs if b.number == 1)
    assert french.path not in [b.path for b in run.related(english, 100)]
    assert english.path not in [b.path for b in run.related(french, 100)]


def test_neighbours_are_the_series_in_date_order(make_project: MakeProject) -> None:
    briefs = _briefs(make_project)
    run = PageRun(briefs[1:])  # the first brief is left out, as a draft would be
    order = sorted(briefs[1:], key=lambda b: (b.date, b.number))
    for before, brief, after in zip([None, *order], order, [*order[1:], None], strict=False):
        assert run.neighbours(brief) == (before, after)
    assert run.neighbours(briefs[0]) == (None, None)
