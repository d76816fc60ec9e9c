"""Architecture: the package tree reads as the pipeline, and keeps reading that way."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "briefpress"
#: Stages from the bottom up: each may import only itself and those before it.
STAGES = ("errors", "faces", "markdown", "source", "style", "render", "layout", "build", "site")
#: Front ends sit on top and may import any stage.
FRONT_ENDS = ("cli", "preview", "scaffold", "intake", "schema_docs", "__main__", "__init__")
#: Stage packages: each shows other packages one face, its ``__init__``.
PACKAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
#: Past this a module is worth a second look (a note, not a failure: modules are cut by
#: cohesion, not by length).
LONG_MODULE = 600


class LongModule(UserWarning):
    """A module past LONG_MODULE lines: shown in the warnings summary, never an error."""


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


def test_long_modules_get_a_note() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LONG_MODULE
    }
    with warnings.catch_warnings():
        warnings.simplefilter("always", LongModule)  # the suite turns warnings into errors
        for name, lines in sorted(long.items()):
            warnings.warn(f"{name}: {lines} lines: one concept still?", LongModule, stacklevel=1)


def _target(path: Path, node: ast.ImportFrom) -> list[str]:
    """The module an import reads, as parts under briefpress/ (``[]``: briefpress itself)."""
    if node.level:
        here = list(path.relative_to(PACKAGE).parent.parts)
        base = here[: len(here) - (node.level - 1)]
        return [*base, *(node.module.split(".") if node.module else [])]
    if (node.module or "").split(".")[0] != "briefpress":
        return ["<outside>"]
    return (node.module or "").split(".")[1:]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _face(package: str) -> ast.Module:
    return ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))


def _face_all(package: str) -> list[str]:
    for node in _face(package).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
            "__all__"
        ]:
            names = ast.literal_eval(node.value)
            assert isinstance(names, list)
            return [str(name) for name in names]
    return []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_other_packages_are_reached_through_their_face(path: Path) -> None:
    """No private name crosses a package; names come from the face, which lists them.

    ``python tools/face_imports.py`` rewrites imports that go round a face.
    """
    owner = _stage(path)
    wrong = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        parts = _target(path, node)
        names = [alias.name for alias in node.names]
        where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
        if parts == ["<outside>"] or (parts and parts[0] == owner):
            continue
        private = [n for n in [*parts, *names] if _private(n)]
        if private:
            wrong.append(f"{where}: imports private {', '.join(private)}")
        if not parts or parts[0] not in PACKAGES:
            continue  # a top-level module (errors, scaffold): it is its own face
        face = _face_all(parts[0])
        lacking = [n for n in names if n not in face]
        if len(parts) > 1 and parts[1] not in face:
            wrong.append(
                f"{where}: reads {'.'.join(parts)}: list {', '.join(names)} in"
                f" {parts[0]}/__init__.py, then run tools/face_imports.py"
            )
        elif len(parts) > 1 and not lacking:
            wrong.append(f"{where}: the {parts[0]} face has {', '.join(names)}: import it there")
        elif len(parts) == 1 and lacking:
            wrong.append(f"{where}: {parts[0]}/__init__.py __all__ lacks {', '.join(lacking)}")
    assert wrong == []


def _type_checking_names(face: ast.Module) -> dict[str, str]:
    """Name → module of the imports under ``if TYPE_CHECKING:`` (what mypy sees)."""
    found: dict[str, str] = {}
    for node in face.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.level == 1
                for alias in statement.names:
                    found[alias.asname or alias.name] = statement.module or alias.name
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_each_stage_package_has_a_face(package: str) -> None:
    """A docstring naming the stage, ``__all__``, and nothing loaded until it is used."""
    face = _face(package)
    docstring = ast.get_docstring(face) or ""
    assert docstring.split(":")[0].endswith("stage"), f"{package}: docstring names no stage"
    listed = _face_all(package)
    assert len(listed) == len(set(listed)), f"{package}: __all__ lists a name twice"
    typed = _type_checking_names(face)
    assert set(typed) == set(listed), f"{package}: the TYPE_CHECKING imports and __all__ differ"
    probe = f"import sys, briefpress.{package}; print(sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert f"'briefpress.{package}." not in loaded, f"{package}: its face loads modules"
    module = importlib.import_module(f"briefpress.{package}")
    submodules = {p.stem for p in (PACKAGE / package).glob("*.py")}
    for name in listed:
        home = importlib.import_module(f"briefpress.{package}.{typed[name]}")
        expected = home if typed[name] == name else getattr(home, name)
        assert getattr(module, name) is expected, f"{package}.{name}: not {home.__name__}'s"
        # A name that is also a submodule's would be replaced by the module once imported.
        assert name not in submodules or typed[name] == name, f"{package}.{name}: a module too"


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
