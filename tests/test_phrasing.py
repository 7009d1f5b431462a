"""Words for numbers: every phrase form, true and false, at the edges (standards rule 13)."""

from __future__ import annotations

import pytest

from build_scripts.editorial.claims import claim_problem
from build_scripts.editorial.phrasing import PhraseError, holds, parse, words


@pytest.mark.parametrize("phrase, value, true", [
    # more than / over / above: strictly above, on the unrounded figure
    ("more than 40 per cent", 0.41, True), ("more than 40 per cent", 0.40, False),
    ("more than 40 per cent", 0.3996, False), ("over 40%", 0.4001, True), ("above four in ten", 0.39, False),
    ("more than four in ten", 0.41, True),
    # nearly / almost / just under: below it, within 3 points
    ("nearly a third", 0.318, True), ("nearly a third", 0.333, True), ("nearly a third", 1 / 3, False),
    ("nearly a third", 0.3034, True), ("nearly a third", 0.30, False), ("almost 30 per cent", 0.292, True),
    ("nearly 30 per cent", 0.30, False), ("just under half", 0.48, True),
    # around / about / roughly: within 2 points either side
    ("around 57%", 0.55, True), ("about 57%", 0.5901, False), ("roughly a quarter", 0.27, True),
    # a bare "N in M" or fraction: within 2 points
    ("one in three", 0.334, True), ("one in three", 0.353, True), ("one in three", 0.36, False),
    ("a third", 0.313, False), ("two thirds", 0.66, True), ("half", 0.49, True), ("three quarters", 0.70, False),
    ("one in ten", 0.11, True),
    # a bare percentage: the figure rounds (half up) to it, at the precision written
    ("57 per cent", 0.5694, True), ("57%", 0.5749, True), ("57%", 0.575, False), ("58%", 0.575, True),
    ("41.5%", 0.4149, True), ("41.5%", 0.4144, False), ("33.3%", 0.333, True), ("40%", 0.3996, True),
    # at least / at most / under / fewer than
    ("at least 40%", 0.40, True), ("at least 40%", 0.3999, False), ("at most a quarter", 0.25, True),
    ("under a quarter", 0.24, True), ("under a quarter", 0.25, False), ("fewer than one in ten", 0.09, True),
    ("less than 5 per cent", 0.05, False),
    # a majority / most: above half; a minority: below
    ("a majority", 0.57, True), ("a majority", 0.5, False), ("most", 0.501, True), ("a minority", 0.49, True),
    ("a minority", 0.5, False),
])
def test_proportion_phrases(phrase, value, true):
    assert holds(parse(phrase), value) is true


@pytest.mark.parametrize("phrase, points, true", [
    ("more than 10 percentage points", 14.6, True), ("more than 10 percentage points", 10.0, False),
    ("at least 5 points", -5.2, True), ("around 3 percentage points", 4.9, True), ("5 percentage points", 5.4, True),
    ("5 percentage points", 5.5, False),
])
def test_percentage_point_phrases(phrase, points, true):
    assert holds(parse(phrase), points) is true


@pytest.mark.parametrize("phrase, ratio, true", [
    ("four times", 4.0, True), ("four times", 4.4, True), ("four times", 4.6, False), ("five times", 4.0, False),
    ("for every £1 spent on early help, local authorities spend a further £4", 4.0, True),
    ("for every £1 spent, £5", 4.0, False), ("more than three times as much", 4.0, True),
])
def test_ratio_phrases(phrase, ratio, true):
    assert holds(parse(phrase), ratio) is true


def test_percentage_points_and_ratios_are_not_confused_with_percentages():
    change = {"estimate": "0.67", "suppressed": "false", "compare_to": "x", "change": "rose", "change_pp": "14.6"}
    assert claim_problem("rose by more than 10 percentage points", change) is None
    assert "the figure rose" in claim_problem("fell by 15 percentage points", change)
    assert "the figure rose" in claim_problem("little change", change)
    assert "is about ratio, but the figure is a proportion" in claim_problem(
        "four times", None, {"value": 0.6, "unit": "proportion"})
    assert "is about proportion, but the figure is a ratio" in claim_problem("60%", None, {"value": 4, "unit": "ratio"})
    assert claim_problem("60%", None, {"value": 0.6, "unit": "proportion"}) is None


@pytest.mark.parametrize("value, phrase", [
    (0.41, "more than four in ten"), (0.318, "nearly a third"), (0.334, "one in three"),
    (0.292, "nearly three in ten"), (0.569, "a majority"), (0.75, "three quarters"), (0.05, "5%"), (0.4, "four in ten"),
])
def test_words_are_the_honest_ones_and_hold(value, phrase):
    assert words(value) == phrase
    if "%" not in phrase:
        assert holds(parse(phrase), value)


def test_a_false_claim_says_what_would_be_true():
    row = {"estimate": "0.41", "suppressed": "false", "compare_to": ""}
    problem = claim_problem("more than 45 per cent", row)
    assert "is not true of 41%" in problem and "'more than four in ten'" in problem


@pytest.mark.parametrize("phrase", ["lots", "more than many", "40", "a bunch of people"])
def test_unreadable_phrases_say_which_forms_work(phrase):
    with pytest.raises(PhraseError, match="more than 40 per cent"):
        parse(phrase)
