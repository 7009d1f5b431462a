"""Disclosure control across weights and questions: no hidden count or base of 1 to 9 can be worked out from
everything a survey publishes, with every respondent's weight and groups known to the reader.

The attacker here is written independently of the production code. Its unknowns are, per "fine atom" of
respondents (alike in every segment, in weight and in whether each question's bases hold them), the
atom's size and how many in it gave each answer. Every published number is a sum of these: a count, a
weighted count (weights known), a base, a weighted base, and from the effective base (Σw)²/Σw² the sum of
squared weights of the base; and the survey's number of respondents. Each respondent's answers add up (single questions) and nets are their
options' sums. A hidden cell is worked out when its sum is in the span of the published ones and those
constraints (rank test through the null space).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import make_survey, table_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from build_scripts.ingest.load import Survey

TOL = 1e-7
GENDER = {"key": "gender", "label": "Gender", "column": "gender",
          "options": [{"key": k, "label": k.title()} for k in ["female", "male", "other"]]}
AGE = {"key": "age", "label": "Age", "column": "age",
       "options": [{"key": "young", "label": "Young"}, {"key": "old", "label": "Old"}]}
AGREE = [{"key": k, "label": k.title()} for k in ["agree", "neutral", "disagree"]]


# --- the attacker ---------------------------------------------------------------------------------------------

def _bases(survey: Survey, q) -> dict[str, np.ndarray]:
    """Who is in each of the question's bases, from the export: those asked who answered, and those answering."""
    book, frame = survey.codebook, survey.responses
    asked = np.ones(len(frame), dtype=bool)
    if q.asked:
        segment = book.segment(q.asked.segment)
        asked &= frame[segment.column].isin([o.export_value for o in segment.options
                                             if o.key in q.asked.values]).to_numpy()
    asked &= (frame[q.column] != "").to_numpy()
    non_answers = [o.export_value for o in q.options if not o.substantive]
    return {"asked": asked, "answering": asked & ~frame[q.column].isin(non_answers).to_numpy()}


def _group(survey: Survey, segment: str, group: str) -> np.ndarray:
    frame = survey.responses
    if not segment:
        return np.ones(len(frame), dtype=bool)
    seg = survey.codebook.segment(segment)
    return (frame[seg.column] == next(o.export_value for o in seg.options if o.key == group)).to_numpy()


def worked_out(survey: Survey, table: pd.DataFrame, weights: np.ndarray) -> dict:
    """Every hidden breakdown count or base of 1 to 9, anywhere in the survey, that the published table pins down."""
    frame, questions = survey.responses, survey.codebook.questions
    bases = {q.key: _bases(survey, q) for q in questions}
    profile = [frame[s.column].to_numpy() for s in survey.codebook.segments] + [weights.astype(str)]
    profile += [bases[q.key][t].astype(str) for q in questions for t in ("asked", "answering")]
    keys, atom = np.unique(np.array(profile, dtype=object).T.astype(str), axis=0, return_inverse=True)
    atom = atom.ravel()
    n_atoms = len(keys)
    value = np.array([weights[atom == a][0] for a in range(n_atoms)])
    # Unknowns: each atom's size, then per question and option each atom's count.
    unknowns = {("size",): 0}
    for q in questions:
        for o in [*q.options, *q.nets]:
            unknowns[q.key, o.key] = len(unknowns)
    width = len(unknowns) * n_atoms

    def var(name, a):
        return unknowns[name] * n_atoms + a

    rows, targets = [], {}

    def functional(terms):
        row = np.zeros(width)
        for index, c in terms:
            row[index] += c
        return row

    for q in questions:
        for a in range(n_atoms):
            inside = atom == a
            asked, answering = bases[q.key]["asked"][inside][0], bases[q.key]["answering"][inside][0]
            for o in q.options:  # outside an option's base its count is a known zero
                in_base = answering if (o.substantive and q.base == "answering") else asked
                if not in_base:
                    rows.append(functional([(var((q.key, o.key), a), 1)]))
            if q.type == "single" and asked:
                rows.append(functional([(var(("size",), a), -1)] + [(var((q.key, o.key), a), 1) for o in q.options]))
            for net in q.nets:
                rows.append(functional([(var((q.key, net.key), a), 1)] +
                                       [(var((q.key, p), a), -1) for p in net.options]))
    rows.append(functional([(var(("size",), a), 1.0) for a in range(n_atoms)]))  # the number of respondents
    truth = {}
    for row in table[table["compare_to"] == ""].itertuples():
        q = next(q for q in questions if q.key == row.question)
        members = _group(survey, row.segment, row.segment_value)
        base_type = row.base_type
        in_base = bases[q.key][base_type] & members
        atoms = np.unique(atom[in_base])
        count_terms = [(var((q.key, row.option), a), 1.0) for a in atoms]
        base_terms = [(var(("size",), a), 1.0) for a in atoms]
        count_key, base_key = (row.question, row.segment, row.segment_value, row.option), \
            (row.question, row.segment, row.segment_value, "base:" + base_type)
        chosen = _chosen(survey, q, row.option) & in_base
        truth[count_key], truth[base_key] = int(chosen.sum()), int(in_base.sum())
        if pd.isna(row.count):
            targets[count_key] = functional(count_terms)
        else:
            assert row.count == truth[count_key], count_key
            rows.append(functional(count_terms))
            rows.append(functional([(i, value[i % n_atoms]) for i, _ in count_terms]))
        if pd.isna(row.base):
            assert row.suppressed and pd.isna(row.weighted_base) and pd.isna(row.effective_base)
            targets[base_key] = functional(base_terms)
        else:
            published = [0] + [1] * (not pd.isna(row.weighted_base)) + [2] * (not pd.isna(row.effective_base))
            rows += [functional([(i, value[i % n_atoms] ** k) for i, _ in base_terms]) for k in published]
            if len(published) < 3:  # the interval would give the effective base back
                assert row.suppressed and pd.isna(row.weighted_base) and pd.isna(row.ci_low)
        if pd.isna(row.count) or pd.isna(row.base):
            assert row.suppressed and pd.isna(row.weighted_count) and pd.isna(row.estimate)
    null = null_space(np.array(rows))
    return {key: truth[key] for key, target in targets.items()
            if key[1] != "" or key[3].startswith("base:")
            if 1 <= truth[key] <= 9 and np.abs(target @ null).max(initial=0) < TOL * max(1, np.abs(target).sum())}


def _chosen(survey: Survey, q, option: str) -> np.ndarray:
    cells = survey.responses[q.column]
    net = next((n for n in q.nets if n.key == option), None)
    keys = net.options if net else [option]
    values = [o.export_value for o in q.options if o.key in keys]
    return cells.isin(values).to_numpy()


def _weights(survey: Survey) -> np.ndarray:
    if survey.codebook.weighting is None:
        return np.ones(len(survey.responses))
    return survey.responses["w"].astype(float).to_numpy()


# --- surveys --------------------------------------------------------------------------------------------------

def differencing_survey(weighted: bool, routed: bool = False) -> Survey:
    """300 women, 400 men and 6 others; weights 1, 0.8 and 1.7 by gender when weighted; q2 asked of women only."""
    rows = []
    for gender, n, weight in [("Female", 300, 1.0), ("Male", 400, 0.8), ("Other", 6, 1.7)]:
        for i in range(n):
            rows.append({"id": len(rows), "gender": gender, "age": "Young" if i % 3 else "Old",
                         "q1": ["Agree", "Neutral", "Disagree"][(i * 7 + len(gender)) % 3],
                         "q2": ["Agree", "Disagree"][i % 2] if gender == "Female" else "", "w": repr(weight)})
    questions = [{"key": "q1", "title": "Q1", "text": "Q1?", "column": "q1", "type": "single", "options": AGREE}]
    if routed:
        questions.append({"key": "q2", "title": "Q2", "text": "Q2?", "column": "q2", "type": "single",
                          "asked": {"segment": "gender", "values": ["female"], "description": "women"},
                          "options": [AGREE[0], AGREE[2]]})
    return make_survey(rows, questions, weighted=weighted, segments=[GENDER, AGE])


# --- the attacks ----------------------------------------------------------------------------------------------

def test_weighted_figures_do_not_give_away_a_small_group_by_differencing():
    survey = differencing_survey(weighted=True)
    table = table_for([survey])
    other = table[table["segment_value"] == "other"]
    assert other["base"].isna().all() and other["suppressed"].all()
    assert worked_out(survey, table, _weights(survey)) == {}


def test_the_attacker_breaks_the_weighted_survey_when_protected_as_if_unweighted():
    # Not vacuous: the protection an unweighted survey gets leaves the small counts open to the weights.
    weighted, plain = differencing_survey(weighted=True), differencing_survey(weighted=False)
    opened = table_for([plain])
    w = _weights(weighted)
    for i, row in opened.iterrows():
        q = weighted.codebook.questions[0]
        in_base = _bases(weighted, q)[row.base_type] & _group(weighted, row.segment, row.segment_value)
        if not pd.isna(row["count"]):
            opened.at[i, "weighted_count"] = w[in_base & _chosen(weighted, q, row.option)].sum()
        if not pd.isna(row["base"]):
            opened.at[i, "weighted_base"] = w[in_base].sum()
            opened.at[i, "effective_base"] = w[in_base].sum() ** 2 / (w[in_base] ** 2).sum()
    assert worked_out(weighted, opened, w)


def test_a_question_asked_of_one_group_does_not_give_away_another_groups_base():
    survey = differencing_survey(weighted=False, routed=True)
    table = table_for([survey])
    rows = table.set_index("key")
    assert pd.isna(rows.loc["t.q1.agree.gender=other", "base"])
    assert rows.loc["t.q2.agree", "base"] == 300  # the routed question's whole base is the women's
    assert worked_out(survey, table, _weights(survey)) == {}


def test_the_attacker_finds_the_small_base_through_the_routed_question_without_joined_protection():
    survey = differencing_survey(weighted=False, routed=True)
    alone = [table_for([make_survey(survey.responses.to_dict("records"), [q.model_dump(exclude_none=True)],
                                    segments=[GENDER, AGE])]) for q in survey.codebook.questions]
    assert worked_out(survey, pd.concat(alone, ignore_index=True), _weights(survey))


def test_weighted_and_routed_together():
    survey = differencing_survey(weighted=True, routed=True)
    table = table_for([survey])
    assert worked_out(survey, table, _weights(survey)) == {}


# --- random weighted surveys with few distinct weights -------------------------------------------------------

@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["Female", "Male", "Other"]), st.sampled_from(["Young", "Old"]),
                          st.sampled_from(["Agree", "Neutral", "Disagree"]), st.sampled_from(["Agree", "Disagree"])),
                min_size=1, max_size=8),
       st.lists(st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 60)), min_size=8, max_size=8),
       st.lists(st.sampled_from([0.5, 0.8, 1.0, 1.7, 2.5]), min_size=3, max_size=3), st.booleans())
def test_random_weighted_surveys_with_few_weights_never_give_away_a_small_count(kinds, sizes, weights, routed):
    weight_of = dict(zip(["Female", "Male", "Other"], weights, strict=True))
    rows = []
    for (gender, age, a1, a2), n in zip(kinds, sizes, strict=False):
        for _ in range(n):
            rows.append({"id": len(rows), "gender": gender, "age": age, "q1": a1,
                         "q2": a2 if gender == "Female" else "", "w": repr(weight_of[gender])})
    women = sum(row["gender"] == "Female" for row in rows)
    # A routed question's whole base is its group's size, and whole-sample bases (and the number of respondents)
    # are always published: a group of 1 to 9 that is the routed group, or the rest, cannot be protected.
    if len(rows) < 60 or (routed and min(women, len(rows) - women) < 10):
        return
    questions = [{"key": "q1", "title": "Q1", "text": "Q1?", "column": "q1", "type": "single", "options": AGREE}]
    if routed:
        questions.append({"key": "q2", "title": "Q2", "text": "Q2?", "column": "q2", "type": "single",
                          "asked": {"segment": "gender", "values": ["female"], "description": "women"},
                          "options": [AGREE[0], AGREE[2]]})
    survey = make_survey(rows, questions, weighted=True, segments=[GENDER, AGE])
    table = table_for([survey])
    breakdown = table[table["segment"] != ""]
    assert not breakdown.loc[~breakdown["suppressed"], "count"].between(1, 9).any()
    assert worked_out(survey, table, _weights(survey)) == {}


def test_relations_from_the_gram_matrix_are_those_of_the_svd(monkeypatch):
    from build_scripts.statistics import disclosure_weighted

    generator = np.random.default_rng(5)
    base = generator.integers(0, 2, size=(6, 300)).astype(float) * generator.choice([0.8, 1.0, 1.7], size=300)
    vectors = np.vstack([base, base[0] + base[1], 2.5 * base[2] - base[3]])
    by_svd = disclosure_weighted.relations_of(vectors)
    monkeypatch.setattr(disclosure_weighted, "SVD_LIMIT", 100)
    by_gram = disclosure_weighted.relations_of(vectors)
    assert by_svd.shape == by_gram.shape == (2, 8)
    for relations in (by_svd, by_gram):
        assert np.abs(relations @ vectors).max() < 1e-9
    # The same space: each set of relations is spanned by the other.
    assert np.linalg.matrix_rank(np.vstack([by_svd, by_gram]), tol=1e-8) == 2


def test_large_systems_take_the_quick_path_and_still_give_nothing_away(monkeypatch):
    from build_scripts.statistics import suppression

    monkeypatch.setattr(suppression, "LARGE_SYSTEM", 0)
    for weighted in (True, False):
        survey = differencing_survey(weighted=weighted, routed=True)
        table = table_for([survey])
        assert table["suppressed"].any()
        assert worked_out(survey, table, _weights(survey)) == {}
