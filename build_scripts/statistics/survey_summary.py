"""What pages, charts, share cards, `diff` and the copy renderer know about a survey besides its figures.

One `SurveySummary` per survey, made once per build from its codebook and sample, and shared in
memory: the disclosure fields (standards rules 1 to 3), its segments and groups, its waves and its
questions. Typed, so a misspelt field fails where it is read, not as a blank on a page.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from build_scripts.statistics.survey_figures import SurveyFigures


class _Summary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Group(_Summary):
    """One group of a segment, e.g. `england` labelled England."""

    key: str
    label: str


class SegmentSummary(_Summary):
    """A breakdown readers see, e.g. by nation, with its groups in codebook order."""

    key: str
    label: str
    groups: list[Group]

    def label_of(self, group: str) -> str:
        """A group's label, or its key when the segment has no such group."""
        return next((g.label for g in self.groups if g.key == group), group)


class Wave(_Summary):
    """One wave of the survey's series."""

    id: str
    wave: str


class WeightingSummary(_Summary):
    """How the survey was weighted (standards rule 3)."""

    variables: list[str]
    targets_source: str
    effective_base: float | None
    method: Literal["supplied", "raking"]
    cap: float


class DesignSummary(_Summary):
    """The sample's design, when the codebook gives one: its strata, PSUs and how intervals are made."""

    strata: int
    psus: int
    fpc: bool
    interval: Literal["wilson", "wald"]
    lonely_psu: Literal["fail", "adjust", "remove"]


class QuestionSummary(_Summary):
    """A question's wording and who was asked it."""

    key: str
    title: str
    text: str
    type: str
    base: Literal["asked", "answering"]
    asked_of: str  # "all respondents", or the routing in words
    respondents: str  # who the percentages are of, e.g. "respondents" or "those who work in England"
    headline: str | None  # the option whose figure leads (none for a free-text question)
    finding: str | None = None  # the words after the headline figure, e.g. "of social workers have felt powerless"

    def finding_fits(self, row) -> bool:
        """Whether the codebook's `finding` describes a figure (a row of the statistics table): only the headline
        answer, for everyone asked."""
        return bool(self.finding) and row["option"] == self.headline and not row["segment"]


class SurveySummary(_Summary):
    """One survey as every page describes it: disclosure, sample, segments, waves and questions."""

    id: str
    title: str
    commissioned_by: str
    conducted_by: str
    fieldwork_start: dt.date
    fieldwork_end: dt.date
    method: str
    population: str
    coverage: str
    notes: str | None
    respondents: int
    weighting: WeightingSummary | None
    design: DesignSummary | None = None
    series: str
    wave: str
    waves: list[Wave]  # every wave of the series, oldest first, this one included
    segments: list[SegmentSummary]
    questions: list[QuestionSummary]

    def question(self, key: str) -> QuestionSummary | None:
        """The question with this key, or None."""
        return next((q for q in self.questions if q.key == key), None)

    def segment(self, key: str) -> SegmentSummary | None:
        """The segment with this key, or None."""
        return next((s for s in self.segments if s.key == key), None)

    def wave_name(self, survey_id: str) -> str:
        """The name of a wave of this survey's series, by its survey id (the id when it is not one)."""
        return next((w.wave for w in self.waves if w.id == survey_id), survey_id)


def summarise(figures: SurveyFigures, waves: list[SurveyFigures]) -> SurveySummary:
    """A survey's summary from its codebook and sample; `waves` are its series' waves, oldest first."""
    book = figures.codebook
    weighting = None
    if book.weighting:
        weighting = WeightingSummary(
            variables=list(book.weighting.variables), targets_source=book.weighting.targets_source,
            effective_base=figures.effective_base, method="supplied" if book.weighting.column else "raking",
            cap=book.weighting.cap)
    design = None
    if book.design and figures.design_units:
        design = DesignSummary(strata=figures.design_units[0], psus=figures.design_units[1], fpc=bool(book.design.fpc),
                               interval=book.design.interval, lonely_psu=book.design.lonely_psu)
    return SurveySummary(
        id=book.id, title=book.title, commissioned_by=book.commissioned_by, conducted_by=book.conducted_by,
        fieldwork_start=book.fieldwork.start, fieldwork_end=book.fieldwork.end, method=book.method,
        population=book.population, coverage=book.coverage, notes=book.notes, respondents=figures.respondents,
        weighting=weighting, design=design, series=book.series_key, wave=book.wave_name,
        waves=[Wave(id=w.id, wave=w.codebook.wave_name) for w in waves],
        segments=[SegmentSummary(key=s.key, label=s.label, groups=[Group(key=o.key, label=o.label) for o in s.options])
                  for s in book.segments],
        questions=[QuestionSummary(
            key=q.key, title=q.title, text=q.text, type=q.type, base=q.base,
            asked_of=q.asked.description if q.asked else "all respondents",
            respondents=q.asked.description if q.asked else "respondents", headline=q.headline_key,
            finding=q.finding)
            for q in book.questions],
    )
