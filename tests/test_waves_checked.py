"""A series' waves are checked before they are compared: no crash, a clear problem or warning, change rows only
where the same question was asked of the same people with the same options."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import invoke, shipped_copy

from build_scripts.pipeline.compute import compute
from build_scripts.project import Project
from build_scripts.statistics.estimates import two_proportion_test

ROUTING = "    asked: {segment: role, values: [social_worker], description: social workers}\n"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    return shipped_copy(tmp_path_factory.mktemp("waves-checked"))


def _second_wave(shipped: Path, tmp_path: Path, edit=lambda text: text) -> Path:
    """The shipped project with a 2016 wave of the professionals survey: 2015's answers, its codebook edited."""
    project = tmp_path / "project"
    shutil.copytree(shipped, project)
    earlier, later = project / "surveys/professionals-2015", project / "surveys/professionals-2016"
    later.mkdir()
    shutil.copy2(earlier / "responses.csv", later / "responses.csv")
    text = (earlier / "survey.yml").read_text(encoding="utf-8")
    text = text.replace("id: professionals-2015", "id: professionals-2016").replace("2015-09-", "2016-09-")
    (later / "survey.yml").write_text(edit(text), encoding="utf-8")
    return project


def _changes(project: Path) -> dict[str, str]:
    results = compute(Project(project))
    rows = results.table.changes().of_survey("professionals-2016").frame
    about_waves = [w for w in results.warnings if w.file.startswith("surveys/")]  # not the nav's warning
    return dict(zip(rows["key"], rows["change"], strict=True)), about_waves


def test_identical_waves_give_change_rows_for_every_question(shipped, tmp_path):
    changes, warnings = _changes(_second_wave(shipped, tmp_path))
    questions = {key.split(".")[1] for key in changes}
    assert questions == {"powerless", "time_resources", "funding_impact", "neglect_trend"}
    assert set(changes.values()) == {"little change"}  # the same answers twice
    assert warnings == []


def test_waves_that_share_no_question_key_are_a_problem_with_the_fix_not_a_traceback(shipped, tmp_path):
    def rename(text: str) -> str:
        for key in ["powerless", "time_resources", "funding_impact", "neglect_trend"]:
            text = text.replace(f"  - key: {key}\n", f"  - key: {key}_2016\n")
        return text

    project = _second_wave(shipped, tmp_path, rename)
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "surveys/professionals-2016/survey.yml, questions" in result.output
    assert "share no question key" in result.output
    assert "--wave-of professionals-2015" in result.output and "series: professionals-2016" in result.output


def test_a_question_asked_of_everyone_in_one_wave_and_social_workers_in_the_other_has_no_change_rows(
        shipped, tmp_path):
    project = _second_wave(shipped, tmp_path, lambda text: text.replace(ROUTING, "", 1))  # powerless, first
    changes, warnings = _changes(project)
    assert not any(".powerless." in key for key in changes)
    assert any(".time_resources." in key for key in changes)  # the others still compare
    [warning] = warnings
    assert warning.where == "question 'powerless'" and "everyone here" in warning.message
    assert "social workers" in warning.message and "asked: {segment: role" in warning.fix


def test_a_question_whose_options_changed_has_no_change_rows(shipped, tmp_path):
    edit = lambda text: text.replace("      - {key: same, label: Stayed about the same}\n",  # noqa: E731
                                     "      - {key: same, label: Stayed about the same}\n"
                                     "      - {key: not_applicable, label: Not applicable}\n")
    changes, warnings = _changes(_second_wave(shipped, tmp_path, edit))
    assert not any(".neglect_trend." in key for key in changes)
    [warning] = warnings
    assert "only here: not_applicable" in warning.message and "new key" in warning.fix


def test_a_wave_with_fewer_questions_is_a_warning_naming_them(shipped, tmp_path):
    def drop_last(text: str) -> str:
        return text[: text.index("  - key: neglect_trend")]

    changes, warnings = _changes(_second_wave(shipped, tmp_path, drop_last))
    assert not any(".neglect_trend." in key for key in changes) and changes
    [warning] = warnings
    assert "does not ask 1 question(s)" in warning.message and "neglect_trend" in warning.message


def test_a_base_of_those_answering_against_everyone_asked_is_not_compared(shipped, tmp_path):
    edit = lambda text: text.replace("    headline: lack\n", "    headline: lack\n    base: answering\n")  # noqa: E731
    changes, warnings = _changes(_second_wave(shipped, tmp_path, edit))
    assert not any(".time_resources." in key for key in changes)
    assert "leaving out those who did not give an answer" in warnings[0].message


def test_the_two_proportion_test_takes_empty_arrays():
    assert two_proportion_test(np.array([]), np.array([]), np.array([]), np.array([])).size == 0
