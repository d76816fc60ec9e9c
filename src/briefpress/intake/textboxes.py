"""Intake stage, text boxes: their paragraphs lifted into the text, where pandoc can read them.

Pandoc drops the content of Word's text boxes, yet a brief written in Word
often keeps its key issues or a side box in one. Before pandoc reads the file,
each text box's paragraphs are moved to just after the paragraph that anchors
the box (Word's VML fallback copy of the same box is removed first, so nothing
comes twice), in a private copy of the package. The report says where.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .container import DOCUMENT, Docx

_FALLBACK = re.compile(r"<mc:Fallback\b[^>]*>(?:(?!</mc:Fallback>).)*?</mc:Fallback>", re.S)
#: A text box with content (never the empty ``<w:txbxContent/>`` left behind), or the
#: end of a paragraph: one pass over both keeps lifting linear in the boxes.
_BOX_OR_END = re.compile(
    r"(?P<box><w:txbxContent\b(?:[^>/]|/(?!>))*>(?P<inner>.*?)</w:txbxContent>)|</w:p>", re.S
)


def lift_text_boxes(xml: str) -> tuple[str, int]:
    """document.xml with text-box paragraphs after their anchor, and how many boxes moved."""
    xml = _FALLBACK.sub(lambda m: "" if "txbxContent" in m[0] else m[0], xml)
    out: list[str] = []
    waiting: list[str] = []  # boxes met, waiting for the end of their anchor paragraph
    position = moved = 0
    for match in _BOX_OR_END.finditer(xml):
        if match["box"] is not None:
            out += [xml[position : match.start()], "<w:txbxContent/>"]
            waiting.append(match["inner"])
            moved += 1
        else:
            out += [xml[position : match.end()], *waiting]
            waiting = []
        position = match.end()
    rest = xml[position:]
    if waiting:  # no paragraph ends after the box: its text goes before the body's end
        at = rest.rfind("</w:body>")
        at = len(rest) if at < 0 else at
        rest = rest[:at] + "".join(waiting) + rest[at:]
    return "".join([*out, rest]), moved


def with_text_boxes_lifted(docx: Docx, folder: Path) -> tuple[Path, int]:
    """The file pandoc should read: the original, or a copy in ``folder`` with boxes lifted."""
    xml = docx.read(DOCUMENT).decode("utf-8", "replace")
    if "txbxContent" not in xml:
        return docx.path, 0
    lifted, moved = lift_text_boxes(xml)
    copy = folder / "manuscript.docx"
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
        for info in docx.archive.infolist():
            data = lifted.encode("utf-8") if info.filename == DOCUMENT else docx.read(info.filename)
            target.writestr(info.filename, data)
    return copy, moved
