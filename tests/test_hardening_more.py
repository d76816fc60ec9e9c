"""Hardening (issue 17), items 11-13: the preview server, git for drafts, small items."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from briefpress.build import Project
from briefpress.preview import Preview, serve

from .conftest import MakeProject
from .hardening_support import brief_with, run

# 11. The preview server ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(port: int, path: str, host: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_preview_answers_bad_pages_and_foreign_hosts(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    preview = Preview(root / "source" / "2024-1-x.md", Project(root))
    port = _free_port()
    server = serve(preview, port)
    try:
        here = f"127.0.0.1:{port}"
        assert _request(port, "/page/%C2%B2.png", here) == 404
        assert _request(port, "/page/%D9%A3.png", f"localhost:{port}") == 404
        assert _request(port, "/", here) == 200
        assert _request(port, "/", f"localhost:{port}") == 200
        assert _request(port, "/", f"attacker.example:{port}") == 403
        assert _request(port, "/version", "127.0.0.1") == 403
    finally:
        server.shutdown()
        server.server_close()


# 12. Drafts ask git safely ---------------------------------------------------------------


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_a_hostile_git_config_in_a_brief_folder_runs_nothing(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project()
    folder = root / "source" / "unpacked"
    folder.mkdir()
    (folder / "2024-1-x.md").write_text(brief_with("Text."))
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.sh"
    evil.write_text(f"#!/bin/sh\ntouch {marker}\n")
    evil.chmod(0o755)
    _git(folder, "init", "-q")
    _git(folder, "-c", "user.email=a@b", "-c", "user.name=a", "add", "2024-1-x.md")
    _git(folder, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x")
    # A signed commit: showing it runs gpg.program, which the archive's config names.
    commit = _git(folder, "cat-file", "commit", "HEAD").replace(
        "\n\n", "\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n -----END PGP SIGNATURE-----\n\n", 1
    )
    signed = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=folder, input=commit + "\n", capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    _git(folder, "update-ref", "HEAD", signed)
    _git(folder, "config", "log.showSignature", "true")
    _git(folder, "config", "gpg.program", str(evil))
    _git(folder, "config", "core.fsmonitor", str(evil))
    code, output = run("build", "--format", "pdf", "--target", "draft")
    assert code == 0, output
    assert not marker.exists()


def test_draft_commit_can_come_from_the_environment(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefpress.build.builder import draft_note
    from briefpress.source.model import load

    root = make_project({"2024-1-x.md": brief_with("Text.")})
    brief = load(root / "source" / "2024-1-x.md", root)
    monkeypatch.setenv("BRIEFPRESS_COMMIT", "0123abc")
    words = {"draft_note": "Draft of {date}", "draft_commit": "{note} · commit {commit}"}
    assert draft_note(brief, words, root).endswith("· commit 0123abc")
    monkeypatch.setenv("BRIEFPRESS_COMMIT", "x\x1b[2J")
    assert "commit" not in draft_note(brief, words, None)
    assert shutil.which("git")


# 13. Small items ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("date: 2024-03-01", "date: 20240301", 3, "expected a date as YYYY-MM-DD"),
        ("date: 2024-03-01", "date: 2024-W09-5", 3, "expected a date as YYYY-MM-DD"),
        (
            "number: 1",
            "number: 1\ntitle: Twice",
            5,
            "given twice (lines 3 and 5)",
        ),
        ("  - name: Ada Tester", "  - name: Ada Tester\n    bio: [a, b]", 6, "bio: expected text"),
        ("number: 1", "number: 1\nsubtitle: !!binary aGVsbG8=", 3, "invalid YAML: tag"),
        ("number: 1", "number: 1\nkeywords: !!set {a, b}", 3, "invalid YAML: tag"),
    ],
)
def test_small_front_matter_mistakes_are_named(
    make_project: MakeProject, old: str, new: str, line: int, message: str
) -> None:
    text = brief_with("Text.")
    assert old in text
    make_project({"2024-1-x.md": text.replace(old, new, 1)})
    code, output = run("build", "--format", "html")
    assert code == 1
    assert f"source/2024-1-x.md:{line}: " in output and message in output
    assert "['a', 'b']" not in output


def test_fontconfig_set_up_leaves_nothing_in_tmp(make_project: MakeProject, tmp_path: Path) -> None:
    from .conftest import run_cli

    root = make_project({"2024-1-x.md": brief_with("Text.")})
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    prelude = f"import os, tempfile\nos.environ['TMPDIR'] = {str(tmp)!r}\ntempfile.tempdir = None"
    for _ in range(2):
        done = run_cli("build", "--format", "pdf", "--force", "-j", "1", cwd=root, prelude=prelude)
        assert done.returncode == 0, done.stderr
    assert list(tmp.iterdir()) == []
    from briefpress.style.fonts import cache_root

    conf = os.environ.get("FONTCONFIG_FILE", "")
    assert Path(conf).parent == cache_root() / "fontconfig"
