"""Render stage, XMP: what a PDF says about itself, read with the file alone.

Dublin Core, PRISM (DOI, ISSN, number, URL, series) and the licence
(``xmpRights``), as one ``rdf:RDF`` the layout engine adds to the packet
WeasyPrint writes. PDF/A accepts only the schemas XMP predefines unless an
extension schema declares the others, so an archival file carries one.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from ..source import Brief

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "prism": "http://prismstandard.org/namespaces/basic/3.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
#: The properties PDF/A must see declared (ISO 19005-2, 6.6.2.3): XMP predefines
#: neither PRISM nor the PDF/UA identification.
EXTENSIONS = {
    "prism": (
        "PRISM Basic Metadata",
        ("doi", "url", "issn", "eIssn", "number", "publicationName", "coverDate",
         "isTranslationOf"),
    ),
    "pdfuaid": ("PDF/UA identification", ("part",)),
}  # fmt: skip
for _prefix, _uri in NS.items():
    register_namespace(_prefix, _uri)

#: Licence names as editors write them → the deed a machine reads.
LICENCES = {
    "cc by 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc by-sa 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc by-nc 4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "cc by-nd 4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "cc by-nc-sa 4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "cc by-nc-nd 4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "cc0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}


def licence_url(licence: str | None) -> str | None:
    """The URL of a licence: itself when it is one, the deed of a known CC licence, else None."""
    if not licence:
        return None
    if re.match(r"https?://", licence):
        return licence
    return LICENCES.get(" ".join(licence.lower().split()))


def page_url(brief: Brief, stem: str | None = None) -> str | None:
    """The brief's web page under the series' ``site_url``, or None when it has none."""
    site = brief.series.site_url
    return f"{site.rstrip('/')}/{stem or brief.stem}/" if site else None


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def _extensions(rdf: Element, prefixes: tuple[str, ...]) -> None:
    """The PDF/A extension schema that declares the ``prefixes``' properties."""
    desc = SubElement(rdf, _q("rdf:Description"), {_q("rdf:about"): ""})
    bag = SubElement(SubElement(desc, _q("pdfaExtension:schemas")), _q("rdf:Bag"))
    resource = {_q("rdf:parseType"): "Resource"}
    for prefix in prefixes:
        title, names = EXTENSIONS[prefix]
        schema = SubElement(bag, _q("rdf:li"), resource)
        SubElement(schema, _q("pdfaSchema:schema")).text = title
        SubElement(schema, _q("pdfaSchema:namespaceURI")).text = NS[prefix]
        SubElement(schema, _q("pdfaSchema:prefix")).text = prefix
        seq = SubElement(SubElement(schema, _q("pdfaSchema:property")), _q("rdf:Seq"))
        for name in names:
            item = SubElement(seq, _q("rdf:li"), resource)
            SubElement(item, _q("pdfaProperty:name")).text = name
            kind = "Integer" if name == "part" else "Text"
            SubElement(item, _q("pdfaProperty:valueType")).text = kind
            SubElement(item, _q("pdfaProperty:category")).text = "internal"
            SubElement(item, _q("pdfaProperty:description")).text = f"{prefix}:{name}"


def xmp_rdf(brief: Brief, archival: bool = False, ua_part: int | None = None) -> bytes:
    """One ``rdf:RDF`` with one ``rdf:Description`` of the brief.

    ``archival``: a PDF/A file, whose extension schema declares PRISM (and the
    PDF/UA identification); ``ua_part``: the PDF/UA part a combined PDF/A + UA file
    claims, which WeasyPrint's one-variant writer does not write itself.
    """
    rdf = Element(_q("rdf:RDF"))
    desc = SubElement(rdf, _q("rdf:Description"), {_q("rdf:about"): ""})

    def bag(name: str, kind: str, values: list[str]) -> None:
        items = SubElement(SubElement(desc, _q(name)), _q(f"rdf:{kind}"))
        for value in values:
            li = SubElement(items, _q("rdf:li"))
            if kind == "Alt":
                li.set("xml:lang", "x-default")
            li.text = value

    series = brief.series
    url = f"https://doi.org/{brief.doi}" if brief.doi else page_url(brief)
    SubElement(desc, _q("dc:identifier")).text = brief.identifier
    bag("dc:language", "Bag", [brief.language])
    bag("dc:publisher", "Bag", [series.publisher])
    bag("dc:type", "Bag", ["Text", series.name])
    first = next((e for e in brief.editions if e.original), None) if brief.translation_of else None
    original = (first.url or page_url(brief, first.stem)) if first else None
    if original:
        bag("dc:relation", "Bag", [f"isTranslationOf {original}"])
    licence = licence_url(brief.license)
    if brief.license:
        bag("dc:rights", "Alt", [brief.license])
        SubElement(desc, _q("xmpRights:Marked")).text = "True"
    if licence:
        SubElement(desc, _q("xmpRights:WebStatement")).text = licence
    prism = {
        "prism:doi": brief.doi,
        "prism:url": url,
        "prism:issn": series.issn.print,
        "prism:eIssn": series.issn.online,
        "prism:number": str(brief.number),
        "prism:publicationName": series.name,
        "prism:coverDate": brief.date.isoformat(),
    }
    for name, value in prism.items():
        if value:
            SubElement(desc, _q(name)).text = value
    if original:
        SubElement(desc, _q("prism:isTranslationOf")).text = original
    if ua_part:
        SubElement(desc, _q("pdfuaid:part")).text = str(ua_part)
    if archival:
        _extensions(rdf, ("prism", "pdfuaid") if ua_part else ("prism",))
    return tostring(rdf, encoding="unicode").encode("utf-8")
