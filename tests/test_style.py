"""Style stage: the house style is data, and fonts come only from what it declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefpress.style.fonts import FontFace, _make_instance, cache_folder, plan_instances
from briefpress.style.loader import load_style

from .conftest import REPO

PACKAGE = REPO / "src" / "briefpress"


def test_no_python_code_names_a_style() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        assert not re.search(r"\bcsds\b", text), f"{path.name} mentions a house style"


def test_style_declares_fonts_from_packages_with_licences() -> None:
    style = load_style("csds", REPO / "styles")
    families = {face.family for face in style.fonts}
    assert families == {"Source Serif 4", "Source Sans 3", "Noto Sans CJK JP"}
    assert [face.family for face in style.fonts if face.fallback] == ["Noto Sans CJK JP"]
    for face in style.fonts:
        assert face.path.is_file()
        assert face.license is not None and "Open Font License" in face.license.read_text()
        # Static instances are derived from the packaged files and cached per machine.
        assert face.path.parent == cache_folder() or "site-packages" in face.path.parts


def test_labels_fall_back_to_the_first_language() -> None:
    style = load_style("csds", REPO / "styles")
    assert style.labels_for("fr")["key_issues"] == "Enjeux clés"
    assert style.labels_for("de")["key_issues"] == "Kernpunkte"  # the base style's German
    assert style.labels_for("ja")["key_issues"] == "Key issues"


@pytest.mark.slow
def test_font_instances_are_byte_identical_when_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    style = load_style("csds", REPO / "styles")
    made = next(face for face in style.fonts if face.family == "Source Sans 3")
    import fontpkg

    source = next(f for f in fontpkg.family("Source Sans 3").files if f.style == made.style)
    variable = FontFace(made.family, Path(source.path), made.style, None, made.license)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (pending,) = plan_instances(variable, [{"wght": made.weight}])
    assert pending.target.path.name == made.path.name, "cache key is stable"
    _make_instance(pending)
    assert pending.target.path.read_bytes() == made.path.read_bytes()
