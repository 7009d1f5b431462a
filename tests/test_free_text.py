"""`new-survey` never drafts people's own words or contact details as options: they would be published."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_here

from build_scripts.ingest.draft_codebook import create_survey, draft
from build_scripts.ingest.exports import read_export

N = 60
# A handful of comments repeated over and over: few distinct values, as a real categorical column has.
COMMENTS = ["Ring Sarah on 07700 900123", "Mr Jones at 14 Acacia Road hits his kids", "We live at sw1a 1aa",
            "Ask for Jo Bloggs", "Nothing"]
PLAIN_COMMENTS = ["Mr Jones hits his kids", "Nothing", "Ask for Jo Bloggs", "The neighbours know", "Not sure"]
NAMES = ["Jane Smith", "John Evans", "Priya Patel", "Tom Jones", "Aisha Khan"]
REGIONS = ["North", "South", "Wales"]
SUPPORT = ["Yes", "No", "Don't know"]


def _rows(extra: list[str]) -> list[list[str]]:
    """N respondents: an ID, a region, a Yes/No answer and one more column cycling through `extra`."""
    return [[str(1000 + i), REGIONS[i % 3], SUPPORT[i % 3], extra[i % len(extra)]] for i in range(N)]


def _write(path: Path, header_rows: list[list[str]], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([*header_rows, *rows])
    return path


def _drafted(tmp_path: Path, export: Path) -> tuple[dict, str]:
    codebook = create_survey(tmp_path / "surveys", export, "drafted", None, False)
    text = codebook.read_text(encoding="utf-8")
    return yaml.safe_load(text), text


def _by_column(book: dict) -> dict[str, dict]:
    return {item.get("column"): item for item in [*book["questions"], *book["segments"]]}


def _published(text: str, values: list[str]) -> list[str]:
    """The values that appear in a draft's YAML (anything there may reach the site)."""
    return [v for v in values if v in text]


def test_a_surveymonkey_open_ended_column_is_free_text_whatever_its_answers(tmp_path: Path):
    export = _write(tmp_path / "monkey.csv", [
        ["Respondent ID", "Which region do you live in?", "Do you support early help?", "What happened?"],
        ["", "Response", "Response", "Open-Ended Response"]], _rows(PLAIN_COMMENTS))
    book, text = _drafted(tmp_path, export)
    item = _by_column(book)["What happened?"]
    assert item["type"] == "text" and "options" not in item
    assert _published(text, PLAIN_COMMENTS) == []
    assert _by_column(book)["Do you support early help?"]["type"] == "single"  # real categories still drafted


def test_a_surveymonkey_other_please_specify_column_is_free_text(tmp_path: Path):
    export = _write(tmp_path / "monkey.csv", [
        ["Respondent ID", "Which region do you live in?", "Where did you hear of us?", ""],
        ["", "Response", "Online", "Other (please specify)"]],
        [[str(1000 + i), REGIONS[i % 3], "Online" if i % 2 else "", PLAIN_COMMENTS[i % 5]] for i in range(N)])
    book, text = _drafted(tmp_path, export)
    [other] = [q for q in book["questions"] if q.get("column", "").endswith("Other (please specify)")]
    assert other["type"] == "text" and _published(text, PLAIN_COMMENTS) == []


def test_a_qualtrics_text_entry_column_is_free_text_whatever_its_answers(tmp_path: Path):
    export = _write(tmp_path / "qualtrics.csv", [
        ["ResponseId", "Q1", "Q2", "Q5"],
        ["Response ID", "Which region do you live in?", "Do you support early help?", "What happened?"],
        [json.dumps({"ImportId": i}, separators=(",", ":")) for i in ("_recordId", "QID1", "QID2", "QID5_TEXT")]],
        [[f"R_{i:04d}", *row[1:]] for i, row in enumerate(_rows(PLAIN_COMMENTS))])
    book, text = _drafted(tmp_path, export)
    assert _by_column(book)["Q5"]["type"] == "text" and _published(text, PLAIN_COMMENTS) == []
    assert _by_column(book)["Q2"]["type"] == "single"


@pytest.mark.parametrize("column", ["Comments", "Any other comments", "Please tell us more", "Other (please specify)",
                                    "Q9"])
def test_a_comment_column_repeating_a_handful_of_answers_is_free_text(tmp_path: Path, column):
    export = _write(tmp_path / "plain.csv", [["Respondent ID", "Region", "Q1", column]], _rows(COMMENTS))
    book, text = _drafted(tmp_path, export)
    item = _by_column(book)[column]
    assert item["type"] == "text" and "options" not in item
    assert _published(text, COMMENTS) == []
    assert [o["label"] for o in _by_column(book)["Q1"]["options"]] == SUPPORT
    assert [s["column"] for s in book["segments"]] == ["Region"]


@pytest.mark.parametrize("column, holds", [
    ("Name", "a name"), ("Full name", "a name"), ("What is your name?", "a name"), ("Email", "an e-mail address"),
    ("E-mail address", "an e-mail address"), ("Phone", "a phone number"), ("Telephone", "a phone number"),
    ("Mobile", "a phone number"), ("Address", "a postal address"), ("Postcode", "a postcode"),
])
def test_a_contact_field_is_left_out_of_the_draft_with_a_comment_saying_why(tmp_path: Path, column, holds):
    export = _write(tmp_path / "plain.csv", [["Respondent ID", "Region", "Q1", column]], _rows(NAMES))
    book, text = _drafted(tmp_path, export)
    assert column not in _by_column(book)
    assert _published(text, NAMES) == []
    assert re.search(rf"^#   column {re.escape(repr(column))}: {holds}$", text, re.MULTILINE)


# What a careless export carries besides the answers, each with answers that would otherwise become options.
CARELESS = [
    ("Your details", ["Flat 2, 5 High St", "Rose Cottage"], "contact details"),
    ("Contact details", ["Flat 2, 5 High St", "Rose Cottage"], "contact details"),
    ("DOB", ["1980-01-02", "1990-07-08", "1975-05-06"], "a date of birth"),
    ("D.O.B.", ["02/01/1980", "08/07/1990"], "a date of birth"),
    ("Date of birth", ["1980-01-02", "1990-07-08"], "a date of birth"),
    ("Birthday", ["2 January", "8 July"], "a date of birth"),
    ("Child's date of birth", ["2012-01-02", "2015-07-08"], "a date of birth"),
    ("Home town", ["Little Snoring", "Much Wenlock"], "a home town"),
    ("Town", ["Little Snoring", "Much Wenlock"], "a home town"),
    ("Full name", ["Sarah Kaur", "Tom Hughes"], "a name"),
    ("First name", ["Sarah", "Tom"], "a name"),
    ("Surname", ["Kaur", "Hughes"], "a name"),
    ("Child's name", ["Amy", "Ben"], "a name"),
    ("Who is your caseworker?", ["Janet Frost", "Ann Lee"], "a name"),
    ("Signature", ["S Kaur", "T Hughes"], "a signature"),
    ("Address line 1", ["5 High St", "Rose Cottage"], "a postal address"),
    ("Postcode", ["M1 1AE", "B33 8TH"], "a postcode"),
    ("Employer name", ["Leeds City Council", "Acme Ltd"], "a school's or employer's name"),
    ("School name", ["Oakfield Academy", "St Mary RC Primary"], "a school's or employer's name"),
    ("Name of your school", ["Oakfield Academy", "St Mary RC Primary"], "a school's or employer's name"),
    ("Case reference", ["CR-1001", "CR-1002"], "a reference number"),
    ("NHS number", ["943 476 5919", "401 023 2137"], "a reference number"),
    ("IP", ["198.51.100.0", "198.51.100.7"], "an IP address"),
    ("User agent", ["Mozilla/5.0 (Windows NT 10.0)", "Mozilla/5.0 (iPhone)"], "a device's details"),
    ("Respondent email", ["a@example.org", "b@example.org"], "an e-mail address"),
    ("Q12. Date of birth", ["1980-01-02", "1990-07-08"], "a date of birth"),
    # Named like nothing in particular: what the answers are gives them away.
    ("Q8", ["Flat 2, 5 High St", "Rose Cottage", "14 Acacia Road"], "a postal address"),
    ("Q9", ["1980-01-02", "1990-07-08", "1975-05-06"], "a date of birth"),
    ("Q10", ["2 January 1980", "8 July 1990", "6 May 1975"], "a date of birth"),
]


@pytest.mark.parametrize("column, answers, holds", CARELESS)
def test_a_column_that_says_who_people_are_is_left_out_of_the_draft(tmp_path: Path, column, answers, holds):
    export = _write(tmp_path / "plain.csv", [["Respondent ID", "Region", "Q1", column]], _rows(answers))
    book, text = _drafted(tmp_path, export)
    assert column not in _by_column(book)
    assert _published(text.split("\nid: ", 1)[1], answers) == []
    assert re.search(rf"^#   column {re.escape(repr(column))}: {re.escape(holds)}$", text, re.MULTILINE)


@pytest.mark.parametrize("column, answers, kind", [
    ("Age last birthday", ["34", "45", "52"], "single"),
    ("Age (exact)", ["34", "45", "52"], "single"),
    ("What type of home do you live in?", ["Detached House", "Semi-detached House", "Terraced House", "Flat",
                                           "Bungalow"], "single"),
    ("School type", ["Primary", "Secondary", "Special"], "single"),
    ("Fieldwork date", ["2015-10-05", "2015-10-06", "2015-10-07"], "single"),  # a survey's own dates are not births
])
def test_figures_and_categories_near_those_words_are_still_drafted(tmp_path: Path, column, answers, kind):
    export = _write(tmp_path / "plain.csv", [["Respondent ID", "Region", "Q1", column]], _rows(answers))
    book, text = _drafted(tmp_path, export)
    item = _by_column(book)[column]
    assert item.get("type", "single") == kind  # an age column is drafted as a segment
    assert sorted(o["label"] for o in item["options"]) == sorted(answers)
    assert "#   column" not in text


def test_a_column_of_contact_details_is_left_out_whatever_it_is_called(tmp_path: Path):
    emails = [f"{name.split()[0].lower()}@example.org" for name in NAMES]
    export = _write(tmp_path / "plain.csv", [["Respondent ID", "Region", "Q1", "Q7"]], _rows(emails))
    book, text = _drafted(tmp_path, export)
    assert "Q7" not in _by_column(book) and _published(text, emails) == []
    assert "#   column 'Q7': an e-mail address" in text


@pytest.mark.parametrize("survey", ["public-2015", "professionals-2015"])
def test_the_shipped_surveys_redraft_as_their_real_categories(survey):
    folder = REPO / "surveys" / survey
    real = yaml.safe_load((folder / "survey.yml").read_text(encoding="utf-8"))
    export, problems = read_export(folder / real["responses"], survey)
    assert problems == []
    book, left_out = draft(export, survey, real["responses"])
    assert left_out == {}
    drafted = _by_column(book)
    for question in real["questions"]:
        item = drafted[question["column"]]
        assert item["type"] == question["type"]
        assert sorted(o["label"] for o in item["options"]) == sorted(o["label"] for o in question["options"])
    for segment in real["segments"]:  # the answers as the export writes them (a label may read better)
        item = drafted[segment["column"]]
        assert (sorted(o.get("value", o["label"]) for o in item["options"])
                == sorted(o.get("value", o["label"]) for o in segment["options"]))
    assert {s["column"] for s in book["segments"]} >= {"Nation"}


def test_a_drafted_export_full_of_comments_and_names_builds_without_publishing_them(mini_site: Path, tmp_path: Path):
    export = _write(tmp_path / "attack.csv", [["Respondent ID", "Region", "Q1", "Name", "Q9"]],
                    [[*row[:3], NAMES[i % 5], COMMENTS[i % 5]] for i, row in enumerate(_rows(["x"]))])
    result = run_here("new-survey", str(export), "--id", "attack-2021", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    codebook = mini_site / "surveys/attack-2021/survey.yml"
    text = re.sub(r"'?TODO: YYYY-MM-DD'?", "2021-03-01", codebook.read_text(encoding="utf-8"))
    codebook.write_text(re.sub(r"'?TODO: [^'\n]*'?", "Filled in", text), encoding="utf-8")
    result = run_here("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    published = "".join(p.read_text(encoding="utf-8", errors="replace")
                        for p in (mini_site / "site").rglob("*") if p.suffix in {".html", ".csv", ".json", ".svg"})
    assert "attack-2021.q9.answered" in published
    for value in [*COMMENTS[:4], *NAMES, "07700", "Acacia", "Bloggs"]:
        assert value not in published, value
