"""`briefpress new`: the next free number, a valid skeleton, and never an overwrite."""

from __future__ import annotations

from click.testing import CliRunner

from briefpress.cli import main
from briefpress.source.model import load

from .conftest import BRIEF_TEMPLATE, MakeProject


def _new(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["new", *args])
    return result.exit_code, result.output.strip()


def test_next_number_follows_the_highest_of_the_year(make_project: MakeProject) -> None:
    root = make_project(
        {
            "2024-1-a.md": BRIEF_TEMPLATE.format(number=1),
            "2024-4-d.md": BRIEF_TEMPLATE.format(number=4),  # a gap: 2 and 3 were withdrawn
            "old.md": BRIEF_TEMPLATE.format(number=9).replace("2024-03-01", "2023-05-01"),
        }
    )
    code, output = _new("--title", "Europe and the Arctic: a new front?", "--author", "Ada Tester",
                        "--date", "2024-06-01")  # fmt: skip
    assert code == 0
    assert output == "source/2024-5-europe-and-the-arctic-a-new-front.md"
    brief = load(root / output, root)
    assert (brief.number, brief.title, brief.status) == (
        5,
        "Europe and the Arctic: a new front?",
        "draft",
    )
    assert [a.name for a in brief.authors] == ["Ada Tester"]


def test_a_new_year_starts_at_one_and_authors_repeat(make_project: MakeProject) -> None:
    root = make_project({"2024-7-a.md": BRIEF_TEMPLATE.format(number=7)})
    code, output = _new("--title", "Année nouvelle", "--author", "A", "--author", "B",
                        "--date", "2025-01-02")  # fmt: skip
    assert code == 0 and output == "source/2025-1-annee-nouvelle.md"
    assert [a.name for a in load(root / output, root).authors] == ["A", "B"]


def test_never_overwrites(make_project: MakeProject) -> None:
    root = make_project()
    args = ("--title", "Same", "--author", "A", "--date", "2024-01-01")
    assert _new(*args)[0] == 0
    taken = root / "source" / "2024-1-same.md"
    taken.write_text(taken.read_text().replace("number: 1", "number: 0"))  # still named 2024-1
    original = taken.read_bytes()
    code, output = _new(*args)
    assert code == 2 and "already exists; nothing was written" in output
    assert taken.read_bytes() == original


def test_missing_series_is_a_usage_error(make_project: MakeProject) -> None:
    make_project()
    code, output = _new("--title", "T", "--author", "A", "--series", "elsewhere")
    assert code == 2 and "no series.yaml here" in output


def test_a_title_is_written_in_double_quotes_and_slugged_whole_words(
    make_project: MakeProject,
) -> None:
    root = make_project()
    code, output = _new("--title", "Europe's Space Shield", "--author", "Ada O'Neil",
                        "--date", "2024-06-01")  # fmt: skip
    assert code == 0 and output == "source/2024-1-europes-space-shield.md"
    text = (root / output).read_text(encoding="utf-8")
    assert 'title: "Europe\'s Space Shield"\n' in text and "''" not in text
    assert load(root / output, root).title == "Europe's Space Shield"
    long_title = "The EU and the Arctic: what the ferries and the bridges tell us about the north"
    code, output = _new("--title", long_title, "--author", "A", "--date", "2024-06-02")
    # Cut between words at 50 characters, never ending on "and" or "the".
    assert code == 0 and output == "source/2024-2-the-eu-and-the-arctic-what-the-ferries.md"


def test_placeholders_are_in_the_briefs_language(make_project: MakeProject) -> None:
    root = make_project()
    code, output = _new("--title", "L'Europe et l'Arctique", "--author", "Anne Dupont",
                        "--lang", "fr", "--date", "2024-06-01")  # fmt: skip
    assert code == 0 and output == "source/2024-1-leurope-et-larctique.md"
    text = (root / output).read_text(encoding="utf-8")
    assert "- Énoncez le premier enjeu en une ou deux phrases.\n" in text
    assert '# subtitle: "Un sous-titre"' in text and "# Facultatif" in text
    assert "## Introduction\n\nÉcrivez ici l’introduction.\n" in text
    english = ("State the first", "Write the introduction", "A subtitle", "Optional")
    assert not [word for word in english if word in text]
    code, output = _new("--title", "Arctic", "--author", "A", "--date", "2024-06-02")
    text = (root / output).read_text(encoding="utf-8")
    assert "- State the first key issue in one or two sentences.\n" in text
    assert "Write the introduction here." in text and "{new_" not in text
