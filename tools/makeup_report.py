"""Review helper: page makeup's contract measured on the laid-out pages of briefs.

python tools/makeup_report.py [BRIEF.md ...]   (default: every brief under source/)

Per brief: each page's fill (the last page against the style's ``last_page``),
each figure and table with its page and section, the float-placement findings,
the longest run of hyphenated lines and the words broken across a page turn.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from briefpress.build import BuildOptions, Project
from briefpress.build.builder import Builder
from briefpress.layout import hyphenation, makeup
from briefpress.layout import rules as checks
from briefpress.render import html


def report(builder: Builder, path: Path) -> str:
    brief = builder.load(path)
    style = builder.style(brief.series.style)
    document = html.render(brief, style, "print", {"pdf_target": "print", "draft_note": ""})
    pages = builder.lay_out(brief, style, document.text, style.target("print")).pages
    options = makeup.settings(style.page_makeup)
    fills = " ".join(f"{makeup.fill(page):.0%}" for page in pages)
    floats, _mentions, titles = checks._floats_and_mentions(pages)
    placed = ", ".join(
        f"{f.label} p{f.page} in “{titles[f.section - 1] if f.section else '-'}”" for f in floats
    )
    context = checks.Context(
        brief, style, pages, b"", {}, "float-placement", checks.class_index(pages)
    )
    findings = [f.message for f in checks.float_placement(context)]
    runs = max((_run(lines) for lines in hyphenation._paragraph_lines(pages)), default=0)
    turns = [f for f in hyphenation.hyphenation_faults(pages) if "page turn" in f[3]]
    last = makeup.short_last_page(pages, options) or "last page ok"
    return (
        f"{path}: {len(pages)} pages, fill {fills}; {placed or 'no floats'}; "
        f"float-placement {findings or 'ok'}; longest hyphen run {runs}; "
        f"page-turn breaks {len(turns)}; {last}"
    )


def _run(lines: list[tuple[int, object]]) -> int:
    longest = run = 0
    for _page, line in lines:
        run = run + 1 if hyphenation._BROKEN.search(str(getattr(line, "text", "")).rstrip()) else 0
        longest = max(longest, run)
    return longest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("briefs", nargs="*", type=Path)
    args = parser.parse_args()
    root = Path.cwd()
    builder = Builder(Project(root), root / "build", BuildOptions())
    paths = args.briefs or sorted((root / "source").rglob("*.md"))
    for path in paths:
        print(report(builder, path.resolve().relative_to(root)))


if __name__ == "__main__":
    main()
