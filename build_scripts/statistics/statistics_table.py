"""The statistics table as a typed object: a declared schema, named queries, and its CSV form.

Every stage after the statistics step reads figures through `StatisticsTable`, so what "the whole
sample" or "a change" means is said once, and a frame with a missing column or a column of the
wrong kind is refused where it is made, not three stages later.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from build_scripts.errors import DataError, Problem

Kind = Literal["text", "integer", "number", "flag"]


@dataclass(frozen=True)
class Column:
    """One column of the table: its name, the kind of value it holds and what it means to a reader."""

    name: str
    kind: Kind
    meaning: str


SCHEMA: tuple[Column, ...] = (
    Column("key", "text", "the figure's stable identifier, used by copy as stat(\"key\")"),
    Column("survey", "text", "the survey's identifier"),
    Column("series", "text", "the survey series it is a wave of"),
    Column("wave", "text", "the wave's name, e.g. 2015"),
    Column("question", "text", "the question's identifier"),
    Column("option", "text", "the answer's identifier (or a net's, or 'answered' for a free-text question)"),
    Column("option_label", "text", "the answer as respondents saw it"),
    Column("option_type", "text",
           "answer, dont_know, prefer_not_to_say, net (answers added up per respondent) or answered"),
    Column("base_type", "text",
           "asked (share of everyone asked) or answering (leaving out Don't know and Prefer not to say)"),
    Column("segment", "text", "the breakdown (empty for everyone who answered)"),
    Column("segment_value", "text", "the group within the breakdown"),
    Column("base", "integer", "unweighted number of respondents the figure is a share of"),
    Column("weighted_base", "number", "weighted number of respondents (equal to base when unweighted)"),
    Column("effective_base", "number",
           "the effective base the interval and tests use: Kish's for weights alone, or n / design effect for a "
           "survey with a sample design (equal to base when unweighted)"),
    Column("design_effect", "number",
           "base / effective base: 1 for an unweighted simple sample; Kish's for weights alone; the "
           "Taylor-linearised design effect (as R's survey package, deff='replace') for a survey with a design"),
    Column("weighted", "flag", "whether the survey is weighted"),
    Column("count", "integer", "unweighted respondents giving the answer (empty when hidden)"),
    Column("weighted_count", "number", "weighted respondents giving the answer (empty when hidden)"),
    Column("estimate", "number", "the proportion, from 0 to 1 (empty when suppressed)"),
    Column("ci_low", "number", "lower end of the 95% Wilson interval"),
    Column("ci_high", "number", "upper end of the 95% Wilson interval"),
    Column("suppressed", "flag", "true when the figure is not published (see suppression)"),
    Column("suppression", "text",
           "why: 'base under 50'; 'effective base under 50' (weighted); 'count under 10' in a breakdown "
           "(or a group's base of 1 to 9); 'secondary' where the figure would let a hidden count be worked "
           "out; 'previous wave suppressed' for a change; 'compared figure not published' for a difference"),
    Column("low_base", "flag", "true when the base or the effective base is 50 to 99"),
    Column("comparison", "text",
           "empty for a figure; 'change' for a change between waves; 'difference' for a difference between groups"),
    Column("compare_to", "text",
           "for a change row: the earlier wave it is compared with; for a difference row: the other group's key, "
           "or 'rest' for everyone else on the base (empty for a figure)"),
    Column("previous_estimate", "number",
           "for a change row: the figure in the earlier wave; for a difference row: the other group's figure"),
    Column("change_pp", "number",
           "for a change row: the change in percentage points; for a difference row: this group's figure minus "
           "the other's, in percentage points"),
    Column("difference_low", "number",
           "for a difference row: lower end of the difference's 95% interval, in percentage points"),
    Column("difference_high", "number",
           "for a difference row: upper end of the difference's 95% interval, in percentage points"),
    Column("p_value", "number",
           "for a change or difference row: two-sided p-value of a two-proportion test on the effective bases"),
    Column("p_adjusted", "number",
           "for a difference row: the p-value adjusted by Holm's method for every difference tested for the survey"),
    Column("change", "text",
           "for a change row: 'rose' or 'fell' when p is under 0.05, otherwise 'little change'; for a difference "
           "row: 'more likely' or 'less likely' when the adjusted p is under 0.05, otherwise 'no clear difference'"),
    Column("revised", "flag", "true when the latest release revised the figure (shown as [r]; see the Revisions page)"),
    Column("revised_from", "number", "for a revised figure: its estimate in the release before (empty if it was not published)"),
    Column("revision_note", "text", "for a revised figure: the latest release's note saying why it moved"),
)
CHANGE, DIFFERENCE = "change", "difference"  # the `comparison` of a change row and of a difference row
REST = "rest"  # a difference row's `compare_to` when the group is compared with everyone else on its base
COLUMNS = [c.name for c in SCHEMA]
KINDS = {c.name: c.kind for c in SCHEMA}
REQUIRED = ("key", "survey", "estimate", "effective_base", "suppressed")  # what comparing two tables needs
_HOLDS = {
    "text": pd.api.types.is_string_dtype,
    "integer": pd.api.types.is_integer_dtype,
    "number": pd.api.types.is_float_dtype,
    "flag": pd.api.types.is_bool_dtype,
}


def schema_problems(frame: pd.DataFrame) -> list[str]:
    """How a frame differs from the schema: missing or unexpected columns, columns of the wrong kind."""
    problems = []
    if list(frame.columns) != COLUMNS:
        missing = [c for c in COLUMNS if c not in frame.columns]
        extra = [c for c in frame.columns if c not in KINDS]
        problems.append(f"columns differ from the schema (missing {missing or 'none'}, unexpected {extra or 'none'},"
                        " or out of order)")
    for name, kind in KINDS.items():
        if name in frame.columns and len(frame) and not _HOLDS[kind](frame[name].dtype):
            problems.append(f"column {name!r} holds {frame[name].dtype}, not {kind}")
    return problems


@dataclass(frozen=True)
class StatisticsTable:
    """Rows of the statistics table (a row per figure) that keep to the schema, with its named queries.

    Each query returns another `StatisticsTable`, so queries chain:
    `table.of_survey("public-2015").of_question("q1").whole_sample()`.
    """

    frame: pd.DataFrame

    def __post_init__(self) -> None:
        problems = schema_problems(self.frame)
        if problems:  # a programming error, not a reader's: the table is made by our own code
            raise TypeError("the statistics table does not keep to its schema: " + "; ".join(problems))

    @classmethod
    def empty(cls) -> StatisticsTable:
        """A table with no rows."""
        return cls(_typed(pd.DataFrame({name: pd.Series([], dtype=object) for name in COLUMNS})))

    @classmethod
    def concat(cls, frames: list[pd.DataFrame]) -> StatisticsTable:
        """The rows of several frames of the schema, in order."""
        frames = [f for f in frames if len(f)]
        return cls(pd.concat(frames, ignore_index=True)) if frames else cls.empty()

    def _where(self, mask) -> StatisticsTable:
        return StatisticsTable(self.frame[mask])

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def is_empty(self) -> bool:
        """Whether the table has no rows."""
        return self.frame.empty

    def figures(self) -> StatisticsTable:
        """Figures of one wave: every row that is not a change between waves."""
        return self._where(self.frame["compare_to"] == "")

    def whole_sample(self) -> StatisticsTable:
        """Figures for everyone asked, not broken down by a segment."""
        return self._where((self.frame["compare_to"] == "") & (self.frame["segment"] == ""))

    def breakdown(self, segment: str) -> StatisticsTable:
        """Figures for the groups of one segment."""
        return self._where((self.frame["compare_to"] == "") & (self.frame["segment"] == segment))

    def changes(self) -> StatisticsTable:
        """Change rows: a figure against the same figure in the wave before."""
        return self._where(self.frame["comparison"] == CHANGE)

    def differences(self) -> StatisticsTable:
        """Difference rows: a group's figure against the rest of the sample's, or another group's."""
        return self._where(self.frame["comparison"] == DIFFERENCE)

    def published(self) -> StatisticsTable:
        """Figures of one wave that are not suppressed: what a page or a share card may quote."""
        return self._where((self.frame["compare_to"] == "") & ~self.frame["suppressed"])

    def of_survey(self, survey: str) -> StatisticsTable:
        """One survey's rows."""
        return self._where(self.frame["survey"] == survey)

    def of_surveys(self, surveys: list[str]) -> StatisticsTable:
        """The rows of several surveys (e.g. the waves of a series)."""
        return self._where(self.frame["survey"].isin(surveys))

    def of_question(self, question: str) -> StatisticsTable:
        """One question's rows (with `of_survey`, or across the waves of a series)."""
        return self._where(self.frame["question"] == question)

    def on_base(self, base: str) -> StatisticsTable:
        """Rows whose percentages are of one base: `asked` or `answering`."""
        return self._where(self.frame["base_type"] == base)

    def answers(self, base: str) -> StatisticsTable:
        """What a question's chart shows: its answers on its base, not nets."""
        return self._where((self.frame["base_type"] == base) & (self.frame["option_type"] != "net"))

    def by_key(self) -> pd.DataFrame:
        """The rows indexed by their key, for looking figures up."""
        return self.frame.set_index("key", drop=False)

    def records(self) -> list[dict]:
        """The rows as plain dicts, with missing values as None (for the copy's figure functions)."""
        return self.frame.astype(object).where(self.frame.notna(), None).to_dict("records")

    def to_csv(self) -> str:
        """The table as CSV text (see `write_csv`)."""
        return write_csv(self.frame)

    @classmethod
    def from_csv(cls, text: str, shown: str) -> StatisticsTable:
        """A table read back from its CSV (an earlier build's stats.csv), or DataError naming what is wrong.

        Columns an older build did not write are left empty; the ones a comparison needs must be there.
        """
        try:
            raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (ValueError, pd.errors.ParserError) as exc:
            raise DataError([_not_a_table(shown, f"it is not a readable CSV ({type(exc).__name__})")]) from None
        missing = [c for c in REQUIRED if c not in raw.columns]
        if missing:
            raise DataError([_not_a_table(shown, f"it has no column {', '.join(missing)}")])
        older = "comparison" not in raw.columns  # before differences, every comparison was a change
        raw = raw.reindex(columns=COLUMNS, fill_value="")
        if older:
            raw["comparison"] = raw["compare_to"].map(lambda v: CHANGE if v else "")
        try:
            return cls(_typed(raw))
        except ValueError as exc:
            raise DataError([_not_a_table(shown, f"a value does not fit its column ({exc})")]) from None


def _not_a_table(shown: str, why: str) -> Problem:
    return Problem(shown, "", f"is not a statistics table: {why}",
                   "pass the stats.csv of an earlier build (site/data/stats.csv), or a git revision")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's columns converted to their kinds: text as str, flags from true/false, numbers from text."""
    out = {}
    for name in COLUMNS:
        column = frame[name]
        kind = KINDS[name]
        if kind == "text":
            out[name] = column.fillna("").astype(str)
        elif kind == "flag":
            out[name] = column.map(lambda v: str(v).strip().lower() == "true").astype(bool)
        elif kind == "integer":
            out[name] = pd.to_numeric(column.replace("", None), errors="raise").astype("Int64")
        else:
            out[name] = pd.to_numeric(column.replace("", None), errors="raise").astype(float)
    return pd.DataFrame(out, index=frame.index)


def write_csv(frame: pd.DataFrame) -> str:
    """Rows of the table as CSV text, so identical inputs give identical bytes.

    Numbers keep full precision (repr round-trips exactly), so a figure read back from the CSV rounds
    to the same percentage as the pages show, and a reader can redo every interval and test from it.
    Columns beyond the schema (a download's question wording) are written as they are.
    """
    out = frame.copy()
    for name in out.columns:
        kind = KINDS.get(name)
        if kind == "number":
            out[name] = out[name].map(lambda v: "" if pd.isna(v) else repr(float(v)))
        elif kind == "flag":
            out[name] = out[name].map(lambda v: "true" if v else "false")
    return out.to_csv(index=False, lineterminator="\n")
