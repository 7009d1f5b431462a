"""Well-formed UTF-8 CSV read by pyarrow's multi-threaded parser (the fast path), and the delimiter
sniffing that it and the csv-module reader in exports.py share.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas.arrays import ArrowStringArray

from build_scripts.ingest.export_layout import HEAD_ROWS, Layout, detect_layout

DELIMITERS = [",", ";", "\t"]


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: whichever of comma, semicolon and tab it holds most of, outside quotes."""
    line, quoted = [], False
    for char in text[:65536]:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif not quoted:
            line.append(char)
    return max(DELIMITERS, key=lambda d: (line.count(d), d == ","))


# The fast path: a well-formed UTF-8 CSV, however large, read by pyarrow's multi-threaded parser.
#
# the csv-module reader (`exports._read_text`) (Python's csv module, cell by cell) is the reference: it takes any file and reports
# every problem with its row, but a million rows cost minutes and gigabytes. `_read_plain_csv`
# gives exactly the same frame for the files that need none of that: UTF-8 (with or without a
# byte-order mark) that the strict decoder accepts, every row as wide as the header, quotes only
# where RFC 4180 puts them, no NUL bytes. Anything else (Windows-1252, UTF-16, a short, long or
# blank line, a stray or unclosed quote, a cell over the csv module's size limit) returns None
# and goes the reference way, so every message and row number stays as it was.

FAST_HEAD = 1 << 20  # bytes read to detect the delimiter and the survey tool's header rows
FAST_CHUNK = 1 << 23  # bytes scanned at a time for encoding and quoting, so memory stays flat
FAST_BLOCK = 1 << 22  # bytes pyarrow parses per task: fewer, larger pieces than its default of 1 MiB
QUOTE, CR, LF = ord('"'), ord("\r"), ord("\n")


@functools.cache
def _whitespace() -> str:
    """Every character str.strip() removes (all of them lie in the Basic Multilingual Plane)."""
    return "".join(c for c in map(chr, range(0x10000)) if c.isspace())


@functools.cache
def _whitespace_edges() -> tuple:
    """Lookup tables: can a cell whose UTF-8 starts (ends) with this byte start (end) with whitespace?"""
    first, last = np.zeros(256, dtype=bool), np.zeros(256, dtype=bool)
    for char in _whitespace():
        encoded = char.encode("utf-8")
        first[encoded[0]], last[encoded[-1]] = True, True
    return first, last


def read_plain_csv(path: Path, header_row: int | None = None) -> tuple[pd.DataFrame, Layout] | None:
    """The export's cells and layout read by pyarrow, identical to what the csv-module reader in exports.py
    gives, or None to read it that way. The header is at `header_row` (1-based), else below any title rows."""
    with path.open("rb") as handle:
        head = handle.read(FAST_HEAD)
        whole = len(head) < FAST_HEAD or not handle.read(1)
    if not head.strip() or b"\x00" in head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head[bom:], final=whole)
    except UnicodeDecodeError:
        return None  # Windows-1252 or damaged: the reference reader decides which
    delimiter = sniff_delimiter(text)
    header = _header_records(text, delimiter, whole, max(HEAD_ROWS, (header_row or 0) + 2))
    if header is None:
        return None
    rows, ends = header
    if header_row and header_row > len(rows):
        return None  # the reference reader says the file has no such row
    layout = detect_layout(rows, header_row)
    if len(rows) < layout.data_start or not any(cell.strip() for cell in rows[layout.title_rows]):
        return None
    start = bom + len(text[:ends[layout.data_start - 1]].encode("utf-8"))
    quoting = _scan_data(path, start, delimiter)
    if quoting is None:
        return None
    frame = _arrow_frame(path, start, delimiter, layout.columns, layout.data_start, newlines_in_values=quoting)
    if frame is None:
        return None
    return frame, layout


def _header_records(text: str, delimiter: str, whole: bool, count: int) -> tuple[list[list[str]], list[int]] | None:
    """The first `count` records as the csv module reads them, and where each ends in the text."""
    lines = io.StringIO(text, newline="")
    consumed = [0]

    def counted():
        for line in lines:
            consumed[0] += len(line)
            yield line

    reader = csv.reader(counted(), delimiter=delimiter, strict=True)
    rows, ends = [], []
    try:
        for row in reader:
            rows.append(row)
            ends.append(consumed[0])
            if len(rows) == count:
                break
    except csv.Error:
        return None
    # A record that runs to the end of what was read may have been cut short by FAST_HEAD.
    if not whole and (len(rows) < count or ends[-1] >= len(text)):
        return None
    return rows, ends


def _scan_data(path: Path, start: int, delimiter: str) -> bool | None:
    """Check the data rows can be parsed by pyarrow as the csv module would: None if not, else whether
    some quoted cell holds a line break (pyarrow must then be told, and splits its work by rows).

    Valid UTF-8, no NUL, and every quote where RFC 4180 puts it: opening a cell (after a delimiter or
    line break), doubled inside a quoted cell, or closing one (before a delimiter or line break). Then
    the quote count before any byte says whether it lies inside a quoted cell.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    separators = np.zeros(256, dtype=bool)
    separators[[ord(delimiter), CR, LF, QUOTE]] = True
    quotes, previous, pending, newlines_in_values, size = 0, None, False, False, 0
    with path.open("rb") as handle:
        handle.seek(start)
        while chunk := handle.read(FAST_CHUNK):
            size += len(chunk)
            if b"\x00" in chunk:
                return None
            if not chunk.isascii() or decoder.getstate()[0]:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    return None
            if b'"' not in chunk and quotes % 2 == 0 and not pending:
                previous = chunk[-1]
                continue
            data = np.frombuffer(chunk, dtype=np.uint8)
            if pending and not separators[data[0]]:
                return None  # a quote closed the last chunk's cell and more text follows it
            at = np.flatnonzero(data == QUOTE)
            # The quotes alternate: opening (or the second of a doubled pair), then closing (or the first).
            opening, closing = (at[0::2], at[1::2]) if quotes % 2 == 0 else (at[1::2], at[0::2])
            if opening.size and opening[0] == 0:
                if previous is not None and not separators[previous]:
                    return None
                opening = opening[1:]
            if not separators.take(data.take(opening - 1)).all():
                return None  # a quote inside an unquoted cell, or after a space: the csv module decides
            pending = bool(closing.size) and closing[-1] == len(data) - 1
            if not separators.take(data.take(closing[:-1] + 1 if pending else closing + 1)).all():
                return None  # text after a closing quote: the csv module reports it
            if not newlines_in_values:  # is some line break inside quotes (after an odd number of them)?
                breaks = np.flatnonzero(data == LF) if b"\r" not in chunk else np.flatnonzero((data == LF) | (data == CR))
                newlines_in_values = bool(((quotes + np.searchsorted(at, breaks)) % 2).any())
            quotes += at.size
            previous = chunk[-1]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if quotes % 2 or not size:
        return None  # an unclosed quote, or a header with no rows: the csv module reports them
    return newlines_in_values


def _arrow_frame(path: Path, start: int, delimiter: str, columns: list[str], skipped: int,
                 newlines_in_values: bool) -> pd.DataFrame | None:
    """The data rows as text cells, stripped, blank rows dropped, indexed by spreadsheet row number."""
    names = [str(i) for i in range(len(columns))]
    try:
        with pa.OSFile(str(path)) as source:
            source.seek(start)
            table = pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(column_names=names, block_size=FAST_BLOCK),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=newlines_in_values,
                                                 ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string())),
            )
    except pa.ArrowException:
        return None  # a row narrower or wider than the header, a blank line: the csv module reports them
    if table.num_rows == 0:
        return None
    limit = csv.field_size_limit()
    cells = {}
    for name, column in zip(columns, table.itercolumns(), strict=True):
        if _longest_over(column, limit):
            return None  # the csv module refuses a cell this long, and says so
        if _may_need_strip(column):
            column = pc.utf8_trim(column, characters=_whitespace())
        cells[name] = column
    # A blank row has every cell empty: if some column has no empty cell (the IDs, usually), there is none.
    filled = None
    if all(_has_empty(column) for column in cells.values()):
        filled = np.zeros(table.num_rows, dtype=bool)
        for column in cells.values():
            filled |= pc.binary_length(column).to_numpy(zero_copy_only=False) > 0
    rows = np.arange(skipped + 1, skipped + 1 + table.num_rows)  # title and header rows come first
    if filled is not None and not filled.all():  # blank rows are skipped, but still counted (spreadsheet rows)
        keep = pa.array(filled)
        cells = {name: column.filter(keep) for name, column in cells.items()}
        rows = rows[filled]
    if not len(rows):
        return None
    del table
    pa.default_memory_pool().release_unused()  # the parser's scratch memory goes back to the system now
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    index = pd.Index(rows, dtype="int64")
    frame = pd.DataFrame({name: pd.Series(ArrowStringArray(column, dtype=text), index=index, copy=False)
                          for name, column in cells.items()}, columns=pd.Index(columns, dtype=str))
    return frame


def _longest_over(column, limit: int) -> bool:
    """Whether some cell has more than `limit` bytes (a piece holding no more than that in all needs no look)."""
    for chunk in column.chunks:
        offsets, _ = _buffers(chunk)
        if len(chunk) and offsets[-1] - offsets[0] > limit and np.diff(offsets).max() > limit:
            return True
    return False


def _may_need_strip(column) -> bool:
    """Whether some cell may start or end with whitespace, judged by its first and last byte.

    Read at each cell's start (and before its end) without leaving out empty cells: an empty cell's
    start is the next cell's first byte, its end the last cell's last byte, which count anyway.
    """
    first, last = _whitespace_edges()
    for chunk in column.chunks:
        offsets, data = _buffers(chunk)
        if not len(chunk) or not len(data):
            continue
        starts, ends = np.take(data, offsets[:-1], mode="clip"), np.take(data, offsets[1:] - 1, mode="clip")
        # Whitespace starts with a byte up to 0x20 (ASCII) or from 0xC2, and ends with one up to 0x20 or from
        # 0x80: a column of plain words is cleared by its smallest and largest bytes alone.
        if (starts.min() <= 0x20 or starts.max() >= 0xC2) and first.take(starts).any():
            return True
        if (ends.min() <= 0x20 or ends.max() >= 0x80) and last.take(ends).any():
            return True
    return False


def _has_empty(column) -> bool:
    """Whether some cell is empty."""
    return any(len(chunk) and np.diff(_buffers(chunk)[0]).min() == 0 for chunk in column.chunks)


def _buffers(chunk) -> tuple:
    """A large_string array's offsets (one per cell, plus the end) and its bytes, as numpy arrays, no copy."""
    _, offsets, data = chunk.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


