"""Draft a codebook from an export: questions with their wording, inferred types and options, breakdowns and
routing proposed from the answers, blanks marked TODO."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pandas as pd
import yaml

from build_scripts.ingest.answers import CHOSEN, NOT_CHOSEN
from build_scripts.ingest.codebook import PLACEHOLDER
from build_scripts.errors import DataError, Problem
from build_scripts.ingest.draft_design import design_columns, weight_column
from build_scripts.ingest.draft_options import draft_options, known_scale
from build_scripts.ingest.draft_routing import propose_routing
from build_scripts.ingest.draft_words import QUESTION_CODE, option_key, question_key, title, unique
from build_scripts.ingest.exports import Export, read_export
from build_scripts.ingest.free_text import (
    comment_field,
    identity_answers,
    identity_field,
    mostly_different,
    own_words,
)
from build_scripts.ingest.load import CODEBOOK_NAME

# Columns survey tools add about the response rather than the respondent's answers.
METADATA = {
    "collector id", "start date", "end date", "ip address", "email address", "first name", "last name",
    "custom data 1", "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)", "finished",
    "recordeddate", "recipientlastname", "recipientfirstname", "recipientemail", "externalreference",
    "locationlatitude", "locationlongitude", "distributionchannel", "userlanguage", "timestamp",
}
ID_NAMES = ["respondent id", "responseid", "response id", "id", "respondent", "respondent_id", "record id",
            "participant id", "unique id", "uuid", "serial"]
ID_LIKE = re.compile(r"(?:^|[\s_])(?:id|uuid|serial)$|"
                     r"^(?:respondent|response|record|participant)[\s_]?(?:id|no|number)?$", re.IGNORECASE)
# A time stamp is never an ID: two people can submit in the same second.
TIME_NAMES = {"timestamp", "time stamp", "start date", "end date", "startdate", "enddate", "recordeddate", "date",
              "time", "submitted", "submitted at", "date submitted", "submission date", "completed", "completed at"}
DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}")
SEGMENT_WORDS = frozenset({"region", "nation", "country", "age", "sex", "gender", "role", "parent", "ethnicity",
                           "tenure", "years", "sector", "occupation", "profession"})
TENURE = re.compile(r"\bhow long have you (?:been|worked|lived)\b|\byears? (?:in|of) (?:post|service|experience)\b|"
                    r"\btime in (?:post|role|the job)\b", re.IGNORECASE)
FEW_GROUPS = 8  # a column with no more values than this, and no question in its wording, is a breakdown
MAX_OPTIONS = 15
YAML_LINE_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to YAML 1.1, ordinary characters in a column name
SEPARATORS = [";", ","]
DISCLOSURE = {
    "commissioned_by": "who commissioned the survey",
    "conducted_by": "who carried out the fieldwork",
    "method": "online, phone or in person",
    "population": "who the sample represents",
    "coverage": "where, e.g. United Kingdom",
}


def draft(export: Export, survey_id: str, responses: str, sheet: str | None = None,
          typed_columns: set[str] | frozenset[str] = frozenset()) -> tuple[dict, dict[str, str]]:
    """A codebook for the export as plain data (every field a person must check marked TODO), and the columns
    left out of it because they say who people are, with what each holds.

    `typed_columns` are those the survey tool marks as answers typed in people's own words.
    """
    frame = export.frame
    dichotomies = _dichotomy_groups(export)
    grouped = {c for columns in [*export.option_columns.values(), *dichotomies.values()] for c in columns}
    id_column = _id_column(export)
    weight = weight_column(frame, {id_column} if id_column else set())
    design = design_columns(frame, {c for c in (id_column, weight) if c} | grouped)
    book = {
        "id": survey_id,
        "title": f"{PLACEHOLDER}: the survey's name as readers should see it",
        **{field: f"{PLACEHOLDER}: {hint}" for field, hint in DISCLOSURE.items()},
        "fieldwork": {"start": f"{PLACEHOLDER}: YYYY-MM-DD", "end": f"{PLACEHOLDER}: YYYY-MM-DD"},
        "responses": responses,
    }
    if sheet:
        book["sheet"] = sheet
    if export.header_row != 1:
        book["header_row"] = export.header_row
    if id_column:
        book["id_column"] = id_column
    if weight:
        book["weighting"] = {"column": weight, "variables": [f"{PLACEHOLDER}: what the weights correct for"],
                             "targets_source": f"{PLACEHOLDER}: where the weighting targets came from"}
    if design:
        book["design"] = design
    keys: set[str] = set()
    segments, questions, left_out = [], [], {}
    for question, columns in {**export.option_columns, **dichotomies}.items():
        questions.append(_per_option_question(export, question, columns, keys))
    for column in frame.columns:
        if column in grouped or column in {id_column, weight, *design.values()}:
            continue
        wording = export.wording.get(column, "")
        identity = identity_field(column, wording) or identity_answers(frame[column][frame[column] != ""])
        if identity:
            left_out[column] = identity
            continue
        if column in export.metadata or column.strip().lower() in METADATA:
            continue
        typed = column in typed_columns or comment_field(column, wording)
        item = _column_question(export, column, typed)
        if _looks_like_segment(item, column, wording, frame[column]):
            key = question_key(wording or column, keys, column, SEGMENT_WORDS)
            segments.append({"key": key, "label": item["title"], "column": column, "options": item["options"]})
        else:
            questions.append({"key": question_key(wording or column, keys, column), **item})
    propose_routing(frame, segments, questions)
    book["segments"] = segments
    book["questions"] = questions
    return book, left_out


def to_yaml(book: dict, source: str, left_out: dict[str, str] | None = None, advice: bool = True) -> str:
    """The draft as YAML, with a header saying what to check before the build will take it and what was left out.

    Without `advice`, the header leaves out how to check a first draft (a repeat wave's draft says what to check).
    """
    header = f"# Draft codebook written by `campaign-site new-survey` from {source}.\n"
    header += (
        f"# Before it will build: replace every {PLACEHOLDER} (the build refuses them), set the fieldwork dates,\n"
        "# and check each question's type, wording and options (answers split on a separator may need\n"
        "# joining back up where an option's label contains it). Check the breakdowns proposed in `segments`\n"
        "# (move any other breakdown columns there) and the `asked:` routing proposed where a question was left\n"
        "# blank by whole groups; add `nets:` for agreement scales. Fields: see README, 'Codebook fields'.\n"
        "# Give each question a `finding:`, the words after its headline figure, e.g. `finding: of social workers\n"
        "# have felt powerless to intervene` (the page then says \"41% of social workers have felt powerless...\").\n"
        "# Answers typed in people's own words are `type: text` questions: counted, never shown. Never give\n"
        "# them options: each option is published.\n"
    ) if advice else ""
    if "design" in book:
        header += ("# `design:` names the columns that look like the sample's strata and primary sampling units\n"
                   "# (clusters): check them against the data's documentation; remove `design:` if the sample was\n"
                   "# not drawn that way. Every interval then allows for the design (README, 'Sample designs').\n")
    if "id_column" not in book:
        header += ("# No column was taken as the respondents' ID (a time stamp, e-mail address or name never is):\n"
                   "# respondents are numbered by row. Add `id_column:` if the export has a column of unique IDs.\n")
    if left_out:
        header += "# Left out because they say who people are (personal data is never published; keep them out):\n"
        header += "".join(f"#   column {_comment_safe(column)}: {what}\n" for column, what in left_out.items())
    body = yaml.safe_dump(book, sort_keys=False, allow_unicode=True, width=100)
    if any(mark in body for mark in YAML_LINE_BREAKS):
        # PyYAML writes these raw, and reading them back folds them into a space: escape them (\x85...).
        body = yaml.safe_dump(book, sort_keys=False, allow_unicode=False, width=100)
    return header + body


def _comment_safe(column: str) -> str:
    """A column name that stays on its comment line, cut short."""
    name = " ".join(column.split())
    return repr(name if len(name) <= 60 else name[:57] + "...")


def _per_option_question(export: Export, question: str, columns: list[str], keys: set[str]) -> dict:
    # SurveyMonkey names the columns "question - option"; SPSS labels its 0/1 variables the same way.
    named = [export.wording.get(c, c) if " - " not in c else c for c in columns]
    stems = {n.rsplit(" - ", 1)[0] for n in named if " - " in n}
    text = stems.pop() if len(stems) == 1 else question
    options, taken = [], set()
    for column, name in zip(columns, named, strict=True):
        label = name.rsplit(" - ", 1)[1] if " - " in name else name
        options.append({"key": option_key(label, taken), "label": label, "column": column})
    key = question_key(text, keys, question if question != text else "")
    return {"key": key, "title": title(text), "text": text, "type": "multi", "options": options}


def _column_question(export: Export, column: str, typed: bool) -> dict:
    """A column's question without its key: title, wording, type and options (in the order the tool shows
    them when the export says, else in reading order, see draft_options)."""
    cells = export.frame[column]
    answers = cells[cells != ""]
    wording = export.wording.get(column, column)
    item = {"title": title(wording), "text": wording}
    if typed or mostly_different(answers):
        return item | {"type": "text", "column": column}
    for separator in SEPARATORS:
        labels = _multi_labels(list(answers), separator)
        # Several options in one cell make a long cell: the options themselves must read like options.
        if labels and len(labels) < len(set(answers)) and len(labels) <= MAX_OPTIONS and not own_words(labels):
            return item | {"type": "multi", "column": column, "separator": separator, "options": draft_options(labels)}
    if own_words(answers):
        return item | {"type": "text", "column": column}
    seen = list(dict.fromkeys(answers))
    labelled = [v for v in export.value_labels.get(column, []) if v in set(seen)]
    if 0 < len(seen) <= MAX_OPTIONS:
        options = draft_options(labelled, keep_order=True) if labelled else draft_options(seen)
        return item | {"type": "single", "column": column, "options": options}
    return item | {"type": "text", "column": column}


def _multi_labels(cells: list[str], separator: str) -> list[str]:
    """The options of a several-answers-in-one-cell column, in the order first seen; [] if it does not look like one.

    Pieces that always come together ("Friends" then "family or neighbours") are one label that contains
    the separator, so they are joined back up.
    """
    split = [[p.strip() for p in cell.split(separator) if p.strip()] for cell in cells if cell]
    if not any(len(parts) > 1 for parts in split):
        return []
    while True:
        follows = Counter(pair for parts in split for pair in pairwise(parts))
        counts = Counter(p for parts in split for p in parts)
        pair = next(((a, b) for (a, b), n in follows.items() if n == counts[a] == counts[b]), None)
        if pair is None:
            break
        joined = f"{pair[0]}{separator} {pair[1]}" if f"{pair[0]}{separator} {pair[1]}" in " ".join(cells) \
            else f"{pair[0]}{separator}{pair[1]}"
        split = [_join(parts, pair, joined) for parts in split]
    return list(dict.fromkeys(p for parts in split for p in parts))


def _join(parts: list[str], pair: tuple[str, str], joined: str) -> list[str]:
    out, i = [], 0
    while i < len(parts):
        if i + 1 < len(parts) and (parts[i], parts[i + 1]) == pair:
            out.append(joined)
            i += 2
        else:
            out.append(parts[i])
            i += 1
    return out


def _dichotomy_groups(export: Export) -> dict[str, list[str]]:
    """SPSS-style 0/1 (or Selected/Not selected) variables sharing a stem, e.g. Q2_1, Q2_2: one multi question."""
    stems: dict[str, list[str]] = {}
    for column in export.frame.columns:
        match = re.fullmatch(r"(.+?)_\d+", column)
        values = {v.lower() for v in export.frame[column]}
        if match and values and values <= NOT_CHOSEN | CHOSEN and values & CHOSEN:
            stems.setdefault(match.group(1), []).append(column)
    return {stem: columns for stem, columns in stems.items() if len(columns) > 1}


def _id_column(export: Export) -> str | None:
    """The column of respondents' unique IDs, or None: never a time stamp, an e-mail address or a name."""
    frame = export.frame
    usable = [c for c in frame.columns if _could_be_id(c, export.wording.get(c, ""), frame[c])]
    by_name = {c.strip().lower(): c for c in usable}
    named = [by_name[n] for n in ID_NAMES if n in by_name] + [c for c in usable if ID_LIKE.search(c.strip())]
    if named:
        return named[0]
    first = frame.columns[0] if len(frame.columns) else None
    # A first column counting the rows (an index saved with the data) is an ID too; a tool's record is not.
    if first in usable and first not in export.metadata and frame[first].str.fullmatch(r"\d+").all():
        numbers = frame[first].astype(int)
        if numbers.max() - numbers.min() + 1 == len(frame):
            return first
    return None


def _could_be_id(column: str, wording: str, cells: pd.Series) -> bool:
    """Whether every respondent has a different value, and the column is not a time stamp or who they are."""
    if column.strip().lower() in TIME_NAMES or identity_field(column, wording) or not len(cells):
        return False
    if not (cells.ne("").all() and cells.is_unique):
        return False
    sample = cells.head(50)
    return not (sample.str.contains("@", regex=False).any() or sample.str.contains(DATE_LIKE).any())


def _looks_like_segment(item: dict, column: str, wording: str, cells: pd.Series) -> bool:
    """A breakdown: one answer each, from everyone, not on an answer scale; named like one (role, region,
    years in post) or a handful of groups under a heading that asks no question."""
    if item.get("type") != "single" or (cells == "").any() or known_scale([o["label"] for o in item["options"]]):
        return False
    named = f"{column} {wording}"
    if set(re.findall(r"[a-z]+", named.lower())) & SEGMENT_WORDS or TENURE.search(named):
        return True
    return len(item["options"]) <= FEW_GROUPS and "?" not in named and not QUESTION_CODE.fullmatch(column.strip()) \
        and all(o.get("kind") is None for o in item["options"])


def create_survey(surveys_dir: Path, export_path: Path, survey_id: str | None, sheet: str | None,
                  force: bool, revise: Callable[[dict], tuple[dict, str]] | None = None) -> Path:
    """Copy an export into surveys/<id>/ and write its draft codebook there; returns the codebook's path.

    `revise` may rewrite the draft (e.g. from an earlier wave's codebook), returning it with comment lines
    to put at the top of the file.
    """
    survey_id = survey_id or unique(re.findall(r"[a-z0-9]+", export_path.stem.lower())[:4], set(), 4).replace("_", "-")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", survey_id):
        raise DataError([Problem(str(export_path), "--id", "a survey id may use only lower-case letters, digits, "
                                 "'-' and '_'", "choose an id such as public-2016", survey_id)])
    folder = surveys_dir / survey_id
    codebook = folder / CODEBOOK_NAME
    if codebook.exists() and not force:
        raise DataError([Problem(str(codebook), "", "a codebook already exists for this survey",
                                 "choose another --id, or pass --force to overwrite it")])
    export, problems = read_export(export_path, str(export_path), sheet, find_sheet=True)
    if export is None:
        raise DataError(problems)
    # A sheet found rather than named is written down when it is not the first, which the build reads by default.
    named_sheet = sheet or (export.sheet if export.sheets and export.sheet != export.sheets[0] else None)
    book, left_out = draft(export, survey_id, export_path.name, named_sheet, export.free_text)
    if not book["questions"]:
        raise DataError([_no_questions(export, str(export_path))])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / export_path.name
    if target.resolve() != export_path.resolve():
        shutil.copyfile(export_path, target)
    preface = ""
    if revise:
        book, preface = revise(book)
    codebook.write_text(preface + to_yaml(book, export_path.name, left_out, advice=not preface), encoding="utf-8")
    return codebook


def _no_questions(export: Export, shown_as: str) -> Problem:
    """The problem of an export in which no column reads as a question."""
    where = f"sheet {export.sheet!r}, row {export.header_row}" if export.sheet else f"row {export.header_row}"
    columns = ", ".join(repr(c) for c in list(export.frame.columns)[:8]) or "none"
    fix = "pass --sheet with the sheet that holds the responses" if export.sheets else \
        "export the responses again with one row of column names over a row per respondent"
    return Problem(shown_as, where, f"no column of the export reads as a question (the header found names: {columns})",
                   fix)
