"""Word files for the import tests: written by the bundled pandoc or python-docx, then edited.

Tracked changes, comments and reference-manager fields are what Word and Zotero
write into ``word/document.xml``; they are added here by zip surgery, as a real
manuscript would carry them.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from PIL import Image

from briefpress.source.pandoc import pandoc_path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def png(path: Path, color: tuple[int, int, int] = (200, 30, 30)) -> Path:
    Image.new("RGB", (60, 40), color).save(path)
    return path


def docx_from_markdown(markdown: str, folder: Path, name: str = "manuscript.docx") -> Path:
    """A .docx written by pandoc: Title, Author, Date paragraphs, notes, tables, images."""
    source = folder / "manuscript.md"
    source.write_text(markdown, encoding="utf-8")
    target = folder / name
    # Not sandboxed: this is the test's own trusted Markdown, and it embeds local images.
    command = [pandoc_path(), "-f", "markdown", str(source), "-o", str(target)]
    subprocess.run(command, cwd=folder, check=True, capture_output=True)
    return target


def rewrite(docx: Path, edits: dict[str, Any]) -> Path:
    """Replace parts of the package: ``{name: new text or function(old text) -> new text}``."""
    with zipfile.ZipFile(docx) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    for name, edit in edits.items():
        old = parts.get(name, b"").decode("utf-8")
        parts[name] = (edit(old) if callable(edit) else edit).encode("utf-8")
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return docx


def at_end_of_paragraph(marker: str, runs: str) -> Any:
    """An edit of document.xml adding ``runs`` at the end of the paragraph holding ``marker``."""

    def edit(xml: str) -> str:
        start = xml.index(marker)
        end = xml.index("</w:p>", start)
        return xml[:end] + runs + xml[end:]

    return edit


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def insertion(text: str, author: str, change_id: int) -> str:
    return (
        f'<w:ins w:id="{change_id}" w:author="{author}" w:date="2024-01-01T00:00:00Z">'
        f"{run(text)}</w:ins>"
    )


def deletion(text: str, author: str, change_id: int) -> str:
    return (
        f'<w:del w:id="{change_id}" w:author="{author}" w:date="2024-01-01T00:00:00Z">'
        f'<w:r><w:delText xml:space="preserve">{text}</w:delText></w:r></w:del>'
    )


def commented(anchor: str, comment_id: int) -> str:
    return (
        f'<w:commentRangeStart w:id="{comment_id}"/>{run(anchor)}'
        f'<w:commentRangeEnd w:id="{comment_id}"/>'
        f'<w:r><w:commentReference w:id="{comment_id}"/></w:r>'
    )


def comments_part(comments: list[tuple[int, str, str]]) -> str:
    body = "".join(
        f'<w:comment w:id="{cid}" w:author="{author}" w:date="2024-01-01T00:00:00Z">'
        f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:comment>'
        for cid, author, text in comments
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="{W_NS}">{body}</w:comments>'


def zotero_field(items: list[dict[str, Any]], shown: str, prefix: str = "ZOTERO_ITEM ") -> str:
    """A Zotero (or, without the prefix, Mendeley) citation field with its CSL JSON."""
    data = {
        "citationID": "x1",
        "properties": {"formattedCitation": shown, "plainCitation": shown},
        "citationItems": items,
        "schema": "https://github.com/citation-style-language/schema/raw/master/csl-citation.json",
    }
    code = json.dumps(data).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve">'
        f" ADDIN {prefix}CSL_CITATION {code} </w:instrText></w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(shown)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def zotero_item(item_id: int, family: str, title: str, year: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "uris": [f"http://zotero.org/users/1/items/{item_id}"],
        "itemData": {
            "id": item_id,
            "type": "book",
            "title": title,
            "author": [{"family": family, "given": "Ann"}],
            "publisher": "Example Press",
            "issued": {"date-parts": [[str(year)]]},
        },
        **extra,
    }


def text_box(paragraphs: str) -> str:
    """A floating text box as Word 2010+ writes it, with its VML fallback copy."""
    content = f"<w:txbxContent>{paragraphs}</w:txbxContent>"
    shape = (
        '<wps:wsp xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp>"
    )
    drawing = (
        '<w:drawing><wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
        'wordprocessingDrawing" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" '
        'layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/><wp:extent cx="9" cy="9"/>'
        '<wp:docPr id="99" name="Text Box 1"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/'
        'drawingml/2006/main"><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        f'wordprocessingShape">{shape}</a:graphicData></a:graphic></wp:anchor></w:drawing>'
    )
    fallback = (
        '<w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml">'
        f"<v:textbox>{content}</v:textbox></v:shape></w:pict>"
    )
    return (
        "<w:r><mc:AlternateContent "
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f'<mc:Choice Requires="wps">{drawing}</mc:Choice><mc:Fallback>{fallback}</mc:Fallback>'
        "</mc:AlternateContent></w:r>"
    )


def paragraph(text: str, style: str = "") -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}{run(text)}</w:p>"
