"""Disclosure control across tables: no hidden count of 1 to 9 (nor a group's base of 1 to 9) can be worked
out from everything the site publishes about a question taken together.

The attacker here is written independently of the production code. From the respondents themselves it
finds every linear relation among the groups' members (a groups x respondents matrix and scipy's null
space: groups with the same members, a group that is the union of others, segments adding up to the
whole sample); it adds the sums a reader knows within a row (a single question's options add up to its
bases, nets to their options) and every published count and base as a known value. A hidden cell is
worked out exactly when every vector of that system's null space is zero at it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_survey, table_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from build_scripts.ingest.load import Survey
from build_scripts.statistics.table import statistics_table
from build_scripts.statistics.survey_figures import compute_surveys

TOL = 1e-9
YES_NO = [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]
NATION = {"key": "nation", "label": "Nation", "column": "nation",
          "options": [{"key": k, "label": k.title()} for k in ["england", "scotland", "wales", "ni"]]}
# Scotland, Wales and Northern Ireland are the same respondents as in `nation`; England is split in two.
REGION = {"key": "region", "label": "Region", "column": "region",
          "options": [{"key": k, "label": k.title()} for k in ["north", "south", "scotland", "wales", "ni"]]}
NATION_OF = {"north": "england", "south": "england", "scotland": "scotland", "wales": "wales", "ni": "ni"}


# --- the attacker ---------------------------------------------------------------------------------------------

def _members(survey: Survey, group: tuple[str, str]) -> np.ndarray:
    frame = survey.responses
    if group == ("", ""):
        return np.ones(len(frame), dtype=bool)
    segment = survey.codebook.segment(group[0])
    label = next(o.export_value for o in segment.options if o.key == group[1])
    return (frame[segment.column] == label).to_numpy()


def _answers(survey: Survey, q) -> dict[str, np.ndarray]:
    """Per option and net, who chose it, read straight from the export."""
    cells = survey.responses[q.column]
    if q.type == "single":
        chosen = {o.key: (cells == o.export_value).to_numpy() for o in q.options}
    else:
        split = cells.map(lambda c: {part.strip() for part in c.split(q.separator)})
        chosen = {o.key: split.map(lambda s, v=o.export_value: v in s).to_numpy(dtype=bool) for o in q.options}
    for net in q.nets:
        chosen[net.key] = np.logical_or.reduce([chosen[p] for p in net.options])
    return chosen


def _truth(survey: Survey, q, groups, columns) -> dict[tuple, int]:
    """The true value of every cell (group, column), counted from the respondents."""
    book, frame = survey.codebook, survey.responses
    counted = np.ones(len(frame), dtype=bool)
    if q.asked:
        segment = book.segment(q.asked.segment)
        counted &= frame[segment.column].isin([o.export_value for o in segment.options if o.key in q.asked.values]).to_numpy()
    if q.type == "single":
        counted &= (frame[q.column] != "").to_numpy()
    chosen = _answers(survey, q)
    real = [o.key for o in q.options if o.substantive]
    non_answers = [o.key for o in q.options if not o.substantive]
    answering = counted & ~np.logical_or.reduce([chosen[k] for k in non_answers]) if non_answers else counted
    if q.type != "single":
        answering = answering & (frame[q.column] != "").to_numpy()
    assert real  # every test question has real answers
    truth = {}
    for g in groups:
        inside = _members(survey, g) & counted
        for column in columns:
            flags = {"base:asked": counted, "base:answering": answering}.get(column)
            truth[g, column] = int((inside & (flags if flags is not None else chosen[column])).sum())
    return truth, counted


def worked_out(survey: Survey, table: pd.DataFrame, question: str) -> dict[tuple, int]:
    """Hidden breakdown counts and bases of 1 to 9 a reader can work out from all the question's tables."""
    q = next(q for q in survey.codebook.questions if q.key == question)
    rows = table[(table["question"] == question) & (table["compare_to"] == "")]
    groups = list(dict.fromkeys(zip(rows["segment"], rows["segment_value"], strict=True)))
    columns = list(dict.fromkeys(rows["option"])) + [f"base:{t}" for t in dict.fromkeys(rows["base_type"])]
    truth, counted = _truth(survey, q, groups, columns)
    published = {}
    for row in rows.itertuples():
        published[(row.segment, row.segment_value), row.option] = row.count
        published[(row.segment, row.segment_value), f"base:{row.base_type}"] = row.base
        if pd.isna(row.base):  # count over percentage would give a hidden base back
            assert row.suppressed
    cells = [(g, c) for g in groups for c in columns]
    index = {cell: i for i, cell in enumerate(cells)}
    equations = []
    membership = np.array([_members(survey, g)[counted] for g in groups], dtype=float)
    for relation in null_space(membership.T).T if len(groups) > 1 else []:
        for c in columns:
            equations.append({(g, c): k for g, k in zip(groups, relation, strict=True)})
    if q.type == "single":
        options = [o.key for o in q.options if o.key in columns]
        for g in groups:
            if "base:asked" in columns:
                equations.append({(g, "base:asked"): -1, **{(g, o): 1 for o in options}})
            if "base:answering" in columns:
                real = [o.key for o in q.options if o.substantive and o.key in columns]
                equations.append({(g, "base:answering"): -1, **{(g, o): 1 for o in real}})
            for net in q.nets:
                if net.key in columns:
                    equations.append({(g, net.key): 1, **{(g, p): -1 for p in net.options if p in columns}})
    system = [[eq.get(cell, 0) for cell in cells] for eq in equations]
    hidden = []
    for cell in cells:
        value = published.get(cell, 0)  # a cell the table leaves out is a zero the reader knows
        if pd.isna(value):
            hidden.append(cell)
        else:
            assert value == truth[cell], (cell, value, truth[cell])
            system.append([1 if j == index[cell] else 0 for j in range(len(cells))])
    basis = null_space(np.array(system, dtype=float))
    return {cell: truth[cell] for cell in hidden if cell[0][0] != "" and 1 <= truth[cell] <= 9
            and (basis.shape[1] == 0 or np.abs(basis[index[cell]]).max() < TOL)}


def leaks(survey: Survey, table: pd.DataFrame) -> dict:
    """Every question's small hidden cells that can be worked out."""
    found = {q.key: worked_out(survey, table, q.key) for q in survey.codebook.questions}
    return {k: v for k, v in found.items() if v}


# --- surveys built from counts --------------------------------------------------------------------------------

def regional_survey(counts: dict[tuple[str, str], int], extra_segments=(), question=None, with_region=True) -> Survey:
    """Respondents per (region, answer); each also has the nation their region is in (and the region
    segment, unless `with_region` is off)."""
    rows = []
    for (region, answer), n in counts.items():
        for _ in range(n):
            row = {"id": len(rows), "nation": NATION_OF[region].title(), "region": region.title(), "q": answer}
            for segment in extra_segments:
                row[segment["column"]] = segment["of"](region)
            rows.append(row)
    question = question or {"key": "q", "title": "Q", "text": "Q?", "column": "q", "type": "single", "options": YES_NO}
    segments = [NATION] + [REGION] * with_region + [{k: v for k, v in s.items() if k != "of"} for s in extra_segments]
    return make_survey(rows, [question], segments=segments)


WALES_ATTACK = {("north", "Yes"): 20, ("north", "No"): 33, ("south", "Yes"): 25, ("south", "No"): 45,
                ("scotland", "Yes"): 40, ("scotland", "No"): 50, ("wales", "Yes"): 4, ("wales", "No"): 60,
                ("ni", "Yes"): 30, ("ni", "No"): 35}


def by_key(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("key")


# --- the attacks ----------------------------------------------------------------------------------------------

def test_a_small_welsh_count_cannot_be_worked_out_from_the_nation_and_region_tables_together():
    survey = regional_survey(WALES_ATTACK)
    table = table_for([survey])
    rows = by_key(table)
    assert rows.loc["t.q.yes.nation=wales", "suppression"] == "count under 10"
    assert rows.loc["t.q.yes.region=wales", "suppression"] == "count under 10"
    assert rows.loc["t.q.yes", "count"] == 119  # the whole sample still publishes its own figures
    assert leaks(survey, table) == {}


def test_the_attacker_finds_the_welsh_count_when_one_table_shows_a_complement():
    # Not vacuous: publish one complement the protection hid, and the 4 can be worked out again.
    survey = regional_survey(WALES_ATTACK)
    table = table_for([survey])
    secondary = table[(table["suppression"] == "secondary") & (table["option"] == "yes")]
    assert len(secondary)
    leaked = False
    for i in secondary.index:
        opened = table.copy()
        truth = _truth(survey, survey.codebook.questions[0], [(opened.at[i, "segment"], opened.at[i, "segment_value"])],
                       ["yes"])[0]
        opened.loc[i, ["count", "suppressed"]] = [next(iter(truth.values())), False]
        leaked |= bool(leaks(survey, opened))
    assert leaked


def test_protection_hides_as_little_as_it_can():
    table = table_for([regional_survey(WALES_ATTACK)])
    table = table[table["comparison"] == ""]  # figures: a difference with a hidden figure is hidden with it
    hidden = table[table["suppressed"]]
    # The two Welsh rows and one more rectangle: no whole-sample figure, no base.
    assert (hidden["segment"] != "").all() and table["base"].notna().all()
    assert len(hidden) <= 8


def test_groups_with_the_same_members_in_two_segments_are_one_unknown():
    country = {"key": "country", "label": "Country", "column": "country",
               "options": [{"key": k, "label": f"C-{k}"} for k in ["england", "scotland", "wales", "ni"]],
               "of": lambda region: f"C-{NATION_OF[region]}"}
    survey = regional_survey(WALES_ATTACK, [country])
    table = table_for([survey])
    rows = by_key(table)
    assert rows.loc["t.q.yes.country=wales", "suppressed"] and rows.loc["t.q.yes.nation=wales", "suppressed"]
    assert leaks(survey, table) == {}


def test_a_group_that_is_the_union_of_others_gives_nothing_away():
    # Great Britain is England, Scotland and Wales: Wales = GB - England - Scotland, across three tables.
    union = {"key": "gb", "label": "GB or NI", "column": "gb",
             "options": [{"key": "gb", "label": "GB"}, {"key": "ni", "label": "NI"}],
             "of": lambda region: "NI" if region == "ni" else "GB"}
    # Within the nation table alone, Northern Ireland (the fewest "No") makes the cheapest complement:
    # but the GB table then gives Wales's 4 as GB - England - Scotland.
    counts = dict(WALES_ATTACK) | {("ni", "No"): 30}
    survey = regional_survey(counts, [union], with_region=False)
    table = table_for([survey])
    assert by_key(table).loc["t.q.yes.nation=wales", "suppressed"]
    assert leaks(survey, table) == {}


def test_a_group_base_of_three_is_hidden_with_its_figures_and_cannot_be_worked_out():
    counts = dict(WALES_ATTACK) | {("wales", "Yes"): 1, ("wales", "No"): 2}
    survey = regional_survey(counts)
    table = table_for([survey])
    wales = table[table["segment_value"] == "wales"]
    assert wales["base"].isna().all() and wales["suppressed"].all()
    assert wales["weighted_base"].isna().all() and wales["effective_base"].isna().all()
    assert (wales["suppression"] == "base under 50").all()
    assert not wales["low_base"].any()
    # The whole sample's base minus the other nations' would give 3: another base goes too, with its figures.
    others = table[(table["segment"] == "nation") & (table["segment_value"] != "wales")]
    assert others["base"].isna().any()
    hidden_base = others[others["base"].isna()]
    assert hidden_base["suppressed"].all()
    assert table.loc[table["segment"] == "", "base"].notna().all()
    assert leaks(survey, table) == {}


def test_an_answering_base_that_would_give_away_a_small_dont_know_count_is_hidden_in_every_table():
    question = {"key": "q", "title": "Q", "text": "Q?", "column": "q", "type": "single", "base": "answering",
                "options": YES_NO + [{"key": "dk", "label": "Don't know", "kind": "dont_know"}]}
    counts = dict(WALES_ATTACK) | {("wales", "Don't know"): 3, ("scotland", "Don't know"): 20}
    survey = regional_survey({k: v for k, v in counts.items()}, question=question)
    table = table_for([survey])
    rows = by_key(table)
    assert pd.isna(rows.loc["t.q.no.nation=wales", "base"]) and pd.isna(rows.loc["t.q.no.region=wales", "base"])
    assert leaks(survey, table) == {}


def test_the_same_inputs_hide_the_same_cells():
    first = table_for([regional_survey(WALES_ATTACK)])
    second = table_for([regional_survey(WALES_ATTACK)])
    pd.testing.assert_frame_equal(first, second)


# --- rule 4: the effective base -------------------------------------------------------------------------------

def _weighted(weights: list[float], answers: list[str]) -> Survey:
    rows = [{"id": i, "g": "A" if i % 2 else "B", "q": a, "w": repr(w)}
            for i, (w, a) in enumerate(zip(weights, answers, strict=True))]
    return make_survey(rows, [{"key": "q", "title": "Q", "text": "Q?", "column": "q", "type": "single",
                               "options": YES_NO}], weighted=True)


def test_an_extreme_weight_leaves_an_effective_base_under_50_and_the_figure_is_suppressed():
    # 200 respondents, one weighing 1,000: Kish's effective base is (1199)^2 / (199 + 10^6), about 1.4.
    weights = [1000.0] + [1.0] * 199
    table = by_key(table_for([_weighted(weights, ["Yes"] + ["No"] * 199)]))
    row = table.loc["t.q.yes"]
    assert row["base"] == 200 and row["effective_base"] < 2
    assert row["suppressed"] and row["suppression"] == "effective base under 50"
    assert pd.isna(row["estimate"]) and pd.isna(row["count"]) and not row["low_base"]
    assert table.loc["t.q.no.g=b", "suppression"] == "effective base under 50"  # the heavy one is in B


def test_an_effective_base_of_50_to_99_carries_the_low_base_warning():
    weights = [4.0] * 20 + [1.0] * 180  # effective base (260)^2 / (320 + 180) = 135.2 whole; each group under 100
    table = by_key(table_for([_weighted(weights, ["Yes", "No"] * 100)]))
    whole = table.loc["t.q.yes"]
    assert not whole["suppressed"] and not whole["low_base"] and whole["effective_base"] > 100
    group = table.loc["t.q.yes.g=a"]
    assert group["base"] == 100 and 50 <= group["effective_base"] < 100
    assert not group["suppressed"] and group["low_base"]


# --- random surveys: nested, identical and crossing segments --------------------------------------------------

@st.composite
def regional_counts(draw):
    cell = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 60))
    return {(region, answer): draw(cell) for region in NATION_OF for answer in ["Yes", "No"]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regional_counts(), st.booleans())
def test_random_regional_surveys_never_give_away_a_small_count(counts, with_sex):
    if sum(counts.values()) < 50:
        return
    sex = {"key": "sex", "label": "Sex", "column": "sex",
           "options": [{"key": "f", "label": "F"}, {"key": "m", "label": "M"}],
           "of": lambda region: "F" if region in ("north", "wales") else "M"}
    survey = regional_survey(counts, [sex] if with_sex else [])
    table = statistics_table([survey]).frame
    breakdown = table[table["segment"] != ""]
    assert not breakdown.loc[~breakdown["suppressed"], "count"].between(1, 9).any()
    assert not breakdown["base"].between(1, 9).any()
    assert leaks(survey, table) == {}


# --- the shipped surveys ------------------------------------------------------------------------------------------

def test_the_shipped_surveys_give_away_no_small_count(tmp_path):
    from pathlib import Path

    from build_scripts.cache import Cache
    from build_scripts.ingest.load import load_survey

    root = Path(__file__).parent.parent
    computed = compute_surveys(root / "surveys", root, Cache(None), [])
    for figures in computed.figures:
        survey, problems = load_survey(root / "surveys" / figures.id, root)
        assert survey is not None
        assert leaks(survey, figures.rows) == {}, figures.id


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_weighted_surveys_never_give_away_a_small_count(seed):
    generator = np.random.default_rng(seed)
    regions = list(NATION_OF)
    rows = []
    for i in range(400):
        region = regions[generator.choice(5, p=[.3, .3, .2, .12, .08])]
        rows.append({"id": i, "nation": NATION_OF[region].title(), "region": region.title(),
                     "q": "Yes" if generator.random() < .1 else "No", "w": repr(float(generator.uniform(.5, 2)))})
    survey = make_survey(rows, [{"key": "q", "title": "Q", "text": "Q?", "column": "q", "type": "single",
                                 "options": YES_NO}], weighted=True, segments=[NATION, REGION])
    table = table_for([survey])
    assert leaks(survey, table) == {}
