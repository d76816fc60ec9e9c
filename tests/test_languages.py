"""Languages: per-language series texts, CLDR dates, French spacing, names with particles,
foreign phrases and linked translations, in every output of every style.

The held-out briefs here (French, German, Dutch and English, by authors called De
Smedt, von der Leyen, Ó Briain and García Pérez) are built once, in each of the
three house styles, into a project of their own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import rispy  # type: ignore[import-untyped]  # no py.typed in 0.10
from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string

from briefpress.build import BuildOptions, Project, build
from briefpress.build.run import index
from briefpress.errors import SourceError
from briefpress.markdown import create_parser
from briefpress.source.body import check_body
from briefpress.source.fields import format_date
from briefpress.source.model import load
from briefpress.source.names import name_parts, split_name
from briefpress.style import load_style

from .conftest import REPO, MakeProject

NBSP, NNBSP = "\u00a0", "\u202f"
DATE = dt.date(2026, 11, 25)
DATES = {
    "en": "November 25, 2026",  # CLDR's en is American; a series may say en-GB
    "fr": "25 novembre 2026",
    "de": "25. November 2026",
    "nl": "25 november 2026",
}
DISCLAIMERS = {
    "en": "The views are the authors’ own.",
    "fr": "Les opinions n’engagent que leurs auteurs.",
    "de": "Die Ansichten sind allein die der Autorinnen und Autoren.",
    "nl": "De standpunten zijn uitsluitend die van de auteurs.",
}
FAMILIES = ["De Smedt", "von der Leyen", "Ó Briain", "García Pérez"]
INVERTED = [
    "De Smedt, Pieter",
    "von der Leyen, Ursula",
    "Ó Briain, Tomás",
    "García Pérez, María José",
]
STYLES = {"csds": "", "csds-korea": "korea/", "spotlight": "spotlight/"}
LANGS = ("en", "fr", "de", "nl")
STEMS = {lang: f"2026-{n}-brief" for n, lang in enumerate(LANGS, start=1)}


def _series(style: str, folder: str) -> str:
    disclaimer = "".join(f"\n  {lang}: {json.dumps(text)}" for lang, text in DISCLAIMERS.items())
    numbering = '"{year}/C {number:02}"' if style == "spotlight" else '"{number}/{year}"'
    return (
        f"name: Test {style} Brief\nmasthead: TEST {style.upper()} BRIEF\n"
        "publisher: Test Institute, Brussels\nissn:\n  online: 2983-466X\n"
        f"disclaimer:{disclaimer}\nlang: en\nstyle: {style}\ndate_format: long\n"
        f"numbering: {numbering}\nsite_url: https://example.org/{folder or 'briefs/'}\n"
    )


JA = "[自由で開かれたインド太平洋]{lang=ja}"
BODIES = {
    "en": f'## Introduction\n\nThe phrase {JA} travelled. Why? It was meant to: "free and open".\n',
    "fr": f"## Introduction\n\nLa formule {JA} a voyagé. Pourquoi ? "
    "Parce que : « elle devait » ; voilà !\n",
    "de": f'## Einleitung\n\nDie Formel {JA} reiste. "So ist es."\n',
    "nl": f'## Inleiding\n\nDe formule {JA} reisde. "Zo is het."\n',
}


def _brief(lang: str, number: int, style: str) -> str:
    summary = (
        'lead: "A lead in the brief\'s language."\n'
        if style == "spotlight"
        else 'key_issues:\n  - "A key issue."\n'
    )
    translation = ""
    if lang == "fr":  # the French edition translates the English one, by number
        translation = "translation_of: {number: 1}\ntranslators: [Claire Dumont]\n"
    return (
        f"---\nnumber: {number}\ndate: {DATE.isoformat()}\nlang: {lang}\n"
        f'title: "A {lang} brief"\n{summary}{translation}'
        "authors:\n  - Pieter De Smedt\n  - Ursula von der Leyen\n  - Tomás Ó Briain\n"
        "  - {name: María José García Pérez, family: García Pérez}\n---\n\n" + BODIES[lang]
    )


@pytest.fixture(scope="module")
def held_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four briefs (en, fr, de, nl) in a series of each style, built with pages and index."""
    root = tmp_path_factory.mktemp("languages")
    shutil.copytree(REPO / "styles", root / "styles")
    for style, folder in STYLES.items():
        (root / "source" / folder).mkdir(parents=True, exist_ok=True)
        (root / "source" / folder / "series.yaml").write_text(_series(style, folder), "utf-8")
        for number, lang in enumerate(LANGS, start=1):
            path = root / "source" / folder / f"{STEMS[lang]}.md"
            path.write_text(_brief(lang, number, style), encoding="utf-8")
    out = root / "build"
    report = build([root / "source"], Project(root), BuildOptions(out_dir=out, jobs=2))
    assert report.exit_code() == 0, [r.errors for r in report.results]
    _written, problems = index([root / "source"], Project(root), out)
    assert not [p for p in problems if "error" in p.lower()], problems
    return out


def _page(out: Path, style: str, lang: str, name: str) -> str:
    return (out / STYLES[style] / STEMS[lang] / name).read_text(encoding="utf-8")


# Dates and series texts ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_dates_are_cldr_in_the_briefs_language(lang: str) -> None:
    assert format_date(DATE, "long", lang) == DATES[lang]
    # Old series files keep their strftime patterns, month names now CLDR's.
    assert format_date(DATE, "%d.%m.%Y", lang) == "25.11.2026"
    month = {"en": "November", "fr": "novembre", "de": "November", "nl": "november"}[lang]
    assert format_date(DATE, "%d %B %Y", lang) == f"25 {month} 2026"
    assert format_date(DATE, "long", "en-GB") == "25 November 2026"


def test_a_cldr_pattern_and_a_bad_one(make_project: MakeProject) -> None:
    assert format_date(DATE, "d MMMM y", "de-AT") == "25 November 2026"
    bad = _series("csds", "").replace("date_format: long", "date_format: {en: long, fr: ab}")
    root = make_project({"2026-1-brief.md": _brief("en", 1, "csds")}, bad)
    with pytest.raises(SourceError) as caught:
        load(root / "source" / "2026-1-brief.md", root)
    assert re.match(
        r"source/series\.yaml:\d+: date_format: fr: .* has no date field", str(caught.value)
    )


def test_a_language_the_series_lacks_is_an_error_at_its_line(make_project: MakeProject) -> None:
    series = _series("csds", "").replace(
        '\n  nl: "De standpunten zijn uitsluitend die van de auteurs."', ""
    )
    root = make_project({"2026-4-brief.md": _brief("nl", 4, "csds")}, series)
    with pytest.raises(SourceError) as caught:
        load(root / "source" / "2026-4-brief.md", root)
    line = series.splitlines().index("disclaimer:") + 1
    # At the brief's lang line (a wrong tag is fixed there), naming the series text to add.
    assert str(caught.value).startswith(
        f"source/2026-4-brief.md:4: lang: source/series.yaml:{line}: disclaimer: "
    )
    assert '"nl"' in str(caught.value)


def test_a_disclaimer_given_once_is_in_the_series_language(make_project: MakeProject) -> None:
    """Never an English disclaimer under a German brief without being told."""
    series = (REPO / "source" / "korea-chair" / "series.yaml").read_text(encoding="utf-8")
    series = series.replace("style: csds-korea", "style: csds")
    root = make_project({"2026-3-brief.md": _brief("de", 3, "csds")}, series)
    with pytest.raises(SourceError, match=r"series\.yaml:\d+: disclaimer: no text for .*\"de\""):
        load(root / "source" / "2026-3-brief.md", root)


# Names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "inverted", "csl"),
    [
        ("Pieter De Smedt", "De Smedt, Pieter", {"family": "De Smedt", "given": "Pieter"}),
        (
            "Ursula von der Leyen",
            "von der Leyen, Ursula",
            {"family": "Leyen", "given": "Ursula", "dropping-particle": "von der"},
        ),
        ("Tomás Ó Briain", "Ó Briain, Tomás", {"family": "Ó Briain", "given": "Tomás"}),
        ("Niamh Ní Chonaill", "Ní Chonaill, Niamh", {"family": "Ní Chonaill", "given": "Niamh"}),
        ("Herman Van Rompuy", "Van Rompuy, Herman", {"family": "Van Rompuy", "given": "Herman"}),
        ("Plato", "Plato", {"literal": "Plato"}),
    ],
)
def test_names_split_as_csl_models_them(name: str, inverted: str, csl: dict[str, str]) -> None:
    parts = split_name(name)
    assert (parts.inverted, parts.csl(), parts.display) == (inverted, csl, name)


def test_sort_keys_follow_chicago() -> None:
    names = ["Ursula von der Leyen", "Pieter De Smedt", "Anna Lindh", "Eva Meyer"]
    ordered = sorted(names, key=lambda n: split_name(n).sort_key)
    # De Smedt under D; von der Leyen under L (before Lindh).
    assert ordered == ["Pieter De Smedt", "Ursula von der Leyen", "Anna Lindh", "Eva Meyer"]


def test_the_front_matter_gives_the_parts() -> None:
    parts = name_parts("María José García Pérez", {"family": "García Pérez"})
    assert (parts.given, parts.family, parts.inverted) == (
        "María José",
        "García Pérez",
        "García Pérez, María José",
    )
    only_parts = name_parts(
        "", {"given": "Ursula", "dropping-particle": "von der", "family": "Leyen"}
    )
    assert only_parts.display == "Ursula von der Leyen"


def test_an_author_of_parts_only_is_accepted(make_project: MakeProject) -> None:
    text = _brief("en", 1, "csds").replace(
        "  - Pieter De Smedt\n", "  - {given: Pieter, non-dropping-particle: De, family: Smedt}\n"
    )
    root = make_project({"2026-1-brief.md": text}, _series("csds", ""))
    brief = load(root / "source" / "2026-1-brief.md", root)
    assert brief.authors[0].name == "Pieter De Smedt"
    assert brief.authors[0].name_parts.inverted == "De Smedt, Pieter"


# Typography and spans --------------------------------------------------------------


def test_french_spacing_in_the_text_only() -> None:
    md = create_parser(["«\u202f", "\u202f»", "‹\u202f", "\u202f›"], lang="fr")
    html = md.render('Pourquoi ? Parce que : "oui" ; à 14:30, voir `a ? b`.')
    assert f"Pourquoi{NNBSP}?" in html and f"que{NNBSP}:" in html
    assert f"«{NNBSP}oui{NNBSP}»{NNBSP};" in html
    assert "14:30" in html and "<code>a ? b</code>" in html
    assert "Why ?" in create_parser(lang="en").render("Why ?")


def test_a_span_carries_only_a_valid_lang() -> None:
    md = create_parser()
    html = md.render('[自由]{lang=ja} [x]{.c onclick="alert(1)"} [y]{lang=xx_1}')
    assert '<span lang="ja">自由</span>' in html
    assert "onclick" not in html and "class" not in html and "xx_1" not in html
    report = check_body(Path("b.md"), "[x]{.c #i} [y]{lang=xx_1}\n", 10)
    messages = [f"{p.line}: {p.field}: {p.message}" for p in report.problems]
    assert messages[0] == "10: lang: a [span]{…} takes only lang=…, not class, id"
    assert "xx_1" in messages[1]


def test_base_labels_have_every_key_in_four_languages() -> None:
    labels = load_style("csds", REPO / "styles").labels
    for lang in ("fr", "de", "nl"):
        assert set(labels["en"]) <= set(labels[lang]), (lang, set(labels["en"]) - set(labels[lang]))


def test_no_colon_in_the_templates() -> None:
    for path in (REPO / "styles").rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        assert '": "' not in text and "}}:" not in text, path


# The held-out briefs, built in every style -----------------------------------------


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("lang", LANGS)
def test_each_language_in_each_style(held_out: Path, style: str, lang: str) -> None:
    xhtml = _page(held_out, style, lang, "index.xhtml")
    assert DATES[lang] in xhtml
    assert DISCLAIMERS[lang] in xhtml
    assert '<span lang="ja">自由で開かれたインド太平洋</span>' in xhtml
    page = _page(held_out, style, lang, "index.html")
    assert '<span lang="ja">自由で開かれたインド太平洋</span>' in page
    colophon = xhtml[xhtml.index('class="colophon"') :].split(">", 1)[1]
    text = re.sub(r"<[^>]+>", "", colophon)
    if lang == "fr":
        # Every label before its colon, and the text: a no-break space, never a bare colon.
        assert re.search(r"[\w)]:", text.replace("https:", "")) is None, text
        assert f"{NNBSP}:" in text and f"Pourquoi{NNBSP}?" in xhtml
    # The names, the same parts in every output.
    tags = re.findall(r'<meta name="citation_author" content="([^"]+)"', page)
    assert tags == INVERTED
    ld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    assert [a["familyName"] for a in ld["author"]] == FAMILIES
    assert "De Smedt, Pieter, Ursula von der Leyen, Tomás Ó Briain" in text.replace("\n", " ")
    assert "Ó." not in text


def test_citation_files_carry_the_family_names(held_out: Path) -> None:
    folder = held_out / STEMS["de"]
    ris = rispy.loads((folder / f"{STEMS['de']}.ris").read_text(encoding="utf-8"))
    assert ris[0]["authors"] == INVERTED
    bib = (folder / f"{STEMS['de']}.bib").read_text(encoding="utf-8")
    library = parse_string(
        bib, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()]
    )
    names = library.entries[0].fields_dict["author"].value
    assert [" ".join(n.von + n.last) for n in names] == FAMILIES
    assert [n.von for n in names] == [[], ["von", "der"], [], []]
    with zipfile.ZipFile(held_out / f"{STEMS['de']}.epub") as epub:
        opf = (
            epub.read("EPUB/package.opf").decode() if "EPUB/package.opf" in epub.namelist() else ""
        )
        opf = opf or next(epub.read(n).decode() for n in epub.namelist() if n.endswith(".opf"))
    file_as = re.findall(r'property="file-as">([^<]+)<', opf)
    assert file_as == [n.replace("'", "&#x27;") for n in INVERTED]


def test_the_pdf_has_french_spaces_and_a_japanese_span(held_out: Path) -> None:
    pdf = held_out / f"{STEMS['fr']}.pdf"
    document = pypdfium2.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert f"Pourquoi{NNBSP}?" in text and f"Parce que{NNBSP}:" in text
    assert f"cette note{NNBSP}:" in text and f"ISSN (en ligne){NNBSP}:" in text
    with pikepdf.open(pdf) as opened:
        langs: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, pikepdf.Dictionary):
                if "/Lang" in node and node.get("/S") == "/Span":
                    langs.append(str(node.Lang))
                if "/K" in node:
                    walk(node.K)
            elif isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)

        walk(opened.Root.StructTreeRoot)
    assert "ja" in langs


def test_the_original_and_its_translation_link_each_other(held_out: Path) -> None:
    en, fr = (_page(held_out, "csds", lang, "index.html") for lang in ("en", "fr"))
    en_url, fr_url = (f"https://example.org/briefs/{STEMS[lang]}/" for lang in ("en", "fr"))
    assert f'hreflang="fr" href="{fr_url}"' in en and f'hreflang="en" href="{en_url}"' in fr
    # Same file names in the other series: not editions of these (they may be related
    # briefs, linked as such, but never as another language of this one).
    editions = re.compile(r'hreflang="[^"]*" href="https://example\.org/(korea|spotlight)')
    assert not editions.search(en) and not editions.search(fr)
    ld_en = json.loads(re.search(r'application/ld\+json">(.*?)</script>', en, re.S)[1])  # type: ignore[index]
    ld_fr = json.loads(re.search(r'application/ld\+json">(.*?)</script>', fr, re.S)[1])  # type: ignore[index]
    assert [w["url"] for w in ld_en["workTranslation"]] == [fr_url]
    assert ld_fr["translationOfWork"]["url"] == en_url
    assert [t["name"] for t in ld_fr["translator"]] == ["Claire Dumont"]
    # The XHTML (print and EPUB) and the EPUB package.
    assert f'<a href="{fr_url}" hreflang="fr">' in _page(held_out, "csds", "en", "index.xhtml")
    fr_xhtml = _page(held_out, "csds", "fr", "index.xhtml")
    assert (
        f'<a href="{en_url}" hreflang="en">' in fr_xhtml and "Traduit par Claire Dumont" in fr_xhtml
    )
    with zipfile.ZipFile(held_out / f"{STEMS['fr']}.epub") as epub:
        opf = next(epub.read(n).decode() for n in epub.namelist() if n.endswith(".opf"))
    assert f"<dc:relation>{en_url}</dc:relation>" in opf and ">trl</meta>" in opf
    sitemap = (held_out / "sitemap-pages.xml").read_text(encoding="utf-8")
    entry = sitemap[sitemap.index(f"<loc>{en_url}</loc>") :].split("</url>")[0]
    assert f'hreflang="fr" href="{fr_url}"' in entry and f'hreflang="en" href="{en_url}"' in entry
    catalogue = (held_out / "index.html").read_text(encoding="utf-8")
    assert f'href="{STEMS["fr"]}/" hreflang="fr"' in catalogue  # a publish build: folders


def test_a_stem_still_names_the_original_with_a_warning(make_project: MakeProject) -> None:
    text = _brief("fr", 2, "csds").replace(
        "translation_of: {number: 1}", "translation_of: 2026-1-brief"
    )
    root = make_project({"2026-2-brief.md": text}, _series("csds", ""))
    brief = load(root / "source" / "2026-2-brief.md", root)
    assert brief.translation_of is not None and brief.translation_of.stem == "2026-1-brief"
    assert any("deprecated" in w.message for w in brief.warnings)


def test_import_writes_the_parts_a_byline_hides() -> None:
    from briefpress.intake.mapping import Mapped, _front_lists

    mapped = Mapped()
    names = ["Pieter De Smedt", "Ursula von der Leyen", "María José García Pérez", "Eva Pejsova"]
    _front_lists(mapped, names, {}, ["A key issue."])
    authors = mapped.front["authors"]
    assert authors[0] == {
        "name": "Pieter De Smedt",
        "family": "Smedt",
        "non-dropping-particle": "De",
    }
    assert authors[1]["dropping-particle"] == "von der" and authors[3] == {"name": "Eva Pejsova"}
    assert any("García Pérez" in message for _where, message in mapped.todo)
    parts = name_parts(authors[0]["name"], authors[0])
    assert parts.inverted == "De Smedt, Pieter"


def test_an_original_not_found_is_a_warning(make_project: MakeProject) -> None:
    text = _brief("fr", 2, "csds").replace("{number: 1}", "{series: Nowhere, number: 99}")
    root = make_project({"2026-2-brief.md": text}, _series("csds", ""))
    options = BuildOptions(out_dir=root / "build", jobs=1, formats=("html",))
    report = build([root / "source"], Project(root), options)
    assert report.exit_code() == 0
    (result,) = report.results
    assert any(
        "translation_of: no brief number 99 of Nowhere to be a translation of" in w
        for w in result.warnings
    ), result.warnings


def test_the_linked_editions_pass_epubcheck_and_the_nu_checker(
    held_out: Path, tmp_path: Path
) -> None:
    """The editions' links, translators and relations are valid EPUB 3 and HTML."""
    import subprocess

    from .test_conformance import BATCH, EPUBCHECK, VNU

    epubs = [held_out / f"{STEMS[lang]}.epub" for lang in ("en", "fr")]
    done = subprocess.run(
        ["java", "-cp", str(EPUBCHECK), str(BATCH), str(tmp_path), *map(str, epubs)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for number in range(len(epubs)):
        report = json.loads((tmp_path / f"{number}.json").read_text(encoding="utf-8"))
        assert [(m["severity"], m["ID"], m["message"]) for m in report["messages"]] == []
    pages = [held_out / STEMS[lang] / "index.html" for lang in ("en", "fr")]
    pages.append(held_out / "index.html")
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert json.loads(done.stderr)["messages"] == []
