"""End to end over two waves: raking, nets, answering bases, both multi-select shapes, free text, change."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportions_ztest

MARGINS = {"Region": {"North": 0.50, "South": 0.40, "Islands": 0.10}, "Age": {"Under 40": 0.45, "40 and over": 0.55}}


@pytest.fixture(scope="module")
def waves_site(built_waves_site: Path) -> Path:
    return built_waves_site  # built once for the session (conftest); only read here


@pytest.fixture(scope="module")
def stats(waves_site: Path) -> pd.DataFrame:
    return pd.read_csv(waves_site / "site/data/stats.csv", keep_default_na=False).set_index("key")


def _responses(site: Path, survey: str) -> pd.DataFrame:
    return pd.read_csv(site / "surveys" / survey / "responses.csv", dtype=str, keep_default_na=False)


def _ipf(frame: pd.DataFrame, sweeps: int = 200) -> np.ndarray:
    """Raking written out by hand, to check the library's weights against."""
    weights = np.ones(len(frame))
    for _ in range(sweeps):
        for column, targets in MARGINS.items():
            totals = {value: weights[frame[column] == value].sum() for value in targets}
            factor = frame[column].map({v: targets[v] * weights.sum() / totals[v] for v in targets}).to_numpy()
            weights = weights * factor
    return weights / weights.mean()


def _share(chosen: pd.Series, weights: np.ndarray, base: pd.Series) -> float:
    return float(weights[(chosen & base).to_numpy()].sum() / weights[base.to_numpy()].sum())


@pytest.mark.parametrize("survey", ["tracker-2019", "tracker-2020"])
def test_raked_net_and_answering_base_match_an_independent_calculation(waves_site, stats, survey):
    frame = _responses(waves_site, survey)
    weights = _ipf(frame)
    assert weights.max() < 4  # the codebook's cap does not bind, so hand-raking and the library must agree
    answering = frame["Q1"] != "Don't know"
    agree = frame["Q1"].isin(["Strongly agree", "Agree"])
    row = stats.loc[f"{survey}.support.agree"]
    assert float(row["estimate"]) == pytest.approx(_share(agree, weights, answering), abs=1e-6)
    assert int(row["base"]) == answering.sum() and row["base_type"] == "answering" and row["option_type"] == "net"
    n_eff = weights[answering].sum() ** 2 / (weights[answering] ** 2).sum()
    assert float(row["effective_base"]) == pytest.approx(n_eff, abs=0.01)
    dont_know = stats.loc[f"{survey}.support.dont_know"]
    assert dont_know["base_type"] == "asked" and int(dont_know["base"]) == len(frame)


def test_both_multi_select_shapes_and_labels_with_commas(waves_site, stats):
    frame = _responses(waves_site, "tracker-2020")
    weights = _ipf(frame)
    everyone = pd.Series(True, index=frame.index)
    friends = frame["Q3"].str.contains("Friends, family or neighbours", regex=False)
    media = frame["Q3"].str.contains("Newspapers, radio or TV", regex=False)
    assert float(stats.loc["tracker-2020.channels.friends", "estimate"]) == pytest.approx(
        _share(friends, weights, everyone), abs=1e-6)
    assert float(stats.loc["tracker-2020.channels.media", "estimate"]) == pytest.approx(
        _share(media, weights, everyone), abs=1e-6)
    hubs = frame["Q4_2"] != ""
    assert float(stats.loc["tracker-2020.services.family_hubs", "estimate"]) == pytest.approx(
        _share(hubs, weights, everyone), abs=1e-6)
    assert int(stats.loc["tracker-2020.services.family_hubs", "count"]) == hubs.sum()


def test_free_text_is_counted_but_never_published(waves_site, stats):
    frame = _responses(waves_site, "tracker-2020")
    row = stats.loc["tracker-2020.comments.answered"]
    assert int(row["count"]) == (frame["Q5"] != "").sum() and int(row["base"]) == len(frame)
    for path in (waves_site / "site").rglob("*"):
        if path.is_file():
            text = path.read_bytes()
            assert b"FREE-TEXT-MARKER" not in text, path
            assert b"T2020-0" not in text and b"T2019-0" not in text, path  # respondent IDs stay in surveys/


def test_change_rows_use_the_test_for_their_words(stats):
    changes = stats[stats["compare_to"] == "tracker-2019"]
    assert len(changes) > 10
    for key, row in changes.iterrows():
        if row["suppressed"] == "true":
            continue
        before = stats.loc[key.split(".since=")[0].replace("tracker-2020", "tracker-2019")]
        p1, n1 = float(before["estimate"]), float(before["effective_base"])
        p2, n2 = float(row["estimate"]), float(row["effective_base"])
        _, expected = proportions_ztest([p2 * n2, p1 * n1], [n2, n1])
        assert float(row["p_value"]) == pytest.approx(expected, abs=1e-9), key
        assert float(row["change_pp"]) == pytest.approx((p2 - p1) * 100)
        words = ("rose" if p2 > p1 else "fell") if expected < 0.05 else "little change"
        assert row["change"] == words, key
    assert changes.loc["tracker-2020.support.agree.since=tracker-2019", "change"] == "rose"
    assert changes.loc["tracker-2020.aware.yes.since=tracker-2019", "change"] == "little change"


def test_copy_quotes_changes_in_tested_words(waves_site):
    html = (waves_site / "site/index.html").read_text(encoding="utf-8")
    home = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r'<span class="figure-tip".*?</span>', "", html)))
    home = re.sub(r"\s+([.,;:)])", r"\1", home)
    assert re.search(r"Agreement rose by \d+ percentage points between 2019 and 2020", home)
    assert "Awareness showed little change." in home


def test_survey_page_shows_nets_breakdowns_change_and_trend(waves_site):
    html = (waves_site / "site/data/tracker-2020/index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Net: Agree" in text
    assert "Percentages are of those giving an answer" in text
    assert "Raked (weights capped at 4 times the mean)" in text
    assert "Change since 2019" in text and "little change" in text and "rose" in text
    assert "Respondents could choose more than one answer" in text
    assert "answered this open question in their own words" in text
    assert (waves_site / "site/data/charts/tracker-2020.support.trend-light.svg").exists()
    assert (waves_site / "site/data/charts/tracker-2020.support.by.region-dark.svg").exists()
    hidden = (r'<span class="shorthand"><span aria-hidden="true">\[c\]</span>'
              r'<span class="visually-hidden">not published</span></span>')
    assert re.search(rf"<td>Islands</td>\s*<td[^>]*>\d+</td>(\s*<td[^>]*>{hidden}</td>)+", html)  # base under 50
    # The change table says what the test found; its p-values are for statisticians, in a closed block.
    details = " ".join(re.findall(r"<details.*?</details>", html, re.DOTALL))
    assert "p-value" in details and "p-value" not in re.sub(r"<details.*?</details>", "", html, flags=re.DOTALL)
    assert "What the test says" in text and "Net: Agree" in re.sub(r"<details.*?</details>", "", html,
                                                                  flags=re.DOTALL)
    assert "By region" in text and "By age" in text
    earlier = (waves_site / "site/data/tracker-2019/index.html").read_text(encoding="utf-8")
    assert "Change since" not in earlier  # the first wave has nothing to compare with


def test_a_later_waves_main_points_say_how_each_headline_moved_in_the_tests_words(waves_site, stats):
    page = (waves_site / "site/data/tracker-2020/index.html").read_text(encoding="utf-8")
    points = page.split('id="main-points"', 1)[1].split("</ul>", 1)[0]
    support = stats.loc["tracker-2020.support.agree.since=tracker-2019"]
    assert support["change"] == "rose"
    assert f"(a rise of {round(float(support['change_pp']))} percentage points since 2019)" in points
    assert stats.loc["tracker-2020.aware.yes.since=tracker-2019"]["change"] == "little change"
    assert "(little change since 2019)" in points
    first = (waves_site / "site/data/tracker-2019/index.html").read_text(encoding="utf-8")
    assert "since 20" not in first.split('id="main-points"', 1)[1].split("</ul>", 1)[0]  # nothing to compare with
