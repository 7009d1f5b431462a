"""Counting a survey's figures fast: each question's answers as flags packed per respondent, and
weighted sums per segment group, the largest surveys in worker threads. stats.py turns the counts
into rows.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Self

import numpy as np
import pandas as pd

from build_scripts.ingest.answers import answered_mask, asked_mask, question_masks, value_codes
from build_scripts.ingest.codebook import Codebook, Question

ANSWERED = "answered"  # the one figure of a free-text question: how many answered it


def figure_key(survey: str, question: str, option: str, segment: str = "", value: str = "") -> str:
    """The stable key copy uses to refer to a figure, e.g. professionals-2015.powerless.yes."""
    key = f"{survey}.{question}.{option}"
    return f"{key}.{segment}={value}" if segment else key


def question_cells(book: Codebook, frame: pd.DataFrame, q: Question) -> tuple[dict, dict, dict]:
    """Per respondent, True/False for each published cell and for each cell's base, and each cell's description."""
    if q.type == "text":  # counted as answered, never published (standards: only aggregates)
        hits = {ANSWERED: answered_mask(q, frame).to_numpy(dtype=bool)}
        bases = {ANSWERED: asked_mask(book, frame, q).to_numpy(dtype=bool)}
        return hits, bases, {ANSWERED: ("Answered", ANSWERED, "asked")}
    hits, asked, answering = question_masks(book, frame, q)
    bases = {o.key: answering if o.substantive else asked for o in q.options} | dict.fromkeys(
        (net.key for net in q.nets), answering)
    return hits, bases, _about(q)


def _about(q: Question) -> dict[str, tuple[str, str, str]]:
    """Each cell's label, option type and base type."""
    about = {o.key: (o.label, o.kind, q.base if o.substantive else "asked") for o in q.options}
    return about | {net.key: (net.label, "net", q.base) for net in q.nets}


def question_flags(book: Codebook, frame: pd.DataFrame, q: Question) -> tuple[Cells, dict]:
    """A question's cells as packed flags, with each cell's description."""
    if q.type == "single" and not q.per_option_columns and len(q.options) + len(q.nets) + 2 <= 64:
        return Cells.of_single(book, frame, q), _about(q)  # the same flags, looked up from each answer at once
    hits, bases, about = question_cells(book, frame, q)
    return Cells(hits, bases), about


def weight_array(weights: pd.Series, index: pd.Index) -> np.ndarray:
    """Each respondent's weight as float64, in the responses' row order (weights are validated finite first)."""
    if not weights.index.equals(index):
        weights = weights.loc[index]
    return weights.to_numpy(dtype=float)


class Workers:
    """Threads for the counting and summing, which numpy does with the interpreter lock released.

    The main thread reads the next question's answers (pandas, pyarrow) while the workers count the
    last one; each block's rows come back in order, so the table is the same however many threads.
    Below PARALLEL_FROM respondents everything runs in the calling thread.
    """

    PARALLEL_FROM = 50_000
    THREADS = 4
    AHEAD = 4  # questions read ahead of the counting, at most (each holds its flags: memory)

    def __init__(self, respondents: int):
        threads = min(self.THREADS, os.cpu_count() or 1) if respondents >= self.PARALLEL_FROM else 1
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="statistics") if threads > 1 else None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    @staticmethod
    def wait_for(futures: list[Future], keep: int) -> None:
        """Wait until all but the last `keep` of these are done."""
        for future in futures[:max(0, len(futures) - keep)]:
            future.result()

    def submit(self, function, *args) -> Future:
        if self.pool is not None:
            return self.pool.submit(function, *args)
        done = Future()
        done.set_result(function(*args))
        return done


class Cells:
    """A question's cells as bits: one per cell (did the respondent give that answer?), then one per
    distinct base the cells share (is the respondent in it?), packed into one integer per respondent
    so that putting respondents in another order moves one small array, not one per cell."""

    PACKED = (np.uint8, np.uint16, np.uint32, np.uint64)

    def __init__(self, hits: dict[str, np.ndarray], bases: dict[str, np.ndarray]):
        self.names = list(bases)
        flags = [hits[c] for c in self.names]
        distinct: list[np.ndarray] = []
        self.base_of = []
        for cell in self.names:
            base = bases[cell]
            same = next((i for i, seen in enumerate(distinct) if seen is base or np.array_equal(seen, base)), None)
            if same is None:
                same = len(distinct)
                distinct.append(base)
            self.base_of.append(same)
        self.base_bits = [len(flags) + i for i in range(len(distinct))]
        flags += distinct
        dtype = next((t for t in self.PACKED if np.dtype(t).itemsize * 8 >= len(flags)), None)
        if dtype is None:  # more than 64 cells and bases: keep a row of flags each
            self.data = np.stack(flags)
        else:
            self.data = np.zeros(len(flags[0]), dtype=dtype)
            shifted = np.empty_like(self.data)
            for bit, flag in enumerate(flags):
                self.data |= np.left_shift(flag.view(np.uint8), dtype(bit), out=shifted, dtype=dtype)

    @classmethod
    def of_single(cls, book: Codebook, frame: pd.DataFrame, q: Question) -> Cells:
        """A single question's flags, bit for bit those of question_cells, from one lookup per respondent.

        A single answer decides every flag (its option, the nets holding it, whether it is an answer at
        all, and a real one) except routing: so each respondent's flags are a table's entry for their
        answer's position (-1 another text, k a blank), in the table for those asked or for the others.
        """
        k = len(q.options)
        codes = value_codes(frame[q.column], [*(o.export_value for o in q.options), ""])
        cells = cls.__new__(cls)
        cells.names = [o.key for o in q.options] + [n.key for n in q.nets]
        two = q.base == "answering"  # else the answering base is the asked one (question_masks)
        cells.base_of = [int(two and (i >= k or q.options[i].substantive)) for i in range(len(cells.names))]
        cells.base_bits = [len(cells.names) + b for b in range(1 + two)]
        dtype = next(t for t in cls.PACKED if np.dtype(t).itemsize * 8 >= len(cells.names) + 1 + two)
        table = np.zeros(2 * (k + 2), dtype=dtype)
        for asked in (0, 1):
            for code in range(-1, k + 1):
                bits = 0
                if 0 <= code < k:
                    option = q.options[code].key
                    bits |= 1 << code
                    bits |= sum(1 << (k + j) for j, net in enumerate(q.nets) if option in net.options)
                in_asked = asked and code != k  # those asked who gave any answer (a blank is none)
                bits |= in_asked << cells.base_bits[0]
                if two:  # ... and, answering, not a Don't know or Prefer not to say
                    bits |= (in_asked and not (0 <= code < k and not q.options[code].substantive)) << cells.base_bits[1]
                table[asked * (k + 2) + code + 1] = bits
        asked = asked_mask(book, frame, q).to_numpy(dtype=bool)
        cells.data = table.take(codes.astype(np.intp) + 1 + (k + 2) * asked)
        return cells

    def arranged(self, order: np.ndarray | None) -> np.ndarray:
        """The flags with respondents in this order (None: as they are)."""
        if order is None:
            return self.data
        return self.data.take(order) if self.data.ndim == 1 else self.data.take(order, axis=1)

    @staticmethod
    def flag(data: np.ndarray, bit: int) -> np.ndarray:
        """One flag (a cell's or a base's) per respondent, as True/False."""
        if data.ndim == 2:
            return data[bit]
        mask = data.dtype.type(1 << bit)
        return (data & mask) != 0

    @staticmethod
    def both(data: np.ndarray, bit: int, other: int) -> np.ndarray:
        """True where both flags are set: a cell's answer, within its base (valid until the next call)."""
        n = data.shape[-1]
        out = _scratch("both", n, np.bool_)
        if data.ndim == 2:
            return np.logical_and(data[bit], data[other], out=out)
        mask = data.dtype.type((1 << bit) | (1 << other))
        return np.equal(np.bitwise_and(data, mask, out=_scratch("bits", n, data.dtype)), mask, out=out)


_SCRATCH = threading.local()


@contextlib.contextmanager
def scratch_freed():
    """Free the calling thread's scratch arrays afterwards (worker threads' go with the threads)."""
    try:
        yield
    finally:
        _SCRATCH.__dict__.clear()


def _scratch(name: str, n: int, dtype) -> np.ndarray:
    """A reusable array of n items for this thread, so that each cell does not allocate (and fault in) its own."""
    buffer = getattr(_SCRATCH, name, None)
    if buffer is None or len(buffer) < n or buffer.dtype != dtype:
        buffer = np.empty(n, dtype=dtype)
        setattr(_SCRATCH, name, buffer)
    return buffer[:n]


class Breakdown:
    """The sample split by one segment (or not at all), rows grouped so each group is one slice.

    A stable sort by group keeps each group's respondents in their original order, so the sums over a
    group's respondents are the very sums of the original row-by-row selection (the same numbers, to
    the last bit), while each question costs one pass over the rows per cell, whatever the groups.
    """

    def __init__(self, key: str, groups: list[tuple[str, slice]], order: np.ndarray | None, w: np.ndarray | None):
        self.key, self.groups, self.order = key, groups, order
        self.w = None if w is None else (w if order is None else w.take(order))

    @classmethod
    def whole(cls, n: int, w: np.ndarray | None) -> Breakdown:
        return cls("", [("", slice(0, n))], None, w)

    @classmethod
    def of(cls, key: str, cells: pd.Series, options: list[tuple[str, str]], w: np.ndarray | None) -> Breakdown:
        codes = value_codes(cells, [value for _, value in options])
        order = np.argsort(codes, kind="stable")
        ends = np.cumsum(np.bincount(codes + 1, minlength=len(options) + 1))  # code -1 (no option) sorts first
        groups = [(option, slice(int(ends[i]), int(ends[i + 1]))) for i, (option, _) in enumerate(options)]
        return cls(key, groups, order, w)

    def tallies(self, cells: Cells) -> tuple:
        """Per distinct base and per cell, each group's count and weighted sum (numpy only: a worker's job).

        Each flag is worked out once over all the groups' respondents, and its weights picked out in one
        np.compress (which keeps row order); a group's sum is numpy's sum of its contiguous part of those,
        exactly the sum pandas made of the group's row-by-row selection: the same numbers, bit for bit.
        """
        span = slice(self.groups[0][1].start, self.groups[-1][1].stop)  # leaves out rows in no group
        data = cells.arranged(self.order)
        data = data[span] if data.ndim == 1 else data[:, span]
        w = None if self.w is None else self.w[span]
        parts = [slice(rows.start - span.start, rows.stop - span.start) for _, rows in self.groups]
        bases = [cells.flag(data, bit) for bit in cells.base_bits]
        base_counts = [[int(np.count_nonzero(base[part])) for part in parts] for base in bases]
        base_sums = [_group_sums(base, w, counts, kish=True) for base, counts in zip(bases, base_counts, strict=True)]
        per_cell = []
        for i, b in enumerate(cells.base_of):
            chosen = cells.both(data, i, cells.base_bits[b])
            counts = [int(np.count_nonzero(chosen[part])) for part in parts]
            per_cell.append((counts, _group_sums(chosen, w, counts)))
        return base_counts, base_sums, per_cell, w is not None

    def records(self, book: Codebook, q: Question, names: list[str], base_of: list[int], about: dict,
                tallies: tuple) -> list[dict]:
        """Every group's row per cell (its base, count and their weighted sums), group by group as before."""
        base_counts, base_sums, per_cell, weighted = tallies
        records = []
        for g, (value, _) in enumerate(self.groups):
            asked_any = any(counts[g] for counts in base_counts)
            for i, cell in enumerate(names):
                b = base_of[i]
                base = base_counts[b][g]
                # An empty cell is left out, except on an answering base: its absence would say that everyone
                # asked in the group gave a non-answer, and how many.
                if base == 0 and not (asked_any and about[cell][2] == "answering" and q.base == "answering"):
                    continue
                counts, sums = per_cell[i]
                if weighted:
                    (weighted_base, effective_base), weighted_count = base_sums[b][g], sums[g]
                else:  # every weight is 1: the sums are the counts
                    weighted_base, effective_base, weighted_count = float(base), float(base), float(counts[g])
                label, option_type, base_type = about[cell]
                records.append({
                    "key": figure_key(book.id, q.key, cell, self.key, value), "survey": book.id, "question": q.key,
                    "option": cell, "option_label": label, "option_type": option_type, "base_type": base_type,
                    "segment": self.key, "segment_value": value, "base": base, "weighted_base": weighted_base,
                    "effective_base": effective_base, "weighted": weighted,
                    "count": counts[g], "weighted_count": weighted_count,
                })
        return records


def _group_sums(mask: np.ndarray, w: np.ndarray | None, counts: list[int], kish: bool = False) -> list | None:
    """Per group, the sum of the weights where mask holds (and the Kish effective base, if asked for).

    np.compress keeps row order, so each group's weights are a contiguous run of the result, and its
    sum is numpy's pairwise sum of exactly the array the row-by-row selection gave.
    """
    if w is None:
        return None
    total = sum(counts)
    # Everyone (a base with no routing and no blanks) or no one: nothing to pick out. Otherwise the
    # weights are picked out (np.compress's way) into this thread's reusable buffer.
    if total == len(w):
        picked = w
    else:
        picked = np.take(w, np.flatnonzero(mask), out=_scratch("picked", total, w.dtype), mode="clip")
    ends = np.cumsum(counts)
    runs = [picked[end - count:end] for count, end in zip(counts, ends, strict=True)]
    if not kish:
        return [float(run.sum()) for run in runs]
    sums = []
    for run in runs:  # Kish's (sum w)^2 / sum w^2, as kish_effective_base computes it, reusing the sum
        run_sum = run.sum()
        # The squares go over the picked weights once summed (never over the weights themselves).
        squares = np.square(run, out=run if picked is not w else _scratch("squares", run.size, w.dtype))
        sums.append((float(run_sum), float(run_sum ** 2 / squares.sum()) if run.size else 0.0))
    return sums


