"""The codebook schema (`survey.yml`): disclosure fields, segments and questions, validated by pydantic."""

from __future__ import annotations

import re
from datetime import date
from itertools import product
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator,
                      model_validator)

from build_scripts.errors import Problem
from build_scripts.standards import DEFAULT
from build_scripts.yaml_schema import read_model

PAIRWISE_GROUPS = 12  # a segment with more groups is tested each against the rest: 66 pairs are already many
PLACEHOLDER = "TODO"  # what `campaign-site new-survey` writes where only a person can fill the field in


def _filled_in(text: str) -> str:
    if text.upper().startswith(PLACEHOLDER):
        raise ValueError("this still holds the draft's placeholder: fill it in")
    return text


Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_filled_in)]


class Strict(BaseModel):
    # A misspelt field name must fail loudly rather than be ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    key: Key = Field(description="a short lower-case identifier used in figure keys, e.g. dont_know")
    label: Text = Field(description="the answer as readers should see it")
    value: Text | None = Field(None, description="the answer exactly as the export writes it, if not the label")
    kind: Literal["answer", "dont_know", "prefer_not_to_say"] = Field(
        "answer", description="answer, dont_know or prefer_not_to_say")
    column: Text | None = Field(None, description="for a multi question exported one column per option: its column")

    @property
    def export_value(self) -> str:
        """The text that stands for this option in the responses file."""
        return self.value or self.label

    @property
    def substantive(self) -> bool:
        """Whether this is a real answer rather than "Don't know" or "Prefer not to say"."""
        return self.kind == "answer"


class Net(Strict):
    key: Key = Field(description="a short identifier for the net, e.g. agree")
    label: Text = Field(description="the net as readers should see it, e.g. Agree (net)")
    options: list[Key] = Field(min_length=2, description="the option keys it adds up, per respondent")


class Segment(Strict):
    key: Key = Field(description="a short identifier for the breakdown, e.g. nation")
    label: Text = Field(description="the breakdown's name as readers should see it")
    column: Text = Field(description="the column of the responses file that holds it")
    options: list[Option] = Field(min_length=1, description="every value the column may hold")
    compare: Literal["rest", "pairwise"] = Field(
        "rest", description="how its groups are tested for differences: each against the rest of the sample "
                            "(rest), or each pair of groups (pairwise)")

    @model_validator(mode="after")
    def _pairs_a_reader_can_take_in(self) -> Segment:
        if any(o.key == "rest" for o in self.options):
            raise ValueError("a group may not have the key 'rest': difference keys use it for everyone else "
                             "asked (…vs=rest); give the group another key, e.g. rest_of_uk")
        if self.compare == "pairwise" and len(self.options) > PAIRWISE_GROUPS:
            raise ValueError(f"`compare: pairwise` tests every pair of groups: {len(self.options)} groups make "
                             f"{len(self.options) * (len(self.options) - 1) // 2} tests per answer, and the "
                             f"correction for so many leaves no difference clear; use it with at most "
                             f"{PAIRWISE_GROUPS} groups, or leave it out to test each group against the rest")
        return self


class Routing(Strict):
    segment: Key = Field(description="the segment that decides who was asked")
    values: list[Key] = Field(min_length=1, description="the segment option keys of those asked")
    description: Text = Field(description="who was asked, in words, e.g. 'social workers'")


class Question(Strict):
    key: Key = Field(description="a short identifier used in figure keys, e.g. powerless")
    title: Text = Field(description="a short heading for the question's section")
    text: Text = Field(description="the exact wording respondents saw")
    type: Literal["single", "multi", "text"] = Field(
        description="single (one answer), multi (several answers) or text (free text, never published)")
    column: Text | None = Field(None, description="the column of the responses file that holds the answers")
    options: list[Option] = Field(default_factory=list, description="every answer respondents could give")
    nets: list[Net] = Field(default_factory=list, description="answers added up per respondent, e.g. agree")
    asked: Routing | None = Field(None, description="who was asked, when not everyone was")
    base: Literal["asked", "answering"] = Field(
        "asked", description="asked (everyone asked) or answering (leaving out Don't know and Prefer not to say)")
    separator: Annotated[str, StringConstraints(min_length=1)] = Field(
        ";", description="what separates answers in one cell of a multi question")
    headline: Key | None = Field(None, description="the option or net the breakdown chart shows (default: the first)")
    finding: Text | None = Field(
        None, description="what the headline figure says, in the words after it: 'of social workers have felt "
                          "powerless to intervene' makes '41% of social workers have felt powerless to intervene'")
    differences: Literal["headline", "all", "none"] = Field(
        "headline", description="which answers get tested differences between groups: the headline answer, "
                                "all answers and nets, or none")

    @model_validator(mode="after")
    def _shape(self) -> Question:
        per_option = [o.column for o in self.options if o.column]
        problems = []
        if self.type == "text":
            if self.options or self.nets:
                problems.append("a text question has no options or nets")
        elif not self.options:
            problems.append(f"a {self.type} question needs its options")
        if per_option and (self.type != "multi" or len(per_option) != len(self.options) or self.column):
            problems.append("only a multi question may give a column per option, and then every option needs one "
                            "and the question no `column`")
        if not per_option and not self.column:
            problems.append("the question needs the `column` holding its answers")
        keys = {o.key for o in self.options}
        for net in self.nets:
            if unknown := sorted(set(net.options) - keys):
                problems.append(f"net {net.key!r} adds up options that do not exist: {unknown}")
            if net.key in keys:
                problems.append(f"net {net.key!r} has the same key as an option")
        if self.headline and self.headline not in keys | {n.key for n in self.nets}:
            problems.append(f"headline {self.headline!r} is not one of the question's options or nets")
        if self.finding and self.type == "text":
            problems.append("a text question has no figure to state a finding about: remove `finding`")
        if self.finding and re.search(r"\d\s?%|\bper ?cent\b", self.finding, re.IGNORECASE):
            # The figure comes from the data; one typed into the words would go stale when the data change.
            problems.append("`finding` holds the words after the figure, without a percentage (the figure is added)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def per_option_columns(self) -> bool:
        """Whether a multi question is exported one column per option (SurveyMonkey's shape)."""
        return any(o.column for o in self.options)

    @property
    def columns(self) -> list[str]:
        """Every responses column the question reads."""
        return [o.column for o in self.options] if self.per_option_columns else [self.column]

    @property
    def headline_key(self) -> str | None:
        """The option or net the breakdown chart shows."""
        return self.headline or (self.options[0].key if self.options else None)


class Fieldwork(Strict):
    start: date = Field(description="first day of fieldwork, YYYY-MM-DD")
    end: date = Field(description="last day of fieldwork, YYYY-MM-DD")

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Fieldwork:
        if self.end < self.start:
            raise ValueError(f"fieldwork ends ({self.end}) before it starts ({self.start})")
        return self


class Target(Strict):
    segments: list[Key] = Field(min_length=1, description="the segment(s) whose population shares are given")
    shares: dict[str, float] = Field(
        min_length=1, description="population share of each segment option (joined by '/' for several segments)")

    @model_validator(mode="after")
    def _adds_up(self) -> Target:
        total = sum(self.shares.values())
        if min(self.shares.values()) <= 0:
            raise ValueError("every target share must be above zero")
        if abs(total - 100) > 0.5 and abs(total - 1) > 0.005:
            raise ValueError(f"target shares for {'/'.join(self.segments)} add up to {total:g}, not 100 (or 1)")
        return self

    def proportions(self) -> dict[str, float]:
        """The shares scaled to add up to exactly 1."""
        total = sum(self.shares.values())
        return {k: v / total for k, v in self.shares.items()}


class Weighting(Strict):
    column: Text | None = Field(None, description="the column holding each respondent's weight, if the export has one")
    targets: list[Target] = Field(default_factory=list, description="population targets to rake to, instead of a column")
    cap: float = Field(DEFAULT.weight_cap, gt=1,
                       description="the largest weight raking may give, as a multiple of the mean")
    variables: list[Text] = Field(min_length=1, description="what the sample was weighted by (standards rule 3)")
    targets_source: Text = Field(description="where the weighting targets came from (standards rule 3)")

    @model_validator(mode="after")
    def _one_way(self) -> Weighting:
        if bool(self.column) == bool(self.targets):
            raise ValueError("give either `column` (weights in the export) or `targets` (weights computed by raking)")
        return self


class SurveyDesign(Strict):
    strata: Text | None = Field(None, description="the column holding each respondent's stratum")
    psu: Text | None = Field(None, validate_default=True,
                             description="the column holding each respondent's primary sampling unit "
                                         "(cluster), numbered within its stratum")
    fpc: Text | None = Field(None, description="the column holding the number of PSUs in the respondent's stratum "
                                               "in the population (finite population correction)")
    lonely_psu: Literal["fail", "adjust", "remove"] = Field(
        "fail", description="what to do with a stratum that has a single PSU in the sample: fail (stop the build), "
                            "adjust (centre it on the population mean) or remove (count no variance from it)")
    interval: Literal["wilson", "wald"] = Field(
        "wilson", description="the confidence interval: wilson (Wilson score on the design-effective base) or "
                              "wald (the estimate plus or minus 1.96 design-based standard errors)")

    @field_validator("psu")
    @classmethod
    def _names_a_design(cls, psu: str | None, info: ValidationInfo) -> str | None:
        # A field's check, not the model's: pydantic runs it even when another field of the design is wrong, so
        # both problems are reported at once. A strata that failed its own check is not in info.data.
        if psu is None and "strata" in info.data and info.data["strata"] is None:
            raise ValueError("a design needs `strata`, `psu` or both: the columns of the sample's design")
        return psu

    @property
    def columns(self) -> list[str]:
        """The responses columns the design reads."""
        return [c for c in (self.strata, self.psu, self.fpc) if c]


class Codebook(Strict):
    id: Key = Field(description="the survey's identifier; must match its folder name")
    title: Text = Field(description="the survey's name as readers should see it")
    commissioned_by: Text = Field(description="who commissioned the survey (standards rule 1)")
    conducted_by: Text = Field(description="who carried out the fieldwork (standards rule 1)")
    fieldwork: Fieldwork = Field(description="fieldwork dates (standards rule 1)")
    method: Text = Field(description="how it was carried out: online, phone, in person (standards rule 1)")
    population: Text = Field(description="the population the sample represents (standards rule 1)")
    coverage: Text = Field(description="the geographic coverage, e.g. United Kingdom (standards rule 1)")
    series: Key | None = Field(None, description="the survey series this is a wave of (default: the id without its year)")
    wave: Text | None = Field(None, description="the wave's name, e.g. 2016 (default: the year fieldwork started)")
    notes: Text | None = Field(None, description="anything else readers should know about the method")
    responses: Text = Field("responses.csv", description="the export (.csv, .xlsx, .sav), relative to the codebook")
    sheet: Text | None = Field(None, description="for an Excel workbook: the sheet holding the responses")
    header_row: int | None = Field(
        None, ge=1, description="the spreadsheet row number of the header, when title rows sit above it "
                                "(default: found below any title rows)")
    id_column: Text | None = Field(
        None, description="the column holding each respondent's unique ID; without one, respondents are "
                          "numbered by row and no duplicate check is made")
    weighting: Weighting | None = Field(None, description="the survey's weights, when it is weighted")
    design: SurveyDesign | None = Field(
        None, description="the sample's design (strata, clusters), when it is not a simple random sample: "
                          "intervals and tests then use design-based standard errors")
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
        for q in self.questions:
            problems += duplicate_keys(f"net of {q.key!r}", [n.key for n in q.nets])
        if self.design:  # a segment may be a stratum (regions often are), and each respondent a PSU; answers may not
            used = {*(c for q in self.questions for c in q.columns),
                    *([self.weighting.column] if self.weighting and self.weighting.column else [])}
            problems += [f"the design's column {c!r} is also a question's or the weights' column: the design needs "
                         "the columns saying how the sample was drawn" for c in self.design.columns if c in used]
        segments = {s.key: s for s in self.segments}
        for target in self.weighting.targets if self.weighting else []:
            problems += _target_problems(target, segments)
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

    @property
    def series_key(self) -> str:
        """The series this survey is a wave of: waves of one series share question keys."""
        return self.series or series_of(self.id)

    @property
    def wave_name(self) -> str:
        """How this wave is named on pages, e.g. 2016."""
        return self.wave or str(self.fieldwork.start.year)


def series_of(survey_id: str) -> str:
    """The series a survey joins by its id alone: the id without a final -YYYY."""
    return re.sub(r"-\d{4}$", "", survey_id)


def _target_problems(target: Target, segments: dict[str, Segment]) -> list[str]:
    """A weighting target must name declared segments and give a share for every combination of them."""
    missing = [k for k in target.segments if k not in segments]
    if missing:
        return [f"weighting target names segments that are not declared: {missing}"]
    cells = {"/".join(combo) for combo in product(*[[o.key for o in segments[k].options] for k in target.segments])}
    problems = []
    if unknown := sorted(set(target.shares) - cells):
        problems.append(f"weighting target for {'/'.join(target.segments)} has shares for unknown groups {unknown}")
    if absent := sorted(cells - set(target.shares)):
        problems.append(f"weighting target for {'/'.join(target.segments)} has no share for {absent}")
    return problems


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
