"""Property tests of the statistics: intervals and tests against statsmodels, and suppression that never leaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_survey as _survey
from conftest import table_for as statistics_table
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from build_scripts.statistics.estimates import two_proportion_test, wilson_interval

TOL = 1e-9






# --- Wilson interval --------------------------------------------------------------------------------------------

@st.composite
def count_and_base(draw):
    n = draw(st.integers(1, 5000))
    return draw(st.one_of(st.integers(0, n), st.sampled_from([0, n]), st.integers(0, min(n, 10)))), n


@settings(max_examples=400, deadline=None)
@given(count_and_base())
def test_wilson_interval_is_ordered_bounded_and_matches_statsmodels(case):
    count, n = case
    p = count / n
    low, high = (float(v) for v in wilson_interval(p, n))
    assert 0 <= low <= p <= high <= 1
    if count == 0:
        assert low == 0.0
    if count == n:
        assert high == 1.0
    ref_low, ref_high = proportion_confint(count, n, alpha=0.05, method="wilson")
    assert low == pytest.approx(ref_low, abs=TOL) and high == pytest.approx(ref_high, abs=TOL)


# --- two-proportion test ----------------------------------------------------------------------------------------

@st.composite
def two_samples(draw):
    n1, n2 = draw(st.integers(1, 5000)), draw(st.integers(1, 5000))
    c1 = draw(st.one_of(st.integers(0, n1), st.sampled_from([0, n1])))
    c2 = draw(st.one_of(st.integers(0, n2), st.sampled_from([0, n2])))
    return c1, n1, c2, n2


@settings(max_examples=400, deadline=None)
@given(two_samples())
def test_two_proportion_test_matches_statsmodels_pooled_z_test(case):
    c1, n1, c2, n2 = case
    p_value = float(two_proportion_test(c1 / n1, n1, c2 / n2, n2))
    assert 0 <= p_value <= 1
    if c1 + c2 in (0, n1 + n2):  # both 0% or both 100%: no evidence of any change
        assert p_value == 1.0
        return
    _, ref = proportions_ztest(np.array([c1, c2]), np.array([n1, n2]), alternative="two-sided")
    assert p_value == pytest.approx(ref, abs=TOL)


def test_two_proportion_test_at_the_extremes():
    assert two_proportion_test(0.0, 80, 0.0, 120) == 1.0
    assert two_proportion_test(1.0, 80, 1.0, 120) == 1.0
    assert two_proportion_test(0.0, 500, 1.0, 500) < 1e-12


# --- a weighted figure worked by hand ---------------------------------------------------------------------------

def test_weighted_figure_matches_a_hand_worked_wilson_interval():
    # 50 respondents weigh 1 and 50 weigh 2.
    #   Kish effective base = (sum w)^2 / sum w^2 = (50*1 + 50*2)^2 / (50*1^2 + 50*2^2) = 150^2 / 250 = 22500 / 250 = 90
    # 10 of weight 1 and 25 of weight 2 answer Yes: weighted share = (10*1 + 25*2) / 150 = 60 / 150 = 0.4
    #   (unweighted it would be 35 / 100 = 0.35, so the weights must be used.)
    # 95% Wilson interval for p = 0.4 on n = 90, z = 1.959964, z^2 = 3.841459:
    #   z^2/n = 3.841459 / 90 = 0.042683             denominator = 1 + 0.042683 = 1.042683
    #   centre = (p + z^2/(2n)) / denominator = (0.4 + 0.021341) / 1.042683 = 0.421341 / 1.042683 = 0.404094
    #   p(1-p)/n = 0.24 / 90 = 0.0026667;  z^2/(4n^2) = 3.841459 / 32400 = 0.0001186
    #   half = z * sqrt(0.0026667 + 0.0001186) / denominator = 1.959964 * 0.052775 / 1.042683
    #        = 0.103438 / 1.042683 = 0.099204
    #   interval = 0.404094 -/+ 0.099204 = [0.3049, 0.5033]
    rows = []
    for i in range(100):
        weight = 1.0 if i < 50 else 2.0
        yes = i < 10 or 50 <= i < 75
        rows.append({"id": i, "g": "A", "q": "Yes" if yes else "No", "w": weight})
    survey = _survey(rows, [{"key": "q", "title": "Q", "text": "Q?", "column": "q", "type": "single",
                             "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]}],
                     weighted=True)
    row = statistics_table([survey]).set_index("key").loc["t.q.yes"]
    assert row["count"] == 35 and row["base"] == 100
    assert row["weighted_base"] == pytest.approx(150) and row["weighted_count"] == pytest.approx(60)
    assert row["effective_base"] == pytest.approx(90)
    assert row["estimate"] == pytest.approx(0.4)
    assert row["ci_low"] == pytest.approx(0.3049, abs=5e-5)
    assert row["ci_high"] == pytest.approx(0.5033, abs=5e-5)


# --- random surveys through statistics_table --------------------------------------------------------------------

GROUPS = ["a", "b", "c", "d"]
# (option key, label in the export, kind); "" is a blank answer, outside every base of a single question
ANSWERS = [("yes", "Yes", "answer"), ("maybe", "Maybe", "answer"), ("no", "No", "answer"),
           ("dk", "Don't know", "dont_know"), (None, "", None)]
NET = ("positive", ["yes", "maybe"])


def _question(with_net: bool, base: str = "asked") -> dict:
    question = {"key": "q", "title": "Q", "text": "Q?", "column": "q", "type": "single", "base": base,
                "options": [{"key": k, "label": label, "kind": kind} for k, label, kind in ANSWERS if k]}
    if with_net:
        question["nets"] = [{"key": NET[0], "label": "Positive", "options": NET[1]}]
    return question


def _segment(n_groups: int) -> list[dict]:
    return [{"key": "g", "label": "G", "column": "g",
             "options": [{"key": g, "label": g.upper()} for g in GROUPS[:n_groups]]}]


def _rows(counts: dict[tuple[str, str | None], int], weights=None) -> list[dict]:
    rows = []
    labels = {k: label for k, label, _ in ANSWERS}
    for (group, answer), n in counts.items():
        for _ in range(n):
            rows.append({"id": len(rows), "g": group.upper(), "q": labels[answer]})
    if weights is not None:
        for row in rows:
            row["w"] = repr(float(weights(row["id"])))
    return rows


@st.composite
def breakdowns(draw):
    """Respondents per (group, answer): many small counts, some groups under a base of 50."""
    n_groups = draw(st.integers(2, 4))
    cell = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 70))
    counts = {(g, k): draw(cell) for g in GROUPS[:n_groups] for k, _, _ in ANSWERS}
    answered = [g for g in GROUPS[:n_groups] if sum(counts[g, k] for k, _, _ in ANSWERS if k)]
    # With one answering group the breakdown is the whole sample again, whose counts are published anyway.
    assume(len(answered) >= 2)
    return n_groups, counts


def _truth(counts, with_net: bool) -> dict[tuple[str, str], int]:
    """The true count of every breakdown cell, from the generated data (not from the table)."""
    truth = {(g, k): n for (g, k), n in counts.items() if k}
    if with_net:
        for g in {g for g, _ in counts}:
            truth[g, NET[0]] = sum(counts[g, k] for k in NET[1])
    return truth


def _worked_out(table: pd.DataFrame, truth: dict, question: dict) -> set:
    """Hidden breakdown cells a reader can work out exactly from what the table publishes.

    Published: each cell's base (unless hidden), each visible count, the whole-sample count of each option.
    A single question's options in one row add up to the base of its non-substantive options (everyone who
    answered) and its substantive options to the base of the substantive ones; a net is the sum of its options.
    The reader's unknowns are the breakdown cells; a hidden cell is worked out when every vector of the
    null space of (published sums + visible cells) is zero at it.
    """
    whole = table[table["segment"] == ""].set_index("option")
    part = table[table["segment"] == "g"]
    cells = list(zip(part["segment_value"], part["option"]))
    index = {cell: i for i, cell in enumerate(cells)}
    nets = {n["key"]: n["options"] for n in question.get("nets", [])}
    kinds = {o["key"]: o.get("kind", "answer") for o in question["options"]}
    sums = []
    for option in dict.fromkeys(part["option"]):
        if not pd.isna(whole.loc[option, "count"]):
            sums.append({c: 1 for c in cells if c[1] == option})
    for value in dict.fromkeys(part["segment_value"]):
        present = [c for c in cells if c[0] == value and c[1] in kinds]
        substantive = [c for c in present if kinds[c[1]] == "answer"]
        if question["base"] == "asked" or len(substantive) < len(present):
            sums.append({c: 1 for c in present})  # every answer: the base of everyone who answered
        answering_base = part.loc[(part["segment_value"] == value) & (part["base_type"] == "answering"), "base"]
        if question["base"] == "answering" and substantive and answering_base.notna().all():
            sums.append({c: 1 for c in substantive})  # the real answers: the answering base, where published
        for net, parts in nets.items():
            if (value, net) in index:
                sums.append({(value, net): 1, **{(value, p): -1 for p in parts if (value, p) in index}})
    hidden = {c for c, s in zip(cells, part["suppressed"]) if s}
    system = [[s.get(c, 0) for c in cells] for s in sums]
    system += [[1 if j == index[c] else 0 for j in range(len(cells))] for c in cells if c not in hidden]
    basis = null_space(np.array(system, dtype=float)) if system else np.eye(len(cells))
    for c, shown in zip(cells, part["count"]):  # the visible counts are the true ones
        if c not in hidden:
            assert shown == truth[c]
    return {c for c in hidden if basis.shape[1] == 0 or np.abs(basis[index[c]]).max() < TOL}


def _check_table(table: pd.DataFrame, truth: dict, question: dict):
    published = table[~table["suppressed"]]
    for column in ["estimate", "ci_low", "ci_high"]:
        assert published[column].notna().all()
        assert published[column].between(0, 1).all()
    assert (published["ci_low"] <= published["estimate"]).all()
    assert (published["estimate"] <= published["ci_high"]).all()
    hidden = table[table["suppressed"]]
    assert hidden[["estimate", "ci_low", "ci_high", "weighted_count"]].isna().all().all()
    assert hidden["count"].isna().all()

    breakdown = table[table["segment"] != ""]
    shown = breakdown[~breakdown["suppressed"]]
    assert not shown["count"].between(1, 9).any()
    small_base = breakdown[breakdown["base"] < 50]
    assert small_base["suppressed"].all() and small_base["estimate"].isna().all()
    assert small_base["ci_low"].isna().all() and small_base["ci_high"].isna().all()

    leaked = {c for c in _worked_out(table, truth, question) if 1 <= truth[c] <= 9}
    assert leaked == set(), leaked


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(breakdowns(), st.booleans(), st.one_of(st.none(), st.integers(0, 2**32 - 1)))
def test_random_surveys_publish_sound_figures_and_never_leak_small_counts(breakdown, with_net, seed):
    n_groups, counts = breakdown
    weights = None
    if seed is not None:  # random positive weights, one per respondent
        draws = np.random.default_rng(seed).uniform(0.2, 5.0, size=sum(counts.values()))
        weights = draws.__getitem__
    question = _question(with_net)
    survey = _survey(_rows(counts, weights), [question], weighted=weights is not None, segments=_segment(n_groups))
    table = statistics_table([survey])
    assert table["weighted"].all() == (weights is not None)
    _check_table(table, _truth(counts, with_net), question)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(breakdowns(), st.booleans())
def test_equal_weights_give_the_unweighted_figures(breakdown, with_net):
    n_groups, counts = breakdown
    question = [_question(with_net)]
    weighted = statistics_table([_survey(_rows(counts, lambda i: 2.5), question, weighted=True,
                                         segments=_segment(n_groups))]).set_index("key")
    plain = statistics_table([_survey(_rows(counts), question, segments=_segment(n_groups))]).set_index("key")
    assert list(weighted.index) == list(plain.index)
    assert (weighted["suppression"] == plain["suppression"]).all()
    for column in ["estimate", "ci_low", "ci_high", "effective_base"]:
        np.testing.assert_allclose(weighted[column].astype(float), plain[column].astype(float), rtol=1e-12)
    np.testing.assert_allclose(weighted["weighted_base"], 2.5 * plain["weighted_base"], rtol=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 120), min_size=2, max_size=4), st.one_of(st.none(), st.integers(0, 2**32 - 1)))
def test_everyone_answering_yes_gives_one_hundred_percent(sizes, seed):
    assume(sum(sizes) >= 50)
    if seed is not None:  # standards rule 4: a figure on an effective base under 50 is suppressed too
        drawn = np.random.default_rng(seed).uniform(0.2, 5.0, size=sum(sizes))
        assume(drawn.sum() ** 2 / (drawn ** 2).sum() >= 50)
    counts = {(g, k): (n if k == "yes" else 0) for g, n in zip(GROUPS, sizes) for k, _, _ in ANSWERS}
    weights = None if seed is None else np.random.default_rng(seed).uniform(0.2, 5.0, size=sum(sizes)).__getitem__
    question = _question(with_net=False)
    table = statistics_table([_survey(_rows(counts, weights), [question], weighted=weights is not None,
                                      segments=_segment(len(sizes)))])
    whole = table[table["segment"] == ""].set_index("option")
    assert whole.loc["yes", "estimate"] == 1.0 and whole.loc["yes", "ci_high"] == 1.0
    assert whole.loc["yes", "ci_low"] < 1.0
    assert whole.loc["no", "estimate"] == 0.0 and whole.loc["no", "ci_low"] == 0.0
    shown = table[~table["suppressed"]]
    assert (shown.loc[shown["option"] == "yes", "estimate"] == 1.0).all()
    assert (shown.loc[shown["option"] == "yes", "ci_high"] == 1.0).all()
    assert (shown.loc[shown["option"] != "yes", "estimate"] == 0.0).all()
    _check_table(table, _truth(counts, False), question)


# --- a leak through the published bases -------------------------------------------------------------------------

def test_answering_bases_do_not_give_away_a_small_dont_know_count():
    counts = {}
    for g in ["a", "b"]:
        counts.update({(g, "yes"): 49, (g, "maybe"): 0, (g, "no"): 48, (g, "dk"): 3 if g == "a" else 20,
                       (g, None): 0})
    question = _question(with_net=False, base="answering")
    table = statistics_table([_survey(_rows(counts), [question])])
    by_key = table.set_index("key")
    assert by_key.loc["t.q.dk.g=a", "suppression"] == "count under 10"
    assert pd.isna(by_key.loc["t.q.dk.g=a", "count"])
    _check_table(table, _truth(counts, False), question)  # 100 - 97 would give 3 Don't know in group A
    assert pd.isna(by_key.loc["t.q.yes.g=a", "base"])  # so the answering base of group A is not published,
    assert pd.isna(by_key.loc["t.q.yes.g=b", "base"])  # nor B's: the whole sample's minus B's would give it
    assert by_key.loc["t.q.dk.g=a", "base"] == 100  # the asked base gives nothing away on its own


def test_a_group_where_everyone_said_dont_know_does_not_give_away_its_count():
    counts = {("a", "yes"): 60, ("a", "maybe"): 0, ("a", "no"): 50, ("a", "dk"): 0, ("a", None): 0,
              ("b", "yes"): 0, ("b", "maybe"): 0, ("b", "no"): 0, ("b", "dk"): 5, ("b", None): 0}
    table = statistics_table([_survey(_rows(counts), [_question(with_net=False, base="answering")])])
    group_b = table[(table["segment"] == "g") & (table["segment_value"] == "b")]
    assert group_b.loc[group_b["option"] == "dk", "suppressed"].all()
    asked = group_b.loc[group_b["base_type"] == "asked", "base"].iloc[0]
    answering = group_b.loc[group_b["base_type"] == "answering", "base"]
    answering_base = 0 if answering.empty else answering.iloc[0]  # no row at all: nobody gave a real answer
    # What a reader works out for group B's Don't know: asked base minus answering base.
    assert pd.isna(asked - answering_base)  # 5 - 0 would give 5 Don't know away
