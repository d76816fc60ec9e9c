"""Documentation: the docs site builds strictly, the README is short and its links resolve.

Also the licence, changelog and contributing files, and a docstring on every name
of the stage packages' faces (the API pages are generated from them).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from .conftest import REPO

#: The pages issue #27 asks for, by file.
PAGES = (
    "index.md",
    "getting-started.md",
    "writing.md",
    "series.md",
    "messages.md",
    "citations.md",
    "import.md",
    "print.md",
    "makeup.md",
    "formats.md",
    "web.md",
    "checks.md",
    "styles.md",
    "cli.md",
    "security.md",
    "performance.md",
    "architecture.md",
    "contributing.md",
    "api.md",
    "changelog.md",
    "license.md",
)
#: The stage packages, each with a public face (``__all__``).
STAGES = ("markdown", "source", "style", "render", "layout", "build", "site", "intake")
README_LIMIT = 8 * 1024
#: Markdown links and images, and HTML ``src``/``href`` attributes.
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)|(?:src|href)=\"([^\"]+)\"")


def _nav_files(nav: object) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [f for item in nav for f in _nav_files(item)]
    if isinstance(nav, dict):
        return [f for value in nav.values() for f in _nav_files(value)]
    return []


def _mkdocs_config() -> dict[str, object]:
    # mkdocs.yml has no custom tags, so the safe loader reads it.
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    assert isinstance(config, dict)
    return config


def test_every_page_is_in_the_site() -> None:
    config = _mkdocs_config()
    listed = _nav_files(config["nav"])
    for page in PAGES:
        assert (REPO / "docs" / page).is_file(), page
        assert page in listed, f"{page} is not in mkdocs.yml's nav"
    assert config["strict"] is True
    theme = config["theme"]
    assert isinstance(theme, dict) and theme["font"] is False  # no Google Fonts fetched


def test_the_docs_site_builds_in_strict_mode(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NO_MKDOCS_2_WARNING": "1"}
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for page in PAGES:
        assert (out / page.replace(".md", ".html")).is_file(), page
    # The command-line reference is read from Click, the field tables from the schemas.
    cli = (out / "cli.html").read_text(encoding="utf-8")
    assert "--pdf-variant" in cli and "--update-baseline" in cli
    assert "Sentinel" not in cli  # mkdocs-click's table style shows click 8.3's UNSET default
    writing = (out / "writing.html").read_text(encoding="utf-8")
    assert "translation_of" in writing
    api = (out / "api.html").read_text(encoding="utf-8")
    assert 'id="briefpress.style.load_style"' in api


def test_a_broken_link_fails_the_docs_build(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("mkdocs.yml", "CHANGELOG.md", "LICENSE"):
        (copy / name).write_bytes((REPO / name).read_bytes())
    docs = copy / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\n[missing](nowhere.md)\n", encoding="utf-8")
    config = _mkdocs_config()
    config["nav"] = [{"Home": "index.md"}]
    config["plugins"] = ["search"]
    config["markdown_extensions"] = ["toc"]
    (copy / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "out")],
        cwd=copy,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "nowhere.md" in result.stdout + result.stderr


def _local_links(text: str) -> list[str]:
    found = [m[1] or m[2] for m in _LINK.finditer(text)]
    return [link for link in found if not re.match(r"[a-z]+:", link) and not link.startswith("#")]


@pytest.mark.parametrize("name", ["README.md", "CONTRIBUTING.md"])
def test_the_front_files_links_resolve(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    links = _local_links(text)
    assert links, f"{name} links nowhere"
    for link in links:
        path, _, anchor = link.partition("#")
        target = REPO / path
        assert target.exists(), f"{name}: {link} does not exist"
        if anchor:
            headings = target.read_text(encoding="utf-8")
            slugs = {
                re.sub(r"[^\w\- ]", "", h.lower()).strip().replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", headings, re.M)
            }
            assert anchor in slugs, f"{name}: {link}: no such heading"


def test_the_readme_is_short_and_says_the_two_commands() -> None:
    readme = (REPO / "README.md").read_bytes()
    assert len(readme) < README_LIMIT, f"README.md is {len(readme)} bytes"
    text = readme.decode("utf-8")
    assert "make        #" in text and "make test   #" in text
    for command in ("briefpress new", "briefpress watch", "briefpress build", "briefpress check"):
        assert command in text
    # The pictures are the docs' own, made by `make pictures`.
    assert "docs/img/page-1.png" in text and "docs/img/web-page-375.png" in text


def test_the_licence_changelog_and_contributing_files() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert project["license"] == "MIT" and licence.startswith("MIT License")
    # Every font a style declares, and the colour profile's source, is listed with its licence.
    for style in sorted((REPO / "styles").glob("*/style.yaml")):
        for font in yaml.safe_load(style.read_text(encoding="utf-8")).get("fonts") or []:
            name = font.get("fontpkg") or font.get("package") or font.get("family")
            shown = name.replace("_", "-") if font.get("package") else name
            assert shown in licence, f"{style}: {name} is not in LICENSE"
    assert "FOGRA39L.ti3" in licence and "zlib" in licence
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "keepachangelog.com" in changelog and "## [Unreleased]" in changelog
    assert f"## [{project['version']}] - " in changelog
    assert "docs/contributing.md" in (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")


def _undocumented(obj: object) -> bool:
    doc = inspect.getdoc(obj) or ""
    # A dataclass without a docstring gets its signature as one: that is no documentation.
    return not doc.strip() or (inspect.isclass(obj) and doc.startswith(f"{obj.__name__}("))


def _face_names() -> list[tuple[str, str]]:
    return [
        (stage, name)
        for stage in STAGES
        for name in importlib.import_module(f"briefpress.{stage}").__all__
    ]


@pytest.mark.parametrize(("stage", "name"), _face_names(), ids=lambda v: str(v))
def test_every_name_of_a_face_has_a_docstring(stage: str, name: str) -> None:
    obj = getattr(importlib.import_module(f"briefpress.{stage}"), name)
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return  # constants and submodules: documented where they are defined
    assert not _undocumented(obj), f"briefpress.{stage}.{name} has no docstring"
    if inspect.isclass(obj):
        for member, value in vars(obj).items():
            function = value.fget if isinstance(value, property) else value
            function = getattr(function, "__func__", function)
            if member.startswith("_") or not inspect.isfunction(function):
                continue
            assert not _undocumented(function), f"briefpress.{stage}.{name}.{member}: no docstring"


def _table_keys(page: str) -> set[str]:
    text = (REPO / "docs" / page).read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, re.M))


def test_every_layout_rule_and_preflight_check_is_documented() -> None:
    from briefpress.layout.rules import KINDS

    rules = _table_keys("checks.md")
    # first-page and last-page are kinds a style names its own rules after.
    assert set(KINDS) - {"first-page", "last-page"} <= rules
    checks_page = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    for style in sorted((REPO / "styles").glob("*/style.yaml")):
        for rule in yaml.safe_load(style.read_text(encoding="utf-8")).get("rules") or {}:
            assert f"`{rule}" in checks_page, f"{style}: rule {rule} is not in docs/checks.md"
    source = (REPO / "src" / "briefpress" / "layout" / "preflight.py").read_text(encoding="utf-8")
    checks = set(re.findall(r'Issue\(\s*"([a-z-]+)"', source))
    assert {"rgb", "inks", "resolution"} <= checks
    assert checks <= _table_keys("print.md"), checks - _table_keys("print.md")


def _message_patterns() -> list[re.Pattern[str]]:
    """Every string and f-string of the code as a pattern, its fields matching anything."""
    patterns = []
    for path in sorted((REPO / "src" / "briefpress").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                parts = [
                    re.escape(str(v.value)) if isinstance(v, ast.Constant) else ".*?"
                    for v in node.values
                ]
                literal = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
                if len(literal) >= 6:  # f"{a}: {b}" would match any text
                    patterns.append(re.compile("".join(parts), re.S))
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and len(node.value) >= 8
            ):
                patterns.append(re.compile(re.escape(node.value), re.S))
    return patterns


def _could_print(line: str, patterns: list[re.Pattern[str]]) -> bool:
    # Messages nest: "path:line: field: part: message", each part from its own string.
    message = re.sub(r"^[^ :]+:(\d+|-)(:\d+)?: ", "", line.removeprefix("warning: "))
    candidates = [line, message]
    for _ in range(3):
        candidates.append(re.sub(r'^[\w"./ -]+: ', "", candidates[-1]))
    for text in candidates:
        for pattern in patterns:
            if pattern.fullmatch(text):
                return True
            head = pattern.match(text)
            if head and head.end() and any(p.fullmatch(text[head.end() :]) for p in patterns):
                return True
    return False


def test_every_example_message_is_one_briefpress_can_print() -> None:
    """The examples of the messages page, and located lines on every page, come from the code."""
    patterns = _message_patterns()
    located = re.compile(r"^(warning: )?[\w./-]+\.(md|yaml|bib|json|docx):(\d+|-)(:\d+)?: ")
    wrong = []
    for page in sorted((REPO / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"^```\n(.*?)^```", text, re.S | re.M):
            for line in block.splitlines():
                line = line.strip()
                whole_block = page.name == "messages.md" and "└" not in block
                shown = (whole_block and line) or located.match(line)
                if shown and not _could_print(line, patterns):
                    wrong.append(f"{page.name}: {line}")
    assert wrong == []


def test_the_ci_workflows_are_ready_to_copy() -> None:
    github = yaml.safe_load((REPO / "docs" / "ci" / "github-actions.yml").read_text("utf-8"))
    steps = github["jobs"]["build"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert "make" in runs and any("briefpress check source/ --junit" in r for r in runs)
    gitlab = yaml.safe_load((REPO / "docs" / "ci" / "gitlab-ci.yml").read_text("utf-8"))
    job = gitlab["briefs"]
    junit = job["artifacts"]["reports"]["junit"]
    assert job["script"][0] == "make" and f"--junit {junit}" in job["script"][1]
    # The page shows the files themselves, so what one copies is what is tested.
    page = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    assert (
        '--8<-- "docs/ci/github-actions.yml"' in page and '--8<-- "docs/ci/gitlab-ci.yml"' in page
    )
