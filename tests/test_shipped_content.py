"""The shipped campaign: synthetic surveys that reproduce the 2015 figures, and copy that only quotes real keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from build_scripts.editorial.copy_check import typed_figures
from build_scripts.editorial.copy_render import copy_pages
from build_scripts.editorial.formatting import percent
from build_scripts.pipeline.compute import Project, compute
from build_scripts.cli.seed_surveys import generate


@pytest.fixture(scope="module")
def results():
    return compute(Project(REPO))


@pytest.mark.parametrize("key, shown, low, high", [
    # "more than 40 per cent" of social workers felt powerless
    ("professionals-2015.powerless.yes", "41%", 0.40, 0.45),
    # "nearly a third" lack the time and resources: under 33.3% and within 3 points of it
    ("professionals-2015.time_resources.lack", "32%", 0.303, 0.333),
    # "one in three" expect reduced funding to make intervening harder: within 2 points of 33.3%
    ("professionals-2015.funding_impact.more_difficult", "33%", 0.313, 0.353),
    # "nearly 30 per cent" of all professionals have seen neglect cases rise
    ("professionals-2015.neglect_trend.risen", "29%", 0.27, 0.30),
    # "57 per cent" of the public, weighted
    ("public-2015.important_services.early_help", "57%", 0.565, 0.575),
])
def test_shipped_surveys_reproduce_the_campaign_figures(results, key, shown, low, high):
    row = results.table.frame.set_index("key").loc[key]
    assert low < row["estimate"] < high
    assert percent(row["estimate"]) == shown
    assert not row["suppressed"] and not row["low_base"]


def test_shipped_surveys_have_realistic_size_segments_weights_and_dont_know(results):
    sizes = {s.id: len(s.responses) for s in results.surveys}
    assert all(1000 <= n <= 2500 for n in sizes.values()), sizes
    books = {s.id: s.codebook for s in results.surveys}
    assert [s.key for s in books["professionals-2015"].segments] == ["role", "nation", "years_in_post"]
    assert [s.key for s in books["public-2015"].segments] == ["age_band", "sex", "nation", "parent"]
    assert books["public-2015"].weighting is not None and books["professionals-2015"].weighting is None
    table = results.table.frame
    public = table[(table["survey"] == "public-2015") & (table["segment"] == "")]
    assert (public["effective_base"] < public["base"]).all()  # unequal weights cost precision
    dont_know = table[(table["option"] == "dont_know") & (table["segment"] == "")]
    assert len(dont_know) == 5 and (dont_know["estimate"] > 0).all()


def test_routed_questions_are_based_on_social_workers_only(results):
    survey = next(s for s in results.surveys if s.id == "professionals-2015")
    social_workers = int((survey.responses["Role"] == "Social worker").sum())
    table = results.table.frame.set_index("key")
    assert table.loc["professionals-2015.powerless.yes", "base"] == social_workers
    assert table.loc["professionals-2015.neglect_trend.risen", "base"] == len(survey.responses)


def test_generator_rewrites_the_shipped_responses_byte_for_byte(tmp_path: Path):
    copy = tmp_path / "surveys"
    shutil.copytree(REPO / "surveys", copy)
    for path in copy.glob("*/responses.csv"):
        path.unlink()
    for path in generate(copy):
        shipped = REPO / "surveys" / path.parent.name / path.name
        assert path.read_bytes() == shipped.read_bytes(), f"{shipped} is not what the generator writes"


def test_shipped_copy_quotes_only_existing_publishable_figures(results):
    project = Project(REPO)
    pages = copy_pages(project.docs_dir)
    assert results.copy.problems == [] and results.copy.figure_problems == []
    assert len({ref.page for ref in results.references}) >= 3
    assert typed_figures(pages, REPO) == []  # no exceptions list: the shipped copy passes --strict
    home = (project.docs_dir / "index.md").read_text(encoding="utf-8")
    assert home.count("{{ stat(") >= 5


@pytest.mark.parametrize("phrase", ["more than 40 per cent", "nearly a third", "one in three", "nearly 30 per cent",
                                    "57 per cent"])
def test_the_seed_wording_is_quoted_through_checked_claims(phrase):
    text = (REPO / "docs/early-help.md").read_text(encoding="utf-8")
    assert f'claim("{phrase}"' in text


def test_home_and_early_help_type_no_survey_percentage_by_hand():
    for name in ["index.md", "early-help.md"]:
        text = (REPO / "docs" / name).read_text(encoding="utf-8")
        outside_macros = pd.Series([text.split("{{")[0]] + [part.split("}}", 1)[-1] for part in text.split("{{")[1:]])
        typed = outside_macros.str.findall(r"\d+(?:\.\d+)?\s*(?:%|per ?cent)").sum()
        assert typed == [], f"docs/{name} types figures by hand: {typed}"


def test_sources_have_publisher_title_date_and_link(results):
    sources = results.sources.sources
    assert len(sources) >= 5
    for source in sources:
        assert source.publisher and source.title and source.date and str(source.url).startswith("https://")


def test_every_unweighted_interval_in_the_shipped_table_matches_statsmodels(results):
    from statsmodels.stats.proportion import proportion_confint

    table = results.table.frame
    rows = table[~table["weighted"].astype(bool) & ~table["suppressed"].astype(bool)]
    assert len(rows) > 50
    low, high = proportion_confint(rows["count"].astype(int), rows["base"].astype(int), method="wilson")
    assert abs(rows["ci_low"].astype(float) - low).max() < 1e-12
    assert abs(rows["ci_high"].astype(float) - high).max() < 1e-12
    assert (rows["estimate"].astype(float) == rows["count"].astype(int) / rows["base"].astype(int)).all()


def test_no_breakdown_in_the_shipped_table_publishes_a_small_count(results):
    table = results.table.frame
    breakdowns = table[(table["segment"] != "") & ~table["suppressed"].astype(bool)]
    assert not breakdowns["count"].astype(int).between(1, 9).any()
    assert (table.loc[table["base"] < 50, "estimate"].isna()).all()
