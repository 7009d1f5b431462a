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
    assert table.changes().frame.equals(frame[frame["compare_to"] != ""])
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


@pytest.mark.parametrize("text, says", [
    ("key,estimate\na,0.5\n", "it has no column survey, effective_base, suppressed"),
    ("", "not a readable CSV"),
])
def test_a_file_that_is_not_a_table_is_named_with_what_is_missing(text, says):
    with pytest.raises(DataError) as error:
        StatisticsTable.from_csv(text, "elsewhere.csv")
    [problem] = error.value.problems
    assert problem.file == "elsewhere.csv" and says in problem.message and "stats.csv" in problem.fix


def test_a_value_that_does_not_fit_its_column_is_a_clear_error(shipped):
    bad = shipped.table.frame.astype(object)
    bad.loc[bad.index[0], "estimate"] = "=HYPERLINK(1)"
    with pytest.raises(DataError) as error:
        StatisticsTable.from_csv(bad.to_csv(index=False), "bad.csv")
    assert "does not fit its column" in error.value.problems[0].message


def test_survey_summaries_are_typed_and_shared(shipped):
    summary = next(s for s in shipped.summaries if s.id == "public-2015")
    assert summary.weighting is not None and summary.weighting.method == "supplied"
    assert summary.weighting.effective_base < summary.respondents
    assert summary.question("important_services").headline == "early_help"
    assert summary.question("nonexistent") is None
    assert [w.id for w in summary.waves] == ["public-2015"]
    assert shipped.copy_data.surveys["public-2015"] is summary  # one object, not a copy per consumer
    with pytest.raises(ValueError):  # frozen: a page cannot change what another page reads
        summary.title = "Changed"
