"""Site stage, Crossref: a brief as a Crossref 5.3.1 deposit (``report-paper`` in a series).

The XML is a Jinja template beside this module. No Crossref XSD could be had with
a licence to redistribute it (docs/web.md, DOIs and deposits), so the file is not schema-validated
here: `missing_elements` checks it carries every element Crossref documents as
required for a report in a series, and the rest is Crossref's own check on upload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import Problem, SourceError
from .registration import Record

CROSSREF_NS = "http://www.crossref.org/schema/5.3.1"
NS = {
    "c": CROSSREF_NS,
    "jats": "http://www.ncbi.nlm.nih.gov/JATS1",
    "ai": "http://www.crossref.org/AccessIndicators.xsd",
    "rel": "http://www.crossref.org/relations.xsd",
}
_PAPER = "c:body/c:report-paper/c:report-paper_series_metadata"
#: What Crossref's documentation requires of a numbered report in a series.
REQUIRED = (
    "c:head/c:doi_batch_id",
    "c:head/c:timestamp",
    "c:head/c:depositor/c:depositor_name",
    "c:head/c:depositor/c:email_address",
    "c:head/c:registrant",
    f"{_PAPER}/c:series_metadata/c:titles/c:title",
    f"{_PAPER}/c:series_metadata/c:issn",
    f"{_PAPER}/c:contributors/c:person_name/c:surname",
    f"{_PAPER}/c:titles/c:title",
    f"{_PAPER}/c:publication_date/c:year",
    f"{_PAPER}/c:publisher_item/c:item_number",
    f"{_PAPER}/c:doi_data/c:doi",
    f"{_PAPER}/c:doi_data/c:resource",
)
#: Crossref's HTTPS deposit endpoint (the test system is test.crossref.org).
ENDPOINT = "https://doi.crossref.org/servlet/deposit"


@cache
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("crossref.xml")


def crossref_xml(records: Sequence[Record], now: dt.datetime) -> bytes:
    """One deposit batch of ``records`` (one series), checked before it is returned."""
    series = records[0].brief.series
    setup = series.deposit
    where = series.path
    needed = {"deposit.depositor": setup.depositor, "deposit.email": setup.email}
    missing = [key for key, value in needed.items() if not value]
    missing += ["site_url"] if not series.site_url else []
    if missing:
        raise SourceError(
            f"{where}: cannot deposit",
            [Problem(where, None, key, "required for a Crossref deposit") for key in missing],
        )
    stamp = now.strftime("%Y%m%d%H%M%S")
    batch = f"{series.slug}-{records[0].brief.stem if len(records) == 1 else 'batch'}-{stamp}"
    text = _template().render(
        records=records,
        batch_id=batch,
        timestamp=stamp,
        depositor=setup.depositor,
        email=setup.email,
        registrant=setup.registrant or series.publisher,
    )
    data: bytes = text.encode("utf-8")
    gaps = missing_elements(data)
    if gaps:
        raise SourceError(
            f"{records[0].brief.path}: Crossref deposit incomplete",
            [Problem(records[0].brief.path, None, "crossref", f"missing {gap}") for gap in gaps],
        )
    return data


def missing_elements(data: bytes) -> list[str]:
    """The required elements (as paths) the deposit lacks or leaves empty."""
    from lxml import etree

    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    if root.tag != f"{{{CROSSREF_NS}}}doi_batch":
        return ["doi_batch"]
    return [
        path
        for path in REQUIRED
        if not any((node.text or "").strip() for node in root.iterfind(path, NS))
    ]


def upload_command(path: Path) -> str:
    """What the user runs to deposit ``path`` (Crossref's documented HTTPS POST)."""
    return (
        f'curl -F operation=doMDUpload -F "login_id=$CROSSREF_USER" '
        f'-F "login_passwd=$CROSSREF_PASSWORD" -F "fname=@{path}" {ENDPOINT}'
    )
