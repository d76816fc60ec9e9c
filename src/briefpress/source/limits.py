"""Model stage, limits: how much one brief may hold, declared once.

Each cap keeps one brief's memory and time bounded (80,000 notes took 6.5 GB,
3,000 keywords made ``index`` write 3,002 pages in 292 s); a brief over a cap
fails with a located line naming the cap. The docs' security page lists them.
"""

from __future__ import annotations

#: Keywords in a brief's front matter: each becomes a catalogue filter page.
MAX_KEYWORDS = 50
#: Authors of one brief: each becomes a catalogue filter page and a metadata entry.
MAX_AUTHORS = 50
#: Notes (references to them) in one brief's body.
MAX_NOTES = 2_000
#: Citations (items of every cluster) in one brief's body.
MAX_CITATIONS = 3_000
#: Tables in one brief's body.
MAX_TABLES = 300
#: Nesting of blocks and inline markup (quotes in lists in boxes, emphasis in links...);
#: below markdown-it's own ceiling (20), where it stops parsing without a word.
MAX_NESTING = 16

#: (cap, what it counts) for the docs' table.
LIMITS = (
    (MAX_KEYWORDS, "keywords of a brief (`keywords:`)"),
    (MAX_AUTHORS, "authors of a brief (`authors:`)"),
    (MAX_NOTES, "notes referenced in a brief's body"),
    (MAX_CITATIONS, "citations in a brief's body (every item of every cluster)"),
    (MAX_TABLES, "tables in a brief's body"),
    (MAX_NESTING, "levels of nested blocks and inline markup"),
)
