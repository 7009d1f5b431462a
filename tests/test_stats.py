"""The statistics engine: intervals checked against statsmodels, bases, weights, suppression."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from conftest import make_survey as _survey
from conftest import table_for as statistics_table
from statsmodels.stats.proportion import proportion_confint

from build_scripts.statistics.estimates import kish_effective_base, wilson_interval
from build_scripts.editorial.formatting import percent
from build_scripts.statistics.statistics_table import COLUMNS, write_csv
from build_scripts.statistics.tally import figure_key


@pytest.mark.parametrize("n", [1, 2, 10, 49, 50, 99, 100, 634, 2064, 100_000])
def test_wilson_matches_statsmodels_for_every_count(n):
    counts = np.arange(0, n + 1, max(1, n // 97))
    low, high = wilson_interval(counts / n, np.full(len(counts), n))
    ref_low, ref_high = proportion_confint(counts, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)


def test_wilson_handles_zero_and_all_without_collapsing():
    low, high = wilson_interval([0.0, 1.0], [40, 40])
    assert low[0] == 0 and 0.05 < high[0] < 0.1  # Wald would give [0, 0]
    assert high[1] == 1 and 0.9 < low[1] < 0.95


def test_wilson_on_a_zero_base_is_not_a_number():
    low, high = wilson_interval([0.5], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_kish_effective_base_by_hand():
    assert kish_effective_base([1, 1, 1, 1]) == pytest.approx(4)
    # (0.75*80 + 1.5*40)^2 / (0.75^2*80 + 1.5^2*40) = 14400 / 135
    assert kish_effective_base([0.75] * 80 + [1.5] * 40) == pytest.approx(14400 / 135)




YES_NO = [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]


def test_unweighted_single_choice_figures_and_keys():
    rows = [{"id": i, "g": "A" if i < 60 else "B", "q": "Yes" if i % 4 == 0 else "No"} for i in range(100)]
    table = statistics_table([_survey(rows, [{"key": "q", "title": "Q", "text": "Q?", "column": "q",
                                              "type": "single", "options": YES_NO}])])
    assert list(table.columns) == COLUMNS
    whole = table.set_index("key").loc["t.q.yes"]
    assert (whole["base"], whole["count"], whole["estimate"]) == (100, 25, 0.25)
    low, high = proportion_confint(25, 100, method="wilson")
    assert whole["ci_low"] == pytest.approx(low) and whole["ci_high"] == pytest.approx(high)
    assert not whole["suppressed"] and not whole["low_base"] and not whole["weighted"]
    by_group = table.set_index("key")
    assert by_group.loc[figure_key("t", "q", "yes", "g", "a"), "base"] == 60
    assert by_group.loc["t.q.yes.g=b", "suppressed"]  # base 40 < 50
    assert pd.isna(by_group.loc["t.q.yes.g=b", "estimate"]) and pd.isna(by_group.loc["t.q.yes.g=b", "ci_low"])
    assert by_group.loc["t.q.yes.g=a", "low_base"]  # base 60 is 50 to 99


def test_weighted_estimate_uses_weights_and_effective_base():
    rows = [{"id": i, "g": "A", "q": "Yes" if i < 30 else "No", "w": 3.0 if i < 30 else 1.0} for i in range(130)]
    survey = _survey(rows, [{"key": "q", "title": "Q", "text": "Q?", "column": "q", "type": "single",
                             "options": YES_NO}], weighted=True)
    row = statistics_table([survey]).set_index("key").loc["t.q.yes"]
    weights = np.array([3.0] * 30 + [1.0] * 100)
    n_eff = weights.sum() ** 2 / (weights**2).sum()
    assert row["estimate"] == pytest.approx(90 / 190)
    assert row["weighted_base"] == pytest.approx(190) and row["effective_base"] == pytest.approx(n_eff)
    low, high = wilson_interval(90 / 190, n_eff)
    assert row["ci_low"] == pytest.approx(float(low)) and row["ci_high"] == pytest.approx(float(high))
    assert row["base"] == 130 and row["count"] == 30 and row["weighted"]


def test_equal_weights_give_the_unweighted_answer():
    rows = [{"id": i, "g": "A", "q": "Yes" if i % 3 else "No", "w": 2.5} for i in range(90)]
    question = [{"key": "q", "title": "Q", "text": "Q?", "column": "q", "type": "single", "options": YES_NO}]
    weighted = statistics_table([_survey(rows, question, weighted=True)]).set_index("key")
    plain = statistics_table([_survey([{k: v for k, v in r.items() if k != "w"} for r in rows], question)])
    for column in ["estimate", "ci_low", "ci_high", "effective_base"]:
        np.testing.assert_allclose(weighted[column].astype(float), plain.set_index("key")[column].astype(float))


def test_routed_question_base_is_those_asked_and_multi_select_shares_can_exceed_one():
    rows = [{"id": i, "g": "A" if i < 70 else "B", "r": ("Yes" if i % 2 else "No") if i < 70 else "",
             "m": "Online; Press" if i % 2 else "Online"} for i in range(120)]
    survey = _survey(rows, [
        {"key": "r", "title": "R", "text": "R?", "column": "r", "type": "single", "options": YES_NO,
         "asked": {"segment": "g", "values": ["a"], "description": "group A"}},
        {"key": "m", "title": "M", "text": "M?", "column": "m", "type": "multi",
         "options": [{"key": "online", "label": "Online"}, {"key": "press", "label": "Press"}]},
    ])
    table = statistics_table([survey]).set_index("key")
    assert table.loc["t.r.yes", "base"] == 70 and table.loc["t.r.yes", "estimate"] == pytest.approx(0.5)
    assert "t.r.yes.g=b" not in table.index  # nobody in group B was asked
    assert table.loc["t.m.online", "estimate"] == 1.0 and table.loc["t.m.press", "estimate"] == 0.5
    assert table.loc[["t.m.online", "t.m.press"], "estimate"].sum() > 1


def test_small_counts_in_breakdowns_are_hidden():
    rows = [{"id": i, "g": "A" if i < 100 else "B", "q": "Yes" if i < 5 or i >= 150 else "No"} for i in range(200)]
    table = statistics_table([_survey(rows, [{"key": "q", "title": "Q", "text": "Q?", "column": "q",
                                              "type": "single", "options": YES_NO}])]).set_index("key")
    hidden = table.loc["t.q.yes.g=a"]
    assert pd.isna(hidden["count"]) and pd.isna(hidden["weighted_count"])  # 5 is in 1 to 9
    # The percentage goes too: with the base of 100 it would give the count away.
    assert pd.isna(hidden["estimate"]) and pd.isna(hidden["ci_low"]) and pd.isna(hidden["ci_high"])
    assert hidden["suppressed"] and hidden["suppression"] == "count under 10"
    # 95 "No" would give the 5 away (base 100 minus 95), so it is hidden too: secondary suppression.
    assert pd.isna(table.loc["t.q.no.g=a", "count"]) and table.loc["t.q.no.g=a", "suppression"] == "secondary"
    # The whole-sample table shows its own counts: group B's are hidden instead, or subtraction gives A's.
    assert table.loc["t.q.yes", "count"] == 55 and table.loc["t.q.no", "count"] == 145
    assert table.loc["t.q.yes", "suppression"] == ""
    assert table.loc[["t.q.yes.g=b", "t.q.no.g=b"], "suppression"].tolist() == ["secondary", "secondary"]


def test_a_group_with_the_whole_sample_in_it_hides_the_whole_sample_figures_as_a_last_resort():
    # Everyone is in group A: its 5 "Yes" is the whole sample's, so only hiding that (and "No", which the
    # base gives back) keeps it from being read off. The whole sample's base stays published.
    rows = [{"id": i, "g": "A", "q": "Yes" if i < 5 else "No"} for i in range(100)]
    table = statistics_table([_survey(rows, [{"key": "q", "title": "Q", "text": "Q?", "column": "q",
                                              "type": "single", "options": YES_NO}])]).set_index("key")
    assert table.loc["t.q.yes.g=a", "suppression"] == "count under 10"
    assert table.loc[["t.q.yes", "t.q.no"], "suppression"].tolist() == ["secondary", "secondary"]
    assert table.loc["t.q.yes", "base"] == 100


def test_a_blank_multi_answer_counts_in_the_base_as_choosing_nothing():
    rows = [{"id": i, "g": "A", "m": "" if i < 20 else "Online"} for i in range(100)]
    survey = _survey(rows, [{"key": "m", "title": "M", "text": "M?", "column": "m", "type": "multi",
                             "options": [{"key": "online", "label": "Online"}]}])
    row = statistics_table([survey]).set_index("key").loc["t.m.online"]
    assert row["base"] == 100 and row["estimate"] == pytest.approx(0.8)  # a share of everyone asked


def test_csv_keeps_full_precision_so_figures_round_the_same_everywhere():
    rows = [{"id": i, "g": "A", "q": "Yes" if i < 83 else "No"} for i in range(200)]  # 41.5%
    table = statistics_table([_survey(rows, [{"key": "q", "title": "Q", "text": "Q?", "column": "q",
                                              "type": "single", "options": YES_NO}])])
    read_back = pd.read_csv(io.StringIO(write_csv(table))).set_index("key")
    for key, estimate in table.set_index("key")["estimate"].dropna().items():
        assert read_back.loc[key, "estimate"] == estimate
        assert percent(read_back.loc[key, "estimate"]) == percent(estimate)
