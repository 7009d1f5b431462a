"""`new-survey` for the next wave: the earlier codebook reused by wording and answers, the rest listed to decide."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, invoke, shipped_copy

from build_scripts.ingest.codebook import load_codebook
from build_scripts.ingest.wave_match import match_wave

EXAMPLE = REPO / "guide" / "examples" / "professionals-2016.csv"
POWERLESS = ("In your time as a social worker, have you ever felt powerless to intervene in a case where you "
             "suspected a child was being neglected?")


@pytest.fixture(scope="module")
def earlier():
    book, problems = load_codebook(REPO / "surveys/professionals-2015/survey.yml", "survey.yml")
    assert problems == []
    return book


def _question(key: str, text: str, labels: list[str], column: str | None = None) -> dict:
    return {"key": key, "title": text[:40], "text": text, "type": "single", "column": column or text,
            "options": [{"key": label.lower().replace(" ", "_"), "label": label} for label in labels]}


def _draft(*questions: dict, segments: list[dict] | None = None) -> dict:
    return {"id": "professionals-2016", "title": "TODO: a title", "segments": segments or [],
            "questions": list(questions)}


def test_identical_wording_reuses_keys_options_order_routing_and_findings(earlier):
    roles = ["Social worker", "Teacher or education professional", "Police"]
    role = {"key": "your_role", "label": "Your role", "column": "Your role",
            "options": [{"key": f"r{i}", "label": label} for i, label in enumerate(roles)]}
    draft = _draft(_question("in_your_time", POWERLESS, ["No", "Don't know", "Yes"]), segments=[role])
    match = match_wave(draft, earlier, "2016")
    [question] = match.book["questions"]
    assert match.exact == ["powerless"] and question["key"] == "powerless"
    assert match.book["segments"][0]["key"] == "role"  # 3 of its 5 answers seen: matched by answers alone
    assert [o["key"] for o in question["options"]] == ["yes", "no", "dont_know"]  # 2015's order, not the data's
    assert question["asked"] == {"segment": "role", "values": ["social_worker"], "description": "social workers"}
    assert question["finding"].startswith("of social workers have felt powerless")
    assert question["column"] == POWERLESS
    assert match.book["title"] == "Survey of professionals who work with children, 2016"
    assert match.book["commissioned_by"].startswith("TODO: in professionals-2015, ")
    assert match.dropped == ["nation", "years_in_post", "time_resources", "funding_impact", "neglect_trend"]


def test_routing_is_dropped_with_a_note_when_its_segment_is_not_in_the_export(earlier):
    match = match_wave(_draft(_question("x", POWERLESS, ["Yes", "No"])), earlier, "2016")
    # role is not in this draft, so the reused `asked:` would name a segment that does not exist
    assert "asked" not in match.book["questions"][0]
    assert any("routing of 'powerless' left out" in note for note in match.notes)


def test_lightly_reworded_question_is_matched_closely_keeping_the_new_wording(earlier):
    reworded = POWERLESS.replace("have you ever felt", "have you felt")
    match = match_wave(_draft(_question("q1", reworded, ["Yes", "No", "Don't know"])), earlier, "2016")
    question = match.book["questions"][0]
    assert question["key"] == "powerless" and question["text"] == reworded
    assert match.close and "wording" in match.close[0] and "% alike" in match.close[0]
    assert any("wording of 'powerless' changed" in note for note in match.notes)


def test_a_new_answer_is_added_after_the_earlier_options_and_reported(earlier):
    draft = _draft(_question("q1", POWERLESS, ["Yes", "No", "Don't know", "Not applicable"]))
    question = match_wave(draft, earlier, "2016").book["questions"][0]
    assert [o["key"] for o in question["options"]] == ["yes", "no", "dont_know", "not_applicable"]


def test_a_segment_reworded_entirely_is_matched_by_its_answers(earlier):
    labels = ["England", "Scotland", "Wales", "Northern Ireland"]
    segment = {"key": "where", "label": "Where do you work?", "column": "Where do you work?",
               "options": [{"key": x.lower(), "label": x} for x in labels]}
    match = match_wave(_draft(_question("q1", POWERLESS, ["Yes", "No"]), segments=[segment]), earlier, "2016")
    [nation] = match.book["segments"]
    assert nation["key"] == "nation" and nation["column"] == "Where do you work?"
    assert "same answers, different wording" in match.close[0]


def test_answers_that_fit_many_questions_never_match_on_their_own(earlier):
    """Two new yes/no questions against one earlier: which is which cannot be told from Yes and No."""
    one = _question("first", "Have you ever worked in a hospital?", ["Yes", "No", "Don't know"])
    two = _question("second", "Would you recommend your job to a friend?", ["Yes", "No", "Don't know"])
    match = match_wave(_draft(one, two), earlier, "2016")
    assert [q["key"] for q in match.book["questions"]] == ["first", "second"]
    assert len(match.new) == 2 and "powerless" in match.dropped


def test_a_new_question_never_takes_a_key_the_earlier_wave_used_for_another(earlier):
    stranger = _question("powerless", "Do you feel powerless about climate change?", ["A lot", "A little", "Not at all"])
    match = match_wave(_draft(stranger), earlier, "2016")
    assert match.book["questions"][0]["key"] == "powerless_2"  # so no change row compares unlike questions
    assert "powerless" in match.dropped


def test_the_draft_passed_in_is_not_changed(earlier):
    draft = _draft(_question("q1", POWERLESS, ["Yes", "No"]))
    before = copy.deepcopy(draft)
    match_wave(draft, earlier, "2016")
    assert draft == before


@pytest.fixture
def project(tmp_path) -> Path:
    return shipped_copy(tmp_path)


def test_new_survey_joins_the_series_by_its_id_reuses_the_codebook_and_adds_the_page_to_nav(project):
    result = invoke("new-survey", str(EXAMPLE), "--project", str(project), "--id", "professionals-2016")
    assert result.exit_code == 0, result.output
    assert "next wave after professionals-2015" in result.output
    assert "4 question(s) and segment(s) matched word for word, 3 closely, 0 new, 0 dropped" in result.output
    book = yaml.safe_load((project / "surveys/professionals-2016/survey.yml").read_text(encoding="utf-8"))
    assert [q["key"] for q in book["questions"]] == ["powerless", "time_resources", "funding_impact", "neglect_trend"]
    assert [s["key"] for s in book["segments"]] == ["role", "nation", "years_in_post"]
    nav = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert ('      - Professionals who work with children: data/professionals-2015.md\n'
            '      - "Professionals who work with children, 2016": data/professionals-2016.md\n') in nav
    again = invoke("new-survey", str(EXAMPLE), "--project", str(project), "--id", "professionals-2016", "--force")
    assert again.exit_code == 0 and "already in mkdocs.yml's nav" in again.output
    assert (project / "mkdocs.yml").read_text(encoding="utf-8") == nav


def test_new_series_keeps_a_survey_out_of_the_series_its_id_names(project):
    result = invoke("new-survey", str(EXAMPLE), "--project", str(project), "--id", "professionals-2016",
                    "--new-series")
    assert result.exit_code == 0, result.output
    book = yaml.safe_load((project / "surveys/professionals-2016/survey.yml").read_text(encoding="utf-8"))
    assert book["series"] == "professionals-2016" and book["questions"][0]["key"] != "powerless"


def test_wave_of_a_survey_that_does_not_exist_names_the_ones_that_do(project):
    result = invoke("new-survey", str(EXAMPLE), "--project", str(project), "--wave-of", "professionals-2014")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "there is no survey 'professionals-2014'" in result.output
    assert "professionals-2015, public-2015" in result.output
    assert not (project / "surveys/professionals-2016").exists()


def test_wave_of_another_series_sets_the_series(project, tmp_path):
    renamed = tmp_path / "autumn-wave.csv"
    shutil.copy2(EXAMPLE, renamed)
    result = invoke("new-survey", str(renamed), "--project", str(project), "--wave-of", "professionals-2015")
    assert result.exit_code == 0, result.output
    book = yaml.safe_load((project / "surveys/autumn-wave/survey.yml").read_text(encoding="utf-8"))
    assert book["series"] == "professionals" and book["questions"][0]["key"] == "powerless"


def test_an_export_column_cannot_break_out_of_the_drafts_comment_lines(project, tmp_path):
    hostile = "Brand new question?\nid: evil\u2028title: evil\x85"
    export = tmp_path / "professionals-2016.csv"
    text = EXAMPLE.read_text(encoding="utf-8").splitlines()
    rows = [line + (',"' + hostile + '"' if i == 0 else ",Maybe" if i % 2 else ",Perhaps") for i, line in enumerate(text)]
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("new-survey", str(export), "--project", str(project))
    assert result.exit_code == 0, result.output
    written = (project / "surveys/professionals-2016/survey.yml").read_text(encoding="utf-8")
    book = yaml.safe_load(written)
    assert book["id"] == "professionals-2016" and book["title"] != "evil"
    assert "new, not in professionals-2015" in written  # listed, on one comment line
    assert [q["key"] for q in book["questions"]][:4] == ["powerless", "time_resources", "funding_impact",
                                                         "neglect_trend"]


def test_the_drafts_todo_dates_are_reported_as_placeholders_to_fill_in(project):
    assert invoke("new-survey", str(EXAMPLE), "--project", str(project)).exit_code == 0
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1
    assert ("field fieldwork.start: this still holds the draft's placeholder: fill it in "
            "(found: 'TODO: YYYY-MM-DD')") in result.output
