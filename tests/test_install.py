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
    """``pikepdf>=9`` → ``pikepdf``, normalised as pip compares names."""
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


def _pins(lock: str) -> dict[str, str]:
    """Package → pinned version, from one lock file under requirements/."""
    text = (REPO / "requirements" / lock).read_text(encoding="utf-8")
    pins = {}
    for line in text.splitlines():
        if line[:1].isalnum():
            name, _, version = line.split()[0].partition("==")
            assert version, f"{lock}: {line}: not pinned with =="
            pins[_name(name)] = version
    return pins


def test_every_dependency_is_pinned_in_the_lock() -> None:
    runtime, test = _pins("lock.txt"), _pins("test.txt")
    missing = [r for r in PYPROJECT["project"]["dependencies"] if _name(r) not in runtime]
    missing += [
        f"{r} (test)"
        for r in PYPROJECT["project"]["optional-dependencies"]["test"]
        if _name(r) not in test
    ]
    assert missing == []


def test_the_test_lock_keeps_every_runtime_pin() -> None:
    """`make test` adds tools to what `make` installed; it never moves a runtime package."""
    runtime, test = _pins("lock.txt"), _pins("test.txt")
    assert {n: (v, test.get(n)) for n, v in runtime.items() if test.get(n) != v} == {}


def test_every_pin_carries_hashes() -> None:
    """`pip install --require-hashes` refuses a lock entry without one (run `make lock`)."""
    for lock in ("lock.txt", "test.txt"):
        text = (REPO / "requirements" / lock).read_text(encoding="utf-8")
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1])
        unhashed = [e.split()[0] for e in entries if e[:1].isalnum() and "--hash=sha256:" not in e]
        assert unhashed == [], lock


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
    assert "pytest" in blocked and "pikepdf" not in blocked
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
