"""`campaign-site new-survey`: a draft codebook from an export that checks once a person fills in the TODOs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, run_cli, run_here

from build_scripts.ingest.draft_codebook import create_survey

EXPORTS = FIXTURES / "exports"
EXPECTED = json.loads((EXPORTS / "expected.json").read_text(encoding="utf-8"))


def _fill_in(text: str) -> str:
    text = re.sub(r"'?TODO: YYYY-MM-DD'?", "2015-10-01", text)
    return re.sub(r"'?TODO: [^'\n]*'?", "Filled in by the campaign", text)


@pytest.mark.parametrize("name", sorted(EXPECTED["files"]))
def test_a_draft_from_each_export_checks_once_filled_in(mini_site: Path, name):
    sheet = ["--sheet", "Responses"] if name.endswith(".xlsx") else []
    result = run_here("new-survey", str(EXPORTS / name), "--id", "draft-2015", *sheet, cwd=mini_site)
    assert result.returncode == 0, result.stderr
    folder = mini_site / "surveys/draft-2015"
    assert (folder / name).read_bytes() == (EXPORTS / name).read_bytes()  # the export is copied beside it
    codebook = folder / "survey.yml"
    draft = codebook.read_text(encoding="utf-8")
    assert "TODO" in draft
    refused = run_here("check", cwd=mini_site)
    assert refused.returncode == 1 and "placeholder" in refused.stderr and "field commissioned_by" in refused.stderr
    assert "field fieldwork.start" in refused.stderr  # no made-up dates get published either

    codebook.write_text(_fill_in(draft), encoding="utf-8")
    result = run_here("check", cwd=mini_site)
    assert result.returncode == 0, result.stderr

    book = yaml.safe_load(codebook.read_text(encoding="utf-8"))
    columns = EXPECTED["files"][name]["columns"]
    by_column = {q.get("column"): q for q in book["questions"]}
    assert by_column[columns["q1"]]["type"] == "single"
    assert [o["label"] for o in by_column[columns["q1"]]["options"]] == ["Yes", "No", "Don't know"]
    assert by_column[columns["q3"]]["type"] == "text"
    multi = [q for q in book["questions"] if q["type"] == "multi"]
    assert len(multi) == 1
    assert sorted(o["label"] for o in multi[0]["options"]) == sorted(EXPECTED["questions"]["q2"]["options"])
    # An e-mail address is never the respondents' ID (Google Forms has none: its respondents are numbered by row).
    assert book.get("id_column") == (None if columns["id"] == "Email Address" else columns["id"])
    regions = [s for s in book["segments"] if s["column"] == columns["region"]]
    assert regions and sorted(o["label"] for o in regions[0]["options"]) == sorted(EXPECTED["region_counts"])
    dont_know = [o for o in by_column[columns["q1"]]["options"] if o["label"] == "Don't know"]
    assert dont_know[0]["kind"] == "dont_know"


def test_a_draft_is_not_overwritten_without_force(mini_site: Path):
    export = EXPORTS / "plain-utf8.csv"
    assert run_here("new-survey", str(export), "--id", "again", cwd=mini_site).returncode == 0
    again = run_here("new-survey", str(export), "--id", "again", cwd=mini_site)
    assert again.returncode == 1 and "already exists" in again.stderr and "--force" in again.stderr
    assert run_here("new-survey", str(export), "--id", "again", "--force", cwd=mini_site).returncode == 0


def test_a_broken_export_or_bad_id_is_reported_without_a_traceback(mini_site: Path, tmp_path: Path):
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b\n1,2,3,4\n")
    result = run_cli("new-survey", str(broken), cwd=mini_site)
    assert result.returncode == 1 and "more cells than the 2 columns" in result.stderr
    assert "Traceback" not in result.stderr
    shutil.copy(EXPORTS / "plain-utf8.csv", tmp_path / "x.csv")
    result = run_cli("new-survey", str(tmp_path / "x.csv"), "--id", "Bad Id", cwd=mini_site)
    assert result.returncode == 1 and "lower-case letters" in result.stderr and "Traceback" not in result.stderr


def test_new_survey_has_help(mini_site: Path):
    result = run_cli("new-survey", "--help", cwd=mini_site)
    assert result.returncode == 0 and "--sheet" in result.stdout and "TODO" in result.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED["files"]))
def test_no_column_of_personal_data_is_drafted_as_a_question_or_segment(tmp_path: Path, name):
    sheet = "Responses" if name.endswith(".xlsx") else None
    codebook = create_survey(tmp_path / "surveys", EXPORTS / name, "draft-2015", sheet, False)
    text = codebook.read_text(encoding="utf-8")
    book = yaml.safe_load(text)
    items = [*book["questions"], *book["segments"]]
    drafted = {item.get("column") for item in items} | {o.get("column") for i in items for o in i.get("options", [])}
    personal = set(EXPECTED["files"][name]["personal_data_columns"]) - {book.get("id_column")}
    assert not drafted & personal
    for column in personal:
        assert f"#   column {column!r}: " in text  # the draft says why it was left out
    respondents = EXPECTED["respondents"]
    assert not [p["email"] for p in respondents if p["email"] in text]
    comments = {p["q3"] for p in respondents if p["q3"]}
    assert not [c for c in comments if c in text]


def test_a_careless_export_has_no_identity_column_drafted_and_its_values_never_reach_the_draft(mini_site: Path,
                                                                                              tmp_path: Path):
    """The tester's export: addresses, dates of birth and home towns were drafted as options, so published."""
    header = ["id", "region", "q1", "Contact number", "Your details", "DOB", "Mobile no.", "E-mail:", "Home town",
              "Full name", "Surname", "Signature", "Age (exact)", "Address line 1", "Town", "Postcode",
              "Employer name", "Child's name", "School name", "Case reference", "NHS number", "IP", "User agent",
              "Respondent email"]
    people = [
        ["0161 496 0001", "Flat 2, 5 High St", "1980-01-02", "07700 900002", "b@example.org", "Little Snoring",
         "Sarah Kaur", "Kaur", "S Kaur", "44", "5 High St", "Snoring", "M1 1AE", "Acme Ltd", "Amy", "Oakfield Academy",
         "CR-1001", "943 476 5919", "198.51.100.0", "Mozilla/5.0 (Windows NT 10.0)", "b@example.org"],
        ["0161 496 0002", "Rose Cottage", "1990-07-08", "07700 900001", "a@example.org", "Much Wenlock",
         "Tom Hughes", "Hughes", "T Hughes", "34", "Rose Cottage", "Wenlock", "B33 8TH", "Leeds City Council", "Ben",
         "St Mary RC Primary", "CR-1002", "401 023 2137", "198.51.100.7", "Mozilla/5.0 (iPhone)", "a@example.org"],
    ]
    export = tmp_path / "plain.csv"
    export.write_text("\n".join(",".join(f'"{cell}"' for cell in row) for row in [header, *[
        [str(i), ["North", "South", "East"][i % 3], ["Yes", "No"][i % 2], *people[i % 2]] for i in range(120)]]) + "\n",
        encoding="utf-8")
    result = run_here("new-survey", str(export), "--id", "plain-2015", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    text = (mini_site / "surveys/plain-2015/survey.yml").read_text(encoding="utf-8")
    book = yaml.safe_load(text)
    drafted = {item.get("column") for item in [*book["questions"], *book["segments"]]}
    assert drafted == {"region", "q1", "Age (exact)"}  # an exact age is a figure, not who someone is
    draft = text.split("\nid: ", 1)[1]
    for person in people:
        assert [v for v in person if v in draft and v not in {"44", "34"}] == []
    for column in set(header) - drafted - {"id"}:
        assert f"#   column {column!r}: " in text
