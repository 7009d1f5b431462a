"""Read a survey export as it comes (CSV in any common encoding and delimiter, Excel, SPSS) into text cells.

Every cell becomes a string ("" when blank) and the frame's index is the row number a spreadsheet
would show, so every message can point at the row. Title rows above the header are found (or named by
`header_row:`) and never read as respondents. Problems are returned, never raised.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from build_scripts.errors import Problem, rows_text
from build_scripts.ingest.export_layout import Layout, detect_layout
from build_scripts.ingest.fenced import FenceBroken, memory_allowance, run_fenced, workbook_refusal
from build_scripts.ingest.plain_csv import read_plain_csv, sniff_delimiter
from build_scripts.ingest.workbook_sheets import choose_sheet, table_size

EXCEL = {".xlsx", ".xlsm", ".xls", ".ods"}
ZIPPED_EXCEL = {".xlsx", ".xlsm", ".ods"}  # zips whose declared sizes can be checked before they are opened
SPSS = {".sav", ".zsav"}
RE_EXPORT = "export the responses again from the survey tool, or save them from Excel as CSV UTF-8"
SAVE_AS_CSV = "open it in Excel and save the responses sheet as CSV UTF-8, or export it again from the survey tool"
RESAVE_SPSS = "save it again from SPSS as .sav, or save it as CSV UTF-8"


@dataclass
class Export:
    """An export's responses as text, with what it says about its questions."""

    frame: pd.DataFrame
    tool: str
    wording: dict[str, str] = field(default_factory=dict)
    option_columns: dict[str, list[str]] = field(default_factory=dict)
    value_labels: dict[str, list[str]] = field(default_factory=dict)
    metadata: set[str] = field(default_factory=set)
    free_text: set[str] = field(default_factory=set)  # columns the tool's header marks as answers in people's words
    header_row: int = 1  # the header's spreadsheet row number (below any title rows)
    sheet: str | None = None  # for a workbook: the sheet read
    sheets: list[str] = field(default_factory=list)  # for a workbook: every sheet, in order


def read_export(path: Path, shown_as: str, sheet: str | None = None, header_row: int | None = None,
                find_sheet: bool = False) -> tuple[Export | None, list[Problem]]:
    """Read any supported export; the file's extension says which reader.

    `header_row` (1-based) says where the header is; without it, it is found below any title rows. With
    `find_sheet` and no `sheet`, the workbook's sheet that holds a table of responses is read (for
    `new-survey`); otherwise the first sheet is.
    """
    if not path.is_file():
        return None, [Problem(shown_as, "", "the responses file named by the codebook does not exist",
                              "put the export here or correct `responses:` in survey.yml")]
    suffix = path.suffix.lower()
    try:
        if suffix in SPSS:
            if header_row not in (None, 1):
                return None, [Problem(shown_as, "field header_row", "an SPSS file has no header row to choose",
                                      "remove `header_row:` from survey.yml", str(header_row))]
            return _read_spss(path, shown_as)
        if suffix in EXCEL:
            return _read_workbook(path, shown_as, sheet, header_row, find_sheet)
        fast = read_plain_csv(path, header_row)
        if fast is not None:
            frame, layout = fast
            return Export(frame, layout.tool, layout.wording, layout.option_columns, metadata=layout.metadata,
                          free_text=layout.free_text, header_row=layout.header_row), []
        return _read_text(path.read_bytes(), shown_as, header_row)
    except OSError as exc:
        return None, [Problem(shown_as, "", f"the file cannot be read: {exc.strerror or exc}", RE_EXPORT)]
    except Exception as exc:  # noqa: BLE001 - a reader's failure on a hostile file is a problem, never a traceback
        return None, [Problem(shown_as, "", "the file cannot be read as responses", RE_EXPORT,
                              f"{type(exc).__name__}: {exc}"[:200])]


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without a byte-order mark), UTF-16, else Windows-1252."""
    for bom, encoding in [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the system code page: Windows-1252 in the UK (curly quotes, £).
        return data.decode("cp1252", errors="replace"), "cp1252"


def _read_text(data: bytes, shown_as: str, header_row: int | None = None) -> tuple[Export | None, list[Problem]]:
    if not data.strip():
        return None, [Problem(shown_as, "", "the file is empty", RE_EXPORT)]
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, [Problem(shown_as, "", "this is not a text (CSV) file", "save the export as CSV, or give it the "
                              "extension of its real format (.xlsx, .sav)")]
    text, _ = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    rows = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        return None, [Problem(shown_as, f"row {len(rows) + 1} (line {reader.line_num})",
                              f"the file cannot be read as CSV: {exc}",
                              "close the quote that is left open there, or export the file again")]
    return _from_rows(rows, "csv", shown_as, header_row)


def _from_rows(rows: list[list[str]], source: str, shown_as: str,
               header_row: int | None = None) -> tuple[Export | None, list[Problem]]:
    """Apply the tool's header layout to a grid of cells and keep spreadsheet row numbers."""
    if header_row and header_row > len(rows):
        return None, [Problem(shown_as, "field header_row", f"the file has no row {header_row}: it has {len(rows)}",
                              "set `header_row:` in survey.yml to the row number of the header", str(header_row))]
    layout: Layout = detect_layout(rows, header_row)
    width = len(layout.columns)
    if not rows or not any(cell.strip() for cell in rows[layout.title_rows]):
        fix = RE_EXPORT if header_row is None else "set `header_row:` in survey.yml to the row number of the header"
        return None, [Problem(shown_as, f"row {layout.header_row}", "the header row is empty", fix)]
    data, short, long = {}, [], []
    for number, row in enumerate(rows[layout.data_start:], layout.data_start + 1):
        if not any(cell.strip() for cell in row):
            continue  # a blank row: skipped, but still counted so later row numbers match the spreadsheet
        if len(row) < width:
            short.append(number)
        elif len(row) > width and any(cell.strip() for cell in row[width:]):
            long.append(number)
        data[number] = [cell.strip() for cell in (row + [""] * width)[:width]]
    problems = []
    if short:
        problems.append(Problem(shown_as, rows_text(short), f"these rows have fewer cells than the {width} columns "
                                "of the header", "export the file again: it was cut short or edited by hand"))
    if long:
        problems.append(Problem(shown_as, rows_text(long), f"these rows have more cells than the {width} columns of "
                                "the header", "put quotes around values that contain the delimiter, or export again"))
    if problems:
        return None, problems
    frame = pd.DataFrame.from_dict(data, orient="index", columns=layout.columns, dtype=str)
    if frame.empty:
        frame = pd.DataFrame(columns=layout.columns, dtype=str)
    tool = layout.tool if layout.tool != "csv" else source
    return Export(frame, tool, layout.wording, layout.option_columns, metadata=layout.metadata,
                  free_text=layout.free_text, header_row=layout.header_row), []


def _read_workbook(path: Path, shown_as: str, sheet: str | None, header_row: int | None,
                   find_sheet: bool) -> tuple[Export | None, list[Problem]]:
    refusal = workbook_refusal(path) if path.suffix.lower() in ZIPPED_EXCEL else None
    if refusal is not None:
        reason, value = refusal
        return None, [Problem(shown_as, "", reason, SAVE_AS_CSV, value)]
    try:
        # A codebook without `sheet:` reads the first sheet: the others are read only to say which to name.
        names, grids = run_fenced(_workbook_grids, str(path), sheet, sheet is None and not find_sheet,
                                  memory=memory_allowance(path))
        if sheet is None and not find_sheet and len(names) > 1 and table_size(grids[names[0]]) is None:
            names, grids = run_fenced(_workbook_grids, str(path), None, False, memory=memory_allowance(path))
    except FenceBroken as broken:
        return None, [_fence_problem(broken, shown_as, "workbook", "the workbook cannot be opened", SAVE_AS_CSV)]
    where = "pass --sheet with" if find_sheet else "set `sheet:` in survey.yml to"
    if sheet is not None and sheet not in names:
        return None, [Problem(shown_as, f"sheet {sheet!r}", "the workbook has no sheet of this name",
                              f"{where} one of {', '.join(repr(n) for n in names)}")]
    chosen, problems = (sheet, []) if sheet is not None else choose_sheet(names, grids, shown_as, find_sheet)
    if chosen is None:
        return None, problems
    rows = grids[chosen]
    if not rows:
        return None, [Problem(shown_as, f"sheet {chosen!r}", "the sheet is empty",
                              f"{where} the sheet with the responses")]
    export, problems = _from_rows(rows, "excel", shown_as, header_row)
    if export is not None:
        export.sheet, export.sheets = chosen, names
    return export, problems


def _workbook_grids(path: str, sheet: str | None, first_only: bool) -> tuple[list[str], dict[str, list[list[str]]]]:
    """In the fenced child: the workbook's sheet names and the cells as text of the sheet named (without a name,
    the first sheet or every sheet; none when the name is not a sheet's)."""
    book = pd.ExcelFile(path, engine="calamine")
    names = [str(n) for n in book.sheet_names]
    wanted = [sheet] if sheet is not None else names[:1] if first_only else names
    grids = {}
    for name in [n for n in wanted if n in names]:
        grid = pd.read_excel(book, sheet_name=name, header=None, dtype=object).fillna("")
        grids[name] = [[cell_text(v) for v in row] for row in grid.itertuples(index=False)]
    return names, grids


def _sav_contents(path: str) -> tuple[dict[str, list[str]], dict, dict]:
    """In the fenced child: the SPSS file's cells as text by column, its question wording and value labels."""
    import pyreadstat

    # user_missing keeps codes such as 98 "Don't know" as answers instead of turning them into blanks.
    frame, meta = pyreadstat.read_sav(path, user_missing=True, apply_value_formats=True)
    wording = {name: label for name, label in zip(meta.column_names, meta.column_labels, strict=False) if label}
    labels = {name: [str(v) for v in values.values()] for name, values in meta.variable_value_labels.items()}
    return {str(c): [cell_text(v) for v in frame[c]] for c in frame.columns}, wording, labels


def _read_spss(path: Path, shown_as: str) -> tuple[Export | None, list[Problem]]:
    # The C reader behind pyreadstat can crash its process on a damaged file, so it runs behind the fence.
    try:
        columns, wording, labels = run_fenced(_sav_contents, str(path), memory=memory_allowance(path))
    except FenceBroken as broken:
        return None, [_fence_problem(broken, shown_as, "SPSS file", "the SPSS file cannot be read", RESAVE_SPSS)]
    text = pd.DataFrame(columns, dtype=str)
    text.index = range(2, len(text) + 2)  # as if the cases sat under a header row, like a spreadsheet
    return Export(text, "spss", wording, {}, labels), []


def _fence_problem(broken: FenceBroken, shown_as: str, what: str, unreadable: str, fix: str) -> Problem:
    """The problem of a reader that gave no answer: out of memory, out of time, crashed, or refused the file."""
    if broken.kind == "memory":
        return Problem(shown_as, "", f"the {what} needs more memory to read than is allowed: it is far larger "
                       "than it looks (a decompression bomb) or damaged", fix)
    if broken.kind == "time":
        return Problem(shown_as, "", f"reading the {what} took too long and was {broken.detail}", fix)
    if broken.kind == "crash":
        return Problem(shown_as, "", f"the {what} is damaged: reading it crashed the reader ({broken.detail})", fix)
    return Problem(shown_as, "", unreadable, fix, broken.detail)


def cell_text(value) -> str:
    """A cell as the text a person would read in it: 1001.0 is 1001, a date is YYYY-MM-DD."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if (value.hour, value.minute, value.second) != (0, 0, 0) \
            else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
