"""HTML stage: a Brief becomes HTML for print and XHTML for EPUB, through the style's templates.

One function (`template_context`) builds everything a template sees, so print
and EPUB can never disagree about a brief's words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from ..errors import StyleError
from ..markdown import (
    create_parser,
    french_spacing,
    plain_text,
    render_body,
    render_inline,
    spacing_for,
)
from ..source import Author, Brief, EditionLink
from ..style import Logo, Style
from .citations import Formatted, format_brief


@dataclass(frozen=True)
class Rendered:
    """A rendered document and the metadata the later stages also need."""

    text: str
    title: str
    authors: tuple[str, ...]
    description: str


def join_names(names: list[str], and_word: str) -> str:
    """``A``, ``A and B``, ``A, B and C``: the house byline."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {and_word} {names[-1]}"


@dataclass(frozen=True)
class Headline:
    """The words a brief is named by outside its body (masthead, byline), cheap to make."""

    masthead: str
    running_footer: str
    byline: str
    description: str


def headline(brief: Brief, style: Style, md: MarkdownIt | None = None) -> Headline:
    """Masthead, running footer, byline and description: the EPUB cover needs no body."""
    labels = style.labels_for(brief.language)
    md = md or create_parser(style.quotes_for(brief.language), lang=brief.language)
    names = [author.name for author in brief.authors]
    separator = labels.get("separator", " ")
    byline = f"{labels.get('by', '')} {join_names(names, labels.get('and', 'and'))}".strip()
    if brief.translators:
        # Chicago's "Translated by", after the authors.
        translators = join_names([t.name for t in brief.translators], labels.get("and", "and"))
        byline += f" · {labels['translated_by']} {translators}"
    return Headline(
        masthead=f"{brief.masthead_text}{separator}{brief.issue_label}",
        running_footer=f"{brief.series.name}{separator}{brief.issue_label}",
        byline=byline,
        description=description_of(brief, md),
    )


#: The longest description: search results and social cards cut what is longer.
DESCRIPTION_LIMIT = 200
#: Where a sentence ends: after . ! ? … (and a closing quote), before a capital or a quote.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=[\"'“‘«(\d]|[^\W\d_](?<=[^\W\d_a-zß-ÿ]))")


def description_of(brief: Brief, md: MarkdownIt | None = None) -> str:
    """The brief's one description (meta, Open Graph, JSON-LD, the feed, ``dc:description``):
    its lead, else its first key issue, cut by `summary`; never key issues glued with "; "."""
    return summary(brief.lead or (brief.key_issues[0] if brief.key_issues else ""), md)


def summary(text: str, md: MarkdownIt | None = None, limit: int = DESCRIPTION_LIMIT) -> str:
    """Inline Markdown (a lead, a key issue) as a description: plain text, cut after the
    last whole sentence that fits in ``limit`` characters; a first sentence longer than
    that is cut at a word, with an ellipsis. See `description_of`.
    """
    text = " ".join(plain_text(md or create_parser(), text).split()) if text else ""
    if len(text) <= limit:
        return text
    kept = ""
    for match in _SENTENCE_END.finditer(text):
        if match.start() > limit:
            break
        kept = text[: match.start()]
    if kept:
        return kept
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–—-.")
    return f"{cut}…"


def template_context(brief: Brief, style: Style, target: str) -> dict[str, Any]:
    """Everything a template may use; ``labels`` come from the style.

    ``target`` is the template's (print, epub); print adds ``pdf_target`` and
    ``draft_note`` through ``render``'s ``extra``. Markup values (``body``,
    ``key_issues``, ``lead``, ``bios``, ``disclaimer``) are rendered Markdown.
    """
    lang = brief.language
    labels = style.labels_for(lang)
    md = create_parser(style.quotes_for(lang), boxes=style.boxes, lang=lang)
    # Front-matter text (key issues, lead, bios) is prose: images belong in the body,
    # where they are checked, copied into the EPUB and hashed for rebuilds.
    inline = create_parser(style.quotes_for(lang), lang=lang).disable("image")
    names = [author.name for author in brief.authors]
    words = headline(brief, style, md)
    numbers = {"online": brief.series.issn.online, "print": brief.series.issn.print}
    issn = [
        f"{labels[f'issn_{kind}']}{labels['colon']}{number}"
        for kind, number in numbers.items()
        if number
    ]
    # A draft is no issue of the series yet: no ISSN or DOI claim, a line saying so instead.
    draft = brief.status == "draft"
    if draft:
        issn = [labels["draft_colophon"]]
    about_key = "about_authors" if len(brief.authors) > 1 else "about_author"
    # Page-bottom footnotes exist only on paper; XHTML and EPUB keep endnotes.
    notes = "footnotes" if target == "print" and brief.series.notes == "footnotes" else "endnotes"
    renames = dict(brief.image_renames)  # checked image names (source.body), for the outputs
    cited = format_brief(brief)
    citations = {"note_style": cited.note_style, "html": cited.clusters} if cited else {}
    body_env: dict[str, object] = {
        "labels": labels,
        "notes": notes,
        "images": renames,
        "citations": citations,
    }
    body = render_body(md, brief.body, body_env)
    return {
        "target": target,
        "pdf_target": "print",
        "draft_note": "",
        "brief": brief,
        "series": brief.series,
        "lang": lang,
        "labels": labels,
        "masthead": words.masthead,
        "running_footer": words.running_footer,
        # Typographic quotes in titles too ("Europe's" → "Europe’s"), as plain text.
        "title": plain_text(md, brief.title),
        "subtitle": plain_text(md, brief.subtitle) if brief.subtitle else None,
        "byline": words.byline,
        "author_names": names,
        "date_iso": brief.date.isoformat(),
        "date_text": brief.date_text,
        "key_issues": [Markup(render_inline(inline, item)) for item in brief.key_issues],
        "lead": Markup(render_inline(inline, brief.lead)) if brief.lead else None,
        "body": Markup(body + bibliography(cited, labels)),
        "how_to_cite": Markup(_spaced(cited.how_to_cite, lang))
        if cited and cited.how_to_cite and not draft
        else None,
        # The original and the translations: linked from the colophon of every output.
        "other_editions": list(brief.editions),
        "editions_label": labels[
            "translations" if brief.translation_of is None else "translation_of"
        ],
        "how_to_cite_text": cited.how_to_cite_text if cited else "",
        "bios": [(a, Markup(render_inline(inline, a.bio))) for a in brief.authors if a.bio],
        "authors": brief.authors,
        "about_label": labels[about_key],  # the neutral style has every label
        "disclaimer": Markup(render_inline(inline, brief.disclaimer_text)),
        "issn_lines": issn,
        "doi": None if draft else brief.doi,
        "draft": draft,
        "license": brief.license,
        "keywords": brief.keywords,
        "description": words.description,
        "json_ld": Markup(
            json_ld(brief, names, cited.how_to_cite_text if cited else "", words.description)
        ),
        # The PDF unit names the print logo through the layout's mounts (build/formats/pdf.py).
        "logo": logo_context(brief, style),
    }


#: The logo's height on the masthead and the web header, in CSS px, unless a stylesheet
#: sets its own (the width keeps the logo's proportions).
LOGO_HEIGHT = 48


def logo_context(brief: Brief, style: Style, inline: bool = False) -> dict[str, Any] | None:
    """What a template shows of the logo (the series', else the style's): ``src``, ``alt``,
    ``width``, ``height``. ``inline``: a ``data:`` URL (an SVG cover fetches no file)."""
    logo = Logo.choose(brief.series.logo, style.logo)
    shown = logo_size(logo)
    if logo is None or shown is None:
        return None
    # The masthead beside it says the same; the figure rule wants every image named.
    return {**shown, "src": logo.data_uri if inline else logo.name, "alt": brief.series.name}


def logo_size(logo: Logo | None) -> dict[str, Any] | None:
    """The logo as a page shows it: ``src`` (its file's name), ``width``, ``height``."""
    if logo is None:
        return None
    width, height = logo.size
    return {
        "src": logo.name,
        "alt": "",
        "width": round(LOGO_HEIGHT * width / height),
        "height": LOGO_HEIGHT,
        "media_type": logo.media_type,
    }


def _spaced(text: str, lang: str) -> str:
    """Citeproc's text in the language's punctuation spacing (French ``après :``)."""
    return french_spacing(text) if spacing_for(lang) else text


def bibliography(cited: Formatted | None, labels: dict[str, str]) -> str:
    """The reference list after the notes, as Chicago's notes-and-bibliography style has it."""
    if not cited or not cited.bibliography:
        return ""
    title = escape(labels["bibliography"])
    entries = "".join(f'<li class="csl-entry">{entry}</li>\n' for entry in cited.bibliography)
    return (
        '<section class="bibliography" id="bibliography" epub:type="bibliography" '
        f'role="doc-bibliography">\n<h2>{title}</h2>\n<ul class="references">\n{entries}'
        "</ul>\n</section>\n"
    )


def json_ld(brief: Brief, names: list[str], citation: str = "", description: str = "") -> str:
    """schema.org metadata (a ``Report``), safe inside an XHTML ``<script>`` element.

    The DOI is an address (``https://doi.org/…``) in ``identifier`` and ``sameAs``;
    the ISSN belongs to the series (``isPartOf``), not to one brief; the licence is
    its URL where it is a known one; authors carry their affiliation and ORCID.
    """
    from .xmp import licence_url

    series = brief.series
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": brief.title,
        "headline": brief.title,
        "author": [person(author) for author in brief.authors],
        "datePublished": brief.date.isoformat(),
        "inLanguage": brief.language,
        "publisher": {"@type": "Organization", "name": brief.publisher_text},
        "identifier": brief.identifier,
        "reportNumber": brief.issue_label,
        "isPartOf": {"@type": "Periodical", "name": series.name},
    }
    issns = [n for n in (series.issn.online, series.issn.print) if n]
    if issns and brief.status != "draft":  # no issue of the series yet: no ISSN claimed
        data["isPartOf"]["issn"] = issns[0] if len(issns) == 1 else issns
    if brief.subtitle:
        data["alternativeHeadline"] = brief.subtitle
    if description:
        data["description"] = description
    if brief.status == "draft":  # nor a DOI
        data["creativeWorkStatus"] = "Draft"
    elif brief.doi:  # the registered name: Scholar, Zotero and OpenAlex key on it
        doi = f"https://doi.org/{brief.doi}"
        data["@id"] = data["identifier"] = data["sameAs"] = doi
    if brief.keywords:
        data["keywords"] = list(brief.keywords)
    if brief.license:
        url = licence_url(brief.license)
        data["license"] = url or {"@type": "CreativeWork", "name": brief.license}
    if citation:
        data["creditText"] = citation
    if brief.translators:
        data["translator"] = [person(t) for t in brief.translators]
    # The editions of one work: a translation names its original, the original its translations.
    works = [edition_ld(e) for e in brief.editions]
    if brief.translation_of is not None and works:
        data["translationOfWork"] = next(
            (w for e, w in zip(brief.editions, works, strict=True) if e.original), works[0]
        )
    elif works:
        data["workTranslation"] = works
    return script_json(data)


def script_json(data: Any) -> str:
    """JSON with the characters XML or the HTML parser would read as markup escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def edition_ld(edition: EditionLink) -> dict[str, str]:
    """Another edition in JSON-LD: a Report in its language, by identifier and address."""
    found = {"@type": "Report", "name": edition.title, "inLanguage": edition.lang}
    found["identifier"] = edition.identifier
    if edition.url:
        found["url"] = edition.url
    return found


def person(author: Author) -> dict[str, Any]:
    """A schema.org Person with the name's parts, its affiliation and ORCID iD."""
    parts = author.name_parts
    found: dict[str, Any] = {"@type": "Person", "name": author.name}
    if parts.family_name and not parts.literal:
        found["familyName"] = parts.family_name
    if parts.given:
        found["givenName"] = parts.given
    if author.affiliation:
        organisation = {"@type": "Organization", "name": author.affiliation}
        if author.ror:
            organisation["sameAs"] = f"https://ror.org/{author.ror}"
        found["affiliation"] = organisation
    if author.orcid:
        found["identifier"] = found["sameAs"] = f"https://orcid.org/{author.orcid}"
    return found


def render_template(style: Style, name: str, context: dict[str, Any]) -> str:
    """One of the style's templates (child first, then its parents'), rendered sandboxed."""
    import jinja2

    try:
        return str(style.jinja.get_template(name).render(context))
    except jinja2.TemplateError as exc:
        # The sandbox refusing unsafe attributes, a missing template or variable:
        # a maintainer's mistake in the style, named, never a traceback.
        raise StyleError(f"style '{style.name}': template {name}: {exc}") from exc


def render(
    brief: Brief, style: Style, target: str, extra: dict[str, Any] | None = None
) -> Rendered:
    """``target`` names the template (print, epub); ``extra`` adds to what it sees."""
    if target not in style.templates:
        raise StyleError(f"style '{style.name}' has no '{target}' template")
    context = {**template_context(brief, style, target), **(extra or {})}
    text = render_template(style, style.templates[target], context)
    return Rendered(
        text=text,
        title=brief.title,
        authors=tuple(context["author_names"]),
        description=context["description"],
    )
