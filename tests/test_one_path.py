"""Where a job has a fast path and a general path, both give the same answer: fed the same inputs by
hypothesis, or forced to run on the same survey (the threaded paths, which small fixtures never reach)."""

from __future__ import annotations

import csv
import io

import pandas as pd
from conftest import REPO, make_survey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts.ingest import exports, validate
from build_scripts.ingest.load import load_survey
from build_scripts.ingest.plain_csv import read_plain_csv
from build_scripts.statistics import tally
from build_scripts.statistics.table import statistics_table
from build_scripts.statistics.tally import Breakdown, Cells, question_cells
from build_scripts.statistics.weighting import survey_weights

CELL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00\r"), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(columns=st.integers(1, 5), rows=st.lists(st.lists(CELL, min_size=5, max_size=5), min_size=1, max_size=12),
       delimiter=st.sampled_from([",", ";", "\t"]), quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       bom=st.booleans())
def test_the_pyarrow_reader_gives_the_csv_module_readers_cells(tmp_path_factory, columns, rows, delimiter, quoting,
                                                               bom):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerow([f"Question {i}" for i in range(columns)])
    writer.writerows(row[:columns] for row in rows)
    data = (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")
    path = tmp_path_factory.mktemp("csv") / "responses.csv"
    path.write_bytes(data)
    general, problems = exports._read_text(data, "responses.csv")
    fast = read_plain_csv(path)
    if fast is None or general is None:  # the fast path declines what it cannot read exactly; that is its job
        return
    frame, layout = fast
    assert layout.tool == general.tool
    pd.testing.assert_frame_equal(frame, general.frame, check_dtype=False)


def test_the_fast_reader_takes_an_ordinary_export():
    path = REPO / "surveys/professionals-2015/responses.csv"
    assert read_plain_csv(path) is not None


ANSWERS = st.sampled_from(["Yes", "No", "Don't know", "", "something else"])


@settings(max_examples=120, deadline=None)
@given(answers=st.lists(st.tuples(ANSWERS, st.sampled_from(["A", "B"])), min_size=1, max_size=40),
       answering=st.booleans(), routed=st.booleans(), nets=st.booleans())
def test_a_single_questions_packed_lookup_gives_the_general_paths_flags(answers, answering, routed, nets):
    question = {"key": "q", "title": "Q", "text": "Q?", "type": "single", "column": "q",
                "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"},
                            {"key": "dk", "label": "Don't know", "kind": "dont_know"}]}
    if answering:
        question["base"] = "answering"
    if routed:
        question["asked"] = {"segment": "g", "values": ["a"], "description": "group A"}
    if nets:
        question["nets"] = [{"key": "any", "label": "Any answer", "options": ["yes", "no"]}]
    rows = [{"id": str(i), "g": group, "q": answer} for i, (answer, group) in enumerate(answers)]
    survey = make_survey(rows, [question])
    book, frame = survey.codebook, survey.responses
    q = book.questions[0]
    packed = Cells.of_single(book, frame, q)
    hits, bases, about = question_cells(book, frame, q)
    general = Cells(hits, bases)
    assert packed.names == general.names
    segment = book.segments[0]
    for breakdown in (Breakdown.whole(len(frame), None),
                      Breakdown.of("g", frame["g"], [(o.key, o.export_value) for o in segment.options], None)):
        rows = [breakdown.records(book, q, cells.names, cells.base_of, about, breakdown.tallies(cells))
                for cells in (packed, general)]
        assert rows[0] == rows[1]


def _shipped_table() -> pd.DataFrame:
    surveys = []
    for name in ("professionals-2015", "public-2015"):
        survey, problems = load_survey(REPO / "surveys" / name, REPO)
        assert problems == []
        surveys.append(survey)
    weights = {}
    for survey in surveys:
        assert validate.validate_survey(survey) == []
        weights[survey.id], problems = survey_weights(survey.codebook, survey.responses, survey.responses_file)
        assert problems == []
    return statistics_table(surveys, weights).frame


def test_the_threaded_paths_give_the_single_threaded_figures(monkeypatch):
    alone = _shipped_table()
    monkeypatch.setattr(tally.Workers, "PARALLEL_FROM", 1)  # every survey counted by several threads
    monkeypatch.setattr(validate, "PARALLEL_FROM", 1)  # and its columns read by several threads
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    threaded = _shipped_table()
    pd.testing.assert_frame_equal(alone, threaded)


KEY = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True)


@given(first=st.tuples(KEY, KEY, st.one_of(st.just(""), KEY), st.booleans()),
       second=st.tuples(KEY, KEY, st.one_of(st.just(""), KEY), st.booleans()))
def test_two_different_charts_never_share_a_file_name(first, second):
    from build_scripts.project import chart_name

    if first != second:
        assert chart_name(*first) != chart_name(*second)
    assert chart_name("s", "x-trend") != chart_name("s", "x", trend=True)  # the collision the old names allowed
