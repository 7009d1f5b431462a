"""A chart's open data with its metadata: one zip holding its CSV, a Data Package descriptor and a README.

`charts/<name>.zip` holds `<name>.csv` (the chart's CSV as published beside it, byte for byte),
`datapackage.json` (a Frictionless Data Package v2 describing that one CSV: its fields, the survey's
disclosure as its source, the licence, the release's date) and `README.txt` (the chart's title, how to cite it
in APA style and BibTeX, the licence, the survey's disclosure and the chart's page). The zip is made from the
chart's CSV outside the chart's cache entry (a release changes its date, not the chart), and is byte-identical
for identical inputs: the release's date on every entry, a fixed order, fixed permissions and no compression
(deflate's bytes may differ between zlib builds).

Every text in it comes from codebooks (untrusted): it is only ever data, never a template; README.txt is plain
text with control and bidirectional-override characters removed, and the CSV cells are already
spreadsheet-safe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import textwrap
import zipfile

from build_scripts.editorial.citation import Citation, bibtex_key
from build_scripts.editorial.pages import fieldwork_text
from build_scripts.editorial.revisions import PublicRecord, date_text
from build_scripts.publish.data_package import PROFILE, created, licence_of, package_name, survey_source
from build_scripts.statistics.survey_summary import SurveySummary

DESCRIPTOR = "datapackage.json"
README = "README.txt"
FILE_MODE = 0o100644  # a regular file, rw-r--r--, whoever builds it
# Columns the charts' CSV files hold (publish/chart_figure.figure_data, survey_page's trend data): type, meaning.
FIELDS = {
    "answer": ("string", "the answer, as the survey's codebook labels it"),
    "group": ("string", "the group of respondents, as the survey's codebook labels it"),
    "wave": ("string", "the wave of the survey's series"),
    "estimate": ("number", "the share of respondents, from 0 to 1, at full precision; empty when not published"),
    "share": ("number", "the share of respondents, from 0 to 1, to six decimal places"),
    "shown_as": ("string", "the figure as the chart and its page show it, or 'not published'"),
}
_UNSAFE = re.compile("[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")  # as repr(float) writes it, and frictionless reads it
_WIDTH = 78


def chart_zip(chart: dict, data: str | bytes, survey: SurveySummary, record: PublicRecord, licence: str) -> bytes:
    """The chart's zip: its CSV (`data`), datapackage.json and README.txt, the same bytes for the same inputs."""
    name = chart["name"]
    released = record.dated(survey.fieldwork_end)
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    members = [(f"{name}.csv", text.encode("utf-8")),
               (DESCRIPTOR, descriptor(chart, text, survey, record, licence).encode("utf-8")),
               (README, readme(chart, survey, record, licence).encode("utf-8"))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for member, content in members:
            archive.writestr(_entry(member, released), content)
    return buffer.getvalue()


def descriptor(chart: dict, data: str, survey: SurveySummary, record: PublicRecord, licence: str) -> str:
    """The Frictionless Data Package (v2) describing the chart's one CSV, as JSON text."""
    name = chart["name"]
    url = page_address(chart)
    source = survey_source(survey) | ({"path": url} if url else {})
    title = _plain(chart.get("title", "")) or name
    about = [_plain(chart.get(part, "")) for part in ("description", "note", "source")]
    package = {
        "$schema": PROFILE,
        "name": package_name(name) or "chart",
        "title": title,
        "description": " ".join(text for text in about if text) or None,
        "homepage": url or None,
        "version": record.latest.release.name if record.latest else None,
        "created": created(record.dated(survey.fieldwork_end)),
        "licenses": [licence_of(licence)],
        "sources": [source],
        "resources": [{"name": package_name(name) or "chart", "path": f"{name}.csv", "title": title, "format": "csv",
                       "mediatype": "text/csv", "encoding": "utf-8",
                       "schema": {"fields": _fields(data), "missingValues": [""]}}],
    }
    return json.dumps({k: v for k, v in package.items() if v is not None}, indent=2, ensure_ascii=False) + "\n"


def readme(chart: dict, survey: SurveySummary, record: PublicRecord, licence: str) -> str:
    """README.txt: the chart's title, its citation (APA and BibTeX), the licence, the survey's disclosure, its page."""
    name = chart["name"]
    cite = citation(chart, survey, record)
    terms = licence_of(licence)
    latest = record.latest
    released = (f"The figures as released on {date_text(latest.release.date)} (release {latest.release.name})."
                if latest else "No release recorded yet: the figures are dated by the end of fieldwork, "
                               f"{date_text(survey.fieldwork_end)}.")
    lines = [*_wrapped(cite.title), "=" * min(len(cite.title), _WIDTH), ""]
    for part in ("description", "note", "source"):
        if _plain(chart.get(part, "")):
            lines += [*_wrapped(_plain(chart[part])), ""]
    files = [(f"{name}.csv", "the chart's figures, as published beside the chart"),
             (DESCRIPTOR, "the same described as a Frictionless Data Package (v2): each column's type and meaning, "
                          "the survey, the licence"),
             (README, "this file")]
    lines += ["Files", "-----", *[line for member, what in files for line in _wrapped(f"- {member}: {what}", "", "  ")],
              "",
              "How to cite", "-----------", "APA:", cite.apa(), "", "BibTeX:", cite.bibtex(), "",
              "Licence", "-------", *_wrapped(f"{terms['title']} ({licence}): {terms['path']}"), "",
              "About the survey", "----------------", *_field_lines(disclosure(survey)), "",
              "Release", "-------", *_wrapped(released), ""]
    if cite.url:
        lines += ["The chart's page", "----------------", cite.url, ""]
    return "\n".join(lines)


def citation(chart: dict, survey: SurveySummary, record: PublicRecord) -> Citation:
    """How to cite the chart: who commissioned the survey, the release's date, the finding, the site, its page."""
    released = record.dated(survey.fieldwork_end)
    address = re.sub(r"^[a-z]+://", "", _plain(chart.get("site_url", ""))).rstrip("/")
    site = _plain(chart.get("site_name", "")) or address
    return Citation(author=_plain(survey.commissioned_by), released=released,
                    title=_plain(chart.get("title", "")) or chart["name"], publisher=site or "Survey findings",
                    url=page_address(chart), key=bibtex_key(*chart["name"].split("."), str(released.year)))


def disclosure(survey: SurveySummary) -> list[tuple[str, str]]:
    """The survey's disclosure (standards rules 1 to 3) as plain (label, value) pairs."""
    rows = [("Survey", survey.title), ("Commissioned by", survey.commissioned_by),
            ("Conducted by", survey.conducted_by),
            ("Fieldwork", f"{fieldwork_text(survey.fieldwork_start, survey.fieldwork_end)} "
                          f"({survey.fieldwork_start.isoformat()} to {survey.fieldwork_end.isoformat()})"),
            ("Method", survey.method), ("Population", survey.population), ("Coverage", survey.coverage),
            ("Respondents", f"{survey.respondents:,}")]
    weighting = survey.weighting
    if weighting:
        how = ("Weighted by " if weighting.method != "raking" else
               f"Raked (weights capped at {weighting.cap:g} times the mean) to ") + ", ".join(weighting.variables)
        rows += [("Weighting", how), ("Weighting targets", weighting.targets_source)]
        if weighting.effective_base is not None and math.isfinite(weighting.effective_base):
            rows.append(("Effective sample size", f"{round(weighting.effective_base):,}"))
    else:
        rows.append(("Weighting", "Unweighted"))
    if survey.notes:
        rows.append(("Notes", survey.notes))
    return [(label, _plain(value)) for label, value in rows]


def page_address(chart: dict) -> str:
    """The chart's page (its question on its survey page) at its absolute address; empty without site_url."""
    site = _plain(chart.get("site_url", ""))
    return f"{site.rstrip('/')}/{_plain(chart.get('page', ''))}" if site else ""


def _entry(member: str, released: dt.date) -> zipfile.ZipInfo:
    """A zip entry that does not depend on the machine or the clock: the release's date, rw-r--r--, stored."""
    info = zipfile.ZipInfo(member, date_time=(max(released.year, 1980), released.month, released.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, so that the permissions below are read
    info.external_attr = FILE_MODE << 16
    return info


def _fields(data: str) -> list[dict]:
    """The CSV's columns as Data Package fields: known columns with their meaning, and every type checked against
    the cells (a column declared as numbers that holds text is described as text, so the descriptor holds)."""
    rows = list(csv.reader(io.StringIO(data)))
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    fields = []
    for index, column in enumerate(header):
        cells = [row[index] for row in body if index < len(row) and row[index] != ""]
        kind, meaning = FIELDS.get(column, ("number" if cells and all(map(_number, cells)) else "string", ""))
        if kind == "number" and not all(map(_number, cells)):
            kind = "string"
        fields.append({"name": column, "type": kind, **({"description": meaning} if meaning else {})})
    return fields


def _number(text: str) -> bool:
    return bool(_NUMBER.match(text))


def _plain(text: object) -> str:
    """Text from a codebook as one plain line: control and bidirectional-override characters gone, spaces joined."""
    return " ".join(_UNSAFE.sub(" ", str(text or "")).split())


def _wrapped(text: str, indent: str = "", hanging: str | None = None) -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent if hanging is None else hanging,
                         break_long_words=False, break_on_hyphens=False) or [""]


def _field_lines(rows: list[tuple[str, str]]) -> list[str]:
    width = max(len(label) for label, _ in rows) + 2
    lines = []
    for label, value in rows:
        wrapped = textwrap.wrap(value, _WIDTH, initial_indent=f"{label}:".ljust(width),
                                subsequent_indent=" " * width, break_long_words=False, break_on_hyphens=False)
        lines += wrapped or [f"{label}:"]
    return lines
