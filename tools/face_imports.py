"""Maintenance: point imports across stage packages at the package's face.

python tools/face_imports.py [--check]

``from ..style.loader import Style`` in another package becomes
``from ..style import Style`` when the face (``style/__init__.py``) lists every
name imported; a name it lacks is reported (add it to the face, then run again).
An import of names the face lacks from a module the face lists as public
(``from ..layout.preflight import CLAIMS``) is left alone. Then
``ruff check --fix src`` merges the lines and sorts them.
tests/test_architecture.py fails on what this would change.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "briefpress"


def face_names(package: str) -> set[str]:
    """The names in ``__all__`` of a stage package's ``__init__`` (empty for a module)."""
    init = PACKAGE / package / "__init__.py"
    if not init.is_file():
        return set()
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return {str(name) for name in ast.literal_eval(node.value)}
    return set()


def target(path: Path, node: ast.ImportFrom) -> list[str]:
    """The module an import reads, as parts under briefpress (``[]`` for the package)."""
    if node.level:
        here = list(path.relative_to(PACKAGE).parent.parts)
        base = here[: len(here) - (node.level - 1)]
        return [*base, *(node.module.split(".") if node.module else [])]
    return (node.module or "").split(".")[1:]


def owner(path: Path) -> str:
    """The stage package (or top-level module) a module belongs to."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def rewrite(path: Path) -> tuple[str, list[str]]:
    """The module's text with cross-package imports through faces, and what was left."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    left: list[str] = []
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.ImportFrom):
            continue
        if not node.level and not (node.module or "").startswith("briefpress."):
            continue
        parts = target(path, node)
        if len(parts) < 2 or parts[0] == owner(path):
            continue
        face = face_names(parts[0])
        if not face:  # a top-level module: it is its own face
            continue
        names = [alias.name for alias in node.names]
        missing = [name for name in names if name not in face]
        if missing and parts[1] in face:  # a module the face makes public
            continue
        if missing:
            where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
            left.append(f"{where}: {parts[0]}/__init__.py lacks {', '.join(missing)}")
            continue
        # Across packages the import climbs to briefpress/ itself: keep the dots.
        module = "." * node.level + parts[0] if node.level else f"briefpress.{parts[0]}"
        imported = ", ".join(
            f"{alias.name} as {alias.asname}" if alias.asname else alias.name
            for alias in node.names
        )
        indent = lines[node.lineno - 1][: node.col_offset]
        statement = f"{indent}from {module} import {imported}\n"
        edits.append((node.lineno, node.end_lineno or node.lineno, statement))
    for start, end, line in sorted(edits, reverse=True):
        lines[start - 1 : end] = [line]
    return "".join(lines), left


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args()
    status = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        new, left = rewrite(path)
        for line in left:
            print(line)
            status = 1
        if new != path.read_text(encoding="utf-8"):
            print(f"{path.relative_to(PACKAGE.parents[1])}: imports through the faces")
            status = 1
            if not args.check:
                path.write_text(new, encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
