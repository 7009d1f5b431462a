"""Figures quoted from other organisations (`surveys/sources.yml`), each with its citation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, HttpUrl, model_validator

from build_scripts.ingest.codebook import Key, Strict, Text, duplicate_keys
from build_scripts.errors import Problem
from build_scripts.yaml_schema import read_model


def _real_date(text: str) -> str:
    """A year, a month or a day that exists: 2015, 2015-03 or 2015-03-31, never 2015-13 or 2015-02-30."""
    form = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", text)
    if form is None:
        raise ValueError("this is not a date written as YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else 1 for part in form.groups())
    try:
        dt.date(year, month, day)
    except ValueError:
        raise ValueError("there is no such date") from None
    return text


def _year_as_text(value):
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# A year, a month or a day: sources are often dated only "March 2015". YAML reads 2015 as a number.
PublicationDate = Annotated[str, BeforeValidator(_year_as_text), AfterValidator(_real_date)]


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
