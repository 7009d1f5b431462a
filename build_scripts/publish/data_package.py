"""The site's open data described as a Frictionless Data Package (v2): stats.csv, each survey's table and each
release's frozen table, dated by the latest release, under the campaign's licence (mkdocs.yml).

The fields come from the statistics table's declared schema, so the descriptor cannot drift from the
CSV files; the option and segment labels each survey's codebook declares are the categories of the
survey's table. Suppressed figures are empty cells, declared as missing values.
"""

from __future__ import annotations

import json
import re

from build_scripts.editorial.campaign import LICENCES
from build_scripts.editorial.revisions import PublicRecord
from build_scripts.editorial.revisions_page import release_folder
from build_scripts.statistics.statistics_table import SCHEMA, Column
from build_scripts.statistics.survey_summary import SurveySummary

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DEFAULT_LICENCE = "CC-BY-4.0"
TYPES = {"text": "string", "integer": "integer", "number": "number", "flag": "boolean"}
QUESTION_TEXT = Column("question_text", "text", "the question's exact wording, as respondents saw it")
SUPPRESSED_NOTE = ("An empty cell is a figure not published: suppressed to protect respondents ([c]), "
                   "or not applicable (e.g. change columns outside change rows).")


def data_package(site_name: str, site_url: str, summaries: list[SurveySummary], record: PublicRecord | None = None,
                 licence: str = DEFAULT_LICENCE) -> str:
    """datapackage.json for the files published in data/: stats.csv, <survey>.csv for each survey and each
    release's frozen table; dated by the latest release (else the newest fieldwork's end), under `licence`."""
    record = record or PublicRecord()
    published = record.dated(max((s.fieldwork_end for s in summaries), default=None))
    latest = record.latest.release.name if record.latest else None
    descriptor = {
        "$schema": PROFILE,
        "name": package_name(site_name) or "campaign-statistics",
        "title": f"{site_name}: survey statistics" if site_name else "Survey statistics",
        "description": "Every figure the site publishes, computed from survey responses: shares with their bases, "
                       "95% Wilson intervals and changes between waves. Only aggregates: no respondent's answers. "
                       + SUPPRESSED_NOTE,
        "homepage": site_url or None,
        "version": latest,
        "licenses": [licence_of(licence)],
        "sources": [survey_source(s) for s in summaries],
        "created": created(published) if published else None,
        "resources": [_resource("stats", "stats.csv", "Every published figure of every survey", list(SCHEMA), None)]
        + [_resource(s.id, f"{s.id}.csv", f"{s.title}: every figure, with each question's wording",
                     [*SCHEMA[:3], QUESTION_TEXT, *SCHEMA[3:]], s) for s in summaries]
        + [_resource(f"release.{entry.release.name}", release_folder(entry.release.name),
                     f"Every figure as released on {entry.release.date.isoformat()} (frozen: never changes)",
                     list(SCHEMA), None) for entry in record.releases if entry.table is not None],
    }
    return json.dumps({k: v for k, v in descriptor.items() if v is not None}, indent=2, ensure_ascii=False) + "\n"


def licence_of(spdx: str) -> dict:
    """A Data Package licence (SPDX name, title, address) for one of the campaign's licences (campaign.LICENCES)."""
    title, path = LICENCES[spdx]
    return {"name": spdx, "title": title, "path": path}


def created(day) -> str:
    """A Data Package's `created` for a day: midnight UTC, so that it depends on the inputs only, never the clock."""
    return f"{day.isoformat()}T00:00:00Z"


def package_name(text: str) -> str:
    """A Data Package or resource name: lower-case letters, digits, '-', '_' and '.' only."""
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.")


def survey_source(survey: SurveySummary) -> dict:
    """A Data Package source for a survey: its disclosure (who, how, when, whom) in one title."""
    fieldwork = f"{survey.fieldwork_start.isoformat()} to {survey.fieldwork_end.isoformat()}"
    weighting = survey.weighting
    weighted = (f"; weighted by {', '.join(weighting.variables)} (targets: {weighting.targets_source})"
                if weighting else "")
    return {"title": f"{survey.title}: commissioned by {survey.commissioned_by}; carried out by "
                     f"{survey.conducted_by}; {survey.method}; fieldwork {fieldwork}; {survey.respondents:,} "
                     f"respondents ({survey.population}; {survey.coverage}){weighted}"}


def _resource(name: str, path: str, title: str, columns: list[Column], survey: SurveySummary | None) -> dict:
    return {"name": package_name(name), "path": path, "title": title, "format": "csv", "mediatype": "text/csv",
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
