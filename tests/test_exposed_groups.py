"""A small group the always-published numbers of respondents give away is refused, with the fix (issue 11)."""

from __future__ import annotations

import pytest

from build_scripts.statistics.exposed_groups import exposed_small_groups
from conftest import make_survey

GENDER = [{"key": "gender", "label": "Gender", "column": "gender",
           "options": [{"key": "female", "label": "Female"}, {"key": "male", "label": "Male"},
                       {"key": "other", "label": "Other"}]}]


def _question(key: str, asked: list[str] | None) -> dict:
    question = {"key": key, "title": key, "text": key, "column": key, "type": "single",
                "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]}
    if asked:
        question["asked"] = {"segment": "gender", "values": asked, "description": " and ".join(asked)}
    return question


def _survey(others: int, routings: list[list[str] | None]):
    people = ["Female"] * 300 + ["Male"] * 400 + ["Other"] * others
    rows = [{"id": str(i), "gender": g, **{f"q{n}": "Yes" for n in range(len(routings))}}
            for i, g in enumerate(people)]
    return make_survey(rows, [_question(f"q{n}", asked) for n, asked in enumerate(routings)], segments=GENDER)


@pytest.mark.parametrize("routings", [[None, ["female", "male"]], [None, ["female"], ["male"]]])
def test_a_small_group_left_out_by_routing_is_refused(routings):
    survey = _survey(6, routings)
    [problem] = exposed_small_groups(survey.codebook, survey.responses, survey.responses_file)
    assert problem.where == "segment 'gender', group 'other'" and "6 respondents" in problem.message
    assert "merge it with another group" in problem.fix


@pytest.mark.parametrize("others, routings", [(6, [None, ["female"]]), (6, [None]), (40, [None, ["female", "male"]])])
def test_a_group_the_published_numbers_cannot_count_or_a_large_one_passes(others, routings):
    survey = _survey(others, routings)
    assert exposed_small_groups(survey.codebook, survey.responses, survey.responses_file) == []
