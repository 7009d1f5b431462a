"""Figures quoted from other organisations (`surveys/sources.yml`), each with its citation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    HttpUrl,
    StringConstraints,
    model_validator,
)

from build_scripts.codebook import Key, Strict, Text, duplicate_keys
from build_scripts.errors import Problem
from build_scripts.yaml_schema import read_model

# A year, a month or a day: sources are often dated only "March 2015". YAML reads 2015 as a number.
PublicationDate = Annotated[str, BeforeValidator(str), StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]


class Source(Strict):
    key: Key = Field(description="a short identifier copy uses in source(\"...\")")
    figure: Text = Field(description="the figure as the source states it")
    publisher: Text = Field(description="the organisation that published it")
    title: Text = Field(description="the report or page it comes from")
    date: PublicationDate = Field(description="when it was published: YYYY, YYYY-MM or YYYY-MM-DD")
    url: HttpUrl = Field(description="a link to the publication")
    value: float | None = Field(None, description="the figure as a number, so claims about it can be checked")
    unit: Literal["proportion", "ratio", "count"] | None = Field(
        None, description="what the value is: a proportion (0.6 for 60%), a ratio (4 for £1 to £4) or a count")
    note: Text | None = None


class Sources(Strict):
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_keys(self) -> Sources:
        repeated = duplicate_keys("source", [s.key for s in self.sources])
        if repeated:
            raise ValueError("; ".join(repeated))
        return self

    def by_key(self) -> dict[str, Source]:
        """Sources indexed by key."""
        return {s.key: s for s in self.sources}


def load_sources(path: Path, shown_as: str) -> tuple[Sources, list[Problem]]:
    """Read sources.yml; a missing file means no sources, a broken one means problems."""
    if not path.exists():
        return Sources(), []
    sources, problems = read_model(path, shown_as, Sources, "sources.yml")
    return sources or Sources(), problems
