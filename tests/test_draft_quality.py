"""`new-survey` drafts a first survey well (issue 15): short whole-word keys, titles that fit, options in
reading order, breakdowns and routing proposed, no time stamp or e-mail as the ID; and it reads workbooks
as they come (a notes sheet first, title rows above the header) without counting a title as a respondent."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import FIXTURES, run_here

from build_scripts.errors import DataError
from build_scripts.ingest import exports
from build_scripts.ingest.codebook import Codebook
from build_scripts.ingest.draft_codebook import create_survey, draft, to_yaml
from build_scripts.ingest.draft_options import ordered
from build_scripts.ingest.exports import read_export
from build_scripts.ingest.load import Survey, load_survey
from build_scripts.ingest.plain_csv import read_plain_csv
from build_scripts.ingest.validate import validate_survey

N = 240
ROLE = "What is your role?"
NATION = "Which UK nation do you mainly work in?"
YEARS = "How long have you been in your current post?"
POWERLESS = ("In your time as a social worker, have you ever felt powerless to intervene in a case where you "
             "suspected a child was being neglected?")
FUNDING = ("Thinking about the next twelve months, what effect, if any, do you expect reductions in funding for "
           "children's services to have on your ability to intervene in cases of child neglect?")
AGREE = "Local services work well together"  # no question mark, but a scale: a question, not a breakdown
SECTOR = "Sector"
ROLES = ["Social worker", "Teacher or education professional", "Health professional", "Police"]
EFFECTS = ["It will make it more difficult to intervene", "It will make no difference",
           "It will make it easier to intervene", "Don't know"]
SCALE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree", "Don't know",
         "Prefer not to say"]


def _fill_in(text: str) -> str:
    text = re.sub(r"'?TODO: YYYY-MM-DD'?", "2016-10-01", text)
    return re.sub(r"'?TODO: [^'\n]*'?", "Filled in by the campaign", text)


def _people(n: int = N, seed: int = 15) -> list[dict[str, str]]:
    """Professionals as a Google Form records them: the social workers' questions blank for everyone else."""
    rng = random.Random(seed)
    people = []
    for i in range(n):
        role = ROLES[0] if i % 3 == 0 else rng.choice(ROLES)
        person = {
            "Timestamp": f"2016/09/{5 + i // 100:02d} {9 + i % 10}:{i % 60:02d}:{(i * 7) % 60:02d}",
            "Email Address": f"person{i}@example.org",
            ROLE: role,
            NATION: rng.choice(["England", "England", "England", "Scotland", "Wales", "Northern Ireland"]),
            YEARS: rng.choice(["More than 10 years", "2 to 5 years", "Less than 2 years", "6 to 10 years"]),
            SECTOR: rng.choice(["Public", "Voluntary", "Private"]),
            POWERLESS: rng.choice(["No", "Yes", "Yes", "Don't know"]) if role == ROLES[0] else "",
            FUNDING: rng.choice(EFFECTS) if role == ROLES[0] else "",
            # Mostly disagreement, so frequency order would put Disagree first.
            AGREE: rng.choice(["Disagree", "Disagree", "Strongly disagree", "Agree", "Neither agree nor disagree",
                               "Strongly agree", "Don't know", "Prefer not to say"]),
        }
        people.append(person)
    return people


def _write_csv(path: Path, people: list[dict[str, str]], above: list[list[str]] = ()) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(above)
        writer.writerow(list(people[0]))
        writer.writerows([list(p.values()) for p in people])
    return path


def _write_workbook(path: Path, people: list[dict[str, str]], notes: bool = True, titles: bool = True,
                    second: list[dict[str, str]] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if notes:
        sheet.title = "Notes"
        for line in ["About this export", "Survey of professionals 2016, online, September 2016.",
                     "The responses are on the sheet Responses, one row per respondent."]:
            sheet.append([line])
        sheet = book.create_sheet("Responses")
    else:
        sheet.title = "Responses"
    if titles:
        sheet.append(["Survey of professionals 2016 – export"])
        sheet.append([])
    sheet.append(list(people[0]))
    for person in people:
        sheet.append(list(person.values()))
    if second is not None:
        other = book.create_sheet("Responses (2)")
        other.append(list(second[0]))
        for person in second:
            other.append(list(person.values()))
    book.save(path)
    return path


def _draft(tmp_path: Path, export: Path, survey_id: str = "professionals-2016", sheet: str | None = None) -> dict:
    codebook = create_survey(tmp_path / "surveys", export, survey_id, sheet, False)
    return yaml.safe_load(codebook.read_text(encoding="utf-8"))


def _by_column(book: dict) -> dict[str, dict]:
    return {item["column"]: item for item in [*book["segments"], *book["questions"]] if item.get("column")}


def _load(folder: Path) -> Survey:
    codebook = folder / "survey.yml"
    codebook.write_text(_fill_in(codebook.read_text(encoding="utf-8")), encoding="utf-8")
    survey, problems = load_survey(folder, folder.parent.parent)
    assert survey is not None and not problems, problems
    return survey


@pytest.fixture
def professionals(tmp_path: Path) -> Path:
    return _write_csv(tmp_path / "professionals-2016.csv", _people())


def test_keys_are_a_few_whole_words_and_titles_fit(tmp_path: Path, professionals: Path):
    book = _draft(tmp_path, professionals)
    items = _by_column(book)
    assert [items[c]["key"] for c in (ROLE, NATION, YEARS)] == ["role", "uk_nation", "current_post"]
    assert items[POWERLESS]["key"] == "powerless_intervene_case"
    assert items[FUNDING]["key"] == "reductions_funding"
    assert {o["key"] for o in items[FUNDING]["options"]} == {
        "more_difficult_intervene", "no_difference", "easier_intervene", "dont_know"}  # not it_will_make_it_2
    assert [o["key"] for o in items[ROLE]["options"] if o["label"] == ROLES[1]] == ["teacher_education"]
    keys = [item["key"] for item in items.values()] + [o["key"] for i in items.values() for o in i.get("options", [])]
    for item in items.values():
        words = set(re.findall(r"[a-z0-9]+", item["text" if "text" in item else "label"].lower().replace("'", "")))
        for key in [item["key"], *(o["key"] for o in item.get("options", []))]:
            assert len(key) <= 24 and re.fullmatch(r"[a-z0-9]+(?:_[a-z0-9]+)*", key), key
        assert set(item["key"].split("_")) <= words, item["key"]  # whole words of the wording, never cut
        heading = item.get("title") or item["label"]
        assert len(heading) <= 60 and set(re.findall(r"[a-z0-9]+", heading.lower().replace("'", ""))) <= words
    assert not [k for k in keys if re.fullmatch(r".+_[2-9]", k)]  # none made unique by a number
    assert items[POWERLESS]["title"] == "Have you ever felt powerless to intervene in a case..."


def test_options_are_in_reading_order_not_frequency(tmp_path: Path, professionals: Path):
    items = _by_column(_draft(tmp_path, professionals))
    assert [o["label"] for o in items[AGREE]["options"]] == SCALE
    assert [o.get("kind", "answer") for o in items[AGREE]["options"]][-2:] == ["dont_know", "prefer_not_to_say"]
    assert [o["label"] for o in items[YEARS]["options"]] == [
        "Less than 2 years", "2 to 5 years", "6 to 10 years", "More than 10 years"]
    assert [o["label"] for o in items[POWERLESS]["options"]] == ["Yes", "No", "Don't know"]
    # Options on no known scale keep the order they first appear in the export (late responses never reorder
    # them), with "Other" after the answers and "Don't know" last.
    assert ordered(["Public", "Don't know", "Other (please say)", "Voluntary", "Private"]) == [
        "Public", "Voluntary", "Private", "Other (please say)", "Don't know"]
    first_seen = list(dict.fromkeys(p[SECTOR] for p in _people()))
    assert [o["label"] for o in items[SECTOR]["options"]] == first_seen


@pytest.mark.parametrize("labels, expected", [
    (["Very unlikely", "Fairly likely", "Very likely", "Not sure", "Fairly unlikely"],
     ["Very likely", "Fairly likely", "Fairly unlikely", "Very unlikely", "Not sure"]),
    (["Dissatisfied", "Very satisfied", "Satisfied", "Very dissatisfied"],
     ["Very satisfied", "Satisfied", "Dissatisfied", "Very dissatisfied"]),
    (["Never", "Sometimes", "Always", "Rarely", "Often"], ["Always", "Often", "Sometimes", "Rarely", "Never"]),
    (["Stayed about the same", "Fallen", "Risen", "Don't know"], ["Risen", "Stayed about the same", "Fallen",
                                                                 "Don't know"]),
    (["Decreased", "Increased", "Stayed the same"], ["Increased", "Stayed the same", "Decreased"]),
    (["Poor", "Good", "Excellent", "Fair", "Very poor", "Very good"],
     ["Excellent", "Very good", "Good", "Fair", "Poor", "Very poor"]),
    (["Prefer not to say", "No", "Yes"], ["Yes", "No", "Prefer not to say"]),
    (["Not at all important", "Very important", "Not very important", "Fairly important"],
     ["Very important", "Fairly important", "Not very important", "Not at all important"]),
    (["35-44", "18-24", "65+", "25-34", "Under 18"], ["Under 18", "18-24", "25-34", "35-44", "65+"]),
    (["No, not at all", "Yes, definitely", "No, not really", "Yes, probably"],
     ["Yes, definitely", "Yes, probably", "No, not at all", "No, not really"]),
])
def test_known_scales_are_in_their_natural_order(labels, expected):
    assert ordered(labels) == expected


def test_an_spss_files_value_labels_keep_the_tools_order(tmp_path: Path):
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(FIXTURES / "exports/spss.sav"), metadataonly=True)
    book = _draft(tmp_path, FIXTURES / "exports/spss.sav", "spss-2015")
    region = next(s for s in book["segments"] if s["column"] == "Region")
    assert [o["label"] for o in region["options"]] == list(meta.variable_value_labels["Region"].values())


def test_breakdowns_are_proposed_from_few_values_and_tenure_wording(tmp_path: Path, professionals: Path):
    book = _draft(tmp_path, professionals)
    segments = {s["column"] for s in book["segments"]}
    assert {ROLE, NATION, YEARS, SECTOR} <= segments  # Sector: a few values, no question mark
    assert AGREE not in segments and POWERLESS not in segments  # a scale, a question: questions


def test_a_column_with_blanks_or_a_yes_no_question_naming_a_role_is_not_a_breakdown(tmp_path: Path):
    people = _people()
    for i, person in enumerate(people):
        person["In your role, have you been trained?"] = "Yes" if i % 2 else "No"
        person["Team"] = "" if i % 10 == 0 else ["Red", "Blue"][i % 2]
    book = _draft(tmp_path, _write_csv(tmp_path / "export.csv", people))
    segments = {s["column"] for s in book["segments"]}
    assert "In your role, have you been trained?" not in segments and "Team" not in segments


def test_routing_is_proposed_from_blanks_that_follow_a_group(tmp_path: Path, professionals: Path):
    items = _by_column(_draft(tmp_path, professionals))
    for question in (POWERLESS, FUNDING):
        assert items[question]["asked"] == {"segment": "role", "values": ["social_worker"],
                                            "description": "social workers"}
    assert "asked" not in items[AGREE] and "asked" not in items[SECTOR]


def test_routing_allows_a_few_stray_answers_but_not_random_blanks(tmp_path: Path):
    people = _people()
    strays = [p for p in people if p[ROLE] != ROLES[0]][:2]  # 2 of ~150 not asked answered anyway (1.3%)
    for person in strays:
        person[POWERLESS] = "Yes"
    rng = random.Random(3)
    for person in people:
        person["Have you used early help?"] = "" if rng.random() < .3 else rng.choice(["Yes", "No"])
    items = _by_column(_draft(tmp_path, _write_csv(tmp_path / "export.csv", people)))
    assert items[POWERLESS]["asked"]["values"] == ["social_worker"]
    assert "asked" not in items["Have you used early help?"]


def test_routing_by_a_question_makes_that_question_a_breakdown(tmp_path: Path):
    people = _people()
    for i, person in enumerate(people):
        person["Do you have children?"] = "Yes" if i % 4 else "No"
        person["How old is your youngest child?"] = ["Under 5", "5 to 11", "12 or over"][i % 3] if i % 4 else ""
    items = _by_column(_draft(tmp_path, _write_csv(tmp_path / "export.csv", people)))
    asked = items["How old is your youngest child?"]["asked"]
    segment = items["Do you have children?"]
    assert "type" not in segment and asked["segment"] == segment["key"] and asked["values"] == ["yes"]
    assert asked["description"] == "those answering 'Yes' to 'Do you have children?'"


def test_a_google_form_has_no_id_and_same_second_submissions_are_not_duplicates(tmp_path: Path):
    people = _people()
    people[1]["Timestamp"] = people[0]["Timestamp"]  # two people submitting in the same second
    unique_stamps = _people()  # every time stamp different: still never the ID
    for name, rows in [("same-second", people), ("unique", unique_stamps)]:
        export = _write_csv(tmp_path / f"{name}-2016.csv", rows)
        codebook = create_survey(tmp_path / "surveys", export, f"{name}-2016", None, False)
        text = codebook.read_text(encoding="utf-8")
        book = yaml.safe_load(text)
        assert "id_column" not in book and "respondents are numbered by row" in text
        assert "#   column 'Email Address': " in text  # left out: it says who people are
        survey = _load(codebook.parent)
        assert len(survey.responses) == N and validate_survey(survey) == []


def test_a_name_or_email_column_is_never_the_id_but_a_respondent_id_is(tmp_path: Path):
    people = [{"Respondent": f"R{i:04d}", "Full name": f"Person {i}", **p} for i, p in enumerate(_people())]
    assert _draft(tmp_path, _write_csv(tmp_path / "a.csv", people), "a")["id_column"] == "Respondent"
    nameless = [{"Full name": f"Person {i}", "E-mail": f"p{i}@example.org", **p} for i, p in enumerate(_people())]
    assert "id_column" not in _draft(tmp_path, _write_csv(tmp_path / "b.csv", nameless), "b")


def test_a_codebook_without_an_id_column_numbers_respondents_by_row():
    book = Codebook.model_validate({
        "id": "t", "title": "T", "commissioned_by": "c", "conducted_by": "c", "method": "online",
        "fieldwork": {"start": "2020-01-01", "end": "2020-01-02"}, "population": "p", "coverage": "UK",
        "questions": [{"key": "q", "title": "Q", "text": "Q?", "type": "single", "column": "q",
                       "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]}]})
    assert book.id_column is None and book.header_row is None
    import pandas as pd

    frame = pd.DataFrame({"q": ["Yes", "No", "Yes"]}, index=[2, 3, 4], dtype=str)
    assert validate_survey(Survey(book, frame, "t/responses.csv")) == []


def test_a_workbook_with_notes_first_and_a_title_above_the_header(tmp_path: Path):
    export = _write_workbook(tmp_path / "professionals-2016.xlsx", _people())
    codebook = create_survey(tmp_path / "surveys", export, "professionals-2016", None, False)
    book = yaml.safe_load(codebook.read_text(encoding="utf-8"))
    assert book["sheet"] == "Responses" and book["header_row"] == 3
    items = _by_column(book)
    assert items[ROLE]["key"] == "role" and items[POWERLESS]["asked"]["segment"] == "role"
    labels = {o["label"] for item in items.values() for o in item.get("options", [])}
    assert not labels & {ROLE, NATION, YEARS, POWERLESS, "Survey of professionals 2016 – export"}
    survey = _load(codebook.parent)
    assert len(survey.responses) == N  # not 241: the header is never a respondent
    assert survey.responses.index[0] == 4 and survey.responses.index[-1] == N + 3  # spreadsheet rows
    assert validate_survey(survey) == []


def test_row_numbers_in_messages_are_the_spreadsheets(tmp_path: Path):
    people = _people()
    export = _write_workbook(tmp_path / "professionals-2016.xlsx", people, notes=False)
    codebook = create_survey(tmp_path / "surveys", export, "professionals-2016", None, False)
    survey = _load(codebook.parent)
    book = yaml.safe_load((codebook.parent / "survey.yml").read_text(encoding="utf-8"))
    assert "sheet" not in book and book["header_row"] == 3
    survey.responses.loc[10, AGREE] = "Agree a lot"  # the 7th respondent, on spreadsheet row 10
    [problem] = validate_survey(survey)
    assert "row 10" in problem.where and problem.value == "Agree a lot"


def test_a_csv_with_title_rows_reads_the_same_by_both_readers(tmp_path: Path):
    above = [["Survey of professionals 2016 – export"], [], ["Exported on", "2016-10-01"]]
    export = _write_csv(tmp_path / "professionals-2016.csv", _people(), above)
    fast = read_plain_csv(export)
    general, problems = exports._read_text(export.read_bytes(), "responses.csv")
    assert fast is not None and not problems
    frame, layout = fast
    assert layout.header_row == 4 and general.header_row == 4 and list(frame.columns) == list(_people()[0])
    assert frame.equals(general.frame) and len(frame) == N and frame.index[0] == 5
    book = _draft(tmp_path, export)
    assert book["header_row"] == 4 and _by_column(book)[ROLE]["key"] == "role"


def test_a_header_row_named_in_the_codebook_is_used_or_refused_clearly(tmp_path: Path):
    export = _write_csv(tmp_path / "x.csv", _people(), [["Title"], ["Notes", "more notes"]])
    read, problems = read_export(export, "x.csv", header_row=3)
    assert not problems and len(read.frame) == N and read.header_row == 3
    read, [problem] = read_export(export, "x.csv", header_row=900)
    assert read is None and problem.where == "field header_row" and "header_row" in problem.fix
    read, [problem] = read_export(FIXTURES / "exports/spss.sav", "x.sav", header_row=2)
    assert read is None and "remove `header_row:`" in problem.fix


def test_a_workbook_with_two_tables_of_responses_asks_which_sheet(tmp_path: Path):
    export = _write_workbook(tmp_path / "two.xlsx", _people(), second=_people(200, seed=2))
    with pytest.raises(DataError) as raised:
        create_survey(tmp_path / "surveys", export, "two-2016", None, False)
    [problem] = raised.value.problems
    assert "'Responses' (240 rows, 9 columns)" in problem.message and "'Notes' (no table)" in problem.message
    assert "--sheet" in problem.fix
    assert not (tmp_path / "surveys/two-2016").exists()  # nothing is written
    assert _draft(tmp_path, export, "two-2016", "Responses (2)")["sheet"] == "Responses (2)"


def test_a_workbook_of_notes_alone_is_refused_not_drafted_empty(mini_site: Path, tmp_path: Path):
    book = openpyxl.Workbook()
    for line in ["About this survey", "Fieldwork: September 2016", "Contact the research team for the data."]:
        book.active.append([line])
    book.save(tmp_path / "notes.xlsx")
    result = run_here("new-survey", str(tmp_path / "notes.xlsx"), "--id", "notes-2016", cwd=mini_site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no sheet of the workbook holds a table of responses" in result.stderr and "--sheet" in result.stderr
    assert not (mini_site / "surveys/notes-2016").exists()


def test_a_codebook_without_sheet_for_a_notes_first_workbook_says_which_sheet(tmp_path: Path):
    export = _write_workbook(tmp_path / "professionals-2016.xlsx", _people())
    codebook = create_survey(tmp_path / "surveys", export, "professionals-2016", None, False)
    text = codebook.read_text(encoding="utf-8").replace("sheet: Responses\n", "")
    codebook.write_text(_fill_in(text), encoding="utf-8")
    survey, problems = load_survey(codebook.parent, tmp_path)
    assert survey is None and "holds no table" in problems[-1].message
    assert "`sheet:`" in problems[-1].fix and "'Responses'" in problems[-1].fix


def test_the_draft_of_a_first_survey_checks_once_the_disclosure_is_filled_in(mini_site: Path, professionals: Path):
    result = run_here("new-survey", str(professionals), "--id", "professionals-2016", "--new-series", cwd=mini_site)
    if result.returncode == 2 and "--new-series" in result.stderr:  # before `--new-series` exists
        result = run_here("new-survey", str(professionals), "--id", "professionals-2016", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    codebook = mini_site / "surveys/professionals-2016/survey.yml"
    draft = codebook.read_text(encoding="utf-8")
    codebook.write_text(_fill_in(draft), encoding="utf-8")
    checked = run_here("check", cwd=mini_site)
    assert checked.returncode == 0, checked.stderr
    assert "Traceback" not in checked.stderr


def test_a_complex_samples_columns_are_drafted_as_its_design_not_as_breakdowns(tmp_path):
    """NHANES-style names: the weight, strata and PSU columns become `weighting:` and `design:`, never a question
    or a breakdown by stratum."""
    rows = [[str(i), str(75 + i % 15), str(1 + i % 2), f"{10000 + 37 * i}.5", ["Yes", "No"][i % 3 == 0],
             ["North", "South"][i % 2]] for i in range(120)]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(",".join(r) for r in [["id", "SDMVSTRA", "SDMVPSU", "WTMEC2YR", "Q1", "Region"], *rows])
                    + "\n", encoding="utf-8")
    export, problems = read_export(path, "export.csv")
    assert problems == []
    book, _ = draft(export, "health-2010", "responses.csv")
    assert book["weighting"]["column"] == "WTMEC2YR"
    assert book["design"] == {"strata": "SDMVSTRA", "psu": "SDMVPSU"}
    drafted = {item["column"] for item in [*book["segments"], *book["questions"]]}
    assert drafted == {"Q1", "Region"}
    assert "`design:` names the columns" in to_yaml(book, "export.csv")


@pytest.mark.parametrize(("name", "design"), [("stratum", True), ("VARSTRAT", True), ("Strategy", False),
                                               ("Orchestra", False)])
def test_only_strata_named_as_strata_are_drafted_as_a_design(tmp_path, name, design):
    rows = [[str(i), str(i % 4), ["A", "B"][i % 2]] for i in range(60)]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(",".join(r) for r in [["id", name, "Q1"], *rows]) + "\n", encoding="utf-8")
    export, _ = read_export(path, "export.csv")
    book, _ = draft(export, "s-2020", "responses.csv")
    assert ("design" in book) is design
