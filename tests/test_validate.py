"""Checking responses against their codebook: every problem with file, row, column, value and fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from build_scripts.ingest.codebook import Codebook
from build_scripts.errors import DataError, Problem
from build_scripts.ingest.load import Survey, load_survey, missing_surveys, survey_folders
from build_scripts.ingest.validate import validate_survey


def load_surveys(surveys_dir: Path, root: Path) -> tuple[list[Survey], list[Problem]]:
    """Load every survey, collecting the problems of all of them rather than stopping at the first."""
    surveys = []
    folders = survey_folders(surveys_dir)
    problems = missing_surveys(surveys_dir, root, folders)
    for folder in folders:
        survey, found = load_survey(folder, root)
        problems += found
        if survey is not None:
            surveys.append(survey)
    return surveys, problems


FILE = "surveys/t/responses.csv"
YES_NO = [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]
SINGLE = {"key": "q", "title": "Q", "text": "Q?", "column": "q", "type": "single", "options": YES_NO}
MULTI = {"key": "m", "title": "M", "text": "M?", "column": "m", "type": "multi",
         "options": [{"key": "online", "label": "Online"}, {"key": "press", "label": "Press"},
                     {"key": "tv", "label": "TV", "value": "Television"}]}
ROUTED = {"key": "r", "title": "R", "text": "R?", "column": "r", "type": "single", "options": YES_NO,
          "asked": {"segment": "g", "values": ["a"], "description": "group A"}}
CODEBOOK = {
    "id": "t", "title": "T", "commissioned_by": "c", "conducted_by": "c",
    "fieldwork": {"start": "2020-01-01", "end": "2020-01-02"}, "method": "online", "population": "p",
    "coverage": "UK", "id_column": "id",
    "segments": [{"key": "g", "label": "G", "column": "g",
                  "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}]}],
}


def _survey(rows: list[dict], questions: list[dict] | None = None, weighted: bool = False) -> Survey:
    book = Codebook.model_validate({
        **CODEBOOK,
        "weighting": {"column": "w", "variables": ["x"], "targets_source": "s"} if weighted else None,
        "questions": questions or [SINGLE],
    })
    frame = pd.DataFrame(rows, dtype=str) if rows else pd.DataFrame(columns=["id", "g", "q"], dtype=str)
    frame.index = range(2, len(frame) + 2)  # spreadsheet rows: the header is row 1
    return Survey(book, frame, FILE)


def _rows(n: int, **columns) -> list[dict]:
    """n good rows (IDs 1..n, answer Yes; group A, the last in B so no group is empty), some cells replaced."""
    rows = [{"id": str(i + 1), "g": "B" if i == n - 1 and n > 1 else "A", "q": "Yes"} for i in range(n)]
    for column, changes in columns.items():
        for index, value in changes.items():
            rows[index][column] = value
    return rows


def test_good_responses_have_no_problems():
    rows = _rows(4, q={1: "No", 2: ""}, g={3: "B"})
    for row in rows:
        row["m"] = "Online; Television"
        row["w"] = "0.75"
        row["r"] = "Yes" if row["g"] == "A" else ""
    assert validate_survey(_survey(rows, [SINGLE, MULTI, ROUTED], weighted=True)) == []


def test_a_missing_declared_column_names_it_and_lists_the_export_columns():
    rows = [{k: v for k, v in row.items() if k != "q"} | {"Q 1": "Yes"} for row in _rows(3)]
    problems = validate_survey(_survey(rows))
    assert len(problems) == 1
    [problem] = problems
    assert problem.file == FILE
    assert problem.where == "column 'q'"
    assert "not in the export" in problem.message
    assert "the export has: 'id', 'g', 'Q 1'" in problem.fix


def test_every_missing_column_is_reported_once():
    rows = [{"id": "1"}]
    problems = validate_survey(_survey(rows, [SINGLE, {**SINGLE, "key": "q2"}], weighted=True))
    assert sorted(p.where for p in problems) == ["column 'g'", "column 'q'", "column 'w'"]


def test_an_answer_that_is_not_an_option_names_column_row_value_and_options():
    problems = validate_survey(_survey(_rows(4, q={2: "Maybe"})))
    assert len(problems) == 1
    [problem] = problems
    assert problem.file == FILE
    assert problem.where == "column 'q', row 4"  # header is row 1, so index 2 is row 4
    assert problem.value == "Maybe"
    assert "not a declared option" in problem.message
    assert "'No'" in problem.fix and "'Yes'" in problem.fix and "add it to the options" in problem.fix


def test_the_first_data_row_is_row_2():
    [problem] = validate_survey(_survey(_rows(3, q={0: "Yes please"})))
    assert problem.where == "column 'q', row 2"


def test_each_unknown_answer_is_reported_with_all_its_rows():
    problems = validate_survey(_survey(_rows(6, q={0: "Maybe", 3: "Maybe", 4: "yes"})))
    by_value = {p.value: p for p in problems}
    assert set(by_value) == {"Maybe", "yes"}  # matching is exact: "yes" is not "Yes"
    assert by_value["Maybe"].where == "column 'q', rows 2, 5"
    assert by_value["yes"].where == "column 'q', row 6"


def test_options_are_matched_on_their_export_value_not_their_label():
    rows = _rows(2)
    rows[0]["m"], rows[1]["m"] = "Television", "TV"
    [problem] = validate_survey(_survey(rows, [SINGLE, MULTI]))
    assert problem.where == "column 'm', row 3" and problem.value == "TV"
    assert "'Television'" in problem.fix


def test_a_multi_answer_cell_with_one_unknown_part_reports_that_part():
    rows = _rows(3)
    for row, cell in zip(rows, ["Online;Press", "Press; Radio ;Online", ""]):
        row["m"] = cell
    problems = validate_survey(_survey(rows, [SINGLE, MULTI]))
    assert len(problems) == 1
    [problem] = problems
    assert problem.where == "column 'm', row 3"
    assert problem.value == "Radio"
    assert "'Online'" in problem.fix and "'Press'" in problem.fix


def test_a_multi_answer_cell_with_the_same_unknown_part_twice_gives_the_row_once():
    rows = _rows(2)
    rows[0]["m"], rows[1]["m"] = "Radio;Radio", "Online"
    [problem] = validate_survey(_survey(rows, [SINGLE, MULTI]))
    assert problem.where == "column 'm', row 2"


def test_answers_from_respondents_not_asked_are_reported():
    rows = _rows(4, g={2: "B", 3: "B"})
    for row, answer in zip(rows, ["Yes", "No", "", "No"]):
        row["r"] = answer
    problems = validate_survey(_survey(rows, [SINGLE, ROUTED]))
    assert len(problems) == 1
    [problem] = problems
    assert problem.file == FILE
    assert problem.where == "column 'r', row 5"
    assert problem.value == "No"
    assert "not asked" in problem.message and "group A" in problem.message
    assert "`asked:`" in problem.fix and "'r'" in problem.fix


def test_duplicate_respondent_ids_are_reported_with_every_row():
    problems = validate_survey(_survey(_rows(5, id={3: "1", 4: "2"})))
    by_value = {p.value: p for p in problems}
    assert set(by_value) == {"1", "2"}
    assert by_value["1"].where == "column 'id', rows 2, 5"
    assert by_value["2"].where == "column 'id', rows 3, 6"
    assert all("more than once" in p.message for p in problems)


def test_blank_respondent_ids_are_reported_and_not_as_duplicates():
    problems = validate_survey(_survey(_rows(4, id={1: "", 3: ""})))
    assert len(problems) == 1
    [problem] = problems
    assert problem.where == "column 'id', rows 3, 5"
    assert "no ID" in problem.message and "unique ID" in problem.fix


@pytest.mark.parametrize("weight", ["-1", "0", "0.0", "", "abc", "1,5,0", "1.000,5", "nan"])
def test_a_weight_that_is_not_a_positive_number_is_reported(weight):
    rows = _rows(3)
    for row in rows:
        row["w"] = "1.2"
    rows[1]["w"] = weight
    problems = validate_survey(_survey(rows, weighted=True))
    assert len(problems) == 1
    [problem] = problems
    assert problem.file == FILE
    assert problem.where == "column 'w', row 3"
    assert problem.value == weight
    assert "positive numeric weight" in problem.fix


@pytest.mark.parametrize("weight", ["inf", "1e999"])
def test_an_infinite_weight_is_reported(weight):
    rows = _rows(3)
    for row in rows:
        row["w"] = "1"
    rows[2]["w"] = weight
    problems = validate_survey(_survey(rows, weighted=True))
    assert [p.where for p in problems] == ["column 'w', row 4"]


def test_every_bad_weight_row_is_listed():
    rows = _rows(4)
    for row, weight in zip(rows, ["-2", "1", "", "x"]):
        row["w"] = weight
    [problem] = validate_survey(_survey(rows, weighted=True))
    assert problem.where == "column 'w', rows 2, 4, 5"
    assert problem.value == "-2"


def test_a_blank_segment_value_is_reported():
    problems = validate_survey(_survey(_rows(3, g={1: ""})))
    assert len(problems) == 1
    [problem] = problems
    assert problem.where == "column 'g', row 3"
    assert "blank" in problem.message
    assert "'A'" in problem.fix and "'B'" in problem.fix


def test_a_blank_answer_to_a_question_is_allowed():
    assert validate_survey(_survey(_rows(3, q={0: "", 2: ""}))) == []


def test_a_header_with_no_responses_is_reported():
    [problem] = validate_survey(_survey([]))
    assert problem.file == FILE and "no responses" in problem.message


def test_several_different_problems_are_all_reported_together():
    rows = _rows(6, q={1: "Maybe"}, id={2: "1"}, g={3: ""})
    for row in rows:
        row["w"] = "1"
        row["m"] = "Online"
    rows[4]["w"] = "-1"
    rows[5]["m"] = "Press;Radio"
    problems = validate_survey(_survey(rows, [SINGLE, MULTI], weighted=True))
    assert sorted(p.where for p in problems) == [
        "column 'g', row 5", "column 'id', rows 2, 4", "column 'm', row 7", "column 'q', row 3", "column 'w', row 6",
    ]
    assert all(p.file == FILE for p in problems)


def test_more_than_five_bad_rows_are_summarised():
    rows = _rows(10, q={i: "Maybe" for i in range(1, 9)})
    [problem] = validate_survey(_survey(rows))
    assert problem.where == "column 'q', rows 3, 4, 5, 6, 7 and 3 more"


def test_exactly_five_bad_rows_are_all_shown():
    rows = _rows(6, q={i: "Maybe" for i in range(5)})
    [problem] = validate_survey(_survey(rows))
    assert problem.where == "column 'q', rows 2, 3, 4, 5, 6"


def test_problem_describe_shows_file_place_value_and_fix():
    [problem] = validate_survey(_survey(_rows(3, q={1: "Maybe"})))
    text = problem.describe()
    assert text.startswith(f"{FILE}, column 'q', row 3: ")
    assert "(found: 'Maybe')" in text
    assert "not a declared option" in text
    assert "fix: use one of 'No', 'Yes'" in text


def test_problem_describe_without_place_or_value():
    text = Problem("surveys/x/survey.yml", "", "the codebook is missing", "create it").describe()
    assert text.startswith("surveys/x/survey.yml: the codebook is missing")
    assert "found" not in text and "fix: create it" in text


def test_data_error_describe_lists_every_problem_numbered():
    problems = validate_survey(_survey(_rows(4, q={1: "Maybe"}, id={3: ""})))
    assert len(problems) == 2
    error = DataError(problems)
    text = error.describe()
    assert "Found 2 problem(s)" in text and "nothing was published" in text
    for number, problem in enumerate(problems, 1):
        assert f"{number}. {problem.file}, {problem.where}: " in text
        assert f"fix: {problem.fix}" in text
    assert "(found: 'Maybe')" in text
    assert str(error) == "2 problem(s) in the inputs"


# load_surveys: reading the folders.

def _folder(root: Path, survey_id: str, csv: str | bytes | None, **changes) -> Path:
    folder = root / "surveys" / survey_id
    folder.mkdir(parents=True)
    book = {**CODEBOOK, "id": survey_id, "questions": [SINGLE], **changes}
    (folder / "survey.yml").write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    if isinstance(csv, bytes):
        (folder / "responses.csv").write_bytes(csv)
    elif csv is not None:
        (folder / "responses.csv").write_text(csv, encoding="utf-8")
    return folder


def test_load_surveys_reads_every_cell_as_stripped_text(tmp_path):
    _folder(tmp_path, "t", "\ufeffid , g,q\n001, A ,Yes\n2,B,\n")
    surveys, problems = load_surveys(tmp_path / "surveys", tmp_path)
    assert problems == []
    [survey] = surveys
    assert survey.responses_file == "surveys/t/responses.csv"
    assert list(survey.responses.columns) == ["id", "g", "q"]
    assert survey.responses.to_dict("records") == [{"id": "001", "g": "A", "q": "Yes"},
                                                   {"id": "2", "g": "B", "q": ""}]
    assert validate_survey(survey) == []


def test_load_surveys_reports_a_missing_responses_file(tmp_path):
    _folder(tmp_path, "t", None)
    surveys, problems = load_surveys(tmp_path / "surveys", tmp_path)
    assert surveys == []
    [problem] = problems
    assert problem.file == "surveys/t/responses.csv"
    assert "does not exist" in problem.message
    assert "`responses:`" in problem.fix


def test_load_surveys_looks_for_the_responses_file_the_codebook_names(tmp_path):
    folder = _folder(tmp_path, "t", None, responses="export.csv")
    (folder / "responses.csv").write_text("id,g,q\n1,A,Yes\n", encoding="utf-8")
    surveys, problems = load_surveys(tmp_path / "surveys", tmp_path)
    assert surveys == [] and [p.file for p in problems] == ["surveys/t/export.csv"]


@pytest.mark.parametrize("content, where, message", [
    ("id,g,q\n1,A,Yes\n2,A,Yes,extra,more\n", "row 3", "more cells than the 3 columns"),
    ("id,g,q\n1,A,Yes\n2,A\n", "row 3", "fewer cells than the 3 columns"),
    ("", "", "the file is empty"),
    (b"id,g,q\n\x00\x01\x02", "", "not a text (CSV) file"),
], ids=["long-row", "short-row", "empty", "binary"])
def test_load_surveys_reports_a_file_that_cannot_be_read(tmp_path, content, where, message):
    _folder(tmp_path, "t", content)
    surveys, problems = load_surveys(tmp_path / "surveys", tmp_path)
    assert surveys == []
    [problem] = problems
    assert problem.file == "surveys/t/responses.csv"
    assert problem.where == where and message in problem.message
    assert "export" in problem.fix


def test_a_windows_1252_export_is_read_as_such(tmp_path):
    _folder(tmp_path, "t", "id,g,q\n1,A,Caf\u00e9 \u2018ok\u2019 \u00a35\n".encode("cp1252"))
    [survey], problems = load_surveys(tmp_path / "surveys", tmp_path)
    assert problems == []
    assert survey.responses.loc[2, "q"] == "Caf\u00e9 \u2018ok\u2019 \u00a35"


def test_load_surveys_collects_problems_from_every_survey(tmp_path):
    _folder(tmp_path, "a", None)
    _folder(tmp_path, "b", "id,g,q\n1,A,Yes\n", id="wrong")
    _folder(tmp_path, "c", "id,g,q\n1,A,Yes\n")
    surveys, problems = load_surveys(tmp_path / "surveys", tmp_path)
    assert [s.id for s in surveys] == ["c"]
    assert sorted((p.file, p.where) for p in problems) == [
        ("surveys/a/responses.csv", ""), ("surveys/b/survey.yml", "field id")]


def test_load_surveys_with_no_survey_folders_says_so(tmp_path):
    (tmp_path / "surveys").mkdir()
    surveys, problems = load_surveys(tmp_path / "surveys", tmp_path)
    assert surveys == []
    [problem] = problems
    assert problem.file == "surveys" and "no survey folders" in problem.message


def test_row_numbers_match_the_spreadsheet_when_the_export_has_a_blank_line(tmp_path):
    _folder(tmp_path, "t", "id,g,q\n1,A,Yes\n\n2,A,Maybe\n")
    [survey], problems = load_surveys(tmp_path / "surveys", tmp_path)
    assert problems == []
    wheres = [p.where for p in validate_survey(survey)]
    assert "column 'q', row 4" in wheres  # "Maybe" is on the file's and the spreadsheet's 4th row


def test_a_decimal_comma_weight_is_read_as_excel_writes_it_in_european_locales():
    rows = _rows(3)
    for row, weight in zip(rows, ["1,5", "0,75", "2"], strict=True):
        row["w"] = weight
    assert validate_survey(_survey(rows, weighted=True)) == []


def test_a_segment_group_nobody_is_in_is_reported():
    rows = _rows(4)
    rows[-1]["g"] = "A"
    [problem] = validate_survey(_survey(rows))
    assert problem.where == "column 'g'" and problem.value == "B"
    assert "nobody is in the group 'B'" in problem.message and "remove the option" in problem.fix


# The second wall: personal data in survey.yml is refused, however the codebook was written.

def test_an_option_label_holding_a_phone_number_is_refused_without_echoing_it():
    question = {**SINGLE, "options": [{"key": "yes", "label": "Yes, ring me on 07700 900123", "value": "Yes"},
                                      {"key": "no", "label": "No"}]}
    [problem] = validate_survey(_survey(_rows(3), [question]))
    assert problem.file == "surveys/t/survey.yml"
    assert problem.where == "question 'q', option 1 ('yes'), field label"
    assert problem.message == "a UK phone number in the label would be published"
    assert "type: text" in problem.fix and "leave the column out" in problem.fix
    text = problem.describe()
    assert "900123" not in text and "(found: 'Yes, ring me on 07*** ****23')" in text


@pytest.mark.parametrize("where, change", [
    ("segment 'g', field label", {"segments": [{**CODEBOOK["segments"][0], "label": "Lives near SW1A 1AA"}]}),
    ("segment 'g', option 2 ('b'), field value", {"segments": [{**CODEBOOK["segments"][0], "options": [
        {"key": "a", "label": "A"}, {"key": "b", "label": "B", "value": "jo@example.org"}]}]}),
    ("question 'q', option 2 ('no'), field label", {"questions": [{**SINGLE, "options": [
        YES_NO[0], {"key": "no", "label": "ab 12 34 56 c", "value": "No"}]}]}),
    ("question 'q', option 2 ('sw**_***'), field key", {"questions": [{**SINGLE, "options": [
        YES_NO[0], {"key": "sw1a_1aa", "label": "The office", "value": "No"}]}]}),
    ("question 'q', field text", {"questions": [{**SINGLE, "text": "Did jo.bloggs@example.net call?"}]}),
])
def test_personal_data_in_any_published_part_of_the_codebook_is_refused(where, change):
    book = Codebook.model_validate({**CODEBOOK, "questions": [SINGLE], **change})
    frame = pd.DataFrame(_rows(3), dtype=str)
    frame.index = range(2, len(frame) + 2)
    problems = [p for p in validate_survey(Survey(book, frame, FILE)) if p.file.endswith("survey.yml")]
    assert [p.where for p in problems] == [where]
    assert "would be published" in problems[0].message


def test_the_shipped_codebooks_hold_no_personal_data():
    surveys, problems = load_surveys(Path(__file__).parent.parent / "surveys", Path(__file__).parent.parent)
    assert problems == [] and len(surveys) == 2
    assert [p for s in surveys for p in validate_survey(s)] == []
