"""Design-based variance (build_scripts/statistics/design.py) against R's survey package, and its properties.

One R run per module (the `r` fixture): a stratified, clustered sample with unequal weights, an fpc, zero
weights, a certainty stratum and PSU codes that repeat across strata is written to CSV beside statsmodels'
ANES 1996 data, and one script prints every case's estimate, SE and design effect at full precision. Each
test then compares ours within 1e-6 relative. Without Rscript those comparisons skip, unless CI is set,
where they fail: the engine's whole claim is agreeing with R.
"""

from __future__ import annotations

import dataclasses
import subprocess

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.datasets import anes96

from conftest import rscript as find_rscript

from build_scripts.statistics import design as design_module
from build_scripts.statistics.design import Design, lonely_strata, proportions

LEVELS = ["a", "b", "c", "d"]
DOMAINS = ["u", "v", "w"]
LONELY_STRATUM = 8  # collapsed to one PSU in the lonely-PSU design; domain "w" never reaches it
CERTAIN_STRATUM = 7  # its fpc equals its PSUs: sampled in full, so no variance with the fpc
PIDS = [f"p{code}" for code in range(7)]

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
d$cat <- factor(d$cat, levels = c("a", "b", "c", "d"))
anes <- read.csv(args[2], stringsAsFactors = FALSE)
anes$pid <- factor(anes$pid, levels = paste0("p", 0:6))

out <- function(case, label, est, se, deff)
  cat(sprintf("%s,%s,%.17g,%.17g,%.17g\n", case, label, est, se, deff), sep = "")
whole <- function(case, design, f, deff = TRUE, prefix = "") {
  m <- svymean(f, design, deff = deff)
  out(case, paste0(prefix, names(coef(m))), coef(m), SE(m), deff(m))
}
by <- function(case, design, f, byf, deff = TRUE) {
  b <- svyby(f, byf, design, svymean, deff = deff)
  vars <- attr(b, "svyby")$variables
  se <- if (length(vars) == 1) "se" else paste0("se.", vars)
  for (i in seq_along(vars))
    out(case, paste0(b[[1]], ":", vars[i]), b[[vars[i]]], b[[se[i]]], b[[paste0("DEff.", vars[i])]])
}
both <- function(case, design, f, byf, deff = TRUE) {
  whole(case, design, f, deff)
  by(case, design, f, byf, deff)
}
cells <- ~y + cat + y2

fpc <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d, nest = TRUE)
both("fpc", fpc, cells, ~dom)
both("replace", fpc, cells, ~dom, deff = "replace")
both("nofpc", svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE), cells, ~dom)
both("global", svydesign(ids = ~psu_global, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d), cells, ~dom)
both("own", svydesign(ids = ~1, strata = ~stratum, weights = ~w, fpc = ~fpc_own, data = d), cells, ~dom)

lone <- svydesign(ids = ~psu_lonely, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d, nest = TRUE)
for (choice in c("adjust", "remove")) {
  options(survey.lonely.psu = choice)
  both(choice, lone, cells, ~dom)
}
options(survey.lonely.psu = "fail")
failed <- function(label) function(e) cat(sprintf("fail,%s,error,error,error\n", label))
tryCatch(whole("fail", lone, cells), error = failed("all"))
for (k in c("u", "v", "w"))
  tryCatch(whole("fail", subset(lone, dom == k), cells, prefix = paste0(k, ":")), error = failed(k))

for (weight in c("w", "w2")) {
  a <- svydesign(ids = ~1, weights = as.formula(paste0("~", weight)), data = anes)
  both(paste0("anes-", weight), a, ~vote + pid, ~educ)
  both(paste0("anes-", weight, "-replace"), a, ~vote + pid, ~educ, deff = "replace")
}

source <- gsub("\\s+", " ", paste(deparse(survey:::svymean.survey.design2), collapse = " "))
cat(sprintf("source,%s,%d,%d,%d\n", packageVersion("survey"),
            grepl("nobs <- sum(weights(design) != 0)", source, fixed = TRUE),
            grepl("svyvar(x, design, na.rm = na.rm) * (psum - nobs)/(psum * nobs)", source, fixed = TRUE),
            grepl("svyvar(x, design, na.rm = na.rm)/(nobs)", source, fixed = TRUE)))
"""


# --- the data -------------------------------------------------------------------------------------

def stratified_sample(seed: int = 20_240_611) -> pd.DataFrame:
    """About 2,000 respondents in 8 strata of 2 to 6 PSUs, clustered answers, unequal and some zero weights."""
    rng = np.random.default_rng(seed)
    parts = []
    for stratum in range(1, 9):
        psus = int(rng.integers(2, 7))
        population = psus if stratum == CERTAIN_STRATUM else psus * int(rng.integers(3, 20))
        for psu in range(1, psus + 1):
            size = int(rng.integers(40, 120))
            lean = rng.normal(0, 0.12)  # what the PSU's members share: the clustering R's deff measures
            parts.append(pd.DataFrame({
                "stratum": stratum, "psu": psu, "psu_global": stratum * 10 + psu,
                "psu_lonely": 1 if stratum == LONELY_STRATUM else psu, "fpc": population,
                "w": rng.gamma(2.0, 20.0 + 5 * stratum, size) + 1,
                "y": (rng.random(size) < np.clip(0.35 + lean, 0.02, 0.98)).astype(int),
                "cat": rng.choice(LEVELS, size, p=[0.4, 0.3, 0.2, 0.1]),
                "dom": rng.choice(DOMAINS, size, p=[0.5, 0.3, 0.2]),
            }))
    frame = pd.concat(parts, ignore_index=True)
    frame.loc[rng.random(len(frame)) < 0.01, "w"] = 0.0
    # Domain "w" misses the lonely stratum (R then fails only for the others); "v" reaches one PSU of stratum 1
    # (a domain's lonely PSU, which R's default does not treat as lonely).
    frame.loc[(frame["stratum"] == LONELY_STRATUM) & (frame["dom"] == "w"), "dom"] = "u"
    frame.loc[(frame["stratum"] == 1) & (frame["psu"] > 1) & (frame["dom"] == "v"), "dom"] = "u"
    # Proportions of exactly 0 and 1: "d" is never chosen in "w", and everyone in "w" has y2.
    frame.loc[(frame["dom"] == "w") & (frame["cat"] == "d"), "cat"] = "a"
    frame["y2"] = np.where(frame["dom"] == "w", 1, (rng.random(len(frame)) < 0.5).astype(int))
    frame["fpc_own"] = frame.groupby("stratum")["w"].transform("size") * 4  # respondents, for the "own" case
    return frame


def anes_sample() -> pd.DataFrame:
    """statsmodels' ANES 1996: vote (1 = Dole), party identification, education, unweighted and weighted."""
    data = anes96.load_pandas().data
    frame = pd.DataFrame({
        "vote": data["vote"].astype(int), "pid": "p" + data["PID"].astype(int).astype(str),
        "educ": "e" + data["educ"].astype(int).astype(str), "w": 1.0,
    })
    frame["w2"] = 500.0 + 300.0 * (data["age"].to_numpy() % 7) + 200.0 * data["educ"].to_numpy()  # made up
    return frame


# --- R, once ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def r(tmp_path_factory) -> dict[tuple[str, str], tuple[float, float, float]]:
    """Every case's (estimate, SE, deff) from R's survey package, by (case, label); errors as None."""
    rscript = find_rscript()
    folder = tmp_path_factory.mktemp("r")
    stratified_sample().to_csv(folder / "sample.csv", index=False)
    anes_sample().to_csv(folder / "anes.csv", index=False)
    (folder / "cases.R").write_text(R_SCRIPT)
    run = subprocess.run([rscript, str(folder / "cases.R"), str(folder / "sample.csv"), str(folder / "anes.csv")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    results = {}
    for line in run.stdout.splitlines():
        case, label, *values = line.split(",")
        results[case, label] = None if values[0] == "error" else tuple(values if case == "source" else
                                                                      map(_number, values))
    return results


def _number(text: str) -> float:
    return {"NA": np.nan, "NaN": np.nan, "Inf": np.inf, "-Inf": -np.inf}.get(text) or float(text)


def r_case(r: dict, case: str) -> dict[str, tuple[float, float, float]]:
    found = {label: values for (name, label), values in r.items() if name == case}
    assert found, f"R printed nothing for {case!r}"
    return found


# --- ours -------------------------------------------------------------------------------------------

def cells(frame: pd.DataFrame, outcomes: dict[str, np.ndarray], by: str | None = None):
    """R's labels and, per label, the outcome and domain: the whole sample's, then each group's of `by`."""
    labels, y, domain = [], [], []
    groups = [None] if by is None else sorted(frame[by].unique())
    for group in groups:
        inside = np.ones(len(frame), dtype=bool) if group is None else (frame[by] == group).to_numpy()
        for name, outcome in outcomes.items():
            labels.append(name if group is None else f"{group}:{name}")
            y.append(outcome)
            domain.append(inside)
    return labels, y, domain


def sample_outcomes(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    outcomes = {"y": (frame["y"] == 1).to_numpy()}
    outcomes |= {f"cat{level}": (frame["cat"] == level).to_numpy() for level in LEVELS}
    outcomes["y2"] = (frame["y2"] == 1).to_numpy()
    return outcomes


def sample_design(frame: pd.DataFrame, case: str) -> Design:
    if case == "own":  # each respondent their own PSU, within strata
        return Design(frame["w"].to_numpy(), frame["stratum"].to_numpy(), None, frame["fpc_own"].to_numpy())
    psu = {"global": "psu_global", "adjust": "psu_lonely", "remove": "psu_lonely", "fail": "psu_lonely"}
    return Design(frame["w"].to_numpy(), frame["stratum"].to_numpy(), frame[psu.get(case, "psu")].to_numpy(),
                  None if case == "nofpc" else frame["fpc"].to_numpy())


def ours(design: Design, labels, y, domain, **options) -> dict[str, tuple[float, float, float]]:
    result = proportions(design, y, domain, **options)
    return {label: (result.estimate[i], result.se[i], result.deff[i]) for i, label in enumerate(labels)}


def assert_same(mine: dict, theirs: dict) -> None:
    assert sorted(mine) == sorted(theirs)
    labels = sorted(theirs)
    for column, name in enumerate(("estimate", "SE", "deff")):
        np.testing.assert_allclose([mine[label][column] for label in labels],
                                   [theirs[label][column] for label in labels], rtol=1e-6, atol=1e-14,
                                   err_msg=f"{name} differs from R's")


# --- against R --------------------------------------------------------------------------------------

CASES = {  # case -> our options; the design comes from sample_design(frame, case)
    "fpc": {}, "nofpc": {}, "global": {}, "own": {}, "replace": {"srs_replacement": True},
    "adjust": {"lonely": "adjust"}, "remove": {"lonely": "remove"},
}


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return stratified_sample()


@pytest.mark.parametrize("case", CASES)
def test_the_whole_sample_matches_r(r, sample, case):
    labels, y, domain = cells(sample, sample_outcomes(sample))
    mine = ours(sample_design(sample, case), labels, np.column_stack(y), None, **CASES[case])
    assert_same(mine, {label: values for label, values in r_case(r, case).items() if ":" not in label})


@pytest.mark.parametrize("case", CASES)
def test_domains_match_r_svyby(r, sample, case):
    labels, y, domain = cells(sample, sample_outcomes(sample), by="dom")
    mine = ours(sample_design(sample, case), labels, y, domain, **CASES[case])
    assert_same(mine, {label: values for label, values in r_case(r, case).items() if ":" in label})


def test_the_fixture_has_the_cases_it_claims(sample):
    """Zero weights, a certainty stratum, a lonely stratum, exact 0 and 1 and a domain's lonely PSU are all there."""
    assert (sample["w"] == 0).sum() > 5
    assert sample.groupby("stratum")["psu"].nunique().between(2, 6).all()
    certain = sample[sample["stratum"] == CERTAIN_STRATUM]
    assert (certain["fpc"] == certain["psu"].nunique()).all()
    assert list(lonely_strata(sample_design(sample, "adjust"))) == [LONELY_STRATUM]
    assert list(lonely_strata(sample_design(sample, "fpc"))) == []
    in_w = sample[sample["dom"] == "w"]
    assert (in_w["y2"] == 1).all() and not (in_w["cat"] == "d").any()
    assert sample[(sample["stratum"] == 1) & (sample["dom"] == "v")]["psu"].nunique() == 1


def test_exact_proportions_have_no_standard_error_and_no_deff_as_in_r(r, sample):
    labels, y, domain = cells(sample, sample_outcomes(sample), by="dom")
    result = proportions(sample_design(sample, "fpc"), y, domain)
    for label in ("w:y2", "w:catd"):
        i = labels.index(label)
        assert result.estimate[i] == (1.0 if label == "w:y2" else 0.0)
        assert result.se[i] == 0.0 and np.isnan(result.deff[i]) and np.isnan(result.effective_n[i])
        assert r["fpc", label][1] == 0.0 and np.isnan(r["fpc", label][2])


def test_a_lonely_psu_fails_where_r_fails(r, sample):
    """R stops for every domain that reaches the lonely stratum; we flag those cells and leave their SE NaN."""
    design = sample_design(sample, "fail")
    whole_labels, whole_y, _ = cells(sample, sample_outcomes(sample))
    assert r["fail", "all"] is None
    whole = proportions(design, whole_y)  # lonely="fail" is the default, as in R
    assert whole.lonely.all() and np.isnan(whole.se).all() and np.isnan(whole.deff).all()
    assert np.isfinite(whole.estimate).all()
    labels, y, domain = cells(sample, sample_outcomes(sample), by="dom")
    result = proportions(design, y, domain)
    for group in DOMAINS:
        mine = [i for i, label in enumerate(labels) if label.startswith(f"{group}:")]
        if ("fail", group) in r:  # R's error
            assert result.lonely[mine].all() and np.isnan(result.se[mine]).all()
        else:
            assert group == "w" and not result.lonely[mine].any()
            assert_same({labels[i]: (result.estimate[i], result.se[i], result.deff[i]) for i in mine},
                        {label: values for label, values in r_case(r, "fail").items() if label.startswith("w:")})
    assert {group for group in DOMAINS if ("fail", group) in r} == {"u", "v"}


def test_r_still_defines_deff_as_we_read_it(r):
    """survey:::svymean.survey.design2 holds the lines the module's docstring quotes."""
    (version, found), = [(label, values) for (case, label), values in r.items() if case == "source"]
    assert found == ("1", "1", "1"), f"survey {version} changed its deff"


# --- ANES 1996: no strata, each respondent their own PSU ------------------------------------------

@pytest.fixture(scope="module")
def anes() -> pd.DataFrame:
    return anes_sample()


def anes_cells(frame: pd.DataFrame, by: str | None = None):
    outcomes = {"vote": (frame["vote"] == 1).to_numpy()}
    outcomes |= {f"pid{code}": (frame["pid"] == code).to_numpy() for code in PIDS}
    return cells(frame, outcomes, by)


@pytest.mark.parametrize("weight", ["w", "w2"])
@pytest.mark.parametrize("replace", [False, True])
def test_anes_matches_r(r, anes, weight, replace):
    case = f"anes-{weight}" + ("-replace" if replace else "")
    design = Design(anes[weight].to_numpy())
    for by in (None, "educ"):
        labels, y, domain = anes_cells(anes, by)
        assert_same(ours(design, labels, y, domain, srs_replacement=replace),
                    {label: values for label, values in r_case(r, case).items() if (":" in label) == (by is not None)})


def test_anes_unweighted_deff_is_infinite_as_in_r(r, anes):
    """Weights of 1 add up to n, so R's SRS-without-replacement variance is 0: deff=TRUE is useless there."""
    labels, y, domain = anes_cells(anes)
    result = proportions(Design(anes["w"].to_numpy()), y)
    assert np.isinf(result.deff).all() and (result.effective_n == 0).all()
    assert np.isinf([r["anes-w", label][2] for label in labels]).all()
    replaced = proportions(Design(anes["w"].to_numpy()), y, srs_replacement=True)
    np.testing.assert_allclose(replaced.deff, 1.0, rtol=1e-12)


@pytest.mark.parametrize("weight", ["w", "w2"])
def test_anes_matches_statsmodels_robust_weighted_mean(anes, weight):
    """Own PSUs, no strata: the linearised variance is the HC1 sandwich of a weighted mean over all n rows."""
    labels, y, domain = anes_cells(anes, "educ")
    result = proportions(Design(anes[weight].to_numpy()), y, domain)
    for i in range(len(labels)):
        fit = sm.WLS(y[i].astype(float), np.ones(len(anes)), weights=anes[weight].to_numpy() * domain[i]).fit(
            cov_type="HC1")
        assert result.estimate[i] == pytest.approx(fit.params[0], rel=1e-10, abs=1e-14)
        assert result.se[i] == pytest.approx(fit.bse[0], rel=1e-8, abs=1e-14)


# --- edge cases -------------------------------------------------------------------------------------

def test_a_survey_with_nobody_is_not_a_number():
    result = proportions(Design(np.zeros(0)), np.zeros((0, 2), dtype=bool))
    assert np.isnan(result.estimate).all() and result.n.tolist() == [0, 0] and not result.lonely.any()
    assert proportions(Design(np.zeros(0)), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)).n.tolist() == [0]


def test_a_domain_with_nobody_is_not_a_number():
    design = Design(np.ones(10) * 3, psu=np.arange(10) // 2)
    result = proportions(design, np.arange(10) < 4, np.zeros(10, dtype=bool))
    assert np.isnan(result.estimate).all() and np.isnan(result.se).all() and np.isnan(result.deff).all()
    assert result.n.tolist() == [0]
    only_zero_weights = proportions(Design(np.r_[np.zeros(3), np.ones(7)]), np.ones(10, dtype=bool), np.arange(10) < 3)
    assert np.isnan(only_zero_weights.estimate).all() and only_zero_weights.n.tolist() == [0]


def test_zero_weights_keep_their_psus_but_not_their_count():
    """A zero-weight respondent counts for nothing, but its PSU is still one of the stratum's n_h (as in R)."""
    weights = np.array([2.0, 3.0, 4.0, 5.0, 0.0])
    y = np.array([True, False, True, True, False])
    with_zero = proportions(Design(weights), y)
    assert with_zero.n.tolist() == [4]
    assert with_zero.estimate[0] == pytest.approx(11 / 14)
    scores = weights * (y - 11 / 14) / 14
    assert with_zero.se[0] == pytest.approx(np.sqrt(5 / 4 * (scores**2).sum()))  # n_h = 5 PSUs, not 4


def test_a_stratum_sampled_in_full_has_no_variance_and_is_never_lonely():
    weights = np.full(6, 10.0)
    strata = np.array([1, 1, 1, 1, 2, 2])
    psu = np.array([1, 2, 3, 4, 1, 1])  # stratum 2: one PSU, which is the whole stratum (fpc 1)
    fpc = np.array([40, 40, 40, 40, 1, 1])
    design = Design(weights, strata, psu, fpc)
    assert lonely_strata(design).size == 0
    y = np.array([True, False, False, True, True, False])
    only_first = proportions(Design(weights[:4], strata[:4], psu[:4], fpc[:4]), y[:4])
    full = proportions(design, y, strata == 1)
    assert full.se[0] == pytest.approx(only_first.se[0]) and not full.lonely[0]
    assert proportions(design, y, strata == 2).se[0] == 0.0


def test_lonely_strata_are_named_and_only_their_domains_flagged():
    design = Design(np.ones(7), np.array([5, 5, 5, 9, 9, 3, 3]), np.array([1, 2, 2, 7, 7, 1, 2]))
    assert lonely_strata(design).tolist() == [9]
    y = np.ones(7, dtype=bool)
    result = proportions(design, [y, y], [np.arange(7) < 3, np.arange(7) >= 3])
    assert result.lonely.tolist() == [False, True]
    assert result.se[0] == 0.0 and np.isnan(result.se[1])


@pytest.mark.parametrize("bad, message", [
    (dict(weights=np.array([1.0, -1.0])), "weight"),
    (dict(weights=np.array([1.0, np.nan])), "weight"),
    (dict(weights=np.ones(2), strata=np.array([1.0, 2.0])), "strata"),
    (dict(weights=np.ones(2), psu=np.array([1])), "psu"),
    (dict(weights=np.ones(2), psu=np.array([1, 2]), fpc=np.array([1, 1])), "at least the PSUs sampled"),
    (dict(weights=np.ones(3), psu=np.array([1, 2, 3]), fpc=np.array([5, 5, 6])), "same for every respondent"),
])
def test_a_design_that_is_not_one_is_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        Design(**bad)


def test_cells_must_be_boolean_and_match():
    design = Design(np.ones(4))
    with pytest.raises(TypeError, match="boolean"):
        proportions(design, np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError, match="cells"):
        proportions(design, np.ones((4, 3), dtype=bool), [np.ones(4, dtype=bool)] * 2)
    with pytest.raises(ValueError, match="lonely"):
        proportions(design, np.ones(4, dtype=bool), lonely="average")


def test_blocks_of_cells_give_what_one_block_gives(sample, monkeypatch):
    """A large table is done a few cells at a time to bound memory; the blocks must not change any number."""
    labels, y, domain = cells(sample, sample_outcomes(sample), by="dom")
    design = sample_design(sample, "adjust")
    for shared in (False, True):
        args = (np.column_stack(y), domain[-1]) if shared else (y, domain)
        whole = proportions(design, *args, lonely="adjust")
        monkeypatch.setattr(design_module, "BLOCK", 4 * len(sample))
        blocked = proportions(design, *args, lonely="adjust")
        monkeypatch.undo()
        for name in ("estimate", "se", "deff", "n", "effective_n", "lonely"):
            np.testing.assert_array_equal(getattr(blocked, name), getattr(whole, name))


# --- properties -------------------------------------------------------------------------------------

answers = st.lists(st.booleans(), min_size=2, max_size=60)


@settings(max_examples=60, deadline=None)
@given(answers, st.sampled_from([1.0, 1.5, 2.0, 7.25, 300.0]))
def test_simple_random_sample_has_the_textbook_standard_error(y, weight):
    """Equal weights, no strata, own PSUs: SE = sqrt(p(1-p)/(n-1)) and R's deff = psum/(psum - n) = c/(c - 1)."""
    y = np.array(y)
    n, p = len(y), y.mean()
    result = proportions(Design(np.full(n, weight)), y)
    assert result.estimate[0] == pytest.approx(p, abs=1e-15)
    assert result.se[0] == pytest.approx(np.sqrt(p * (1 - p) / (n - 1)), rel=1e-9, abs=1e-15)
    replaced = proportions(Design(np.full(n, weight)), y, srs_replacement=True)
    if 0 < p < 1:
        assert result.deff[0] == (pytest.approx(weight / (weight - 1), rel=1e-9) if weight > 1 else np.inf)
        assert replaced.deff[0] == pytest.approx(1.0, rel=1e-9)
        assert replaced.effective_n[0] == pytest.approx(n, rel=1e-9)
    else:
        assert result.se[0] == 0 and np.isnan(result.deff[0]) and np.isnan(replaced.deff[0])


@st.composite
def surveys(draw, max_respondents: int = 40):
    """A small stratified clustered survey: weights (some 0), strata, PSUs within strata, a y and a domain."""
    n = draw(st.integers(4, max_respondents))
    strata = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    psu = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    weights = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5, 4.0, 10.0]), min_size=n, max_size=n)))
    y = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    domain = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    return weights, strata, psu, y, domain


def _same(a, b, rel: float = 1e-9, lonely: bool = True) -> None:
    for name in ("estimate", "se", "deff", "n", "effective_n", "lonely")[:None if lonely else -1]:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=rel, atol=1e-15, err_msg=name)


@settings(max_examples=60, deadline=None)
@given(surveys(), st.randoms(use_true_random=False))
def test_the_order_of_respondents_and_the_codes_chosen_change_nothing(survey, random):
    weights, strata, psu, y, domain = survey
    before = proportions(Design(weights, strata, psu), [y, ~y], [domain, domain], lonely="adjust")
    order = np.array(random.sample(range(len(y)), len(y)))
    relabel = np.array(random.sample(range(100, 200), 3))  # any distinct codes, in any order
    global_psu = strata * 10 + psu  # codes unique across strata: what nest=TRUE makes of repeated ones
    after = proportions(Design(weights[order], relabel[strata[order]], global_psu[order]),
                        [y[order], ~y[order]], [domain[order]] * 2, lonely="adjust")
    _same(before, after)


@settings(max_examples=60, deadline=None)
@given(surveys())
def test_a_domain_is_the_sample_with_zero_weights_outside_it(survey):
    """R's subset keeps every PSU and zeroes the rest: so does weighting the others 0, deff and n included.

    Only the lonely flag may differ: a domain can miss a lonely stratum that the whole sample reaches.
    """
    weights, strata, psu, y, domain = survey
    design = Design(weights, strata, psu)
    _same(proportions(design, y, domain, lonely="adjust"),
          proportions(Design(np.where(domain, weights, 0.0), strata, psu), y, lonely="adjust"), lonely=False)


@settings(max_examples=60, deadline=None)
@given(surveys(), st.booleans())
def test_own_psus_summed_by_stratum_agree_with_summing_scores(survey, with_fpc):
    """Each respondent their own PSU is done from sums per stratum, not from scores: both ways must agree,
    lonely strata (of one respondent) and zero weights included."""
    weights, strata, _, y, domain = survey
    fpc = (np.bincount(strata)[strata] * 3).astype(float) if with_fpc else None
    fast = Design(weights, strata, None, fpc)
    slow = Design(weights, strata, None, fpc)
    object.__setattr__(slow, "_layout", dataclasses.replace(slow._layout, singletons=False))
    assert fast._layout.singletons
    for lonely in ("adjust", "remove", "fail"):
        _same(proportions(fast, [y, y], [domain, ~domain], lonely=lonely),
              proportions(slow, [y, y], [domain, ~domain], lonely=lonely), rel=1e-7)


@settings(max_examples=60, deadline=None)
@given(surveys())
def test_yes_and_no_are_complements(survey):
    weights, strata, psu, y, domain = survey
    result = proportions(Design(weights, strata, psu), np.column_stack([y, ~y]), domain, lonely="adjust")
    if result.n[0]:
        assert result.estimate.sum() == pytest.approx(1.0)
        assert result.se[0] == pytest.approx(result.se[1], rel=1e-9, abs=1e-15)
        np.testing.assert_allclose(result.deff[0], result.deff[1], rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(surveys(), st.lists(st.floats(0.001, 1e6), min_size=4, max_size=4))
def test_a_domain_that_all_say_yes_to_is_exactly_one_with_no_error(survey, weights):
    """Sums of many unequal weights round; the estimate must still be exactly 1 (and 0), its SE exactly 0."""
    _, strata, psu, _, domain = survey
    weights = np.resize(weights, len(strata))
    result = proportions(Design(weights, strata, psu), [domain, ~domain & domain, domain],
                         [domain, domain, np.ones(len(domain), dtype=bool)], lonely="adjust")
    if domain.any():
        assert result.estimate[:2].tolist() == [1.0, 0.0] and result.se[:2].tolist() == [0.0, 0.0]
        assert np.isnan(result.deff[:2]).all()
        assert 0 < result.estimate[2] <= 1


@settings(max_examples=60, deadline=None)
@given(surveys(), st.sampled_from([0.01, 3.0, 1000.0]))
def test_scaling_the_weights_changes_only_the_without_replacement_deff(survey, factor):
    weights, strata, psu, y, domain = survey
    before = proportions(Design(weights, strata, psu), y, domain, lonely="adjust", srs_replacement=True)
    after = proportions(Design(weights * factor, strata, psu), y, domain, lonely="adjust", srs_replacement=True)
    _same(before, after, rel=1e-7)


@settings(max_examples=60, deadline=None)
@given(surveys())
def test_a_psu_is_only_its_total(survey):
    """Respondents of one PSU who answer alike, merged into one with their summed weight: same p and SE.

    The linearised variance sees only PSU totals of the scores; a formula that used respondents would differ.
    """
    weights, strata, psu, y, domain = survey
    frame = pd.DataFrame({"w": weights, "s": strata, "p": psu, "y": y, "d": domain})
    merged = frame.groupby(["s", "p", "y", "d"], as_index=False)["w"].sum()
    # A respondent of weight 0 still holds its PSU open; merging keeps one row per (PSU, answer, domain).
    before = proportions(Design(weights, strata, psu), y, domain, lonely="adjust")
    after = proportions(Design(merged["w"].to_numpy(), merged["s"].to_numpy(), merged["p"].to_numpy()),
                        merged["y"].to_numpy(), merged["d"].to_numpy(), lonely="adjust")
    assert np.isnan(after.estimate[0]) == np.isnan(before.estimate[0])
    np.testing.assert_allclose(after.estimate, before.estimate, rtol=1e-9)
    np.testing.assert_allclose(after.se, before.se, rtol=1e-7, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(answers, st.integers(2, 6))
def test_copying_every_psu_shrinks_the_variance_as_n_over_n_minus_1_says(y, psus):
    """One stratum of clustered PSUs, each copied into a new PSU with half the weights: p is the same, and
    v' = v (n - 1)/(2n - 1), since the scores halve, the sum of squares doubles and n/(n - 1) becomes 2n/(2n - 1)."""
    y = np.array(y)
    n = len(y)
    psu = np.arange(n) % psus
    weights = 1.0 + np.arange(n) % 3
    before = proportions(Design(weights, psu=psu), y)
    after = proportions(Design(np.r_[weights, weights] / 2, psu=np.r_[psu, psu + psus]), np.r_[y, y])
    k = len(np.unique(psu))
    assert after.estimate[0] == pytest.approx(before.estimate[0])
    assert after.se[0] ** 2 == pytest.approx(before.se[0] ** 2 * (k - 1) / (2 * k - 1), rel=1e-9, abs=1e-30)


@pytest.mark.parametrize("shape", ["clustered", "singletons", "lonely", "fpc"])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_breakdown_at_once_is_each_domain_alone(shape, seed):
    """breakdown_proportions (PSU totals by weighted counts) gives proportions()'s numbers over every domain."""
    rng = np.random.default_rng(seed)
    n = 900
    strata = rng.integers(0, 6, n)
    psu = None if shape == "singletons" else rng.integers(0, 4, n)
    if shape == "lonely":
        psu[strata == 5] = 0
    fpc = np.where(strata == 2, 4.0, 40.0) if shape == "fpc" else None
    if shape == "fpc":
        psu = np.where(strata == 2, rng.integers(0, 4, n), psu)  # stratum 2 sampled in full
    weights = rng.gamma(2.0, 1.0, n)
    weights[rng.random(n) < 0.02] = 0.0
    design = Design(weights, strata, psu, fpc)
    answers = rng.integers(0, 3, n)
    answered = rng.random(n) < 0.9
    groups = np.where(rng.random(n) < 0.05, -1, rng.integers(0, 4, n))
    groups[groups == 3] = np.where(answers[groups == 3] == 2, 1, 3)  # a group where one answer never occurs
    cells = [(answers == k, 0) for k in range(3)] + [((answers == 0) | (answers == 1), 1)]
    bases = [answered, answered & (answers != 2)]
    lonely = "adjust" if shape == "lonely" else "fail"
    inside, outside = design_module.breakdown_proportions(design, cells, bases, groups, 4, lonely=lonely,
                                                          srs_replacement=True)
    for c, (flags, base) in enumerate(cells):
        for g in range(4):
            for found, domain in ((inside, bases[base] & (groups == g)), (outside, bases[base] & (groups != g))):
                alone = proportions(design, flags, domain, lonely=lonely, srs_replacement=True)
                at = c * 4 + g
                for name in ("estimate", "se", "deff", "n", "effective_n"):
                    np.testing.assert_allclose(getattr(found, name)[at], getattr(alone, name)[0], rtol=1e-9,
                                               atol=1e-15, equal_nan=True, err_msg=f"{name} cell {c} group {g}")
                assert found.lonely[at] == alone.lonely[0]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(["Yes", "No", "Don't know", ""])),
                min_size=60, max_size=160))
def test_one_psu_per_respondent_prints_what_simple_random_sampling_prints(answers):
    """Property: with equal weights, no strata and each respondent a PSU, every published figure, interval,
    suppression and tested word is what the survey without a design publishes."""
    from conftest import make_survey, table_for

    rows = [{"id": str(i), "g": group, "q": answer} for i, (group, answer) in enumerate(answers)]
    question = {"key": "q", "title": "Q", "text": "Q?", "type": "single", "column": "q",
                "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"},
                            {"key": "dont_know", "label": "Don't know", "kind": "dont_know"}]}
    plain = table_for([make_survey(rows, [question])]).set_index("key")
    designed = table_for([make_survey(rows, [question], design={"psu": "id"})]).set_index("key")
    assert list(plain.index) == list(designed.index)
    for column in ["suppressed", "suppression", "low_base", "count", "base"]:
        assert designed[column].equals(plain[column]), column
    # The words, except where a test sits within a whisker of its threshold (the bases differ by 1/n there).
    clear = ~(((plain["p_adjusted"] - 0.05).abs() < 0.005) | ((plain["p_value"] - 0.05).abs() < 0.005))
    assert designed.loc[clear, "change"].equals(plain.loc[clear, "change"])
    np.testing.assert_allclose(designed["estimate"], plain["estimate"], rtol=1e-12)
    n = plain["base"].astype(float).to_numpy()
    # Where the design effect is defined (a share strictly between 0 and 1; otherwise Kish's base, 1, stands).
    defined = (designed["estimate"] > 0) & (designed["estimate"] < 1)
    expected = len(rows) * (n - 1) / ((len(rows) - 1) * n)
    np.testing.assert_allclose(designed.loc[defined, "design_effect"], expected[defined.to_numpy()], rtol=1e-9)
    assert (designed.loc[~defined & designed["estimate"].notna(), "design_effect"] == 1).all()
    smallest = max(float(np.nanmin(n)), 1.0)
    for column in ["ci_low", "ci_high", "difference_low", "difference_high"]:
        # Within the domain factor of 1/n: a domain's with-replacement variance, as R's svyby gives it.
        np.testing.assert_allclose(designed[column], plain[column], rtol=2 / smallest, atol=1e-12, err_msg=column)
