"""Which sheet of a workbook holds the responses: the one that reads as a table, not notes or a summary."""

from __future__ import annotations

from build_scripts.errors import Problem
from build_scripts.ingest.export_layout import detect_layout

DOMINANT = 2  # a sheet is the responses when it holds at least this many times the cells of any other table


def table_size(rows: list[list[str]]) -> tuple[int, int] | None:
    """(respondent rows, columns) of a grid that reads as a table: a header naming two or more columns over
    rows most of which fill two or more cells; None for notes, a title alone or an empty sheet."""
    if not rows:
        return None
    layout = detect_layout(rows)
    header = rows[layout.title_rows] if layout.title_rows < len(rows) else []
    width = sum(1 for cell in header if cell.strip())
    filled = [sum(1 for cell in row if cell.strip()) for row in rows[layout.data_start:]]
    filled = [n for n in filled if n]
    if width < 2 or not filled or 2 * sum(1 for n in filled if n >= 2) < len(filled):
        return None
    return len(filled), width


def choose_sheet(names: list[str], grids: dict[str, list[list[str]]], shown_as: str,
                 find: bool) -> tuple[str | None, list[Problem]]:
    """The sheet to read when none is named: with `find`, the one table that dominates (else a problem listing
    the sheets); without, the first sheet unless it holds no table and another sheet does."""
    sizes = {name: size for name in names if name in grids and (size := table_size(grids[name])) is not None}
    listing = ", ".join(f"{name!r} ({_described(sizes.get(name))})" for name in names)
    if not find:
        if sizes and names[0] not in sizes:
            there = ", ".join(repr(n) for n in sizes)
            return None, [Problem(shown_as, f"sheet {names[0]!r}", "the first sheet holds no table of responses "
                                  "(a header row of column names over a row per respondent)",
                                  f"set `sheet:` in survey.yml to the sheet that holds them: {there}")]
        return names[0], []
    ranked = sorted(sizes, key=lambda n: (-sizes[n][0] * sizes[n][1], names.index(n)))
    if not ranked:
        return None, [Problem(shown_as, "", "no sheet of the workbook holds a table of responses (a header row of "
                              f"column names over a row per respondent): {listing}",
                              "pass --sheet with the sheet that holds the responses, or save them as CSV UTF-8")]
    cells = [sizes[n][0] * sizes[n][1] for n in ranked]
    if len(ranked) > 1 and cells[0] < DOMINANT * cells[1]:
        return None, [Problem(shown_as, "", f"more than one sheet of the workbook could hold the responses: {listing}",
                              f"pass --sheet with the one that does, e.g. --sheet {ranked[0]!r}")]
    return ranked[0], []


def _described(size: tuple[int, int] | None) -> str:
    return "no table" if size is None else f"{size[0]} rows, {size[1]} columns"
