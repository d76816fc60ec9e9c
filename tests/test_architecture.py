"""Architecture: the package tree reads as the pipeline, and keeps reading that way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "briefpress"
#: Stages from the bottom up: each may import only itself and those before it.
STAGES = ("errors", "markdown", "source", "style", "render", "layout", "build", "site")
#: Front ends sit on top and may import any stage.
FRONT_ENDS = ("cli", "preview", "scaffold", "intake", "schema_docs", "__main__", "__init__")
#: Modules are cut by cohesion, not by length (issue 21): this only catches a sprawl.
MAX_LINES = 600


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _stage(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imported_stages(path: Path) -> set[str]:
    """The briefpress stages a module imports, at any depth (lazy imports count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(PACKAGE).parent.parts
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[: len(package) - (node.level - 1)])
            target = [*base, *(node.module.split(".") if node.module else [])]
            names = [target[0]] if target else [alias.name for alias in node.names]
            found.update(names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("briefpress."):
            found.add((node.module or "").split(".")[1])
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_stage_imports_only_stages_below_it(path: Path) -> None:
    stage = _stage(path)
    if stage in FRONT_ENDS:
        return
    assert stage in STAGES, f"{stage} is not a known stage: add it to STAGES in order"
    allowed = set(STAGES[: STAGES.index(stage) + 1]) | {"__init__"}
    upward = sorted(s for s in _imported_stages(path) - allowed if s in STAGES + FRONT_ENDS)
    assert upward == [], f"{path.name} ({stage}) imports {upward}, above it"


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_weasyprint_is_touched_by_the_adapter_alone() -> None:
    users = sorted(
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if "weasyprint" in p.read_text(encoding="utf-8").lower().replace("weasyprint's", "")
        and any(
            (isinstance(n, ast.ImportFrom) and (n.module or "").startswith("weasyprint"))
            or (isinstance(n, ast.Import) and any(a.name.startswith("weasyprint") for a in n.names))
            or (isinstance(n, ast.Attribute) and n.attr == "_page_box")
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        )
    )
    assert users == ["layout/engine.py"]


def test_bugs_are_caught_only_at_the_worker_boundary() -> None:
    broad = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and (
                node.type is None
                or (
                    isinstance(node.type, ast.Name)
                    and node.type.id in ("Exception", "BaseException")
                )
            ):
                body = node.body
                reraises = bool(body) and isinstance(body[-1], ast.Raise)
                if not reraises:
                    broad.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert [place.split(":")[0] for place in broad] == ["build/workers.py"], broad
