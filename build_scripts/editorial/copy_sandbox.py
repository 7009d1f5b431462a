"""The sandbox copy templates run in: plain data only, and nothing that could exhaust the machine.

Copy comes from pull requests too. A page's template may call the figure functions and read plain
data; it may not reach an object that leads back to an unsandboxed engine, build a huge value, loop
without end or take more memory or time than a page needs. Each page renders under a deadline and a
memory ceiling; operations that build something in one step are refused before they run.
"""

from __future__ import annotations

import ctypes
import resource
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

PLAIN_DATA = (str, int, float, bool, type(None), list, tuple, dict)
MAX_OUTPUT = 5_000_000  # characters a page may render to, or any text or list it builds
MAX_SECONDS = 10  # a page's template may run this long; the shipped pages take milliseconds
MAX_LOOP_STEPS = 1_000_000  # numbers range() may give one page in all: copy loops over a handful of figures
MAX_MEMORY = 1 << 30  # bytes of address space a page's rendering may add to the process
MAX_INTEGER_BITS = 100_000  # integers beyond ~30,000 digits: no figure needs them, and C code multiplies them unstoppably
# Filters copy may use: none builds text of a size the template chooses (format, indent, center, wordwrap).
SAFE_FILTERS = {"abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float", "groupby",
                "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr",
                "replace", "reverse", "round", "select", "selectattr", "slice", "sort", "string", "striptags", "sum",
                "title", "trim", "unique", "upper", "wordcount"}
# Methods of text copy may call: none pads or repeats (ljust, center, zfill, expandtabs, format).
SAFE_TEXT_METHODS = {"capitalize", "casefold", "count", "endswith", "find", "isalnum", "isalpha", "isdigit",
                     "islower", "isnumeric", "isspace", "istitle", "isupper", "lower", "lstrip", "partition",
                     "removeprefix", "removesuffix", "replace", "rfind", "rpartition", "rsplit", "rstrip", "split",
                     "splitlines", "startswith", "strip", "swapcase", "title", "upper", "get", "keys", "values",
                     "items", "index"}


class CopySandbox(ImmutableSandboxedEnvironment):
    """Jinja for copy: attributes only of plain data (text, numbers, lists, mappings), nothing changed in place,
    no operation that builds something huge in one step."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters = {name: f for name, f in self.filters.items() if name in SAFE_FILTERS}

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        """Whether a template may read this attribute: only of plain data, only a harmless method, and only
        what the sandbox allows."""
        if not isinstance(obj, PLAIN_DATA) or not super().is_safe_attribute(obj, attr, value):
            return False
        return not callable(value) or attr in SAFE_TEXT_METHODS

    def call_binop(self, context, operator: str, left, right):
        """`*`, `**` and `%`, refused where they would build something huge ("x" * 10**10 fills the memory)."""
        if operator == "%":
            if isinstance(left, str):
                raise SecurityError("text formatting with % is not something copy needs")
            return left % right
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > 64 or isinstance(left, int | float) and abs(left) > 10**9:
                raise SecurityError("a power that large is not something copy needs")
            return left**right
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INTEGER_BITS:
                raise SecurityError("a number that large is not something copy needs")
            return left * right
        count = right if isinstance(left, str | list | tuple) else left
        sized = left if isinstance(left, str | list | tuple) else right
        if isinstance(sized, str | list | tuple) and isinstance(count, int) and len(sized) * count > MAX_OUTPUT:
            raise SecurityError(f"repeating text or a list that many times would pass {MAX_OUTPUT:,} items")
        return left * right


def copy_environment() -> CopySandbox:
    """The sandbox every page renders in: undefined names are errors, output is Markdown (not escaped)."""
    return CopySandbox(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


class RenderTimeout(Exception):
    """Raised inside a page's template that runs past its time (a loop over a huge text, say)."""


class LoopBudget:
    """`range` for one page's template, counting every number it hands out: nested loops multiply."""

    def __init__(self, limit: int = MAX_LOOP_STEPS):
        self.limit, self.used = limit, 0

    def __call__(self, *args: int) -> range:
        numbers = range(*args)
        self.used += len(numbers)
        if self.used > self.limit:
            raise SecurityError(f"the page's loops run more than {self.limit:,} steps")
        return numbers


@contextmanager
def limits(seconds: float | None = None, memory: int | None = None) -> Iterator[None]:
    """Run the block under a deadline and a memory ceiling: RenderTimeout or MemoryError past either.

    A template's loops run as Python in this thread; a timer raises RenderTimeout in it (at its next
    bytecode), which works in the preview's worker thread too, where signals cannot reach. The ceiling
    is the process's address-space limit, lowered for the block to what it uses now plus `memory`.
    """
    seconds = MAX_SECONDS if seconds is None else seconds
    thread, lock, state = threading.get_ident(), threading.Lock(), {"running": True}

    def stop() -> None:
        with lock:  # never after the block has ended: the exception would land in unrelated code
            if state["running"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(RenderTimeout))

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    saved = _lower_memory_limit(MAX_MEMORY if memory is None else memory)
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["running"] = False
        timer.cancel()
        if saved is not None:
            resource.setrlimit(resource.RLIMIT_AS, saved)


def _lower_memory_limit(extra: int) -> tuple[int, int] | None:
    """Set the soft address-space limit to the process's current size plus `extra`; the old limits, to restore."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            size = int(handle.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        ceiling = size + extra
        if hard != resource.RLIM_INFINITY:
            ceiling = min(ceiling, hard)
        if soft != resource.RLIM_INFINITY and soft <= ceiling:
            return None  # already tighter
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
        return soft, hard
    except (OSError, ValueError):
        return None  # not Linux, or limits cannot be changed: the deadline and the size checks remain
