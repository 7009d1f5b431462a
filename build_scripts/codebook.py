"""The codebook schema (`survey.yml`): disclosure fields, segments and questions, validated by pydantic."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from build_scripts.errors import Problem
from build_scripts.yaml_schema import read_model

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    # A misspelt field name must fail loudly rather than be ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    key: Key = Field(description="a short lower-case identifier used in figure keys, e.g. dont_know")
    label: Text = Field(description="the answer as readers should see it")
    value: Text | None = Field(None, description="the answer exactly as the export writes it, if not the label")
    kind: Literal["answer", "dont_know", "prefer_not_to_say"] = "answer"

    @property
    def export_value(self) -> str:
        """The text that stands for this option in the responses file."""
        return self.value or self.label


class Segment(Strict):
    key: Key = Field(description="a short identifier for the breakdown, e.g. nation")
    label: Text = Field(description="the breakdown's name as readers should see it")
    column: Text = Field(description="the column of the responses file that holds it")
    options: list[Option] = Field(min_length=1, description="every value the column may hold")


class Routing(Strict):
    segment: Key = Field(description="the segment that decides who was asked")
    values: list[Key] = Field(min_length=1, description="the segment option keys of those asked")
    description: Text = Field(description="who was asked, in words, e.g. 'social workers'")


class Question(Strict):
    key: Key = Field(description="a short identifier used in figure keys, e.g. powerless")
    title: Text = Field(description="a short heading for the question's section")
    text: Text = Field(description="the exact wording respondents saw")
    column: Text = Field(description="the column of the responses file that holds the answers")
    type: Literal["single", "multi"] = Field(description="single or multi (several answers in one cell)")
    options: list[Option] = Field(min_length=1, description="every answer respondents could give")
    asked: Routing | None = Field(None, description="who was asked, when not everyone was")
    separator: Text = Field(";", description="what separates answers in one cell of a multi question")


class Fieldwork(Strict):
    start: date = Field(description="first day of fieldwork, YYYY-MM-DD")
    end: date = Field(description="last day of fieldwork, YYYY-MM-DD")

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Fieldwork:
        if self.end < self.start:
            raise ValueError(f"fieldwork ends ({self.end}) before it starts ({self.start})")
        return self


class Weighting(Strict):
    column: Text = Field(description="the column of the responses file that holds each respondent's weight")
    variables: list[Text] = Field(min_length=1, description="what the sample was weighted by (standards rule 3)")
    targets_source: Text = Field(description="where the weighting targets came from (standards rule 3)")


class Codebook(Strict):
    id: Key = Field(description="the survey's identifier; must match its folder name")
    title: Text = Field(description="the survey's name as readers should see it")
    commissioned_by: Text = Field(description="who commissioned the survey (standards rule 1)")
    conducted_by: Text = Field(description="who carried out the fieldwork (standards rule 1)")
    fieldwork: Fieldwork = Field(description="fieldwork dates (standards rule 1)")
    method: Text = Field(description="how it was carried out: online, phone, in person (standards rule 1)")
    population: Text = Field(description="the population the sample represents (standards rule 1)")
    coverage: Text = Field(description="the geographic coverage, e.g. United Kingdom (standards rule 1)")
    notes: Text | None = Field(None, description="anything else readers should know about the method")
    responses: Text = Field("responses.csv", description="the responses file, relative to the codebook")
    id_column: Text = Field(description="the column holding each respondent's unique ID")
    weighting: Weighting | None = Field(None, description="the survey's weights, when it is weighted")
    segments: list[Segment] = Field(default_factory=list)
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_references(self) -> Codebook:
        problems = []
        problems += duplicate_keys("segment", [s.key for s in self.segments])
        problems += duplicate_keys("question", [q.key for q in self.questions])
        for item in [*self.segments, *self.questions]:
            problems += duplicate_keys(f"option of {item.key!r}", [o.key for o in item.options])
            values = [o.export_value for o in item.options]
            problems += [f"two options of {item.key!r} stand for the same answer {v!r} in the export"
                         for v in sorted({v for v in values if values.count(v) > 1})]
        segments = {s.key: s for s in self.segments}
        for q in self.questions:
            if q.asked is None:
                continue
            seg = segments.get(q.asked.segment)
            if seg is None:
                problems.append(f"question {q.key!r} is routed by segment {q.asked.segment!r}, which is not declared")
                continue
            unknown = sorted(set(q.asked.values) - {o.key for o in seg.options})
            if unknown:
                problems.append(f"question {q.key!r} is routed to {unknown}, not options of segment {seg.key!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def segment(self, key: str) -> Segment:
        """The declared segment with this key."""
        return next(s for s in self.segments if s.key == key)


def duplicate_keys(what: str, keys: list[str]) -> list[str]:
    """A message for each key that appears more than once."""
    seen = {k for k in keys if keys.count(k) > 1}
    return [f"{what} key {k!r} is used more than once" for k in sorted(seen)]


def load_codebook(path: Path, shown_as: str) -> tuple[Codebook | None, list[Problem]]:
    """Read and validate a codebook, returning it or every problem found in it."""
    book, problems = read_model(path, shown_as, Codebook, "survey.yml")
    if book is None:
        return None, problems
    folder = path.parent.name
    if book.id != folder:
        return None, [Problem(shown_as, "field id", f"the id does not match the folder name {folder!r}",
                              f"set `id: {folder}` or rename the folder", book.id)]
    return book, []
