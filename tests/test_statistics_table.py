"""The typed model between stages: the statistics table's schema and queries, and the survey summaries."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO

from build_scripts.errors import DataError
from build_scripts.pipeline.compute import compute
from build_scripts.project import Project
from build_scripts.statistics.statistics_table import COLUMNS, SCHEMA, StatisticsTable, write_csv


@pytest.fixture(scope="module")
def shipped():
    return compute(Project(REPO))


def test_the_table_keeps_to_its_declared_schema(shipped):
    frame = shipped.table.frame
    assert list(frame.columns) == COLUMNS
    kinds = {c.name: c.kind for c in SCHEMA}
    assert {name for name, kind in kinds.items() if kind == "flag"} == {
        name for name in COLUMNS if pd.api.types.is_bool_dtype(frame[name])}
    assert {name for name, kind in kinds.items() if kind == "integer"} == {
        name for name in COLUMNS if pd.api.types.is_integer_dtype(frame[name])}


@pytest.mark.parametrize("damage", [
    lambda f: f.drop(columns="estimate"),
    lambda f: f.assign(suppressed=f["suppressed"].map({True: "true", False: "false"})),  # the old string flags
    lambda f: f.assign(base=f["base"].astype(str)),
    lambda f: f[list(reversed(COLUMNS))],
])
def test_a_frame_off_the_schema_is_refused_where_it_is_made(shipped, damage):
    with pytest.raises(TypeError, match="does not keep to its schema"):
        StatisticsTable(damage(shipped.table.frame))


def test_queries_select_what_their_names_say(shipped):
    frame, table = shipped.table.frame, shipped.table
    assert table.whole_sample().frame.equals(frame[(frame["compare_to"] == "") & (frame["segment"] == "")])
    assert table.changes().frame.equals(frame[frame["key"].str.contains(".since=", regex=False)])
    differences = table.differences().frame
    assert differences.equals(frame[frame["key"].str.contains(".vs=", regex=False)]) and len(differences)
    assert (differences["compare_to"] != "").all() and differences["segment"].ne("").all()
    assert table.figures().frame.equals(frame[frame["compare_to"] == ""])
    published = table.published().frame
    assert not published["suppressed"].any() and (published["compare_to"] == "").all()
    assert len(published) == int(((frame["compare_to"] == "") & ~frame["suppressed"]).sum())
    nation = table.of_survey("professionals-2015").of_question("powerless").breakdown("nation").frame
    assert set(nation["segment"]) == {"nation"} and set(nation["question"]) == {"powerless"}
    answers = table.of_survey("professionals-2015").of_question("powerless").whole_sample().answers("asked").frame
    assert "net" not in set(answers["option_type"]) and set(answers["base_type"]) == {"asked"}


def test_the_csv_reads_back_to_the_same_table(shipped):
    text = shipped.table.to_csv()
    again = StatisticsTable.from_csv(text, "stats.csv")
    pd.testing.assert_frame_equal(again.frame, shipped.table.frame.reset_index(drop=True), check_dtype=False)
    assert write_csv(again.frame) == text


def test_an_older_table_without_newer_columns_still_reads(shipped):
    old = shipped.table.frame.drop(columns=["p_value", "change"])
    table = StatisticsTable.from_csv(old.to_csv(index=False), "old.csv")
    assert len(table) == len(old) and (table.frame["change"] == "").all()


def test_a_table_from_before_differences_reads_its_changes_as_changes(shipped):
    old = shipped.table.figures().frame.head(3).copy()
    old.loc[old.index[0], ["key", "compare_to"]] = [old["key"].iloc[0] + ".since=earlier-2014", "earlier-2014"]
    old = old.drop(columns=["comparison", "design_effect", "p_adjusted"])  # as written before differences
    table = StatisticsTable.from_csv(old.to_csv(index=False), "old.csv")
    assert list(table.changes().frame["key"]) == [old["key"].iloc[0]]
    assert table.differences().is_empty and len(table.figures()) == 2
