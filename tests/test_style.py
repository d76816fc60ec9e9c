"""Style stage: the house style is data, and fonts come only from what it declares."""

from __future__ import annotations

import re
from pathlib import Path

from briefpress.style import load_style

from .conftest import REPO

PACKAGE = REPO / "src" / "briefpress"


def test_no_python_code_names_a_style() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        assert not re.search(r"\bcsds\b", text), f"{path.name} mentions a house style"


def test_style_declares_fonts_from_packages_with_licences() -> None:
    style = load_style("csds", REPO / "styles")
    families = {face.family for face in style.fonts}
    assert families == {"Source Serif 4", "Source Sans 3"}
    for face in style.fonts:
        assert face.path.is_file()
        assert face.license is not None and "Open Font License" in face.license.read_text()
        assert "site-packages" in face.path.parts or Path(style.folder) in face.path.parents


def test_labels_fall_back_to_the_first_language() -> None:
    style = load_style("csds", REPO / "styles")
    assert style.labels_for("fr")["key_issues"] == "Enjeux clés"
    assert style.labels_for("de")["key_issues"] == "Key issues"
