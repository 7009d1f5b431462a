"""Survey tools' header layouts: turn a grid of text cells into named columns, wording and data rows.

SurveyMonkey writes two header rows (question text, then "Response" or each multi-select option),
Qualtrics three (export tags, question text, ImportId JSON), Google Forms one (question text,
after a Timestamp column). Everything else is taken to have one header row of column names, which
may sit below title rows (a title, a date, blank lines) that a person added above the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MAX_TITLE_ROWS = 10  # rows above the header that are looked at for a title; `header_row:` reaches further
HEAD_ROWS = MAX_TITLE_ROWS + 3  # the rows that decide the layout: titles, then up to three header rows
OPEN_ENDED = "Open-Ended Response"  # SurveyMonkey's second header row over a comment box
SURVEYMONKEY_SUBHEADS = {"", "Response", OPEN_ENDED}


@dataclass
class Layout:
    """Column names, the question wording the export carries, and where the data starts."""

    tool: str
    columns: list[str]
    header_rows: int
    wording: dict[str, str] = field(default_factory=dict)
    option_columns: dict[str, list[str]] = field(default_factory=dict)  # a multi question's one-per-option columns
    metadata: set[str] = field(default_factory=set)  # columns the tool adds about the response, not answers
    free_text: set[str] = field(default_factory=set)  # columns the tool says hold answers typed in people's own words
    title_rows: int = 0  # rows above the header (titles, notes, blank lines): never a respondent

    @property
    def data_start(self) -> int:
        """How many rows come before the first respondent: title rows and header rows."""
        return self.title_rows + self.header_rows

    @property
    def header_row(self) -> int:
        """The header's row number as a spreadsheet shows it (1 unless title rows sit above it)."""
        return self.title_rows + 1


def detect_layout(rows: list[list[str]], header_row: int | None = None) -> Layout:
    """The layout of a grid: its header at `header_row` (1-based) if given, else below any title rows found."""
    titles = header_row - 1 if header_row else title_rows(rows)
    layout = _tool_layout(rows[titles:])
    layout.title_rows = titles
    return layout


def title_rows(rows: list[list[str]]) -> int:
    """How many rows above the header hold a title, notes or nothing: rows far narrower than the table below.

    Only the first HEAD_ROWS rows are looked at, so a fast reader that sees no more agrees. A survey tool's
    own header (SurveyMonkey's, Qualtrics') is never below a title.
    """
    head = [[cell.strip() for cell in row] for row in rows[:HEAD_ROWS]]
    if not head or _tool_layout(head).tool != "csv":
        return 0
    filled = [sum(1 for cell in row if cell) for row in head]
    widest = max(filled)
    if widest < 2:
        return 0
    # A title row fills one or two cells of a wider table; a header names more than that (or most columns).
    return next((i for i, n in enumerate(filled[:MAX_TITLE_ROWS + 1]) if n > 2 or (n == 2 and 2 * n >= widest)), 0)


def _tool_layout(rows: list[list[str]]) -> Layout:
    """Recognise the tool that wrote the grid from its header rows."""
    first = [cell.strip() for cell in rows[0]] if rows else []
    second = [cell.strip() for cell in rows[1]] if len(rows) > 1 else []
    third = [cell.strip() for cell in rows[2]] if len(rows) > 2 else []
    if third and any(cell.startswith('{"ImportId"') for cell in third):
        return _qualtrics(first, second, third)
    if "Respondent ID" in first and second and any(cell in {"Response", OPEN_ENDED} for cell in second):
        return _surveymonkey(first, second)
    if first and first[0] == "Timestamp":
        return Layout("google-forms", _unique(first), 1, {c: c for c in _unique(first)})
    return Layout("csv", _unique(first), 1)


def _qualtrics(tags: list[str], texts: list[str], imports: list[str]) -> Layout:
    columns = _unique(tags)
    wording = {c: t.removesuffix(" - Selected Choice") for c, t in zip(columns, texts, strict=False) if t}
    # Answers carry an ImportId of a question ("QID..."); the rest is Qualtrics' record of the response.
    metadata = {c for c, i in zip(columns, imports, strict=False) if '"ImportId":"QID' not in i.replace(" ", "")}
    # A text-entry box (a comment, or an option's "Other, please specify") has an ImportId ending in _TEXT.
    free_text = {c for c, i in zip(columns, imports, strict=False) if _import_id(i).endswith("_TEXT")}
    return Layout("qualtrics", columns, 3, wording, metadata=metadata, free_text=free_text)


def _import_id(cell: str) -> str:
    try:
        parsed = json.loads(cell)
    except ValueError:
        return ""
    return str(parsed.get("ImportId", "")) if isinstance(parsed, dict) else ""


def _surveymonkey(questions: list[str], subheads: list[str]) -> Layout:
    names, wording, groups, metadata, free_text = [], {}, {}, set(), set()
    current = ""
    for i, question in enumerate(questions):
        sub = subheads[i] if i < len(subheads) else ""
        current = question or current
        if sub in SURVEYMONKEY_SUBHEADS or not current:
            name = question or sub or f"Column {i + 1}"
            if not sub:  # SurveyMonkey leaves the second row blank over its own columns (dates, IP, e-mail...)
                metadata.add(name)
            elif sub == OPEN_ENDED:
                free_text.add(name)
        elif sub.lower().startswith("other (please specify)"):  # typed answers, not a tick box
            name = f"{current} - {sub}"
            wording[name] = f"{current} (other, please specify)"
            free_text.add(name)
        else:  # one column per option of a multi-select question
            name = f"{current} - {sub}"
            groups.setdefault(current, []).append(name)
        names.append(name)
        if question and sub in {"Response", OPEN_ENDED}:
            wording[name] = question
    unique = _unique(names)
    renamed = dict(zip(names, unique, strict=True))
    return Layout("surveymonkey", unique, 2, wording, groups, {renamed[m] for m in metadata},
                  {renamed[f] for f in free_text})


def _unique(names: list[str]) -> list[str]:
    """Column names made unique (a repeated name gets ' (2)'), blanks named by position."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name.strip() or f"Column {i + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
