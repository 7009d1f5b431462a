"""Draft a codebook from an export: questions with their wording, inferred types and options, blanks marked TODO."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pandas as pd
import yaml

from build_scripts.ingest.answers import CHOSEN, NOT_CHOSEN
from build_scripts.ingest.codebook import PLACEHOLDER
from build_scripts.errors import DataError, Problem
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
ID_NAMES = ["respondent id", "responseid", "response id", "id", "respondent", "respondent_id", "email address"]
SEGMENT_WORDS = {"region", "nation", "country", "age", "sex", "gender", "role", "parent", "ethnicity", "tenure"}
MAX_OPTIONS = 15
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
    id_column = _id_column(frame, export.metadata)
    weight = next((c for c in frame.columns if "weight" in c.lower() and _numeric(frame[c])), None)
    book = {
        "id": survey_id,
        "title": f"{PLACEHOLDER}: the survey's name as readers should see it",
        **{field: f"{PLACEHOLDER}: {hint}" for field, hint in DISCLOSURE.items()},
        "fieldwork": {"start": f"{PLACEHOLDER}: YYYY-MM-DD", "end": f"{PLACEHOLDER}: YYYY-MM-DD"},
        "responses": responses,
        "id_column": id_column,
    }
    if sheet:
        book["sheet"] = sheet
    if weight:
        book["weighting"] = {"column": weight, "variables": [f"{PLACEHOLDER}: what the weights correct for"],
                             "targets_source": f"{PLACEHOLDER}: where the weighting targets came from"}
    keys: set[str] = set()
    segments, questions, left_out = [], [], {}
    for question, columns in {**export.option_columns, **dichotomies}.items():
        questions.append(_per_option_question(export, question, columns, keys))
    for column in frame.columns:
        if column in grouped or column in {id_column, weight}:
            continue
        wording = export.wording.get(column, "")
        identity = identity_field(column, wording) or identity_answers(frame[column][frame[column] != ""])
        if identity:
            left_out[column] = identity
            continue
        if column in export.metadata or column.strip().lower() in METADATA:
            continue
        typed = column in typed_columns or comment_field(column, wording)
        item = _column_question(export, column, keys, typed)
        if item.get("type") == "single" and _looks_like_segment(column, wording):
            segments.append({"key": item["key"], "label": item["title"], "column": column, "options": item["options"]})
        else:
            questions.append(item)
    book["segments"] = segments
    book["questions"] = questions
    return book, left_out


def to_yaml(book: dict, source: str, left_out: dict[str, str] | None = None) -> str:
    """The draft as YAML, with a header saying what to check before the build will take it and what was left out."""
    header = (
        f"# Draft codebook written by `campaign-site new-survey` from {source}.\n"
        f"# Before it will build: replace every {PLACEHOLDER} (the build refuses them), set the fieldwork dates,\n"
        "# and check each question's type, wording and options (answers split on a separator may need\n"
        "# joining back up where an option's label contains it). Move breakdown columns into `segments`,\n"
        "# add `asked:` for routed questions, `nets:` for agreement scales. Fields: see README, 'Codebook fields'.\n"
        "# Give each question a `finding:`, the words after its headline figure, e.g. `finding: of social workers\n"
        "# have felt powerless to intervene` (the page then says \"41% of social workers have felt powerless...\").\n"
        "# Answers typed in people's own words are `type: text` questions: counted, never shown. Never give\n"
        "# them options: each option is published.\n"
    )
    if left_out:
        header += "# Left out because they say who people are (personal data is never published; keep them out):\n"
        header += "".join(f"#   column {_comment_safe(column)}: {what}\n" for column, what in left_out.items())
    return header + yaml.safe_dump(book, sort_keys=False, allow_unicode=True, width=100)


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
        options.append({"key": _key(label, taken), "label": label, "column": column})
    return {"key": _key(question, keys), "title": _title(text), "text": text, "type": "multi", "options": options}


def _column_question(export: Export, column: str, keys: set[str], typed: bool) -> dict:
    cells = export.frame[column]
    answers = cells[cells != ""]
    wording = export.wording.get(column, column)
    item = {"key": _key(column if len(column) <= 24 else wording, keys), "title": _title(wording), "text": wording}
    if typed or mostly_different(answers):
        return item | {"type": "text", "column": column}
    for separator in SEPARATORS:
        labels = _multi_labels(list(answers), separator)
        # Several options in one cell make a long cell: the options themselves must read like options.
        if labels and len(labels) < len(set(answers)) and len(labels) <= MAX_OPTIONS and not own_words(labels):
            return item | {"type": "multi", "column": column, "separator": separator, "options": _options(labels)}
    if own_words(answers):
        return item | {"type": "text", "column": column}
    values = list(export.value_labels.get(column, [])) or [v for v, _ in Counter(answers).most_common()]
    values = [v for v in values if v in set(answers)] or values
    if 0 < len(set(answers)) <= MAX_OPTIONS:
        return item | {"type": "single", "column": column, "options": _options(values)}
    return item | {"type": "text", "column": column}


def _multi_labels(cells: list[str], separator: str) -> list[str]:
    """The options of a several-answers-in-one-cell column, most chosen first; [] if it does not look like one.

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
    return [label for label, _ in Counter(p for parts in split for p in parts).most_common()]


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


def _options(values: list[str]) -> list[dict]:
    options, keys = [], set()
    for value in values:
        option = {"key": _key(value, keys), "label": value}
        lowered = value.lower()
        if re.search(r"don.?t know|not sure", lowered):
            option["kind"] = "dont_know"
        elif "prefer not" in lowered:
            option["kind"] = "prefer_not_to_say"
        options.append(option)
    return options


def _dichotomy_groups(export: Export) -> dict[str, list[str]]:
    """SPSS-style 0/1 (or Selected/Not selected) variables sharing a stem, e.g. Q2_1, Q2_2: one multi question."""
    stems: dict[str, list[str]] = {}
    for column in export.frame.columns:
        match = re.fullmatch(r"(.+?)_\d+", column)
        values = {v.lower() for v in export.frame[column]}
        if match and values and values <= NOT_CHOSEN | CHOSEN and values & CHOSEN:
            stems.setdefault(match.group(1), []).append(column)
    return {stem: columns for stem, columns in stems.items() if len(columns) > 1}


def _id_column(frame: pd.DataFrame, metadata: set[str]) -> str:
    by_name = {c.strip().lower(): c for c in frame.columns}
    for name in ID_NAMES:
        column = by_name.get(name)
        if column is not None and frame[column].ne("").all() and frame[column].is_unique:
            return column
    unique = [c for c in frame.columns if c not in metadata and frame[c].ne("").all() and frame[c].is_unique]
    return unique[0] if unique else f"{PLACEHOLDER}: the column with each respondent's unique ID"


def _looks_like_segment(column: str, wording: str) -> bool:
    words = set(re.findall(r"[a-z]+", f"{column} {wording}".lower()))
    return bool(words & SEGMENT_WORDS)


def _numeric(cells: pd.Series) -> bool:
    return pd.to_numeric(cells.str.replace(",", ".", regex=False), errors="coerce").notna().all()


def _key(text: str, taken: set[str]) -> str:
    """A unique lower-case identifier from a label's first few words: 'Don't know' -> dont_know."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", "").replace("’", ""))[:4]
    base = "_".join(words)[:30].strip("_")
    base = base or "item"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _title(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57].rsplit(" ", 1)[0] + "..."


def create_survey(surveys_dir: Path, export_path: Path, survey_id: str | None, sheet: str | None,
                  force: bool) -> Path:
    """Copy an export into surveys/<id>/ and write its draft codebook there; returns the codebook's path."""
    survey_id = survey_id or _key(re.sub(r"[_\s]+", "-", export_path.stem), set()).replace("_", "-")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", survey_id):
        raise DataError([Problem(str(export_path), "--id", "a survey id may use only lower-case letters, digits, "
                                 "'-' and '_'", "choose an id such as public-2016", survey_id)])
    folder = surveys_dir / survey_id
    codebook = folder / CODEBOOK_NAME
    if codebook.exists() and not force:
        raise DataError([Problem(str(codebook), "", "a codebook already exists for this survey",
                                 "choose another --id, or pass --force to overwrite it")])
    export, problems = read_export(export_path, str(export_path), sheet)
    if export is None:
        raise DataError(problems)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / export_path.name
    if target.resolve() != export_path.resolve():
        shutil.copyfile(export_path, target)
    book, left_out = draft(export, survey_id, target.name, sheet, export.free_text)
    codebook.write_text(to_yaml(book, export_path.name, left_out), encoding="utf-8")
    return codebook
