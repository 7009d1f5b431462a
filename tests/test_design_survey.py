"""A survey with a sample design, end to end, against R's survey package: the NHANES extract R ships.

R's `data(nhanes)` (8,591 people, 15 strata, 31 PSUs, examination weights) is written to CSV by R into a copy
of tests/fixtures/nhanes, the pipeline computes its statistics table, and one R run gives every figure's
estimate, SE and design effect (deff="replace") for everyone, each group of race, age and sex, and the rest
of the sample outside each group. The published design effects, design-effective bases, intervals and
differences must agree within 1e-6 relative; the differences' tests are checked with statsmodels on the
bases R's design effects give. Without Rscript these skip, unless CI is set, where they fail.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

from conftest import rscript as find_rscript

from build_scripts.editorial.formatting import percent, signed_points
from build_scripts.errors import DataError
from build_scripts.pipeline.compute import compute
from build_scripts.project import Project

FIXTURE = Path(__file__).parent / "fixtures" / "nhanes"
Z = 1.959963984540054  # R's qnorm(0.975)
SEGMENTS = {  # our segment key: (R's column, {R's value: our group key})
    "race": ("race", {"1": "hispanic", "2": "white", "3": "black", "4": "other"}),
    "age": ("agecat", {"(0,19]": "0-19", "(19,39]": "20-39", "(39,59]": "40-59", "(59,Inf]": "60-plus"}),
    "sex": ("RIAGENDR", {"1": "male", "2": "female"}),
}

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
data(nhanes)
write.csv(cbind(id = seq_len(nrow(nhanes)), nhanes), args[1], row.names = FALSE, na = "")
nhanes$agecat <- as.character(nhanes$agecat)
report <- function(case, design) {
  sub <- subset(design, !is.na(HI_CHOL))
  cat(sprintf("%s|||%.17g|%.17g|%.17g|%d\n", case, coef(m <- svymean(~HI_CHOL, sub, deff = "replace")),
              SE(m), deff(m), sum(!is.na(design$variables$HI_CHOL))), sep = "")
  for (column in c("race", "agecat", "RIAGENDR")) {
    for (g in sort(unique(as.character(nhanes[[column]])))) {
      inside <- subset(sub, as.character(get(column)) == g)
      rest <- subset(sub, as.character(get(column)) != g)
      m <- svymean(~HI_CHOL, inside, deff = "replace")
      cat(sprintf("%s|%s|%s|%.17g|%.17g|%.17g|%d\n", case, column, g, coef(m), SE(m), deff(m),
                  sum(weights(inside) > 0)), sep = "")
      m <- svymean(~HI_CHOL, rest, deff = "replace")
      cat(sprintf("%s|%s|rest:%s|%.17g|%.17g|%.17g|%d\n", case, column, g, coef(m), SE(m), deff(m),
                  sum(weights(rest) > 0)), sep = "")
    }
  }
}
report("design", svydesign(ids = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhanes))
lonely <- nhanes
lonely$SDMVPSU[lonely$SDMVSTRA == 89] <- 1
options(survey.lonely.psu = "adjust")
report("adjust", svydesign(ids = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = lonely))
"""


@pytest.fixture(scope="module")
def r(tmp_path_factory) -> tuple[pd.DataFrame, Path]:
    """R's figures for every case, and the responses file R wrote."""
    rscript = find_rscript()
    folder = tmp_path_factory.mktemp("nhanes-r")
    (folder / "nhanes.R").write_text(R_SCRIPT)
    responses = folder / "responses.csv"
    run = subprocess.run([rscript, str(folder / "nhanes.R"), str(responses)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    rows = [line.split("|") for line in run.stdout.splitlines()]
    frame = pd.DataFrame(rows, columns=["case", "column", "group", "estimate", "se", "deff", "n"])
    for column in ("estimate", "se", "deff"):
        frame[column] = frame[column].astype(float)
    frame["n"] = frame["n"].astype(int)
    return frame, responses


def site(root: Path, responses: Path, change=None) -> Path:
    """A copy of the fixture with R's responses, its codebook changed by `change(book)` if given."""
    shutil.copytree(FIXTURE, root)
    shutil.copy(responses, root / "surveys" / "nhanes" / "responses.csv")
    if change is not None:
        path = root / "surveys" / "nhanes" / "survey.yml"
        book = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(book)
        path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    return root


def figures(root: Path) -> pd.DataFrame:
    table = compute(Project(root), data_only=True).table
    return table.frame.set_index("key")


def r_figures(r_frame: pd.DataFrame, case: str) -> dict[str, pd.Series]:
    """R's rows by our key of the 'high cholesterol' figure (group rows and 'rest:' rows by their group's key)."""
    found = {}
    for _, row in r_frame[r_frame["case"] == case].iterrows():
        if not row["column"]:
            found["nhanes.cholesterol.high"] = row
            continue
        segment = next(k for k, (column, _) in SEGMENTS.items() if column == row["column"])
        groups = SEGMENTS[segment][1]
        rest = row["group"].startswith("rest:")
        key = f"nhanes.cholesterol.high.{segment}={groups[row['group'].removeprefix('rest:')]}"
        found[key + (".rest" if rest else "")] = row
    return found


@pytest.fixture(scope="module")
def designed(r, tmp_path_factory) -> pd.DataFrame:
    return figures(site(tmp_path_factory.mktemp("nhanes") / "site", r[1]))


def test_design_effects_and_bases_are_rs(r, designed):
    expected = r_figures(r[0], "design")
    checked = 0
    for key, row in expected.items():
        if key.endswith(".rest"):
            continue
        ours = designed.loc[key]
        assert ours["estimate"] == pytest.approx(row["estimate"], rel=1e-9), key
        assert ours["design_effect"] == pytest.approx(row["deff"], rel=1e-6), key
        assert int(ours["base"]) == row["n"], key
        assert ours["effective_base"] == pytest.approx(row["n"] / row["deff"], rel=1e-6), key
        # The other answer of a yes/no question has the same variance, so the same design effect.
        other = designed.loc[key.replace(".high", ".not-high")]
        assert other["design_effect"] == pytest.approx(row["deff"], rel=1e-6), key
        checked += 1
    assert checked == 1 + 4 + 4 + 2
    # The point: weighting alone (Kish) understates the variance of this clustered sample.
    assert designed.loc["nhanes.cholesterol.high", "design_effect"] > 2


def test_intervals_are_wilson_on_the_design_effective_base(r, designed):
    for key, row in r_figures(r[0], "design").items():
        if key.endswith(".rest"):
            continue
        base = row["n"] / row["deff"]
        low, high = proportion_confint(row["estimate"] * base, base, alpha=0.05, method="wilson")
        assert designed.loc[key, "ci_low"] == pytest.approx(low, rel=1e-6), key
        assert designed.loc[key, "ci_high"] == pytest.approx(high, rel=1e-6), key


def test_a_wald_interval_is_rs_confint(r, tmp_path):
    root = site(tmp_path / "site", r[1], lambda book: book["design"].update(interval="wald"))
    ours = figures(root)
    for key, row in r_figures(r[0], "design").items():
        if key.endswith(".rest"):
            continue
        assert ours.loc[key, "ci_low"] == pytest.approx(row["estimate"] - Z * row["se"], rel=1e-6), key
        assert ours.loc[key, "ci_high"] == pytest.approx(row["estimate"] + Z * row["se"], rel=1e-6), key


def test_differences_use_design_effective_bases_and_holm(r, designed):
    expected = r_figures(r[0], "design")
    rows = designed[designed["comparison"] == "difference"]
    assert len(rows) == 4 + 4 + 1  # each race and age group against the rest; the two sexes against each other
    p_values, keys = [], []
    for key, row in rows.iterrows():
        figure = key.rsplit(".vs=", 1)[0]
        a = expected[figure]
        if row["compare_to"] == "rest":
            b = expected[figure + ".rest"]
        else:
            b = expected[figure.rsplit("=", 1)[0] + "=" + row["compare_to"]]
        assert row["previous_estimate"] == pytest.approx(b["estimate"], rel=1e-9), key
        n_a, n_b = a["n"] / a["deff"], b["n"] / b["deff"]
        counts, bases = [a["estimate"] * n_a, b["estimate"] * n_b], [n_a, n_b]
        _, p = proportions_ztest(counts, bases)
        assert row["p_value"] == pytest.approx(p, rel=1e-6, abs=1e-300), key
        low, high = confint_proportions_2indep(counts[0], n_a, counts[1], n_b, method="newcomb", compare="diff")
        assert row["difference_low"] == pytest.approx(low * 100, rel=1e-6), key
        assert row["difference_high"] == pytest.approx(high * 100, rel=1e-6), key
        assert row["change_pp"] == pytest.approx((a["estimate"] - b["estimate"]) * 100, rel=1e-9), key
        p_values.append(p)
        keys.append(key)
    adjusted = multipletests(p_values, method="holm")[1]
    for key, p, holm in zip(keys, p_values, adjusted, strict=True):
        row = rows.loc[key]
        assert row["p_adjusted"] == pytest.approx(holm, rel=1e-6, abs=1e-300), key
        words = ("more likely" if row["change_pp"] > 0 else "less likely") if holm < 0.05 else "no clear difference"
        assert row["change"] == words, key
    # Holm can withhold the words an unadjusted test would give: here, men against women.
    sexes = rows.loc["nhanes.cholesterol.high.sex=male.vs=female"]
    assert sexes["p_value"] < 0.05 <= sexes["p_adjusted"] and sexes["change"] == "no clear difference"


def test_a_lonely_psu_stops_the_build_until_the_codebook_says_what_to_do(r, tmp_path):
    root = site(tmp_path / "site", r[1])
    responses = root / "surveys" / "nhanes" / "responses.csv"
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    frame.loc[frame["SDMVSTRA"] == "89", "SDMVPSU"] = "1"
    frame.to_csv(responses, index=False)
    with pytest.raises(DataError) as raised:
        compute(Project(root))
    [problem] = raised.value.problems
    assert "single PSU" in problem.message and "'89'" in problem.message
    assert "lonely_psu: adjust" in problem.fix and problem.where == "column 'SDMVSTRA'"

    path = root / "surveys" / "nhanes" / "survey.yml"
    book = yaml.safe_load(path.read_text(encoding="utf-8"))
    book["design"]["lonely_psu"] = "adjust"
    path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    ours = figures(root)
    for key, row in r_figures(r[0], "adjust").items():
        if not key.endswith(".rest"):
            assert ours.loc[key, "design_effect"] == pytest.approx(row["deff"], rel=1e-6), key


def test_without_a_design_bases_are_kish_as_before(r, tmp_path):
    root = site(tmp_path / "site", r[1], lambda book: book.pop("design"))
    ours = figures(root)
    data = pd.read_csv(root / "surveys" / "nhanes" / "responses.csv", dtype={"HI_CHOL": str}, keep_default_na=False)
    answered = data[data["HI_CHOL"] != ""]
    w = answered["WTMEC2YR"].to_numpy(dtype=float)
    kish = w.sum() ** 2 / (w ** 2).sum()  # by hand
    whole = ours.loc["nhanes.cholesterol.high"]
    assert whole["effective_base"] == pytest.approx(kish, rel=1e-12)
    assert whole["design_effect"] == pytest.approx(len(answered) / kish, rel=1e-12)
    p = w[answered["HI_CHOL"] == "1"].sum() / w.sum()
    low, high = proportion_confint(p * kish, kish, method="wilson")
    assert (whole["ci_low"], whole["ci_high"]) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))


def test_one_psu_per_respondent_and_no_strata_changes_nothing(r, tmp_path):
    """With equal weights, a design of one PSU per respondent and no strata is simple random sampling.

    The whole design's figures are today's exactly. A domain's (a group's, or those who answered) variance
    is R's with-replacement domain variance, whose design effect against simple random sampling of the
    domain is N(n - 1) / ((N - 1) n) for n of N respondents, by hand: within 1/n of 1, so every printed
    figure, interval and word is today's.
    """
    def simple(book, design=None):
        book.pop("weighting")
        book.pop("design")
        if design:
            book["design"] = design
    plain = figures(site(tmp_path / "plain", r[1], simple))
    designed = figures(site(tmp_path / "designed", r[1], lambda book: simple(book, {"psu": "id"})))
    assert list(plain.index) == list(designed.index)
    everyone = len(pd.read_csv(tmp_path / "plain" / "surveys" / "nhanes" / "responses.csv"))
    n = designed["base"].astype(float)
    np.testing.assert_allclose(designed["design_effect"], everyone * (n - 1) / ((everyone - 1) * n), rtol=1e-9)
    assert (plain["design_effect"] == 1).all()
    for column in ["estimate", "change_pp"]:
        np.testing.assert_allclose(designed[column].to_numpy(dtype=float), plain[column].to_numpy(dtype=float),
                                   rtol=1e-12, err_msg=column)
    for column in ["ci_low", "ci_high", "difference_low", "difference_high"]:
        ours, today = designed[column].to_numpy(dtype=float), plain[column].to_numpy(dtype=float)
        np.testing.assert_allclose(ours, today, rtol=2 / n.min(), err_msg=column)
        shown = percent if column.startswith("ci") else lambda v: "" if np.isnan(v) else signed_points(v)
        assert [shown(v) for v in ours] == [shown(v) for v in today], column
    for column in ["base", "count", "suppressed", "suppression", "change", "low_base"]:
        assert designed[column].equals(plain[column]), column

    # Where the domain is the whole design (everyone answered, no breakdown), the figures are today's exactly.
    def everyone_answers(book, design=None):
        simple(book, design)
        book["questions"][0]["column"] = "RIAGENDR"
        book["questions"][0]["options"] = [{"key": "high", "label": "Male", "value": "1"},
                                           {"key": "not-high", "label": "Female", "value": "2"}]
        book["segments"] = []
    plain = figures(site(tmp_path / "plain-all", r[1], everyone_answers))
    designed = figures(site(tmp_path / "designed-all", r[1], lambda book: everyone_answers(book, {"psu": "id"})))
    for column in ["estimate", "ci_low", "ci_high", "effective_base", "design_effect"]:
        np.testing.assert_allclose(designed[column].to_numpy(dtype=float), plain[column].to_numpy(dtype=float),
                                   rtol=1e-12, err_msg=column)


def test_design_columns_are_checked_with_every_problem_at_once(r, tmp_path):
    def broken(book):
        book["design"]["fpc"] = "population_psus"
    root = site(tmp_path / "site", r[1], broken)
    responses = root / "surveys" / "nhanes" / "responses.csv"
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    frame["population_psus"] = "40"
    frame.loc[frame["SDMVSTRA"] == "75", "population_psus"] = "1"  # fewer than the 2 PSUs sampled
    frame.loc[frame.index[:3], "population_psus"] = "lots"
    frame.loc[frame.index[5], "population_psus"] = "41"  # differs within its stratum
    frame.to_csv(responses, index=False)
    frame.loc[frame.index[7], "SDMVSTRA"] = " "
    frame.to_csv(responses, index=False)
    with pytest.raises(DataError) as raised:  # every problem at once: the blank stratum and the fpc's
        compute(Project(root))
    said = [p.describe() for p in raised.value.problems]
    assert len(said) == 4, said
    assert any("rows 2, 3, 4" in m and "not a number" in m for m in said)
    assert any("no stratum" in m and "column 'SDMVSTRA', row 9" in m for m in said)
    assert any("differs within the stratum" in m for m in said)
    assert any("smaller than the 2 PSU(s)" in m for m in said)

    frame.loc[frame.index[:3], "population_psus"] = "40"
    frame.loc[frame.index[7], "SDMVSTRA"] = frame.loc[frame.index[6], "SDMVSTRA"]
    frame.to_csv(responses, index=False)
    with pytest.raises(DataError) as raised:
        compute(Project(root))
    said = " ".join(p.describe() for p in raised.value.problems)
    assert "differs within the stratum" in said and "smaller than the 2 PSU(s)" in said


def test_a_design_names_its_columns(r, tmp_path):
    root = site(tmp_path / "site", r[1], lambda book: book["design"].update(strata=None, psu=None))
    with pytest.raises(DataError) as raised:
        compute(Project(root))
    assert any("a design needs `strata`, `psu` or both" in p.describe() for p in raised.value.problems)
