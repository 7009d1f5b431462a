"""The site's open data described as a Frictionless Data Package (v2): stats.csv and each survey's table.

The fields come from the statistics table's declared schema, so the descriptor cannot drift from the
CSV files; the option and segment labels each survey's codebook declares are the categories of the
survey's table. Suppressed figures are empty cells, declared as missing values.
"""

from __future__ import annotations

import json
import re

from build_scripts.statistics.statistics_table import SCHEMA, Column
from build_scripts.statistics.survey_summary import SurveySummary

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
TYPES = {"text": "string", "integer": "integer", "number": "number", "flag": "boolean"}
QUESTION_TEXT = Column("question_text", "text", "the question's exact wording, as respondents saw it")
SUPPRESSED_NOTE = ("An empty cell is a figure not published: suppressed to protect respondents ([c]), "
                   "or not applicable (e.g. change columns outside change rows).")


def data_package(site_name: str, site_url: str, summaries: list[SurveySummary]) -> str:
    """datapackage.json for the files published in data/: stats.csv and <survey>.csv for each survey."""
    published = max((s.fieldwork_end for s in summaries), default=None)
    descriptor = {
        "$schema": PROFILE,
        "name": _name(site_name) or "campaign-statistics",
        "title": f"{site_name}: survey statistics" if site_name else "Survey statistics",
        "description": "Every figure the site publishes, computed from survey responses: shares with their bases, "
                       "95% Wilson intervals and changes between waves. Only aggregates: no respondent's answers. "
                       + SUPPRESSED_NOTE,
        "homepage": site_url or None,
        "licenses": [LICENCE],
        "sources": [_source(s) for s in summaries],
        "created": f"{published.isoformat()}T00:00:00Z" if published else None,
        "resources": [_resource("stats", "stats.csv", "Every published figure of every survey", list(SCHEMA), None)]
        + [_resource(s.id, f"{s.id}.csv", f"{s.title}: every figure, with each question's wording",
                     [*SCHEMA[:3], QUESTION_TEXT, *SCHEMA[3:]], s) for s in summaries],
    }
    return json.dumps({k: v for k, v in descriptor.items() if v is not None}, indent=2, ensure_ascii=False) + "\n"


def _name(text: str) -> str:
    """A Data Package name: lower-case letters, digits, '-', '_' and '.' only."""
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.")


def _source(survey: SurveySummary) -> dict:
    fieldwork = f"{survey.fieldwork_start.isoformat()} to {survey.fieldwork_end.isoformat()}"
    return {"title": f"{survey.title}: commissioned by {survey.commissioned_by}; carried out by "
                     f"{survey.conducted_by}; {survey.method}; fieldwork {fieldwork}; {survey.respondents:,} "
                     f"respondents ({survey.population}; {survey.coverage})"}


def _resource(name: str, path: str, title: str, columns: list[Column], survey: SurveySummary | None) -> dict:
    return {"name": _name(name), "path": path, "title": title, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": [_field(c, survey) for c in columns], "missingValues": [""],
                       "primaryKey": ["key"]}}


def _field(column: Column, survey: SurveySummary | None) -> dict:
    field = {"name": column.name, "type": TYPES[column.kind], "description": column.meaning}
    if column.kind == "flag":
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    categories = _categories(column.name, survey) if survey else None
    if categories:
        field["categories"] = categories
    return field


def _categories(name: str, survey: SurveySummary) -> list[dict] | None:
    """The codebook's labels as categories, where a column holds one of a declared set of values."""
    if name == "question":
        return [{"value": q.key, "label": q.title} for q in survey.questions]
    if name == "segment":
        return [{"value": "", "label": "everyone asked"}] + [{"value": s.key, "label": s.label}
                                                                for s in survey.segments]
    return None
