"""The codebook loader: every problem names the file, the field and the fix, and all are reported at once."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from build_scripts.ingest.codebook import Codebook, load_codebook

SURVEY_ID = "t-2020"
SHOWN = f"surveys/{SURVEY_ID}/survey.yml"

VALID = {
    "id": SURVEY_ID,
    "title": "Test survey, 2020",
    "commissioned_by": "The campaign",
    "conducted_by": "A polling company",
    "fieldwork": {"start": "2020-01-01", "end": "2020-01-05"},
    "method": "Online panel",
    "population": "Adults in the UK",
    "coverage": "United Kingdom",
    "id_column": "Respondent ID",
    "weighting": {"column": "Weight", "variables": ["age band", "sex"], "targets_source": "ONS estimates"},
    "segments": [
        {"key": "nation", "label": "UK nation", "column": "Nation",
         "options": [{"key": "england", "label": "England"}, {"key": "wales", "label": "Wales"}]},
    ],
    "questions": [
        {"key": "heard", "title": "Heard of it", "text": "Have you heard of it?", "column": "Q1", "type": "single",
         "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]},
        {"key": "wales-only", "title": "Welsh question", "text": "A question for Wales?", "column": "Q2",
         "type": "single", "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}],
         "asked": {"segment": "nation", "values": ["wales"], "description": "people in Wales"}},
    ],
}


def _book(**changes) -> dict:
    """A deep copy of the valid codebook with top-level fields replaced."""
    data = copy.deepcopy(VALID)
    data.update(changes)
    return data


def _write(tmp_path: Path, data, folder: str = SURVEY_ID) -> Path:
    """Write a codebook (a dict dumped as YAML, or raw YAML text) into tmp_path/<folder>/survey.yml."""
    path = tmp_path / folder / "survey.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _load(tmp_path: Path, data, folder: str = SURVEY_ID):
    return load_codebook(_write(tmp_path, data, folder), SHOWN)


def _by_where(problems) -> dict:
    return {p.where: p for p in problems}


def test_a_valid_codebook_loads_with_no_problems(tmp_path):
    book, problems = _load(tmp_path, VALID)
    assert problems == []
    assert isinstance(book, Codebook)
    assert book.id == SURVEY_ID and book.commissioned_by == "The campaign"
    assert str(book.fieldwork.start) == "2020-01-01" and book.weighting.variables == ["age band", "sex"]
    assert book.responses == "responses.csv"  # the default
    assert [q.key for q in book.questions] == ["heard", "wales-only"]


def test_a_codebook_without_weighting_needs_no_weighting_fields(tmp_path):
    data = _book()
    del data["weighting"]
    book, problems = _load(tmp_path, data)
    assert problems == [] and book.weighting is None


DISCLOSURE_FIELDS = [
    ("commissioned_by",), ("conducted_by",), ("fieldwork",), ("method",), ("population",), ("coverage",),
    ("weighting", "variables"), ("weighting", "targets_source"),
]


@pytest.mark.parametrize("path", DISCLOSURE_FIELDS, ids=".".join)
def test_each_missing_disclosure_field_is_reported_with_its_fix(tmp_path, path):
    data = _book()
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    book, problems = _load(tmp_path, data)
    assert book is None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.file == SHOWN
    assert problem.where == "field " + ".".join(path)
    assert "missing" in problem.message
    assert problem.fix.startswith(f"add `{path[-1]}:`")
    assert "standards rule" in problem.fix  # says why the field is required
    assert problem.value is None


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_disclosure_field_is_reported(tmp_path, blank):
    book, problems = _load(tmp_path, _book(commissioned_by=blank))
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN and problem.where == "field commissioned_by"
    assert "who commissioned the survey" in problem.fix


def test_several_missing_fields_are_all_reported_at_once(tmp_path):
    data = _book()
    for field in ["commissioned_by", "method", "coverage"]:
        del data[field]
    del data["weighting"]["targets_source"]
    book, problems = _load(tmp_path, data)
    assert book is None
    wheres = _by_where(problems)
    assert set(wheres) == {"field commissioned_by", "field method", "field coverage",
                           "field weighting.targets_source"}
    assert all(p.file == SHOWN for p in problems)
    assert wheres["field method"].fix.startswith("add `method:`")
    assert wheres["field weighting.targets_source"].fix.startswith("add `targets_source:`")


def test_a_misspelt_field_is_reported_as_well_as_the_missing_one(tmp_path):
    data = _book()
    data["comissioned_by"] = data.pop("commissioned_by")
    book, problems = _load(tmp_path, data)
    assert book is None
    wheres = _by_where(problems)
    assert set(wheres) == {"field comissioned_by", "field commissioned_by"}
    extra = wheres["field comissioned_by"]
    assert "not part of the survey.yml schema" in extra.message
    assert "spelling" in extra.fix
    assert wheres["field commissioned_by"].fix.startswith("add `commissioned_by:`")


def test_a_misspelt_nested_field_names_its_full_path(tmp_path):
    data = _book()
    data["questions"][1]["colour"] = "red"
    book, problems = _load(tmp_path, data)
    assert book is None
    [problem] = problems
    assert problem.where == "field questions[1].colour"
    assert "remove it or correct its spelling" in problem.fix


def test_fieldwork_ending_before_it_starts_is_reported(tmp_path):
    book, problems = _load(tmp_path, _book(fieldwork={"start": "2020-02-10", "end": "2020-02-01"}))
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN and problem.where == "field fieldwork"
    assert "2020-02-01" in problem.message and "2020-02-10" in problem.message
    assert "before" in problem.message


def test_a_fieldwork_date_that_is_not_a_date_is_reported(tmp_path):
    book, problems = _load(tmp_path, _book(fieldwork={"start": "2020-13-01", "end": "2020-02-01"}))
    assert book is None
    [problem] = problems
    assert problem.where == "field fieldwork.start"
    assert problem.value == "2020-13-01"
    assert "YYYY-MM-DD" in problem.fix


@pytest.mark.parametrize("bad_key", ["Wales Only", "Wales", "wales only", "_wales", "wales!"])
def test_a_key_with_capitals_or_spaces_is_reported_with_the_allowed_characters(tmp_path, bad_key):
    data = _book()
    data["questions"][1]["key"] = bad_key
    book, problems = _load(tmp_path, data)
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN
    assert problem.where == "field questions[1].key"
    assert problem.value == bad_key
    assert "lower-case letters, digits" in problem.fix and "'-' and '_'" in problem.fix


UNQUOTED_NUMERIC_KEY = f"""\
id: {SURVEY_ID}
title: Test
commissioned_by: The campaign
conducted_by: A polling company
fieldwork: {{start: 2020-01-01, end: 2020-01-05}}
method: Online panel
population: Adults
coverage: United Kingdom
id_column: Respondent ID
segments:
  - key: age_band
    label: Age band
    column: Age
    options:
      - {{key: 18_24, label: 18 to 24}}
      - {{key: "25_34", label: 25 to 34}}
questions:
  - key: heard
    title: Heard
    text: Have you heard of it?
    column: Q1
    type: single
    options: [{{key: "yes", label: "Yes"}}, {{key: "no", label: "No"}}]
"""


def test_an_unquoted_numeric_key_is_told_to_use_quotes(tmp_path):
    assert yaml.safe_load("k: 18_24")["k"] == 1824  # the trap: YAML 1.1 reads this as an integer
    book, problems = _load(tmp_path, UNQUOTED_NUMERIC_KEY)
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN
    assert problem.where == "field segments[0].options[0].key"
    assert "put the value in quotes" in problem.fix
    assert "number" in problem.fix


def test_the_quoting_fix_for_a_numeric_key_keeps_what_the_user_typed(tmp_path):
    _, problems = _load(tmp_path, UNQUOTED_NUMERIC_KEY)
    [problem] = problems
    assert '"1824"' not in problem.fix
    assert '"18_24"' in problem.fix and problem.value == "18_24"


def test_the_quoting_fix_for_a_yes_key_suggests_a_valid_key(tmp_path):
    text = UNQUOTED_NUMERIC_KEY.replace("{key: 18_24,", '{key: "18_24",').replace(
        '{key: "yes", label: "Yes"}', '{key: yes, label: "Yes"}')
    _, problems = _load(tmp_path, text)
    [problem] = problems
    assert problem.where == "field questions[0].options[0].key"
    assert "put the value in quotes" in problem.fix
    assert '"True"' not in problem.fix
    assert '"yes"' in problem.fix and "true/false" in problem.fix


def test_routing_to_an_undeclared_segment_is_reported(tmp_path):
    data = _book()
    data["questions"][1]["asked"]["segment"] = "region"
    book, problems = _load(tmp_path, data)
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN
    assert "'wales-only'" in problem.message and "'region'" in problem.message
    assert "not declared" in problem.message


def test_routing_to_options_the_segment_does_not_have_is_reported(tmp_path):
    data = _book()
    data["questions"][1]["asked"]["values"] = ["wales", "cymru", "scotland"]
    book, problems = _load(tmp_path, data)
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN
    assert "'wales-only'" in problem.message and "'nation'" in problem.message
    assert "['cymru', 'scotland']" in problem.message  # only the unknown ones, not 'wales'


def test_duplicate_question_keys_are_reported(tmp_path):
    data = _book()
    data["questions"][1]["key"] = "heard"
    data["questions"][1].pop("asked")
    book, problems = _load(tmp_path, data)
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN
    assert "question key 'heard' is used more than once" in problem.message


def test_duplicate_option_keys_are_reported(tmp_path):
    data = _book()
    data["questions"][0]["options"][1]["key"] = "yes"
    book, problems = _load(tmp_path, data)
    assert book is None
    [problem] = problems
    assert "'yes'" in problem.message and "'heard'" in problem.message and "more than once" in problem.message


def test_an_id_that_does_not_match_the_folder_is_reported(tmp_path):
    book, problems = _load(tmp_path, VALID, folder="other-2020")
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN
    assert problem.where == "field id"
    assert problem.value == SURVEY_ID
    assert "'other-2020'" in problem.message
    assert "id: other-2020" in problem.fix and "rename the folder" in problem.fix


def test_invalid_yaml_reports_the_line(tmp_path):
    text = "id: t-2020\ntitle: Test\ncommissioned_by: The campaign: and friends\nmethod: online\n"
    book, problems = _load(tmp_path, text)
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN
    assert problem.where == "line 3"
    assert "not valid YAML" in problem.message
    assert "YAML syntax" in problem.fix


def test_bad_indentation_reports_the_line(tmp_path):
    text = yaml.safe_dump(VALID, sort_keys=False).splitlines()
    line = next(i for i, t in enumerate(text) if t.startswith("method:"))
    text[line] = "  " + text[line] + ": oops"
    book, problems = _load(tmp_path, "\n".join(text) + "\n")
    assert book is None
    [problem] = problems
    assert problem.where.startswith("line ")
    assert int(problem.where.removeprefix("line ")) in (line, line + 1)


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    path = _write(tmp_path, "")
    path.write_bytes("title: Caf\u00e9\n".encode("latin-1"))
    book, problems = load_codebook(path, SHOWN)
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN and "not UTF-8" in problem.message and "UTF-8" in problem.fix
    assert problem.where == "byte 10"  # the é, after "title: Caf"


def test_a_missing_codebook_is_reported(tmp_path):
    book, problems = load_codebook(tmp_path / SURVEY_ID / "survey.yml", SHOWN)
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN
    assert "missing" in problem.message
    assert "survey.yml" in problem.fix


@pytest.mark.parametrize("text", ["- id: t-2020\n- title: Test\n", "", "just a sentence\n"],
                         ids=["list", "empty", "scalar"])
def test_a_codebook_that_is_not_a_mapping_is_reported(tmp_path, text):
    book, problems = _load(tmp_path, text)
    assert book is None
    [problem] = problems
    assert problem.file == SHOWN
    assert "mapping" in problem.message
    assert "survey.yml" in problem.fix


def test_a_question_with_no_options_or_an_unknown_type_names_the_question(tmp_path):
    data = _book()
    data["questions"][0]["options"] = []
    data["questions"][0]["type"] = "several"
    book, problems = _load(tmp_path, data)
    assert book is None
    [problem] = problems
    assert problem.where == "field questions[0].type" and problem.value == "several"
    assert "single (one answer), multi" in problem.fix
    data["questions"][0]["type"] = "multi"
    book, problems = _load(tmp_path, data)
    [problem] = problems
    assert problem.where == "field questions[0]" and "needs its options" in problem.message


def test_two_options_standing_for_the_same_export_answer_are_reported(tmp_path):
    data = _book()
    data["questions"][0]["options"].append({"key": "agree", "label": "Agree", "value": "Yes"})
    book, problems = _load(tmp_path, yaml.safe_dump(data, sort_keys=False))
    assert book is None
    assert any("stand for the same answer 'Yes'" in p.message for p in problems)


def test_a_draft_placeholder_left_in_a_disclosure_field_is_refused(tmp_path):
    data = _book(commissioned_by="TODO: who commissioned the survey?", method="TODO")
    book, problems = _load(tmp_path, data)
    assert book is None
    assert {p.where for p in problems} == {"field commissioned_by", "field method"}
    assert all("placeholder" in p.message and "fill it in" in p.message for p in problems)
