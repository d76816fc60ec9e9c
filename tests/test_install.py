"""Install integrity: what `make` alone installs is enough for every command."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject, run_cli

SRC = REPO / "src" / "briefpress"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    """``pypdf>=5`` → ``pypdf``, normalised as pip compares names."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match[0]).lower()


def _imported_modules() -> dict[str, str]:
    """Top-level module → first file importing it, over every module of the package."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(REPO)))
    return found


def test_every_runtime_import_is_a_declared_dependency() -> None:
    runtime = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    distributions = packages_distributions()
    undeclared = []
    for module, where in _imported_modules().items():
        if module in sys.stdlib_module_names or module == "briefpress":
            continue
        names = {_name(d) for d in distributions.get(module, [module])}
        if not names & runtime:
            undeclared.append(f"{where}: imports {module} ({', '.join(sorted(names))})")
    assert undeclared == []


def test_every_dependency_is_pinned_in_the_lock() -> None:
    lock = (REPO / "requirements" / "lock.txt").read_text(encoding="utf-8")
    pinned = {_name(line) for line in lock.splitlines() if "==" in line and line[0].isalnum()}
    wanted = [
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["test"],
    ]
    assert [r for r in wanted if _name(r) not in pinned] == []


def _test_only_modules() -> list[str]:
    """Modules that only the test extras bring: a `make`-only install lacks them."""
    runtime = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    test_only = {_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]} - runtime
    return sorted(
        module
        for module, dists in packages_distributions().items()
        if {_name(d) for d in dists} & test_only and not module.startswith("_")
    )


def test_check_runs_without_the_test_extras(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    blocked = _test_only_modules()
    assert "pytest" in blocked and "pypdf" not in blocked
    prelude = (
        "import sys\n"
        f"BLOCKED = {blocked!r}\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in BLOCKED:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r} (test extra)')\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    result = run_cli("check", "source/", "-j", "1", cwd=root, prelude=prelude)
    assert result.returncode == 0, result.stderr
    assert "checked 1 brief(s): 0 rule(s) failed, 0 brief(s) could not be built" in result.stderr
