"""Reading answers: labels that contain the separator, one column per option, nets, who is in the base."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_survey

from build_scripts.ingest.answers import base_mask, option_indicators, split_answers
from build_scripts.ingest.codebook import Codebook, Question

LABELS = {"Friends, family or neighbours", "Online", "Newspapers, radio or TV"}


@pytest.mark.parametrize("cell, expected", [
    ("Online", ["Online"]),
    ("Friends, family or neighbours, Online", ["Friends, family or neighbours", "Online"]),
    ("Online,Newspapers, radio or TV", ["Online", "Newspapers, radio or TV"]),
    ("Newspapers, radio or TV,Friends, family or neighbours", ["Newspapers, radio or TV", "Friends, family or neighbours"]),
    ("", []),
    ("Online, Carrier pigeon", ["Online", "Carrier pigeon"]),  # unknown answers still come out, for validation
])
def test_split_keeps_labels_that_contain_the_separator_whole(cell, expected):
    assert split_answers(cell, ",", LABELS) == expected


def _book(question: dict) -> Codebook:
    """A codebook holding one question (and segment g, which these tests do not use)."""
    return make_survey([], [question]).codebook


def _question(**fields) -> Question:
    return Question.model_validate({"key": "q", "title": "Q", "text": "Q?", **fields})


def test_one_column_per_option_counts_any_mark_as_chosen():
    q = _question(type="multi", options=[{"key": "a", "label": "Apples", "column": "Q_1"},
                                         {"key": "b", "label": "Bananas", "column": "Q_2"}])
    frame = pd.DataFrame({"Q_1": ["Apples", "1", "", "0"], "Q_2": ["", "Bananas", "", "1"]})
    hits = option_indicators(q, frame)
    assert hits["a"].tolist() == [True, True, False, False]
    assert hits["b"].tolist() == [False, True, False, True]


def test_nets_are_computed_per_respondent_not_by_adding_percentages():
    q = _question(type="multi", column="Q", separator=";",
                  options=[{"key": "a", "label": "A"}, {"key": "b", "label": "B"}, {"key": "c", "label": "C"}],
                  nets=[{"key": "ab", "label": "A or B", "options": ["a", "b"]}])
    frame = pd.DataFrame({"Q": ["A;B", "A", "C", "B;C"]})
    hits = option_indicators(q, frame)
    assert hits["ab"].tolist() == [True, True, False, True]
    assert hits["ab"].mean() == 0.75 < hits["a"].mean() + hits["b"].mean()  # 1.0 if added up


def test_an_answering_base_leaves_out_dont_know_and_blank_answers():
    book = _book({"key": "q", "title": "Q", "text": "Q?", "type": "single", "column": "Q", "base": "answering",
                  "options": [{"key": "y", "label": "Yes"}, {"key": "dk", "label": "Don't know", "kind": "dont_know"}]})
    frame = pd.DataFrame({"Q": ["Yes", "Don't know", "", "Yes"]})
    q = book.questions[0]
    assert base_mask(book, frame, q, option_indicators(q, frame)).tolist() == [True, False, False, True]


def test_an_answering_base_for_a_multi_question_leaves_out_blank_cells():
    book = _book({"key": "m", "title": "M", "text": "M?", "type": "multi", "column": "M", "base": "answering",
                  "options": [{"key": "a", "label": "A"}, {"key": "dk", "label": "Don't know", "kind": "dont_know"}]})
    frame = pd.DataFrame({"M": ["A", "", "Don't know", "A"]})
    q = book.questions[0]
    assert base_mask(book, frame, q, option_indicators(q, frame)).tolist() == [True, False, False, True]
