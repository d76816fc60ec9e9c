"""Sanitising SVG figures before they reach the PDF, the XHTML or the EPUB.

An SVG is a document that can carry scripts, event handlers, other documents
(XHTML ``img``, ``meta http-equiv=refresh``) and references to other files or
the network. A brief's figure keeps its drawing and loses all of that: only the
SVG elements and attributes that draw are kept (an allow-list), the CSS text of
``<style>`` and ``style=""`` must not reach out, and a drawing's size is counted
with every ``<use>`` expanded (2.9 KB of nested ``<use>`` draw 10^9 elements).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: The SVG elements that draw, describe or define what is drawn; anything else
#: (script, foreignObject, animation, any other namespace) goes with its content.
_ELEMENTS = _words(
    """svg g defs symbol use title desc metadata switch a view style
    path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker image
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA
    feFuncB feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology
    feOffset fePointLight feSpecularLighting feSpotLight feTile feTurbulence"""
)
#: Attributes without a namespace that may stay (event handlers never do).
_ATTRIBUTES = _words(
    """id class style transform x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d
    points viewBox preserveAspectRatio version baseProfile fill fill-opacity fill-rule
    stroke stroke-width stroke-opacity stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-dasharray stroke-dashoffset opacity color display visibility overflow
    clip-path clip-rule clip mask filter marker-start marker-mid marker-end markerWidth
    markerHeight markerUnits refX refY orient font-family font-size font-size-adjust
    font-weight font-style font-variant font-stretch text-anchor dominant-baseline
    alignment-baseline baseline-shift letter-spacing word-spacing text-decoration
    writing-mode direction unicode-bidi dx dy rotate textLength lengthAdjust startOffset
    method spacing side path href gradientUnits gradientTransform spreadMethod offset
    stop-color stop-opacity patternUnits patternContentUnits patternTransform
    clipPathUnits maskUnits maskContentUnits primitiveUnits filterUnits in in2 result
    stdDeviation mode type values operator k1 k2 k3 k4 order kernelMatrix divisor bias
    targetX targetY edgeMode kernelUnitLength preserveAlpha surfaceScale diffuseConstant
    specularConstant specularExponent lighting-color flood-color flood-opacity scale
    xChannelSelector yChannelSelector radius baseFrequency numOctaves seed stitchTiles
    azimuth elevation z pointsAtX pointsAtY pointsAtZ specularExponent limitingConeAngle
    tableValues slope intercept amplitude exponent color-interpolation
    color-interpolation-filters color-rendering shape-rendering text-rendering
    image-rendering paint-order vector-effect pathLength mix-blend-mode isolation
    transform-origin lang role aria-label aria-labelledby aria-describedby aria-hidden
    focusable requiredFeatures systemLanguage"""
)
_HREF = {"href", f"{{{XLINK_NS}}}href"}
_NAMESPACED = {*_HREF, f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"}
#: A chart has hundreds of elements, a detailed map some tens of thousands; beyond
#: this the renderer would spend minutes on one figure. Every ``<use>`` counts what
#: it draws again.
MAX_SVG_ELEMENTS = 50_000
# CSS that reaches out: @import (in CDATA too), url(…) to anything but a fragment,
# image-set() and src() with string URLs, or escapes (u\72l, @\69mport) that would
# hide any of them from this pattern.
_EXTERNAL_CSS = re.compile(
    r"@import|@font-face|@namespace|url\(\s*(?!['\"]?#)|image-set\(|\bsrc\(|\\",
    re.IGNORECASE,
)
#: Coordinates and sizes beyond this are not a drawing: 1e308 overflows the renderer.
MAX_SVG_NUMBER = 1e9
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
#: ``url(#p7667e514)`` or a hex colour: an element's name or a colour, never a coordinate.
_REFERENCE = re.compile(r"url\(\s*['\"]?#[^)]*\)|#[\w-]+")
_TEXT_ATTRIBUTES = frozenset(("id", "class", "lang", "role", "systemLanguage"))
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)


def css_reaches_out(text: str) -> bool:
    """CSS text that could fetch something, with comments read both ways."""
    return bool(_EXTERNAL_CSS.search(text) or _EXTERNAL_CSS.search(_CSS_COMMENT.sub("", text)))


#: CSS's generic families and keywords: never quoted (a quoted ``serif`` is a family named so).
GENERIC_FAMILIES = _words(
    """serif sans-serif monospace cursive fantasy system-ui ui-serif ui-sans-serif
    ui-monospace ui-rounded math emoji fangsong inherit initial unset revert revert-layer"""
)
_FONT_FAMILY_CSS = re.compile(r"(font-family\s*:\s*)([^;}\"<>]+)", re.IGNORECASE)
_FONT_FAMILY_ATTRIBUTE = re.compile(r'(font-family=)"([^"]*)"')


def quote_families(value: str) -> str:
    """``Some Sans 3, sans-serif`` → ``'Some Sans 3', sans-serif``.

    An unquoted family name must be CSS identifiers, and ``3`` is none: the whole
    declaration is dropped and the text falls back to the renderer's default
    (Times). Quoting every named family is always valid.
    """
    families = []
    for part in _split_families(value):
        name = part.strip()
        if not name:
            continue
        if name[0] in "'\"" or name.lower() in GENERIC_FAMILIES or name.startswith("var("):
            families.append(name)
        else:
            name = " ".join(name.split())
            quote = '"' if "'" in name else "'"
            families.append(f"{quote}{name.replace(quote, '')}{quote}")
    return ", ".join(families)


def _split_families(value: str) -> list[str]:
    """A family list split at its commas, not at commas inside quotes."""
    parts, current, quote = [], "", ""
    for char in value:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == ",":
            parts.append(current)
            current = ""
            continue
        current += char
    return [*parts, current]


def quote_css_families(text: str) -> str:
    """Every ``font-family:`` declaration of CSS text with its family names quoted."""

    def quoted(match: re.Match[str]) -> str:
        value = match[2].rstrip()
        trailing = match[2][len(value) :]
        important = ""
        if "!" in value:
            value, _, rest = value.partition("!")
            important = f" !{rest.strip()}"
        return f"{match[1]}{quote_families(value)}{important}{trailing}"

    return _FONT_FAMILY_CSS.sub(quoted, text)


def quote_svg_families(text: str) -> str:
    """SVG text (a style's own cover template, say) with every family name quoted, as
    `sanitise_svg` quotes a figure's, leaving the rest of the text as it was written."""

    def attribute(match: re.Match[str]) -> str:
        value = quote_families(html.unescape(match[2]))
        return f'{match[1]}"{html.escape(value, quote=False).replace(chr(34), "&quot;")}"'

    return quote_css_families(_FONT_FAMILY_ATTRIBUTE.sub(attribute, text))


class UnsafeSvg(ValueError):
    """The file is not an SVG we can parse safely (DTD, entities, malformed XML)."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sanitise_svg(data: bytes) -> bytes:
    """The SVG with only what draws kept; UnsafeSvg for one that cannot be read safely."""
    return _sanitise(data)[0]


def svg_elements(data: bytes) -> int:
    """How many elements the sanitised drawing has: what drawing it once costs."""
    return _sanitise(data)[1]


#: A DOCTYPE that names a public DTD and declares nothing of its own, as matplotlib,
#: Inkscape and Illustrator write: ``<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
#: "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">``. It is only a label (nothing is
#: fetched, and no parser here reads the DTD), so it is dropped; an internal subset
#: (``[ <!ENTITY …> ]``) can declare entities and is still refused.
_PUBLIC_DOCTYPE = re.compile(
    rb"""\A((?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>)?(?:\s|<!--(?:(?!-->).)*-->)*)"""
    rb"""<!DOCTYPE\s+svg(?:\s+PUBLIC\s+("[^"]*"|'[^']*')\s+("[^"]*"|'[^']*')|"""
    rb"""\s+SYSTEM\s+("[^"]*"|'[^']*'))?\s*>""",
    re.DOTALL,
)


def drop_public_doctype(data: bytes) -> bytes:
    """``data`` without a DOCTYPE that only names a DTD (kept to its line count)."""
    match = _PUBLIC_DOCTYPE.match(data)
    if match is None:
        return data
    blank = b"\n" * data.count(b"\n", match.start(0), match.end(0))
    return match[1] + blank + data[match.end(0) :]


def _sanitise(data: bytes) -> tuple[bytes, int]:
    try:
        root = fromstring(drop_public_doctype(data), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnsafeSvg(
            "not a safe SVG file: its DOCTYPE declares entities or a DTD of its own, which "
            "are not allowed (a plain <!DOCTYPE svg PUBLIC …> is fine): export the SVG again "
            "without them (in Inkscape: Save as Plain SVG)"
        ) from exc
    except ET.ParseError as exc:
        raise UnsafeSvg(f"not a safe SVG file (malformed XML: {exc})") from exc
    except (LookupError, ValueError, RecursionError) as exc:  # unknown encoding, deep nesting
        raise UnsafeSvg(f"not a safe SVG file ({type(exc).__name__}: {exc})") from exc
    if _local(root.tag) != "svg" or _namespace(root.tag) not in ("", SVG_NS):
        raise UnsafeSvg("not an SVG file")
    count = sum(1 for _ in root.iter())
    if count > MAX_SVG_ELEMENTS:
        raise UnsafeSvg(f"{count} elements is more than {MAX_SVG_ELEMENTS} (simplify the drawing)")
    try:
        _clean(root, _namespace(root.tag))
        _check_numbers(root)
        drawn = _drawn(root)
    except RecursionError as exc:
        raise UnsafeSvg("not a safe SVG file (nested too deeply)") from exc
    if drawn > MAX_SVG_ELEMENTS:
        raise UnsafeSvg(
            f"draws {drawn} elements with every <use> expanded, more than {MAX_SVG_ELEMENTS} "
            "(simplify the drawing)"
        )
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    cleaned: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return cleaned, drawn


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _clean(element: ET.Element, namespace: str) -> None:
    for child in list(element):
        keep = (
            isinstance(child.tag, str)
            and _namespace(child.tag) == namespace
            and _local(child.tag) in _ELEMENTS
        )
        if keep and _local(child.tag) == "style":
            # All its CSS text: after a child, and CDATA, too; a child element is not CSS.
            keep = len(child) == 0 and not css_reaches_out("".join(child.itertext()))
        if not keep:
            tail = child.tail
            element.remove(child)
            if tail and tail.strip():  # text after a dropped element is the parent's text
                _append_text(element, tail)
            continue
        _clean(child, namespace)
    for name in list(element.attrib):
        value = element.attrib[name].strip()
        allowed = name in _NAMESPACED if name.startswith("{") else name in _ATTRIBUTES
        external = name in _HREF and not value.startswith("#")
        # url(…) to anything but a fragment, in style="…" or fill="url(http:…)"
        if not allowed or external or css_reaches_out(value):
            del element.attrib[name]
        elif name == "font-family":
            element.attrib[name] = quote_families(value)
        elif name == "style":
            element.attrib[name] = quote_css_families(element.attrib[name])
    if _local(element.tag) == "style" and element.text:
        element.text = quote_css_families(element.text)


def _check_numbers(root: ET.Element) -> None:
    """Every number of the drawing within `MAX_SVG_NUMBER` (a viewBox of 1e308 is an attack)."""
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in _TEXT_ATTRIBUTES or name.startswith("aria-"):
                continue
            # matplotlib names its clip paths url(#p7667e514…), which read as 7667e514.
            value = _REFERENCE.sub(" ", value)
            for number in _NUMBER.findall(value):
                if not abs(float(number)) <= MAX_SVG_NUMBER:
                    raise UnsafeSvg(
                        f"{_local(element.tag)} {_local(name)}={number}: numbers up to "
                        f"{MAX_SVG_NUMBER:g} (is the drawing's size right?)"
                    )


def _append_text(element: ET.Element, text: str) -> None:
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def _drawn(root: ET.Element) -> int:
    """Elements drawn, each ``<use>`` counting its target again (a cycle: refused)."""
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(element: ET.Element) -> int:
        key = id(element)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise UnsafeSvg("a <use> refers to itself (a cycle)")
        active.add(key)
        total = 1 + sum(size(child) for child in element)
        if _local(element.tag) == "use":
            href = element.get("href") or element.get(f"{{{XLINK_NS}}}href") or ""
            target = by_id.get(href[1:]) if href.startswith("#") else None
            if target is not None:
                total += size(target)
        active.discard(key)
        sizes[key] = total
        if total > MAX_SVG_ELEMENTS:  # stop counting early: the bomb is refused anyway
            raise UnsafeSvg(
                f"draws more than {MAX_SVG_ELEMENTS} elements with every <use> expanded "
                "(simplify the drawing)"
            )
        return total

    return size(root)
