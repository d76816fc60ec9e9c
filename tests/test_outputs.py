"""Output stage: atomic writes leave either the old file or the new one."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefpress.build import outputs


class Boom(Exception):
    pass


def test_failed_write_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.pdf"
    outputs.write_file(target, b"good")

    def fail(*_args: object) -> None:
        raise Boom

    monkeypatch.setattr("briefpress.build.outputs.os.replace", fail)
    with pytest.raises(Boom):
        outputs.write_file(target, b"half")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_tree_is_swapped_whole(tmp_path: Path) -> None:
    folder = tmp_path / "brief"
    outputs.write_tree(folder, {"index.xhtml": b"1", "fonts/a.ttf": b"f"})
    outputs.write_tree(folder, {"index.xhtml": b"2"})
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == ["index.xhtml"]
    assert (folder / "index.xhtml").read_bytes() == b"2"
    assert [p.name for p in tmp_path.iterdir()] == ["brief"]


def test_litter_from_a_killed_run_is_removed(tmp_path: Path) -> None:
    (tmp_path / ".briefpress-tmp-123").write_bytes(b"partial")
    (tmp_path / ".briefpress-tmp-dir").mkdir()
    (tmp_path / "keep.pdf").write_bytes(b"x")
    outputs.remove_litter(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.pdf"]


def test_folder_retired_by_a_killed_swap_is_put_back(tmp_path: Path) -> None:
    retired = tmp_path / ".briefpress-tmp-retired-brief-x1y2"
    (retired / "old").mkdir(parents=True)
    (retired / "old" / "index.xhtml").write_bytes(b"good")
    outputs.remove_litter(tmp_path)
    assert (tmp_path / "brief" / "index.xhtml").read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["brief"]
