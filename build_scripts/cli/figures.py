"""`campaign-site figures [WORD]`: each figure's key, value and honest words, as snippets to paste into the copy."""

from __future__ import annotations

import math
from collections.abc import Iterator

from build_scripts.editorial.claims import claim_problem
from build_scripts.editorial.comparisons import Difference, honest_phrase
from build_scripts.editorial.formatting import SUPPRESSED, change_phrase, p_value_text, percent
from build_scripts.editorial.phrasing import round_half_up, words
from build_scripts.statistics.survey_summary import QuestionSummary, SurveySummary
from build_scripts.statistics.statistics_table import DIFFERENCE, REST


def honest_phrases(row: dict) -> list[str]:
    """Phrases `claim` accepts for this figure, plainest first; none for a suppressed figure."""
    if row.get("suppressed"):
        return []
    if row.get("comparison") == DIFFERENCE:
        points = abs(float(row["change_pp"]))
        way = "higher" if float(row["change_pp"]) > 0 else "lower"
        size = round_half_up(points)
        candidates = [honest_phrase(Difference(row)), f"{size:.0f} percentage points {way} than",
                      f"more than {math.floor(points)} percentage points {way} than" if points >= 1 else ""]
    elif row.get("compare_to"):
        points = float(row["change_pp"])
        said = change_phrase(str(row["change"]), points)
        size = math.floor(abs(points))
        under = f"{row['change']} by more than {size} percentage point{'' if size == 1 else 's'}"
        candidates = [said] + ([under] if row["change"] in {"rose", "fell"} and size >= 1 else [])
    else:
        value = float(row["estimate"])
        whole = round_half_up(value, 0, 100)
        floor = math.floor(value * 100 / 5) * 5
        floor = floor - 5 if floor == value * 100 else floor
        plain = words(value)
        candidates = [plain if not plain.endswith("%") else "", f"more than {floor} per cent" if floor > 0 else "",
                      f"around {whole:.0f}%" if whole > 0 else ""]
        candidates += ["a majority"] if value > 0.5 else []
    return list(dict.fromkeys(c for c in candidates if c and claim_problem(c, row) is None))


def matches(survey: SurveySummary, question: QuestionSummary, word: str) -> bool:
    """Whether WORD appears, in any case, in the question's key, title, wording or finding."""
    found = [question.key, f"{survey.id}.{question.key}", question.title, question.text, question.finding or ""]
    return word.casefold() in " ".join(found).casefold()


def listing(summaries: list[SurveySummary], rows: list[dict], word: str = "", segment: str = "",
            every_segment: bool = False) -> str:
    """The figures of every question WORD matches (all questions without it), grouped by survey and question.

    Whole-sample figures and changes between waves always; a segment's groups with `segment`, every
    segment's with `every_segment`. Empty when no question matches.
    """
    by_question: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        shown = not row["segment"] or every_segment or row["segment"] == segment
        if shown:
            by_question.setdefault((row["survey"], row["question"]), []).append(row)
    blocks = []
    for survey in summaries:
        questions = [q for q in survey.questions if not word or matches(survey, q, word)]
        if questions:
            blocks.append(f"{survey.id}: {survey.title} ({survey.respondents:,} respondents)\n")
            blocks += ["\n".join(_question(survey, q, by_question.get((survey.id, q.key), []))) + "\n"
                       for q in questions]
    return "\n".join(blocks)


def _question(survey: SurveySummary, question: QuestionSummary, rows: list[dict]) -> Iterator[str]:
    yield f"  {question.key}: {question.title}"
    yield f'  "{" ".join(question.text.split())}"'
    whole = next((r for r in rows if not r["segment"] and not r["compare_to"] and r["base"] is not None), None)
    of = f"the {int(whole['base']):,} {question.respondents}" if whole else question.respondents
    yield f"  Percentages of {of}" + (
        " giving an answer (Don't know and Prefer not to say left out)" if question.base == "answering" else "") + "."
    if not rows:
        yield "    (no figures: nobody answered it, or its answers are never published)"
    for row in rows:
        yield ""
        yield from _figure(row, survey)


def _figure(row: dict, survey: SurveySummary) -> Iterator[str]:
    key, change = row["key"], bool(row["compare_to"])
    difference = row.get("comparison") == DIFFERENCE
    group = f", {survey.segment(row['segment']).label_of(row['segment_value'])}" if (
        row["segment"] and survey.segment(row["segment"])) else ""
    label = (f"{row['option_label']}{' (net)' if row['option_type'] == 'net' else ''}{group}"
             + (" (of everyone asked)" if row["base_type"] == "asked" and _answering(survey, row) else "")
             + (f", against {_other(row, survey)}" if difference else
                f", since {survey.wave_name(row['compare_to'])}" if change else ""))
    if row["suppressed"]:
        yield f"    {key}  {SUPPRESSED}  {label}"
        yield f"      not publishable: {row['suppression'] or 'suppressed'}; stat() and claim() refuse it"
        return
    if difference:
        value = f"{row['change']} ({row['change_pp']:+.1f} points{_p(row, 'p_adjusted')} after Holm's correction)"
    elif change:
        value = f"{change_phrase(row['change'], row['change_pp'])} ({row['change_pp']:+.1f} points{_p(row)})"
    else:
        value = percent(row["estimate"]) + (f" (low base: {int(row['base'])})" if row["low_base"] else "")
    yield f"    {key}  {value}  {label}"
    phrases = honest_phrases(row)
    if phrases:
        yield f"      honest words: {'; '.join(phrases)}"
    yield f'      {{{{ stat("{key}") }}}}'
    if not change or difference:
        yield f'      {{{{ stat("{key}", form="words") }}}}'
    if phrases:
        chosen = phrases[-1] if change else next((p for p in phrases if not p.endswith("%")), phrases[0])
        yield f'      {{{{ claim("{chosen}", "{key}") }}}}'
        if difference and row["compare_to"] != REST:  # the same claim, naming the two groups' figures
            group = key.rsplit(".vs=", 1)[0]
            other = group.rsplit("=", 1)[0] + "=" + row["compare_to"]
            yield f'      {{{{ claim("{phrases[0]}", "{group}", "{other}") }}}}'


def _other(row: dict, survey: SurveySummary) -> str:
    if row["compare_to"] == REST:
        return "the rest"
    segment = survey.segment(row["segment"])
    return segment.label_of(row["compare_to"]) if segment else row["compare_to"]


def _p(row: dict, column: str = "p_value") -> str:
    if row[column] is None or math.isnan(row[column]):
        return ""
    p = p_value_text(row[column])
    return f", p {'< ' + p[1:] if p.startswith('<') else '= ' + p}"


def _answering(survey: SurveySummary, row: dict) -> bool:
    question = survey.question(row["question"])
    return bool(question and question.base == "answering")


def question_keys(summaries: list[SurveySummary]) -> list[str]:
    """Every question as survey.question, for a reader whose word matched nothing."""
    return [f"{s.id}.{q.key}" for s in summaries for q in s.questions]
