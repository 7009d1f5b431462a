"""Change between waves of a survey series, in percentage points, called a rise or fall only if significant."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from build_scripts.statistics.estimates import two_proportion_test
from build_scripts.ingest.load import Survey
from build_scripts.standards import Thresholds
from build_scripts.statistics.statistics_table import CHANGE, COLUMNS, StatisticsTable
from build_scripts.statistics.wave_comparison import question_difference

ROSE, FELL, LITTLE_CHANGE = "rose", "fell", "little change"


def waves_by_series(surveys: list[Survey]) -> dict[str, list[Survey]]:
    """Each series' waves, oldest first by the start of fieldwork."""
    series: dict[str, list[Survey]] = {}
    for survey in surveys:
        series.setdefault(survey.codebook.series_key, []).append(survey)
    return {k: sorted(v, key=lambda s: s.codebook.fieldwork.start) for k, v in sorted(series.items())}


def change_key(key: str, previous_survey: str) -> str:
    """The key of a figure's change since an earlier wave, e.g. ...powerless.yes.since=professionals-2015."""
    return f"{key}.since={previous_survey}"


def change_words(change_pp, p_value, significance: float) -> np.ndarray:
    """Standards rule 8: 'rose' or 'fell' only when the test gives p below the threshold."""
    change_pp, p_value = np.asarray(change_pp, dtype=float), np.asarray(p_value, dtype=float)
    return np.where(p_value < significance, np.where(change_pp > 0, ROSE, FELL), LITTLE_CHANGE)


def change_rows(surveys: list[Survey], table: StatisticsTable, thresholds: Thresholds) -> pd.DataFrame:
    """A row per whole-sample figure present in two consecutive waves: the later figure and its change."""
    whole = table.whole_sample().frame.set_index(["survey", "question", "option"])
    parts = []
    for waves in waves_by_series(surveys).values():
        for previous, current in pairwise(waves):
            now = whole.loc[current.id] if current.id in whole.index.get_level_values(0) else None
            before = whole.loc[previous.id] if previous.id in whole.index.get_level_values(0) else None
            if now is None or before is None:
                continue
            common = now.index.intersection(before.index)
            comparable = _comparable_questions(previous, current)
            common = common[common.get_level_values(0).isin(comparable)]
            if common.empty:
                continue  # the waves share no question they ask alike: nothing to compare
            rows = now.loc[common].reset_index()
            then = before.loc[common].reset_index()
            rows["survey"] = current.id
            rows["key"] = [change_key(k, previous.id) for k in rows["key"]]
            rows["comparison"] = CHANGE
            rows["compare_to"] = previous.id
            suppressed = rows["suppressed"].to_numpy() | then["suppressed"].to_numpy()
            p_value = two_proportion_test(then["estimate"], then["effective_base"], rows["estimate"],
                                          rows["effective_base"])
            change_pp = (rows["estimate"].to_numpy(dtype=float) - then["estimate"].to_numpy(dtype=float)) * 100
            rows["previous_estimate"] = np.where(suppressed, np.nan, then["estimate"].to_numpy(dtype=float))
            rows["change_pp"] = np.where(suppressed, np.nan, change_pp)
            rows["p_value"] = np.where(suppressed, np.nan, p_value)
            rows["change"] = np.where(suppressed, "", change_words(change_pp, p_value, thresholds.significance))
            rows["suppressed"] = suppressed
            rows["suppression"] = np.where(suppressed & (rows["suppression"] == ""), "previous wave suppressed",
                                           rows["suppression"])
            parts.append(rows[COLUMNS])
    return pd.concat(parts, ignore_index=True) if parts else StatisticsTable.empty().frame


def _comparable_questions(previous: Survey, current: Survey) -> list[str]:
    """The keys of questions both waves ask with the same options of the same people."""
    earlier = {q.key: q for q in previous.codebook.questions}
    return [q.key for q in current.codebook.questions
            if q.key in earlier and question_difference(earlier[q.key], q, previous.codebook) is None]
