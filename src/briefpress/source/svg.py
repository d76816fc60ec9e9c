"""Sanitising SVG figures before they reach the PDF, the XHTML or the EPUB.

An SVG is a document that can carry scripts, event handlers and references to
other files or the network. A brief's figure keeps its drawing and loses all of
that: a whitelist of what may stay would be stricter still, but real charts use
too many elements; what is removed here is everything that can act or fetch.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
#: Elements that run code or embed other documents.
_DROPPED = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
#: Animation elements can rewrite any attribute (an href, say) after sanitising.
_ANIMATION = {"set", "animate", "animateTransform", "animateMotion", "discard"}
_HREF = {"href", f"{{{XLINK_NS}}}href"}
# CSS that reaches out: @import, url(…) to anything but a fragment, or escapes
# (u\72l, @\69mport) that would hide either from this pattern.
_EXTERNAL_CSS = re.compile(r"@import|url\(\s*(?!['\"]?#)|\\", re.IGNORECASE)


class UnsafeSvg(ValueError):
    """The file is not an SVG we can parse safely (DTD, entities, malformed XML)."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sanitise_svg(data: bytes) -> bytes:
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnsafeSvg("not a safe SVG file (DTDs and entities are not allowed)") from exc
    except ET.ParseError as exc:
        raise UnsafeSvg(f"not a safe SVG file (malformed XML: {exc})") from exc
    except (LookupError, ValueError, RecursionError) as exc:  # unknown encoding, deep nesting
        raise UnsafeSvg(f"not a safe SVG file ({type(exc).__name__}: {exc})") from exc
    if _local(root.tag) != "svg":
        raise UnsafeSvg("not an SVG file")
    try:
        _clean(root)
    except RecursionError as exc:
        raise UnsafeSvg("not a safe SVG file (nested too deeply)") from exc
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    cleaned: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return cleaned


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or _local(child.tag) in _DROPPED | _ANIMATION:
            element.remove(child)
            continue
        if _local(child.tag) == "style" and _EXTERNAL_CSS.search(child.text or ""):
            element.remove(child)
            continue
        _clean(child)
    for name in list(element.attrib):
        value = element.attrib[name].strip()
        handler = _local(name).lower().startswith("on")
        external = name in _HREF and not value.startswith("#")
        # url(…) to anything but a fragment, in style="…" or fill="url(http:…)"
        if handler or external or _EXTERNAL_CSS.search(value):
            del element.attrib[name]
