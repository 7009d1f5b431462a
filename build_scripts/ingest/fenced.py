"""Untrusted files read behind a fence: a workbook's declared size checked before it is opened, and the
third-party reader run in a child process with memory and time limits, so a bomb or a damaged file costs
a clear problem instead of the parent's memory or life.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import re
import signal
import tempfile
import zipfile
import zlib
from pathlib import Path

FENCE_SECONDS = 60  # wall-clock time a reader may take before it is killed
FENCE_MEMORY_FLOOR = 2 << 30  # address space a reader may add, in bytes, however small the file
FENCE_MEMORY_PER_BYTE = 32  # ... or this many times the file's size, when that is more
FENCE_MEMORY_CEILING = 8 << 30  # ... but never more than this

MAX_ZIP_MEMBERS = 10_000
MAX_UNPACKED_BYTES = 1 << 30  # a workbook's parts together, uncompressed, as the zip declares them
BOMB_RATIO = 200  # real sheets compress 10 to 30 times; a part compressed far more is a decompression bomb
BOMB_MIN_BYTES = 8 << 20  # ... but a small part may compress as well as it likes
MAX_SHEET_CELLS = 20_000_000  # rows x columns a sheet may declare: a survey export is far smaller
SAID_HEAD = 1 << 16  # bytes of what a dead reader wrote that are searched for its reason
DIMENSION_HEAD = 1 << 16  # bytes of each part searched for the sheet's <dimension ref="A1:C10"/>
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Za-z]{1,4})(\d{1,10})(?::([A-Za-z]{1,4})(\d{1,10}))?"')


class FenceBroken(Exception):
    """The fenced reader did not return: `kind` is memory, time, crash or error; `detail` is the reader's words."""

    def __init__(self, kind: str, detail: str = ""):
        self.kind, self.detail = kind, detail
        super().__init__(f"{kind}: {detail}" if detail else kind)


def memory_allowance(path: Path) -> int:
    """The address space a reader of this file may add: a floor, or a multiple of the file's size, capped."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return min(FENCE_MEMORY_CEILING, max(FENCE_MEMORY_FLOOR, FENCE_MEMORY_PER_BYTE * size))


def run_fenced(task, *args, seconds: float = FENCE_SECONDS, memory: int = FENCE_MEMORY_FLOOR):
    """task(*args) run in a forked child with `memory` more bytes of address space and `seconds` to finish.

    Returns its result, or raises FenceBroken saying why there is none.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    with tempfile.TemporaryFile() as said:
        child = context.Process(target=_child, args=(sender, said.fileno(), memory, task, args), daemon=True)
        try:
            child.start()
        except OSError as exc:  # no fork (too many processes, no memory): the reader cannot run at all
            receiver.close()
            raise FenceBroken("crash", f"could not start the reader ({exc.strerror or exc})") from None
        finally:
            sender.close()  # so that a child dying without an answer is seen as the end of the pipe
        answered, outcome = False, None
        try:
            answered = receiver.poll(seconds)
            outcome = _receive(receiver) if answered else None
        finally:
            receiver.close()
            # A child that answered, or died, ends at once; one still running after `seconds` is killed.
            child.join(timeout=5 if answered else 0)
            if child.is_alive():
                child.kill()
                child.join()
        if not answered:
            raise FenceBroken("time", f"stopped after {seconds:g} s")
        if outcome is None:
            said.seek(0)
            raise _death(child.exitcode, said.read(SAID_HEAD))
    kind, value = outcome
    if kind == "ok":
        return value
    raise FenceBroken(kind, value)


def _receive(receiver):
    """The child's (kind, value), or None when it died without one."""
    try:
        return receiver.recv()
    except (EOFError, OSError):
        return None


def _death(exitcode: int | None, said: bytes) -> FenceBroken:
    """Why a child ended without an answer, judged by how it ended and the last words it wrote."""
    if b"memory allocation of" in said or b"MemoryError" in said or b"bad_alloc" in said or b"Cannot allocate" in said:
        return FenceBroken("memory")
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return FenceBroken("crash", f"the reader was killed by {name}")
    return FenceBroken("crash", f"the reader exited with code {exitcode}")


def _child(sender, said: int, memory: int, task, args) -> None:
    # The reader's own messages (a Rust abort, a C library's warnings) are kept for _death, never shown.
    os.dup2(said, 1)
    os.dup2(said, 2)
    os.environ["RUST_BACKTRACE"] = "0"  # a Rust abort's first line says why; its backtrace would bury it
    faulthandler.disable()  # it writes a crash to the parent's own copy of stderr, not to `said`
    _limit_address_space(memory)
    try:
        outcome = ("ok", task(*args))
    except MemoryError:
        outcome = ("memory", "")
    except BaseException as exc:  # noqa: BLE001 - whatever the reader raises is reported, not raised
        outcome = ("error", f"{type(exc).__name__}: {exc}"[:500])
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", ""))
    except Exception as exc:  # noqa: BLE001 - a result that cannot be sent is reported like a reader's error
        sender.send(("error", f"{type(exc).__name__}: {exc}"[:500]))


def _limit_address_space(memory: int) -> None:
    """Cap the child's address space at what it inherited plus `memory` (Linux reports the first in /proc)."""
    import resource

    try:
        status = Path("/proc/self/status").read_text()
        inherited = int(re.search(r"^VmSize:\s+(\d+) kB", status, re.MULTILINE).group(1)) * 1024
    except (OSError, AttributeError, ValueError):
        return  # no /proc: the time limit still holds
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = inherited + memory if hard == resource.RLIM_INFINITY else min(hard, inherited + memory)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def workbook_refusal(path: Path) -> tuple[str, str | None] | None:
    """Why a zipped workbook (.xlsx, .xlsm, .ods) must not be opened, and the value that shows it, or None.

    Judged from the zip's directory and the head of each part, without unpacking the parts.
    """
    try:
        if not zipfile.is_zipfile(path):
            return None  # not a zip (an old .xls, or no workbook at all): the fenced reader says which
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return f"the workbook is a zip of more than {MAX_ZIP_MEMBERS:,} parts", str(len(members))
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED_BYTES:
                return (f"the workbook unpacks to more than {MAX_UNPACKED_BYTES >> 20:,} MB", f"{unpacked:,} bytes")
            for member in members:
                if member.file_size > BOMB_MIN_BYTES and member.file_size > BOMB_RATIO * max(member.compress_size, 1):
                    return ("the workbook is packed like a decompression bomb (a part unpacks to "
                            f"{member.file_size // max(member.compress_size, 1):,} times its size)", member.filename)
            for member in members:
                declared = _declared_cells(book, member)
                if declared is not None and declared[0] > MAX_SHEET_CELLS:
                    return (f"a sheet declares {declared[0]:,} cells, more than the {MAX_SHEET_CELLS:,} a survey "
                            "export could fill", declared[1])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError,
            ValueError, OSError) as exc:
        return "the workbook cannot be opened: it is not a valid .xlsx (zip) file", f"{type(exc).__name__}: {exc}"
    return None


def _declared_cells(book: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, str] | None:
    """The cell count a sheet part declares in its <dimension ref=...>, and the ref, or None if it declares none."""
    if member.is_dir() or not member.filename.lower().endswith(".xml"):
        return None
    with book.open(member) as part:
        head = part.read(DIMENSION_HEAD)
    found = _DIMENSION.search(head)
    if found is None:
        return None
    first_column, first_row, last_column, last_row = found.groups()
    last_column, last_row = last_column or first_column, last_row or first_row
    rows = abs(int(last_row) - int(first_row)) + 1
    columns = abs(_column_number(last_column) - _column_number(first_column)) + 1
    return rows * columns, found.group(0)[-40:].decode("ascii", "replace")


def _column_number(letters: bytes) -> int:
    """A spreadsheet column's number: A is 1, Z 26, AA 27, XFD 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number
