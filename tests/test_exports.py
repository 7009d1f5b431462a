"""Real exports in: one survey in eight formats, each read as its tool writes it, each giving the same figures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import FIXTURES, run_here

from build_scripts.pipeline.compute import Project, compute

EXPORTS = FIXTURES / "exports"
EXPECTED = json.loads((EXPORTS / "expected.json").read_text(encoding="utf-8"))
SEPARATORS = {"qualtrics.csv": ",", "google-forms.csv": ","}
KEYS = {"Friends, family or neighbours": "friends", "Online": "online", "Newspapers, radio or TV": "media"}


def codebook(name: str) -> dict:
    """The codebook a campaign worker would write for this export (its columns as the file names them)."""
    info = EXPECTED["files"][name]
    columns = info["columns"]
    q2 = {"key": "heard", "title": "Where people heard", "text": EXPECTED["questions"]["q2"]["text"], "type": "multi"}
    labels = EXPECTED["questions"]["q2"]["options"]
    if isinstance(columns["q2"], list):  # SPSS: one 0/1 variable per option
        q2["options"] = [{"key": KEYS[label], "label": label, "column": column}
                         for label, column in zip(labels, columns["q2"], strict=True)]
    elif name == "surveymonkey.csv":  # one column per option, named "question - option"
        q2["options"] = [{"key": KEYS[label], "label": label, "column": f"{columns['q2']} - {label}"} for label in labels]
    else:
        q2 |= {"column": columns["q2"], "separator": SEPARATORS.get(name, ";"),
               "options": [{"key": KEYS[label], "label": label} for label in labels]}
    book = {
        "id": "export", "title": "Export test", "commissioned_by": "Tests", "conducted_by": "Tests",
        "fieldwork": {"start": "2015-10-01", "end": "2015-10-10"}, "method": "Online", "population": "Test",
        "coverage": "UK", "responses": name, "id_column": columns["id"],
        "segments": [{"key": "region", "label": "Region", "column": columns["region"], "options": [
            {"key": "north", "label": "North"}, {"key": "south", "label": "South"},
            {"key": "scotland-wales", "label": "Scotland & Wales"}]}],
        "questions": [
            {"key": "support", "title": "Support", "text": EXPECTED["questions"]["q1"]["text"], "type": "single",
             "column": columns["q1"], "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"},
                                                  {"key": "dont_know", "label": "Don't know", "kind": "dont_know"}]},
            q2,
            {"key": "comments", "title": "Comments", "text": EXPECTED["questions"]["q3"]["text"], "type": "text",
             "column": columns["q3"]},
        ],
    }
    if name == "workbook.xlsx":
        book["sheet"] = "Responses"
    if info["has_weight"]:
        book["weighting"] = {"column": columns["weight"], "variables": ["region"], "targets_source": "Tests"}
    return book


def project(tmp_path: Path, name: str) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "mini-site", root, ignore=shutil.ignore_patterns("surveys"))
    (root / "docs/index.md").write_text("# Export test\n\nSupport: {{ stat(\"export.support.yes\") }}.\n")
    (root / "docs/sources.md").unlink()
    config = (root / "mkdocs.yml").read_text().replace("  - Results: data/mini-2020.md\n", "  - Results: data/export.md\n")
    (root / "mkdocs.yml").write_text(config.replace("  - Sources: sources.md\n", ""))
    folder = root / "surveys" / "export"
    folder.mkdir(parents=True)
    shutil.copy(EXPORTS / name, folder / name)
    (folder / "survey.yml").write_text(yaml.safe_dump(codebook(name), sort_keys=False, allow_unicode=True))
    return root


@pytest.mark.parametrize("name", sorted(EXPECTED["files"]))
def test_every_format_gives_the_true_figures(tmp_path, name):
    results = compute(Project(project(tmp_path, name)))
    table = results.table.frame.set_index("key")
    n = EXPECTED["n"]
    for label, key in [("Yes", "yes"), ("No", "no"), ("Don't know", "dont_know")]:
        row = table.loc[f"export.support.{key}"]
        assert (row["base"], row["count"]) == (n, EXPECTED["q1_counts"][label]), label
        if EXPECTED["files"][name]["has_weight"]:
            expected = EXPECTED["weighted"]["q1"][label] / EXPECTED["weighted"]["total"]
            assert row["estimate"] == pytest.approx(expected, abs=1e-9)
        else:
            assert row["estimate"] == EXPECTED["q1_counts"][label] / n
    for label, key in KEYS.items():
        assert table.loc[f"export.heard.{key}", "count"] == EXPECTED["q2_counts"][label], label
    assert table.loc["export.comments.answered", "count"] == EXPECTED["q3_nonblank"]
    assert table.loc["export.support.yes.region=north", "base"] == EXPECTED["region_counts"]["North"]


@pytest.mark.parametrize("name", sorted(EXPECTED["files"]))
def test_every_format_builds_and_publishes_no_personal_data(tmp_path, name):
    root = project(tmp_path, name)
    result = run_here("build", cwd=root)
    assert result.returncode == 0, result.stderr
    published = b"".join(p.read_bytes() for p in (root / "site").rglob("*") if p.is_file())
    for person in EXPECTED["respondents"]:
        assert person["email"].encode() not in published
        assert str(person.get("surveymonkey_respondent_id", "")).encode() not in published or not person.get(
            "surveymonkey_respondent_id")
    assert b"Support: " in (root / "site/index.html").read_bytes()


def test_spss_keeps_user_missing_dont_know_as_an_answer(tmp_path):
    results = compute(Project(project(tmp_path, "spss.sav")))
    row = results.table.frame.set_index("key").loc["export.support.dont_know"]
    assert row["count"] == EXPECTED["q1_counts"]["Don't know"] > 0


def test_a_missing_sheet_names_the_sheets_there_are(tmp_path):
    root = project(tmp_path, "workbook.xlsx")
    book = root / "surveys/export/survey.yml"
    book.write_text(book.read_text().replace("sheet: Responses", "sheet: Answers"))
    result = run_here("check", cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "sheet 'Answers'" in result.stderr and "'Notes', 'Responses'" in result.stderr


def test_free_text_with_curly_quotes_and_pounds_is_read_intact_from_windows_1252(tmp_path):
    results = compute(Project(project(tmp_path, "plain-cp1252-semicolon.csv")))
    comments = results.surveys[0].responses["Q3"]
    truth = [p["q3"] for p in EXPECTED["respondents"]]
    assert sorted(comments) == sorted(truth)
    assert any("£" in c and "“" in c for c in comments)
    assert isinstance(results.surveys[0].responses, pd.DataFrame)


@pytest.mark.parametrize("name, damage, message", [
    ("workbook.xlsx", lambda b: b[: len(b) // 2], "the workbook cannot be opened"),
    ("spss.sav", lambda b: b[:300], "the SPSS file cannot be read"),
    ("surveymonkey.csv", lambda b: b.rsplit(b",", 3)[0] + b"\r\n", "fewer cells than the"),
    ("qualtrics.csv", lambda b: b.replace(b'"ResponseId"', b'"Response_Id"', 1).replace(b"ResponseId", b"Response_Id", 1),
     "a column declared in survey.yml is not in the export"),
    ("plain-cp1252-semicolon.csv", lambda b: b.replace(b";Yes;", b";Yes please;", 1), "not a declared option"),
])
def test_a_broken_file_of_each_kind_fails_with_a_precise_message(tmp_path, name, damage, message):
    root = project(tmp_path, name)
    path = root / "surveys/export" / name
    path.write_bytes(damage(path.read_bytes()))
    result = run_here("check", cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"surveys/export/{name}" in result.stderr and message in result.stderr, result.stderr


@pytest.mark.parametrize("name, message", [
    ("crashes-reader.sav", "the SPSS file is damaged"),
    ("corrupt-stream.xlsx", "the workbook cannot be opened"),
])
def test_damaged_files_that_crash_their_readers_are_reported(name, message):
    from build_scripts.ingest.exports import read_export

    export, problems = read_export(FIXTURES / "damaged" / name, name)
    assert export is None and message in problems[0].message and "again" in problems[0].fix


def test_an_unclosed_quote_is_reported_with_its_row_not_swallowing_the_file(tmp_path):
    from build_scripts.ingest.exports import read_export

    path = tmp_path / "responses.csv"
    path.write_text("id,q,c\n" + "".join(f"{i},Yes,fine\n" for i in range(1, 10)) + '10,Yes,"I said: no\n11,No,ok\n')
    export, problems = read_export(path, "responses.csv")
    assert export is None
    assert "cannot be read as CSV" in problems[0].message and "close the quote" in problems[0].fix


@pytest.mark.parametrize("name, marked", [("surveymonkey.csv", {"Any other comments?"}), ("qualtrics.csv", {"Q3"}),
                                          ("google-forms.csv", set()), ("workbook.xlsx", set())])
def test_the_export_says_which_columns_its_tool_marks_as_typed_answers(name, marked):
    from build_scripts.ingest.exports import read_export

    sheet = "Responses" if name.endswith(".xlsx") else None
    export, problems = read_export(EXPORTS / name, name, sheet)
    assert not problems and export.free_text == marked  # "Open-Ended Response", Qualtrics' QID.._TEXT
