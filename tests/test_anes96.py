"""Real microdata: the 1996 American National Election Study (statsmodels' copy) through the whole build.

The fixture (tests/fixtures/anes96) holds only the codebook and a minimal site; the responses are
written here from `statsmodels.datasets.anes96` into a temporary copy, as a survey tool would
export them: one row per respondent, answers as the study's numeric codes. Every figure is then
checked against one computed in this file straight from statsmodels' DataFrame (value counts,
per-respondent means, statsmodels' Wilson interval), never from the pipeline's own helpers.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import FIXTURES, run_here
from statsmodels.datasets import anes96
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

from build_scripts.pipeline.compute import Project, compute

FIXTURE = FIXTURES / "anes96"
SURVEY = "anes96"
N = 944  # respondents in statsmodels' copy (anes96.NOTE: "Number of observations - 944")

# Option keys and the export codes they stand for, from statsmodels.datasets.anes96.NOTE.
VOTE = {"clinton": (0, "Bill Clinton"), "dole": (1, "Bob Dole")}
PID = {
    "strong-democrat": (0, "Strong Democrat"), "weak-democrat": (1, "Weak Democrat"),
    "independent-democrat": (2, "Independent leaning Democrat"), "independent": (3, "Independent"),
    "independent-republican": (4, "Independent leaning Republican"), "weak-republican": (5, "Weak Republican"),
    "strong-republican": (6, "Strong Republican"),
}
SELF_LR = {
    "1-extremely-liberal": (1, "Extremely liberal"), "2-liberal": (2, "Liberal"),
    "3-slightly-liberal": (3, "Slightly liberal"), "4-moderate": (4, "Moderate"),
    "5-slightly-conservative": (5, "Slightly conservative"), "6-conservative": (6, "Conservative"),
    "7-extremely-conservative": (7, "Extremely conservative"),
}
QUESTIONS = {"vote": ("vote", VOTE), "pid": ("PID", PID), "selflr": ("selfLR", SELF_LR)}
NETS = {  # net key -> (question, column, codes), added up per respondent
    ("pid", "democrat"): ("PID", {0, 1}),
    ("pid", "republican"): ("PID", {5, 6}),
    ("selflr", "liberal"): ("selfLR", {1, 2, 3}),
    ("selflr", "conservative"): ("selfLR", {5, 6, 7}),
}
EDUC = {
    "grades-1-8": 1, "some-high-school": 2, "high-school-graduate": 3, "some-college": 4,
    "college-degree": 5, "masters-degree": 6, "phd": 7,
}
AGE_BANDS = [(18, 29, "18-29", "18 to 29"), (30, 44, "30-44", "30 to 44"), (45, 64, "45-64", "45 to 64"),
             (65, 200, "65-plus", "65 and over")]
# Household income, coded 1 to 24 (anes96.NOTE), used only by the performance test below.
INCOME_BANDS = [
    "None or less than $2,999", "$3,000 to $4,999", "$5,000 to $6,999", "$7,000 to $8,999", "$9,000 to $9,999",
    "$10,000 to $10,999", "$11,000 to $11,999", "$12,000 to $12,999", "$13,000 to $13,999", "$14,000 to $14,999",
    "$15,000 to $16,999", "$17,000 to $19,999", "$20,000 to $21,999", "$22,000 to $24,999", "$25,000 to $29,999",
    "$30,000 to $34,999", "$35,000 to $39,999", "$40,000 to $44,999", "$45,000 to $49,999", "$50,000 to $59,999",
    "$60,000 to $74,999", "$75,000 to $89,999", "$90,000 to $104,999", "$105,000 and over",
]


@pytest.fixture(scope="module")
def anes() -> pd.DataFrame:
    """statsmodels' copy of the data, exactly as it loads (every variable a float)."""
    return anes96.load_pandas().data


def age_band(age: float) -> str:
    return next(label for low, high, _, label in AGE_BANDS if low <= age <= high)


def export(frame: pd.DataFrame, income: bool = False) -> pd.DataFrame:
    """The responses file a survey tool would give: IDs, then every answer as its code in text ("1", not 1.0)."""
    out = pd.DataFrame({"respondent": [str(i) for i in frame.index]}, index=frame.index)
    for column in ["vote", "PID", "selfLR", "educ", *(["income"] if income else [])]:
        assert (frame[column] == frame[column].round()).all()  # whole-number codes stored as floats
        out[column] = frame[column].astype(int).astype(str)
    out["age_band"] = frame["age"].map(age_band)
    return out


def site_copy(root: Path, frame: pd.DataFrame, income: bool = False) -> Path:
    shutil.copytree(FIXTURE, root)
    export(frame, income).to_csv(root / "surveys" / SURVEY / "responses.csv", index=False)
    return root


@pytest.fixture(scope="module")
def table(tmp_path_factory, anes) -> pd.DataFrame:
    root = site_copy(tmp_path_factory.mktemp("anes96") / "site", anes)
    return compute(Project(root)).table.frame.set_index("key")


@pytest.fixture(scope="module")
def built(tmp_path_factory, anes) -> Path:
    root = site_copy(tmp_path_factory.mktemp("anes96-built") / "site", anes)
    result = run_here("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def wilson(count: int, base: int) -> tuple[float, float]:
    low, high = proportion_confint(count, base, alpha=0.05, method="wilson")
    return float(low), float(high)


def assert_figure(row: pd.Series, count: int, base: int) -> None:
    """A published figure: its base, count, share and Wilson interval as computed here."""
    assert not row["suppressed"] and row["suppression"] == ""
    assert int(row["base"]) == base
    assert int(row["count"]) == count
    assert row["estimate"] == pytest.approx(count / base, abs=1e-12)
    low, high = wilson(count, base)
    assert row["ci_low"] == pytest.approx(low, abs=1e-12)
    assert row["ci_high"] == pytest.approx(high, abs=1e-12)
    assert row["effective_base"] == base and not row["weighted"]  # the copy is unweighted


def house_percent(share: float) -> str:
    """A share as a whole percentage, rounded half up (house style), worked out here independently."""
    return f"{(Decimal(repr(share)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def page_text(path: Path) -> str:
    """What a reader sees without hovering: tags and the inline figures' hover notes removed."""
    raw = re.sub(r'<span class="figure-tip".*?</span>', "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", raw)))


def test_the_data_is_the_documented_copy(anes):
    assert len(anes) == N
    assert anes[["vote", "PID", "selfLR", "educ"]].notna().all().all()
    assert set(anes["vote"]) == {0.0, 1.0}


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_option_for_the_whole_sample(table, anes, question):
    column, options = QUESTIONS[question]
    counts = anes[column].value_counts()
    assert set(counts.index) == {float(code) for code, _ in options.values()}  # the codebook misses no code
    for option, (code, label) in options.items():
        row = table.loc[f"{SURVEY}.{question}.{option}"]
        assert row["segment"] == "" and row["option_label"] == label
        assert_figure(row, int(counts[float(code)]), N)
    shares = [table.loc[f"{SURVEY}.{question}.{o}", "estimate"] for o in options]
    assert sum(shares) == pytest.approx(1.0)


def test_known_shares(table):
    # The 1996 expected vote in this copy, as anyone can check: 551 Clinton, 393 Dole.
    assert int(table.loc["anes96.vote.clinton", "count"]) == 551
    assert int(table.loc["anes96.vote.dole", "count"]) == 393


@pytest.mark.parametrize(("question", "net"), NETS)
def test_nets_are_added_up_per_respondent(table, anes, question, net):
    column, codes = NETS[(question, net)]
    chosen = anes[column].isin([float(c) for c in codes])
    row = table.loc[f"{SURVEY}.{question}.{net}"]
    assert row["option_type"] == "net"
    assert_figure(row, int(chosen.sum()), N)
    assert row["estimate"] == pytest.approx(chosen.mean(), abs=1e-12)


def test_dole_share_by_education(table, anes):
    groups = {key: anes[anes["educ"] == float(code)] for key, code in EDUC.items()}
    assert sum(len(g) for g in groups.values()) == N
    published, hidden = [], []
    for key, group in groups.items():
        base, dole = len(group), int((group["vote"] == 1.0).sum())
        row = table.loc[f"anes96.vote.dole.educ={key}"]
        assert (row["segment"], row["segment_value"]) == ("educ", key)
        assert int(row["base"]) == base
        if base < 50:  # standards rule 4
            assert row["suppressed"] and row["suppression"] == "base under 50"
            assert pd.isna(row["estimate"]) and pd.isna(row["ci_low"]) and pd.isna(row["count"])
        elif 1 <= dole < 10 or 1 <= base - dole < 10:  # standards rule 5
            assert row["suppressed"]
        if row["suppressed"]:
            assert pd.isna(row["estimate"])
            hidden.append(key)
        else:
            assert row["suppression"] == ""
            assert_figure(row, dole, base)
            assert row["low_base"] == (base < 100)
            published.append(key)
    # 13 respondents left school by grade 8, so that group is suppressed; its counts are 1 to 9, and the
    # whole-sample counts are published, so at least one more group must be hidden or subtraction gives
    # it away (secondary suppression).
    small = groups["grades-1-8"]
    assert len(small) < 50 and 1 <= int((small["vote"] == 1.0).sum()) < 10
    assert "grades-1-8" in hidden and len(hidden) >= 2
    assert len(published) >= 4  # the large groups (high school graduates: 248) stay published
    for key in ["high-school-graduate", "some-college", "masters-degree", "phd"]:
        assert len(groups[key]) >= 100 and key in published


def test_breakdown_by_age_band(table, anes):
    bands = anes["age"].map(age_band)
    for _, _, key, label in AGE_BANDS:
        group = anes[bands == label]
        row = table.loc[f"anes96.pid.democrat.age={key}"]
        assert int(row["base"]) == len(group) >= 100
        assert_figure(row, int(group["PID"].isin([0.0, 1.0]).sum()), len(group))


def test_build_publishes_the_survey_page_and_stats_csv(built, anes):
    page = built / "site" / "data" / SURVEY / "index.html"
    raw = page.read_text(encoding="utf-8")
    text = page_text(page)
    assert "Who do you think you will vote for in the election for President?" in text
    assert ("Generally speaking, do you usually think of yourself as a Republican, a Democrat, an Independent, "
            "or what?") in text
    assert "Where would you place yourself on this scale, or haven't you thought much about this?" in text
    assert "Base: 944 who answered" in text
    assert "American National Election Studies" in text and "In-person interviews" in text
    assert "1 September to 30 November 1996" in text and "Unweighted" in text
    for code, label in VOTE.values():
        share = float((anes["vote"] == code).mean())
        low, high = wilson(int((anes["vote"] == code).sum()), N)
        cells = rf"<td>{re.escape(label)}</td>\s*<td[^>]*>{house_percent(share)}</td>\s*"
        cells += rf"<td>{house_percent(low)} to {house_percent(high)}</td>"
        assert re.search(cells, raw), f"no table row for {label} at {house_percent(share)}"
    assert house_percent(float((anes["vote"] == 0).mean())) == "58%"  # the page above showed real numbers
    home = page_text(built / "site" / "index.html")
    assert "58% expected to vote for Clinton and 42% for Dole" in home

    with (built / "site" / "data" / "stats.csv").open(encoding="utf-8") as handle:
        rows = {row["key"]: row for row in csv.DictReader(handle)}
    dole = rows["anes96.vote.dole"]
    dole_count = int((anes["vote"] == 1.0).sum())
    assert (dole["survey"], dole["question"], dole["option"], dole["segment"]) == (SURVEY, "vote", "dole", "")
    assert dole["option_label"] == "Bob Dole"
    assert (dole["base"], dole["count"], dole["suppressed"]) == (str(N), str(dole_count), "false")
    assert float(dole["estimate"]) == pytest.approx(dole_count / N, abs=1e-15)
    assert float(dole["ci_low"]) == pytest.approx(wilson(dole_count, N)[0], abs=1e-12)
    assert rows["anes96.vote.dole.educ=grades-1-8"]["suppressed"] == "true"


def test_a_wide_income_breakdown_is_protected(tmp_path, anes):
    # Party identification (7 answers, 2 nets) by 24 income bands: many small groups and small counts.
    root = site_copy(tmp_path / "site", anes, income=True)
    codebook = root / "surveys" / SURVEY / "survey.yml"
    book = yaml.safe_load(codebook.read_text(encoding="utf-8"))
    book["segments"].append({
        "key": "income", "label": "Household income", "column": "income",
        "options": [{"key": f"band-{code}", "label": label, "value": str(code)}
                    for code, label in enumerate(INCOME_BANDS, 1)],
    })
    codebook.write_text(yaml.safe_dump(book, sort_keys=False, allow_unicode=True), encoding="utf-8")
    table = compute(Project(root)).table.frame
    rows = table[(table["segment"] == "income") & (table["question"] == "pid") & (table["comparison"] == "")]
    assert len(rows) == 24 * 9
    published = rows[~rows["suppressed"].astype(bool)]
    assert not published["count"].astype(int).between(1, 9).any()
    assert rows.loc[rows["base"] < 50, "estimate"].isna().all()
    assert (rows["suppression"] == "secondary").any()


def test_differences_on_real_data_are_statsmodels_tests_with_holm(table):
    """Every published difference row: the pooled two-proportion test on the counts, Newcombe's interval,
    Holm over the survey's page, each from statsmodels; the rest of a group worked out from published counts."""
    rows = table[table["comparison"] == "difference"]
    published = rows[~rows["suppressed"].astype(bool)]
    assert len(published) >= 10
    p_values = []
    for key, row in published.iterrows():
        group = table.loc[key.rsplit(".vs=", 1)[0]]
        if row["compare_to"] == "rest":
            whole = table.loc[f"{SURVEY}.{row['question']}.{row['option']}"]
            other_count, other_base = int(whole["count"]) - int(group["count"]), int(whole["base"]) - int(group["base"])
        else:
            other = table.loc[f"{SURVEY}.{row['question']}.{row['option']}.{row['segment']}={row['compare_to']}"]
            other_count, other_base = int(other["count"]), int(other["base"])
        count, base = int(group["count"]), int(group["base"])
        _, p = proportions_ztest([count, other_count], [base, other_base])
        low, high = confint_proportions_2indep(count, base, other_count, other_base, method="newcomb", compare="diff")
        assert row["p_value"] == pytest.approx(p, rel=1e-9, abs=1e-300), key
        assert row["previous_estimate"] == pytest.approx(other_count / other_base, rel=1e-12), key
        assert (row["difference_low"], row["difference_high"]) == (pytest.approx(low * 100, rel=1e-9),
                                                                   pytest.approx(high * 100, rel=1e-9)), key
        p_values.append(p)
    adjusted = multipletests(p_values, method="holm")[1]
    np.testing.assert_allclose(published["p_adjusted"].to_numpy(dtype=float), adjusted, rtol=1e-9)
    words = ["no clear difference" if p >= 0.05 else "more likely" if d > 0 else "less likely"
             for p, d in zip(adjusted, published["change_pp"], strict=True)]
    assert list(published["change"]) == words
