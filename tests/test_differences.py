"""Differences between groups: the rows, their tests against statsmodels, Holm's correction, suppression,
comparative claims, and how survey pages and the figures command show them."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import invoke, make_survey, shipped_copy, table_for
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from build_scripts.editorial.claims import claim_problem
from build_scripts.editorial.comparisons import Difference, comparison_problem, difference_text, find_difference
from build_scripts.statistics.differences import holm

THREE = [{"key": "s", "label": "S", "column": "s",
          "options": [{"key": "x", "label": "X"}, {"key": "y", "label": "Y"}, {"key": "z", "label": "Z"}]}]
YES_NO = {"key": "q", "title": "Q", "text": "Q?", "type": "single", "column": "q",
          "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]}


def survey_rows(groups: dict[str, tuple[int, int]], seed: int = 1, column: str = "s") -> list[dict]:
    """Respondents per group of a segment's column: (how many, how many answer yes), shuffled."""
    rows = []
    for group, (size, yes) in groups.items():
        rows += [{column: group, "q": "Yes" if i < yes else "No"} for i in range(size)]
    random.Random(seed).shuffle(rows)
    return [{"id": str(i), **row} for i, row in enumerate(rows)]


def differences(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["comparison"] == "difference"].set_index("key")


def test_each_group_against_the_rest_is_statsmodels_test_with_holm():
    groups = {"X": (300, 180), "Y": (250, 110), "Z": (200, 90)}
    table = table_for([make_survey(survey_rows(groups), [YES_NO], segments=THREE)])
    rows = differences(table)
    assert list(rows.index) == ["t.q.yes.s=x.vs=rest", "t.q.yes.s=y.vs=rest", "t.q.yes.s=z.vs=rest"]
    p_values = []
    for key, (size, yes) in zip(rows.index, groups.values(), strict=True):
        rest_size = sum(s for s, _ in groups.values()) - size
        rest_yes = sum(y for _, y in groups.values()) - yes
        _, p = proportions_ztest([yes, rest_yes], [size, rest_size])
        low, high = confint_proportions_2indep(yes, size, rest_yes, rest_size, method="newcomb", compare="diff")
        row = rows.loc[key]
        assert row["previous_estimate"] == pytest.approx(rest_yes / rest_size, rel=1e-12)
        assert row["change_pp"] == pytest.approx((yes / size - rest_yes / rest_size) * 100, rel=1e-12)
        assert row["p_value"] == pytest.approx(p, rel=1e-9)
        assert (row["difference_low"], row["difference_high"]) == (pytest.approx(low * 100, rel=1e-9),
                                                                   pytest.approx(high * 100, rel=1e-9))
        p_values.append(p)
    adjusted = multipletests(p_values, method="holm")[1]
    np.testing.assert_allclose(rows["p_adjusted"], adjusted, rtol=1e-12)
    words = ["no clear difference" if p >= 0.05 else "more likely" if d > 0 else "less likely"
             for p, d in zip(adjusted, rows["change_pp"], strict=True)]
    assert list(rows["change"]) == words == ["more likely", "less likely", "no clear difference"]


def test_two_groups_are_tested_once_and_pairwise_on_request():
    two = make_survey(survey_rows({"A": (200, 120), "B": (220, 90)}, column="g"), [YES_NO])
    assert list(differences(table_for([two])).index) == ["t.q.yes.g=a.vs=b"]
    pairwise = [{**THREE[0], "compare": "pairwise"}]
    three = make_survey(survey_rows({"X": (300, 180), "Y": (250, 110), "Z": (200, 90)}), [YES_NO], segments=pairwise)
    assert list(differences(table_for([three])).index) == [
        "t.q.yes.s=x.vs=y", "t.q.yes.s=x.vs=z", "t.q.yes.s=y.vs=z"]


def test_which_answers_are_tested_is_the_codebooks_choice():
    rows = survey_rows({"A": (200, 120), "B": (220, 90)}, column="g")
    every = table_for([make_survey(rows, [{**YES_NO, "differences": "all"}])])
    assert list(differences(every).index) == ["t.q.yes.g=a.vs=b", "t.q.no.g=a.vs=b"]
    assert differences(table_for([make_survey(rows, [{**YES_NO, "differences": "none"}])])).empty
    headline = table_for([make_survey(rows, [{**YES_NO, "headline": "no"}])])
    assert list(differences(headline).index) == ["t.q.no.g=a.vs=b"]


def test_a_difference_is_published_only_where_both_figures_are():
    groups = {"X": (600, 300), "Y": (40, 20), "Z": (30, 15)}  # Y's base is under 50; the rest of X is 70
    table = table_for([make_survey(survey_rows(groups), [YES_NO], segments=THREE)])
    rows = differences(table)
    y = rows.loc["t.q.yes.s=y.vs=rest"]
    assert y["suppressed"] and y["suppression"] == "base under 50" and np.isnan(y["change_pp"])
    assert np.isnan(y["previous_estimate"]) and np.isnan(y["p_value"]) and y["change"] == ""
    x = rows.loc["t.q.yes.s=x.vs=rest"]
    assert not x["suppressed"] and x["low_base"]  # the rest's base of 70 is low: the difference says so
    groups = {"X": (630, 300), "Y": (30, 20), "Z": (10, 5)}  # X's rest: 40 people, under 50
    rows = differences(table_for([make_survey(survey_rows(groups), [YES_NO], segments=THREE)]))
    x = rows.loc["t.q.yes.s=x.vs=rest"]
    assert x["suppressed"] and x["suppression"] == "compared figure not published"
    assert np.isnan(x["previous_estimate"])
    # Suppressed differences are not tests: Holm counts only the published ones.
    assert rows["p_adjusted"].notna().sum() == rows["p_value"].notna().sum()


def test_holm_is_step_down_and_monotone():
    p = np.array([0.01, np.nan, 0.04, 0.03, 0.005])
    ours = holm(p)
    expected = multipletests(p[~np.isnan(p)], method="holm")[1]
    np.testing.assert_allclose(ours[~np.isnan(p)], expected)
    assert np.isnan(ours[1])


def difference(words: str, a: float, b: float, points: float | None = None, suppressed: bool = False) -> dict:
    return {"key": "s.q.yes.g=a.vs=b", "comparison": "difference", "compare_to": "b", "estimate": a,
            "previous_estimate": b, "change_pp": (a - b) * 100 if points is None else points, "change": words,
            "suppressed": suppressed, "suppression": "compared figure not published" if suppressed else ""}


@pytest.mark.parametrize(("phrase", "row", "holds"), [
    ("more likely than", difference("more likely", 0.6, 0.4), True),
    ("were more likely to say so than", difference("more likely", 0.6, 0.4), True),
    ("less likely than", difference("more likely", 0.6, 0.4), False),
    ("more likely than", difference("no clear difference", 0.45, 0.4), False),
    ("no clear difference from", difference("no clear difference", 0.45, 0.4), True),
    ("as likely as", difference("more likely", 0.6, 0.4), False),
    ("fewer than", difference("less likely", 0.2, 0.4), True),
    ("twice as likely as", difference("more likely", 0.41, 0.2), True),
    ("twice as likely as", difference("more likely", 0.32, 0.2), False),
    ("twice as many parents as", difference("more likely", 0.4, 0.2), True),
    ("more than twice as likely as", difference("more likely", 0.41, 0.2), True),
    ("half as likely as", difference("less likely", 0.2, 0.41), True),
    ("half as likely as", difference("more likely", 0.41, 0.2), False),
    ("three times as likely as", difference("more likely", 0.6, 0.2), True),
    ("9 percentage points higher than", difference("more likely", 0.632, 0.545), True),
    ("5 percentage points higher than", difference("more likely", 0.632, 0.545), False),
    ("more than 8 percentage points higher than", difference("more likely", 0.632, 0.545), True),
    ("9 percentage points lower than", difference("more likely", 0.632, 0.545), False),
    ("not more likely than", difference("no clear difference", 0.45, 0.4), False),
    ("more likely than", difference("more likely", 0.6, 0.4, suppressed=True), False),
])
def test_comparative_phrases_hold_only_where_the_test_and_the_size_do(phrase, row, holds):
    problem = comparison_problem(phrase, Difference(row))
    assert (problem is None) is holds, problem
    assert (claim_problem(phrase, row) is None) is holds  # a claim on the difference key itself


def test_a_false_comparison_says_what_would_be_true():
    problem = comparison_problem("more likely than", Difference(difference("no clear difference", 0.45, 0.4)))
    assert "no clear difference" in problem and "Holm" in problem and "'no clear difference from'" in problem
    problem = comparison_problem("twice as likely as", Difference(difference("more likely", 0.32, 0.2)))
    assert "1.60 times" in problem
    assert "cannot read" in comparison_problem("bigger", Difference(difference("more likely", 0.6, 0.4)))


def test_two_keys_find_their_difference_either_way_round():
    figures = {
        "s.q.yes.g=a": {"survey": "s", "question": "q", "option": "yes", "base_type": "asked", "segment": "g",
                        "segment_value": "a", "comparison": ""},
        "s.q.yes.g=b": {"survey": "s", "question": "q", "option": "yes", "base_type": "asked", "segment": "g",
                        "segment_value": "b", "comparison": ""},
        "s.q.yes.g=c": {"survey": "s", "question": "q", "option": "yes", "base_type": "asked", "segment": "g",
                        "segment_value": "c", "comparison": ""},
        "s.q.yes.g=a.vs=b": difference("more likely", 0.6, 0.4),
    }
    found, _ = find_difference(figures, "s.q.yes.g=b", "s.q.yes.g=a")
    assert found.reversed and found.words == "less likely" and found.points == pytest.approx(-20)
    assert comparison_problem("less likely than", found) is None
    assert comparison_problem("half as likely as", found) is not None  # 0.4 / 0.6 is not around a half
    missing, why = find_difference(figures, "s.q.yes.g=a", "s.q.yes.g=c")
    assert missing is None and "compare: pairwise" in why and "s.q.yes.g=a.vs=rest" in why
    wrong, why = find_difference(figures, "s.q.yes.g=a", "s.q.yes.g=a")
    assert wrong is None and "two groups of one breakdown" in why


def test_stat_prints_the_tests_words():
    row = difference("more likely", 0.632, 0.545)
    assert difference_text(row, "No") == "9 percentage points higher than No"
    assert difference_text(row, "No", "words") == "more likely than No"
    none = difference("no clear difference", 0.45, 0.44)
    assert difference_text(none, "No") == "no clear difference from No"
    assert difference_text(none, "No", "words") == "about as likely as No (no clear difference)"


PARENTS = "public-2015.important_services.early_help.parent=yes"
NON_PARENTS = "public-2015.important_services.early_help.parent=no"


def page_with(project: Path, text: str) -> None:
    (project / "docs" / "early-help.md").write_text("# Early help\n\n" + text + "\n", encoding="utf-8")


def test_comparative_claims_pass_or_stop_the_build_on_the_shipped_site(tmp_path):
    project = shipped_copy(tmp_path)
    page_with(project, f'Parents were {{{{ claim("more likely than", "{PARENTS}", "{NON_PARENTS}") }}}} others '
                       f'to back early help: {{{{ stat("{PARENTS}.vs=no", form="words") }}}}.')
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 0, result.output
    page_with(project, f'Parents were {{{{ claim("twice as likely as", "{PARENTS}", "{NON_PARENTS}") }}}} others.')
    result = invoke("check", "--project", str(project))
    assert result.exit_code != 0
    assert "docs/early-help.md, line 3" in result.output and "twice as likely as" in result.output
    assert "1.16 times" in result.output
    nation = "public-2015.important_services.early_help.nation"
    page_with(project, f'The Welsh were {{{{ claim("more likely than", "{nation}=wales", "{nation}=england") }}}} '
                       "the English.")
    result = invoke("check", "--project", str(project))
    assert result.exit_code != 0 and "compare: pairwise" in result.output


def test_survey_pages_mark_clear_differences_in_words(built_shipped_site: Path):
    page = (built_shipped_site / "site" / "data" / "public-2015" / "index.html").read_text(encoding="utf-8")
    assert page.count('<span aria-hidden="true">▲</span><span class="visually-hidden">more likely than those in '
                      "'Not a parent'</span>") == 1
    assert ('<span aria-hidden="true">▼</span><span class="visually-hidden">less likely than those in '
            "'Parent'") in page
    # Both figures as the table shows them, never a rounded difference (8.5 points) that would not match them.
    assert ("Clear differences: those in 'Parent' (63% against 55%) were more likely than those in 'Not a parent' "
            "to answer 'Services that support families before problems get worse'.") in page
    assert "▲ clearly higher, ▼ clearly lower than the other group" in page
    assert "No age band group differs clearly from everyone else asked in answering" in page
    assert "p (Holm)" in page and "95% interval (not adjusted)" in page  # the tests, for statisticians
    professionals = (built_shipped_site / "site" / "data" / "professionals-2015" / "index.html").read_text(
        encoding="utf-8")
    assert "▲" not in professionals and "differs clearly" in professionals
    assert "Too few answered to test: Wales, Northern Ireland." in professionals


def test_the_figures_command_lists_differences_with_snippets(built_shipped_site: Path):
    result = invoke("figures", "important_services", "--segment", "parent", "--project", str(built_shipped_site))
    assert result.exit_code == 0, result.output
    assert f"{PARENTS}.vs=no  more likely (+8.5 points, p = 0.0069 after Holm's correction)" in result.output
    assert f'{{{{ claim("more likely than", "{PARENTS}", "{NON_PARENTS}") }}}}' in result.output


def test_pairwise_testing_of_many_groups_is_refused_with_the_fix():
    many = [{"key": "s", "label": "S", "column": "s", "compare": "pairwise",
             "options": [{"key": f"g{i}", "label": f"G{i}"} for i in range(13)]}]
    with pytest.raises(ValueError, match="13 groups make 78 tests per answer"):
        make_survey(survey_rows({"G0": (60, 30)}), [YES_NO], segments=many)
