"""Site stage, DataCite: a brief as DataCite Metadata Schema 4.5 XML, for a DataCite member.

The record is built as the DataCite JSON the ``datacite`` package (inveniosoftware)
defines, checked against that package's JSON Schema of kernel 4.5, and written
to XML by the same package, so neither the check nor the XML is ours.
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem, SourceError
from .registration import Record


def datacite_json(r: Record) -> dict[str, Any]:
    brief = r.brief
    series = brief.series
    creators = []
    for p in r.persons:
        creator: dict[str, Any] = {
            "name": f"{p.family}, {p.given}" if p.given else p.family,
            "nameType": "Personal",
            "familyName": p.family,
        }
        if p.given:
            creator["givenName"] = p.given
        if p.orcid:
            creator["nameIdentifiers"] = [
                {
                    "nameIdentifier": f"https://orcid.org/{p.orcid}",
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org",
                }
            ]
        if p.affiliation:
            affiliation: dict[str, Any] = {"name": p.affiliation}
            if p.ror:
                affiliation.update(
                    affiliationIdentifier=f"https://ror.org/{p.ror}",
                    affiliationIdentifierScheme="ROR",
                    schemeUri="https://ror.org",
                )
            creator["affiliation"] = [affiliation]
        creators.append(creator)
    publisher: dict[str, Any] = {"name": series.publisher}
    if series.deposit.ror:
        publisher.update(
            publisherIdentifier=f"https://ror.org/{series.deposit.ror}",
            publisherIdentifierScheme="ROR",
            schemeUri="https://ror.org/",
        )
    data: dict[str, Any] = {
        "doi": r.doi,
        "creators": creators,
        "titles": [{"title": r.title, "lang": brief.language}],
        "publisher": publisher,
        "publicationYear": str(brief.date.year),
        "types": {"resourceType": series.name, "resourceTypeGeneral": "Report"},
        "language": brief.language,
        "dates": [{"date": brief.date.isoformat(), "dateType": "Issued"}],
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }
    if brief.keywords:
        data["subjects"] = [{"subject": k, "lang": brief.language} for k in brief.keywords]
    if r.abstract:
        data["descriptions"] = [
            {"description": " ".join(r.abstract), "descriptionType": "Abstract",
             "lang": brief.language}
        ]  # fmt: skip
    if r.licence:
        rights: dict[str, Any] = {"rights": r.licence}
        if r.licence_url:
            rights["rightsUri"] = r.licence_url
        data["rightsList"] = [rights]
    # HasTranslation/IsTranslationOf came with kernel 4.6, which the datacite package
    # does not validate yet; 4.5 says a translation is a variant form of its original.
    related = [
        {
            "relatedIdentifier": doi,
            "relatedIdentifierType": "DOI",
            "relationType": "IsOriginalFormOf",
        }
        for doi in r.translations
    ]
    if r.original:
        related.append(
            {"relatedIdentifier": r.original, "relatedIdentifierType": "DOI",
             "relationType": "IsVariantFormOf"}
        )  # fmt: skip
    related += [
        {"relatedIdentifier": c.doi, "relatedIdentifierType": "DOI", "relationType": "References"}
        for c in r.references
        if c.doi
    ]
    if related:
        data["relatedIdentifiers"] = related
    item: dict[str, Any] = {
        "relatedItemType": "Report",
        "relationType": "IsPublishedIn",
        "titles": [{"title": series.name}],
        "publisher": series.publisher,
        "number": brief.issue_label,
        "numberType": "Report",
    }
    if r.issn:
        item["relatedItemIdentifier"] = {
            "relatedItemIdentifier": r.issn,
            "relatedItemIdentifierType": "ISSN",
        }
    data["relatedItems"] = [item]
    return data


def datacite_xml(r: Record) -> bytes:
    """The DataCite XML of ``r``; a record the schema refuses is an error, never written."""
    from datacite import schema45

    data = datacite_json(r)
    errors = sorted(schema45.validator.iter_errors(data), key=lambda e: list(e.path))
    if errors:
        raise SourceError(
            f"{r.brief.path}: DataCite record refused",
            [
                Problem(
                    r.brief.path, None, "datacite", f"{'/'.join(map(str, e.path))}: {e.message}"
                )
                for e in errors
            ],
        )
    text: str = schema45.tostring(data)
    return text.encode("utf-8")
