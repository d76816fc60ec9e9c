"""Site stage, brief page: ``<stem>/index.html``, the page a reader or a search engine lands on.

The words come from the same ``template_context`` as the PDF and the EPUB; the
page adds what only the web needs: metadata for Scholar and social cards (and
the card itself, ``card.png``), the downloads with their sizes, the citation
(with BibTeX and RIS files), the authors and keywords linked to their filter
pages, an in-page contents for a long brief, related briefs, figures sized and
linked to their full-size file, links to the other language editions and to the
previous and next brief of the series.
Layout and words are the neutral style's web template and labels; colours and
fonts are the style's own (its palette, its ``web`` stylesheets and its fonts
as WOFF2 subsets).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..errors import StyleError
from ..markdown import french_spacing, spacing_for
from ..render import json_ld, needed_fallbacks, template_context
from ..source import Brief
from ..style import (
    Logo,
    Style,
    fallback_css,
    shipped_css,
    style_text,
    web_palette_css,
    with_fallbacks,
)
from . import metadata
from . import urls as addresses
from .citefiles import citation_files
from .figures import sized_figures
from .images import compact_png
from .webfonts import FOLDER, page_fonts

PAGE_IMAGE = "page-1.png"
PAGE_IMAGE_WIDTH = 600
#: The social card of ``og:image``, beside the page (``render.card``).
CARD_IMAGE = "card.png"

#: Language names as their readers write them, for the links between editions.
ENDONYMS = {
    "en": "English", "fr": "Français", "de": "Deutsch", "nl": "Nederlands", "es": "Español",
    "it": "Italiano", "pt": "Português", "ja": "日本語", "ko": "한국어", "zh": "中文",
}  # fmt: skip


@dataclass(frozen=True)
class Link:
    href: str
    title: str


@dataclass(frozen=True)
class Edition:
    lang: str
    name: str
    href: str
    current: bool = False
    #: The original, which the others translate: ``hreflang="x-default"``.
    original: bool = False


@dataclass(frozen=True)
class Related:
    """A brief the page recommends: its page, title, series line and date."""

    href: str
    title: str
    label: str
    date_iso: str
    date_text: str
    lang: str


@dataclass(frozen=True)
class Neighbours:
    """What the page links to beyond itself: the series' previous and next, the editions,
    related briefs."""

    prev: Link | None = None
    next: Link | None = None
    editions: list[Edition] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)


@dataclass(frozen=True)
class Download:
    label: str
    href: str
    type: str
    size: str


def web_labels(labels: dict[str, str]) -> dict[str, str]:
    """The words of the web page and catalogue: the style's labels (the neutral style has all)."""
    return dict(labels)


def language_name(lang: str) -> str:
    return ENDONYMS.get(lang.split("-")[0].lower(), lang)


#: One environment per style's folders, per process: Jinja keeps compiled templates in
#: its environment, and compiling ``brief.html.j2`` again for every page cost 35 ms a page.
#: An edited template is still seen: Jinja checks the file's time before reusing it.
_ENVIRONMENTS: dict[tuple[tuple[Path, ...], tuple[Path, ...]], Any] = {}


def web_environment(style: Style, styles_root: Path) -> Any:  # jinja2.Environment
    """The style's own ``templates/web`` first, then its parents' (the neutral style last).

    Styles are half-trusted: their templates render sandboxed. Made once per process
    for the style's folders (nothing a template does changes the environment); a
    ``templates/web`` folder added since makes a new one.
    """
    roots = style.folders or (style.folder,)
    folders = tuple(f for f in (root / "templates" / "web" for root in roots) if f.is_dir())
    if (roots, folders) not in _ENVIRONMENTS:
        if len(_ENVIRONMENTS) >= 32:  # a long-lived process (the preview) meets new styles
            _ENVIRONMENTS.clear()
        _ENVIRONMENTS[(roots, folders)] = _new_web_environment(roots, folders)
    return _ENVIRONMENTS[(roots, folders)]


def _new_web_environment(roots: tuple[Path, ...], folders: tuple[Path, ...]) -> Any:
    import jinja2

    from ..style import sandboxed_environment, style_loader

    return sandboxed_environment()(
        loader=style_loader(list(folders), roots),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


#: Seconds one web template may render: a template is data, ``{{ "a" * 3000000000 }}``
#: must end as one line, not as 17 GB.
WEB_TEMPLATE_SECONDS = 60.0


def render_web(environment: Any, style: Style, name: str, context: dict[str, Any]) -> str:
    """A web template (of `web_environment`) rendered and timed; a mistake is one line."""
    import jinja2

    from ..build import time_limit

    try:
        with time_limit(WEB_TEMPLATE_SECONDS, style.folder / "templates" / "web" / name):
            return str(environment.get_template(name).render(context))
    except jinja2.TemplateError as exc:
        raise StyleError(f"style '{style.name}': template web/{name}: {exc}") from exc
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        # Raised inside the template by a filter or an operation on the wrong kind.
        what = f"{type(exc).__name__}: {exc}"
        raise StyleError(f"style '{style.name}': template web/{name}: {what}") from exc


#: ``web_css`` by style object and profile: the same bytes for every page of a style,
#: made once per process (a style loaded again is another object, so nothing goes stale).
_WEB_CSS: dict[tuple[int, str | None], tuple[Style, bytes]] = {}


def web_css(style: Style, styles_root: Path, print_profile: str | None = None) -> bytes:
    """The shared layout, the palette in light and dark, then the style's type (once a style)."""
    found = _WEB_CSS.get((id(style), print_profile))
    if found is not None and found[0] is style:
        return found[1]
    css = _web_css(style, print_profile)
    if len(_WEB_CSS) >= 32:  # a long-lived process (the preview) loads styles again
        _WEB_CSS.clear()
    _WEB_CSS[(id(style), print_profile)] = (style, css)
    return css


def _web_css(style: Style, print_profile: str | None) -> bytes:
    """The shared layout, the palette in light and dark, then the style's type.

    The light colours are the palette's, converted to RGB through the print
    output profile, as the screen PDF and the EPUB have them: print and web
    never drift apart. The dark scheme is derived from them. A style's ``web``
    stylesheets add its type and name roles after it (``--focus: var(--accent)``).
    """
    folders = style.folders or (style.folder,)
    layouts = [folder / "web" / "web.css" for folder in folders]
    # The shared layout comes from the most distant ancestor that has one.
    layout = [_web_sheet(p, folders) for p in layouts if p.is_file()][-1:]
    profile = style.output_profile(print_profile) if style.palette else None
    palette = web_palette_css(style.palette, profile)
    own = [_web_sheet(path, folders) for path in style.stylesheets.get("web", ())]
    # Each web font's family is followed by its local fallbacks, sized to it: nothing
    # moves when the web font arrives (the same rules for every page of the style).
    faces = list(style.fonts)
    css = with_fallbacks("\n".join([*layout, palette, *own]), faces)
    return (fallback_css(faces) + "\n" + css).encode()


def _web_sheet(path: Path, folders: tuple[Path, ...]) -> str:
    """A web stylesheet, its ``url()`` files named as `render.brand_files` ships them."""
    style_text(path, folders)  # refuses a file that leads outside the style's folders
    return shipped_css(path, folders)[0]


def favicon(
    logo: Logo | None, style: Style | None = None, name: str = ""
) -> tuple[dict[str, bytes], dict[str, str] | None]:
    """The favicon file, and what a page's ``<link rel="icon">`` says.

    Made from the logo; a style without one gets the series' initial on its accent
    colour, so no browser asks for a ``/favicon.ico`` that is not there.
    """
    if logo is not None:
        icon, data, media_type = logo.favicon()
        return {icon: data}, {"href": icon, "type": media_type}
    if style is None or not style.palette or not name.strip():
        return {}, None
    from ..style import screen_colours

    colours = screen_colours(style.palette)
    ground = colours.get("accent") or next(iter(colours.values()))
    ink = colours.get("paper", "white")
    initial = html.escape(name.strip()[0].upper())
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="10" fill="{ground}"/>'
        f'<text x="32" y="46" text-anchor="middle" font-family="sans-serif" font-size="40" '
        f'font-weight="700" fill="{ink}">{initial}</text></svg>\n'
    )
    return {"favicon.svg": svg.encode()}, {"href": "favicon.svg", "type": "image/svg+xml"}


def _citation(brief: Brief, title: str, url: str | None) -> str:
    """The colophon's own "how to cite" (the series' CSL style), so the two never differ."""
    from ..render import format_brief

    cited = format_brief(brief)
    if cited is not None and cited.how_to_cite_text:
        text = cited.how_to_cite_text
    else:
        text = metadata.citation_text(brief, title, url)
    # The colophon's spacing too: French "après\u202f:" in the text a reader copies.
    return french_spacing(text) if spacing_for(brief.language) else text


def human_size(size: int) -> str:
    if size < 1000 * 1000:
        return f"{max(1, round(size / 1000))} KB"
    return f"{size / 1000 / 1000:.1f} MB"


def bleed_crop(page: Any) -> tuple[tuple[float, float, float, float], float]:
    """What to crop off a pdfium page to show its BleedBox (crop marks, where a style asks
    for them, sit beyond it), and the width then shown, in points."""
    media, bleed = page.get_mediabox(), page.get_bleedbox()
    crop = (bleed[0] - media[0], bleed[1] - media[1], media[2] - bleed[2], media[3] - bleed[3])
    return crop, float(bleed[2] - bleed[0])


def page_image(pdf: Path, width: int = PAGE_IMAGE_WIDTH) -> bytes:
    """Page 1 of the PDF as a PNG: the picture of social cards."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        crop, shown = bleed_crop(page)
        image = page.render(scale=width / shown, crop=crop).to_pil()
        data = compact_png(image)
    finally:
        document.close()
    return data


_EPUB_ATTRIBUTE = re.compile(r'\s+epub:type="[^"]*"')
_TAG = re.compile(r"<[^>]+>")


def html5(markup: str) -> Markup:
    """EPUB-flavoured XHTML as HTML5: ``epub:type`` is not an HTML attribute.

    A table wider than a phone scrolls in its own box (reachable by keyboard),
    never the page sideways.
    """
    markup = _EPUB_ATTRIBUTE.sub("", markup)
    markup = markup.replace("<table", '<div class="table-wrap" tabindex="0"><table')
    return Markup(markup.replace("</table>", "</table></div>"))


_SECTION = re.compile(r'<section\b[^>]*\bid="([^"]+)"[^>]*>\s*<h2\b[^>]*>(.*?)</h2>', re.S)


def contents(body: str) -> list[Link]:
    """The body's sections, for the in-page contents: (``#id``, heading) in reading order."""
    return [
        Link(f"#{anchor}", html.unescape(_TAG.sub("", heading)).strip())
        for anchor, heading in _SECTION.findall(body)
    ]


def word_count(markup: str) -> int:
    return len(html.unescape(_TAG.sub(" ", markup)).split())


def author_links(brief: Brief) -> list[dict[str, str | None]]:
    """The byline's authors, each linked to the series' filter page of their briefs."""
    from .listing import Facet

    return [
        {
            "name": author.name,
            "href": f"../{Facet('author', author.name).page}",
            "affiliation": author.affiliation,
            "orcid": author.orcid,
        }
        for author in brief.authors
    ]


def keyword_links(brief: Brief) -> list[Link]:
    """The brief's keywords, each linked to the series' filter page of that keyword."""
    from .listing import Facet

    return [Link(f"../{Facet('keyword', k).page}", k) for k in brief.keywords]


def _downloads(brief: Brief, urls: metadata.Urls, out: Path, labels: dict[str, str]) -> list[Any]:
    found = []
    for kind, href, mime in (
        ("pdf", urls.pdf, "application/pdf"),
        ("epub", urls.epub, "application/epub+zip"),
    ):
        path = out / f"{brief.stem}.{kind}"
        if href and path.is_file():
            label = labels.get(f"download_{kind}", kind.upper())
            found.append(Download(label, href, mime, human_size(path.stat().st_size)))
    return found


def _read(path: Path) -> bytes | None:
    """A file the last run wrote, if it is there."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def render_page(
    brief: Brief, style: Style, styles_root: Path, out: Path, around: Neighbours
) -> dict[str, bytes]:
    """The files of the page, relative to ``out/<stem>/``: index.html, web.css, fonts, cites,
    and the social card."""
    from ..render import card

    pdf = out / f"{brief.stem}.pdf"
    epub = out / f"{brief.stem}.epub"
    urls = metadata.urls_for(brief, pdf.is_file(), epub.is_file(), True)
    context = template_context(brief, style, "web")
    labels = context["labels"]
    web = web_labels(labels)
    title = context["title"]
    image_alt = f"{title}{labels['colon']}{context['masthead']}"
    description = context["description"]  # the one summary (render.summary): ≤ 200 characters
    twitter, og = metadata.social_tags(brief, urls, title, description, image_alt)
    page_url = urls.page if urls.absolute else None
    ld = json.loads(json_ld(brief, context["author_names"], description=description))
    if page_url:
        ld["url"] = page_url
    if urls.image:
        ld["image"] = urls.image
    ld["encoding"] = [
        {"@type": "MediaObject", "contentUrl": href, "encodingFormat": kind}
        for href, kind in ((urls.pdf, "application/pdf"), (urls.epub, "application/epub+zip"))
        if href
    ]
    stem = brief.stem
    settings = style.brief_page_settings()
    body = str(context["body"])
    outline = contents(body) if word_count(body) > settings["contents_words"] else []
    context.update(
        body=html5(sized_figures(body, out / stem)),
        description=description,
        web=web,
        up="../",
        # The catalogue as the page links it, and whether crawlers may index it (site/urls.py).
        home=addresses.folder_link("../", brief.series),
        noindex=not addresses.publishing(brief.series),
        canonical=page_url,
        editions=around.editions,
        prev=around.prev,
        next=around.next,
        related=around.related[: settings["related"]],
        authors_linked=author_links(brief),
        keyword_links=keyword_links(brief),
        outline=outline,
        meta_tags=[
            *metadata.citation_tags(brief, urls, title, context["subtitle"], description),
            *twitter,
        ],
        og_tags=og,
        json_ld=Markup(
            json.dumps(ld, ensure_ascii=False, indent=1)
            .replace("&", "\\u0026")
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
        ),
        downloads=_downloads(brief, urls, out, labels),
        citation=_citation(brief, title, page_url),
        bibtex=f"{stem}.bib",
        ris=f"{stem}.ris",
        font_css=Markup(""),
        font_preload=Markup(""),
    )
    icon_files, context["favicon"] = favicon(
        Logo.choose(brief.series.logo, style.logo), style, brief.series.masthead
    )
    environment = web_environment(style, styles_root)
    draft = render_web(environment, style, "brief.html.j2", context)
    fallbacks, _missing = needed_fallbacks(brief, style)
    faces = [face for face in style.fonts if not face.fallback] + fallbacks
    # The shared fonts folder is the series' (``up``), the same files for every page.
    fonts = page_fonts(faces, html.unescape(_TAG.sub("", draft)), context["up"])
    context.update(font_css=Markup(fonts.css), font_preload=Markup(fonts.preload))
    words = card.CardWords(context["masthead"], title, context["byline"], context["date_text"])
    files = {
        "index.html": render_web(environment, style, "brief.html.j2", context).encode(),
        "web.css": web_css(style, styles_root, brief.series.print_profile),
        CARD_IMAGE: card.social_card(
            style, words, brief.series.print_profile, _read(out / stem / CARD_IMAGE)
        ),
    }
    files.update(citation_files(brief))
    files.update(icon_files)
    files.update({f"{context['up']}{FOLDER}/{name}": data for name, data in fonts.files.items()})
    return files
