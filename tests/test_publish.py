"""Publishing the web edition: ``--site-url``, Scholar's layout, sitemaps, feed ids, catalogue.

source/ (three series, French briefs among them) is built with ``--site-url``
while the Korea Chair series has its own address on another host; the
sitemaps are checked against the sitemaps.org schemas shipped in
tests/data/sitemaps (nothing is fetched).
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from briefpress.cli import main

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject
from .linkcheck import check_folder
from .test_web import _head, _inside

SITE = "https://example.org/briefs/"
KOREA = "https://korea.example.net/chair/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMAS = REPO / "tests" / "data" / "sitemaps"
#: RFC 4151: tag:authority,date:specific (no spaces, no characters an IRI forbids).
TAG_URI = re.compile(
    r"tag:[a-z0-9.-]+\.invalid,\d{4}(-\d{2}(-\d{2})?)?:[A-Za-z0-9._~!$&'()*+,;=:@/-]+"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("publish")
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(REPO / "styles", root / "styles")
    korea = root / "source" / "korea-chair" / "series.yaml"
    korea.write_text(korea.read_text(encoding="utf-8") + f"site_url: {KOREA}\n", "utf-8")
    with _inside(root):
        runner = CliRunner()
        built = runner.invoke(main, ["build", "-j", "2", "--site-url", SITE.rstrip("/")])
        assert built.exit_code == 0, built.output
        assert "site_url: not set" not in built.output, "a publish build does not warn"
        indexed = runner.invoke(main, ["index", "--site-url", SITE])
        assert indexed.exit_code == 0, indexed.output
    return root / "build"


def _pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("index.html") if (p.parent / "index.xhtml").is_file())


def test_every_scholar_url_is_absolute_and_the_pdf_is_in_the_pages_folder(site: Path) -> None:
    pages = _pages(site)
    assert len(pages) == 8
    for page in pages:
        head = _head(page)
        stem = page.parent.name
        canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert len(canonical) == 1 and canonical[0].endswith(f"/{stem}/"), page
        folder = canonical[0]
        base = KOREA if "korea-chair" in page.parts else SITE
        assert folder.startswith(base), (page, folder)
        assert head.values("citation_pdf_url") == [f"{folder}{stem}.pdf"], page
        assert head.values("citation_abstract_html_url") == [folder]
        assert head.values("og:url") == [folder] and head.values("og:image")[0].startswith(folder)
        assert (page.parent / f"{stem}.pdf").read_bytes()[:5] == b"%PDF-"
        assert (page.parent / f"{stem}.pdf").read_bytes() == (
            page.parent.parent / f"{stem}.pdf"
        ).read_bytes()
        assert (page.parent / f"{stem}.epub").is_file()
        assert head.values("robots") == [], "a publish build may be indexed"
        data = json.loads(head.json_ld)
        assert data["url"] == folder
        assert all(e["contentUrl"].startswith(folder) for e in data["encoding"])
        # One URL per page: the page links others by their folder, as the canonical says.
        text = page.read_text(encoding="utf-8")
        assert "index.html" not in text, page
    assert check_folder(site) == []


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def test_sitemaps_are_valid_per_host_with_an_index_and_robots_at_the_root(site: Path) -> None:
    urlset, index_schema = _schema("urlset.xsd"), _schema("siteindex.xsd")
    sitemaps = sorted(site.rglob("sitemap-pages.xml"))
    assert [p.relative_to(site).as_posix() for p in sitemaps] == [
        "korea-chair/sitemap-pages.xml",
        "sitemap-pages.xml",
        "spotlight/sitemap-pages.xml",
    ]
    for path in sitemaps:
        document = etree.parse(str(path))
        assert urlset.validate(document), (path, urlset.error_log)
        folder = path.parent.relative_to(site).as_posix()
        base = KOREA if folder == "korea-chair" else SITE + ("" if folder == "." else folder + "/")
        locations = [e.text or "" for e in document.iter(f"{SITEMAP}loc")]
        # Only its own host and folder: a sitemap may list nothing above itself.
        assert locations and all(loc.startswith(base) for loc in locations), (path, locations)
        assert base in locations  # the catalogue page, by its folder's address
    index = etree.parse(str(site / "sitemap.xml"))
    assert index_schema.validate(index), index_schema.error_log
    listed = [e.text for e in index.iter(f"{SITEMAP}loc")]
    # The Korea Chair lives on its own host: its sitemap is its own, not in this index.
    assert listed == [f"{SITE}sitemap-pages.xml", f"{SITE}spotlight/sitemap-pages.xml"]
    assert [p.relative_to(site).as_posix() for p in site.rglob("robots.txt")] == ["robots.txt"]
    assert f"Sitemap: {SITE}sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")


def test_atom_ids_are_stable_iris_with_languages_and_enclosure_lengths(site: Path) -> None:
    from briefpress.build import Builder, BuildOptions, Project
    from briefpress.site.catalogue import entry_id, feed_id

    for path in sorted(site.rglob("feed.xml")):
        feed = ET.parse(path).getroot()
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
        ids = [feed.findtext(f"{ATOM}id", "")] + [
            entry.findtext(f"{ATOM}id", "") for entry in feed.iter(f"{ATOM}entry")
        ]
        assert all(TAG_URI.fullmatch(i) for i in ids), ids
        assert len(set(ids)) == len(ids)
        for entry in feed.iter(f"{ATOM}entry"):
            for link in entry.findall(f"{ATOM}link[@rel='enclosure']"):
                href = link.get("href", "")
                assert int(link.get("length", "0")) == (path.parent / href).stat().st_size
        french = [
            e for e in feed.iter(f"{ATOM}entry")
            if e.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
        ]  # fmt: skip
        if path.parent == site:
            assert [e.findtext(f"{ATOM}title", "")[:12] for e in french] == ["La Boussole "]
    # The same ids with and without an address: a feed reader never sees a brief twice.
    root = site.parent
    for options in (BuildOptions(), BuildOptions(site_url=SITE)):
        builder = Builder(Project(root), site, options)
        brief = builder.load(root / "source" / "spotlight" / "2024-7-undersea-cables.md")
        assert entry_id(brief) == "tag:spotlight-comment.invalid,2000:2024-7"
        assert feed_id(brief.series) == "tag:spotlight-comment.invalid,2000:feed"


def test_the_catalogue_is_an_index_of_one_line_entries(site: Path) -> None:
    front = (site / "index.html").read_text(encoding="utf-8")
    main_part = front[front.index("<main") : front.index("</main>")]
    # Before the first brief: the search box, the years; authors and keywords folded away.
    head = main_part[: main_part.index('class="entry"')]
    unfolded = re.sub(r"<details.*?</details>", "", head, flags=re.S)
    assert len(re.findall(r"<a ", unfolded)) <= 6, "no tag cloud above the first brief"
    entries = re.findall(r'<li class="entry".*?</li>', main_part, re.S)
    assert len(entries) == 8
    for entry in entries:
        assert "<ul" not in entry, "no key-issue list in an entry"
        assert len(re.findall(r'<p class="summary">', entry)) == 1
        image = re.search(r"<img [^>]*>", entry)
        assert image and 'loading="lazy"' in image.group(0)
        assert re.search(r'width="\d+" height="\d+"', image.group(0))
    # A French entry speaks French: no "By", no "Page 1 of".
    french = [e for e in entries if 'lang="fr"' in e.split(">", 1)[0]]
    assert len(french) == 2
    for entry in french:
        assert "By " not in entry and "Page 1" not in entry
    # The Korea Chair is published on its own host: the front page links it there.
    assert f'href="{KOREA}2024-3-seoul-brussels-tech/"' in main_part
    assert 'href="spotlight/2024-7-undersea-cables/"' in main_part
    data = json.loads((site / "search.json").read_text(encoding="utf-8"))
    found = {b["title"]: b for b in data["briefs"]}
    assert len(found) == 8
    nato = next(b for t, b in found.items() if t.startswith("Japan and NATO"))
    assert nato["authors"] == ["Eva Pejsova"] and "NATO" in nato["keywords"]
    assert nato["href"] == "2023-26-nato-japan/" and nato["summary"]
    assert all(len(b["summary"]) <= 200 for b in data["briefs"])


def test_a_big_series_pages_by_year(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefpress.site import listing

    briefs = {
        f"{year}-{n}-x{year}{n}.md": BRIEF_TEMPLATE.format(number=n)
        .replace("2024-03-01", f"{year}-03-0{n}")
        .replace("A test brief", f"Brief {year}/{n}")
        for year in (2022, 2023, 2024)
        for n in (1, 2)
    }
    root = make_project(briefs)
    runner = CliRunner()
    assert runner.invoke(main, ["build", "-j", "2", "--format", "pdf,html"]).exit_code == 0
    monkeypatch.setattr(listing, "PAGE_SIZE", 3)
    assert runner.invoke(main, ["index"]).exit_code == 0
    front = (root / "build" / "index.html").read_text(encoding="utf-8")
    assert front.count('<li class="entry"') == 3
    assert "Brief 2024/2" in front and "Brief 2022/1" not in front
    assert " data-in-place>" not in front, "filters on a partial list are pages"
    earlier = front[front.index('class="pages"') :]
    assert 'href="by/year-2023.html"' in earlier and 'href="by/year-2022.html"' in earlier
    year = (root / "build" / "by" / "year-2022.html").read_text(encoding="utf-8")
    assert year.count('<li class="entry"') == 2
    search = json.loads((root / "build" / "search.json").read_text(encoding="utf-8"))
    assert len(search["briefs"]) == 6, "the search finds every brief, listed or not"


def test_a_site_url_that_is_no_address_is_a_usage_error(make_project: MakeProject) -> None:
    make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    for command in ("build", "index"):
        result = CliRunner().invoke(main, [command, "--site-url", "example.org/briefs"])
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [
            '--site-url: expected an absolute http(s) address like "https://example.org/briefs/",'
            ' got "example.org/briefs"'
        ]
