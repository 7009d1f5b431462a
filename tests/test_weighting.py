"""Raking: it converges to the targets, holds the cap, and says clearly when it cannot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from build_scripts.cache import Cache
from build_scripts.ingest.codebook import Codebook
from build_scripts.pipeline.compute import Project, compute
from build_scripts.standards import Thresholds
from build_scripts.statistics.weighting import extreme_weights, rake, survey_weights


def _sample(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "Age": rng.choice(["Young", "Old"], size=n, p=[0.25, 0.75]),
        "Sex": rng.choice(["F", "M"], size=n, p=[0.6, 0.4]),
        "Region": rng.choice(["N", "S", "E"], size=n, p=[0.5, 0.3, 0.2]),
    })


def _book(targets: list[dict], cap: float = 5) -> Codebook:
    return Codebook.model_validate({
        "id": "t", "title": "T", "commissioned_by": "c", "conducted_by": "c",
        "fieldwork": {"start": "2020-01-01", "end": "2020-01-02"}, "method": "m", "population": "p",
        "coverage": "c", "id_column": "id",
        "weighting": {"targets": targets, "cap": cap, "variables": ["age by sex", "region"], "targets_source": "census"},
        "segments": [
            {"key": "age", "label": "Age", "column": "Age",
             "options": [{"key": "young", "label": "Young"}, {"key": "old", "label": "Old"}]},
            {"key": "sex", "label": "Sex", "column": "Sex",
             "options": [{"key": "f", "label": "F"}, {"key": "m", "label": "M"}]},
            {"key": "region", "label": "Region", "column": "Region",
             "options": [{"key": "n", "label": "N"}, {"key": "s", "label": "S"}, {"key": "e", "label": "E"}]},
        ],
        "questions": [{"key": "q", "title": "Q", "text": "Q?", "type": "text", "column": "Age"}],
    })


AGE_SEX = {"segments": ["age", "sex"], "shares": {"young/f": 22, "young/m": 23, "old/f": 29, "old/m": 26}}
REGION = {"segments": ["region"], "shares": {"n": 40, "s": 35, "e": 25}}


def test_raking_hits_joint_and_single_targets():
    frame = _sample()
    weights, problems = survey_weights(_book([AGE_SEX, REGION]), frame, "t.csv")
    assert problems == []
    assert weights.mean() == pytest.approx(1)
    cell = frame["Age"].str.lower() + "/" + frame["Sex"].str.lower()
    for group, share in AGE_SEX["shares"].items():
        assert weights[cell == group].sum() / weights.sum() == pytest.approx(share / 100, abs=1e-4)
    for group, share in REGION["shares"].items():
        assert weights[frame["Region"].str.lower() == group].sum() / weights.sum() == pytest.approx(share / 100, abs=1e-4)


def test_the_cap_holds_and_a_cap_too_tight_to_reach_the_targets_is_reported():
    frame = _sample()
    tight = _book([{"segments": ["age"], "shares": {"young": 70, "old": 30}}], cap=1.5)
    weights, problems = survey_weights(tight, frame, "t.csv")
    assert weights.max() <= 1.5
    [problem] = problems
    assert problem.where == "weighting target age" and "raise `cap`" in problem.fix and "cap of 1.5" in problem.message


def test_a_target_group_with_no_respondents_is_reported_not_raked():
    frame = _sample()
    frame["Region"] = frame["Region"].replace("E", "N")
    weights, problems = survey_weights(_book([REGION]), frame, "t.csv")
    assert weights is None
    [problem] = problems
    assert problem.value == "e" and "no respondents" in problem.message


def test_rake_keeps_the_index_and_order_of_the_respondents():
    groups = pd.DataFrame({"g": ["a", "b", "b", "b"]}, index=[10, 11, 12, 13])
    weights = rake(groups, {"g": {"a": 0.5, "b": 0.5}}, cap=5)
    assert list(weights.index) == [10, 11, 12, 13]
    assert weights.tolist() == pytest.approx([2.0, 2 / 3, 2 / 3, 2 / 3])


@pytest.mark.parametrize("shares, message", [
    ({"young/f": 22, "young/m": 23, "old/f": 55}, "no share for ['old/m']"),
    ({"young/f": 22, "young/m": 23, "old/f": 29, "old/m": 26, "old/x": 0.1}, "unknown groups ['old/x']"),
    ({"young/f": 22, "young/m": 23, "old/f": 29, "old/m": 36}, "add up to 110"),
])
def test_codebook_targets_must_cover_every_group_and_add_up(shares, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _book([{"segments": ["age", "sex"], "shares": shares}])


# --- extreme weights: warnings, not errors ----------------------------------------------------------------------

def _supplied(weights: list[float]) -> tuple[Codebook, pd.Series]:
    book = Codebook.model_validate({
        "id": "t", "title": "T", "commissioned_by": "c", "conducted_by": "c",
        "fieldwork": {"start": "2020-01-01", "end": "2020-01-02"}, "method": "m", "population": "p",
        "coverage": "c", "id_column": "id",
        "weighting": {"column": "Weight", "variables": ["region"], "targets_source": "census"},
        "segments": [{"key": "g", "label": "G", "column": "g", "options": [{"key": "a", "label": "A"}]}],
        "questions": [{"key": "q", "title": "Q", "text": "Q?", "type": "text", "column": "q"}],
    })
    # Spreadsheet rows: the header is row 1, so the first respondent is row 2.
    return book, pd.Series(weights, index=range(2, 2 + len(weights)), name="Weight")


def test_a_weight_above_ten_times_the_mean_is_a_warning_naming_its_rows():
    book, weights = _supplied([1.0] * 98 + [60.0, 80.0])
    problems = extreme_weights(book, weights, "t/responses.csv")
    assert len(problems) == 1
    text = problems[0].describe()
    assert "rows 100, 101" in text and "column 'Weight'" in text and "10 times the mean" in text
    assert problems[0].value == "60"


def test_ordinary_weights_raise_no_warning_and_the_cap_is_a_setting():
    book, weights = _supplied([0.5, 1.0, 1.5, 2.0] * 25 + [9.0])
    assert extreme_weights(book, weights, "f") == []
    assert extreme_weights(book, weights, "f", Thresholds(weight_warning_above=5)) != []
    assert extreme_weights(book, None, "f") == []


def test_a_weight_that_is_not_positive_is_named_too():
    book, weights = _supplied([1.0, 0.0, 1.0, -2.0])
    (problem,) = extreme_weights(book, weights, "f")
    assert "rows 3, 5" in problem.where and "not a positive number" in problem.message


def test_extreme_weights_warn_in_check_and_still_warn_when_the_survey_comes_from_the_cache(mini_site):
    responses = mini_site / "surveys" / "mini-2020" / "responses.csv"
    lines = responses.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0] + ",15"  # row 6 of the spreadsheet: 13 times the mean
    responses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cache = Cache(mini_site / ".cache")
    for run in range(2):
        results = compute(Project(mini_site), cache=cache)
        found = [w for w in results.warnings if "times the mean weight" in w.message]
        assert len(found) == 1 and "row 6" in found[0].where, results.warnings
    assert cache.hits.get("survey") == 1  # the second run read the survey's figures from the cache


def test_check_prints_the_extreme_weight_warning(mini_site):
    responses = mini_site / "surveys" / "mini-2020" / "responses.csv"
    lines = responses.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0] + ",15"
    responses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from click.testing import CliRunner

    from build_scripts.cli.commands import main

    result = CliRunner().invoke(main, ["check", "--project", str(mini_site)])
    assert result.exit_code == 0, result.output
    assert "warning: surveys/mini-2020/responses.csv, column 'weight', row 6: a weight is more than 10 times" in result.output


def _weightipy_rake(groups: pd.DataFrame, targets: dict, cap: float) -> np.ndarray:
    """The oracle: weightipy's rim weighting, which the build used before its own twenty lines."""
    import weightipy

    scheme = weightipy.scheme_from_dict(
        {name: {group: 100 * share for group, share in shares.items()} for name, shares in targets.items()},
        rim_params={"cap": cap, "convcrit": 1e-10, "max_iterations": 5000})
    weights = weightipy.weight(groups.reset_index(drop=True), scheme).to_numpy(dtype=float)
    return weights / weights.mean()


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_raking_gives_the_weights_weightipy_gives(seed):
    frame = _sample(seed=seed)
    groups = pd.DataFrame({"age/sex": (frame["Age"] + "/" + frame["Sex"]).str.lower(),
                           "region": frame["Region"].str.lower()})
    targets = {"age/sex": {g: s / 100 for g, s in AGE_SEX["shares"].items()},
               "region": {g: s / 100 for g, s in REGION["shares"].items()}}
    ours = rake(groups, targets, cap=5).to_numpy()
    assert ours == pytest.approx(_weightipy_rake(groups, targets, cap=5), rel=1e-7)


def test_raking_a_two_by_two_table_by_hand():
    # Cells (young f, young m, old f, old m) hold 1, 2, 3 and 4 respondents; the targets are half young and
    # half women. Raking keeps the table's cross-product ratio, (1 x 4) / (2 x 3) = 2/3, and meets the margins,
    # so the weighted cells (out of 10) are x, 5 - x, 5 - x, x with x^2 / (5 - x)^2 = 2/3:
    # x = 5 sqrt(2/3) / (1 + sqrt(2/3)) = 2.2474...
    groups = pd.DataFrame({"age": ["young"] * 3 + ["old"] * 7,
                           "sex": ["f", "m", "m", "f", "f", "f", "m", "m", "m", "m"]})
    weights = rake(groups, {"age": {"young": 0.5, "old": 0.5}, "sex": {"f": 0.5, "m": 0.5}}, cap=5)
    root = (2 / 3) ** 0.5
    young_women = weights[(groups["age"] == "young") & (groups["sex"] == "f")].sum()
    assert young_women / weights.sum() * 10 == pytest.approx(5 * root / (1 + root), rel=1e-9)
