"""Progress on the terminal for long work: a line as each stage starts, and a closing summary with timings."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Progress:
    """Stages timed as they run; `summary` closes with what was done and the seconds each stage took."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, doing: str) -> Iterator[None]:
        """Announce a stage, then time it under `name`."""
        self.say(f"{doing}...")
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - started

    def note(self, message: str) -> None:
        """A detail line under the current stage."""
        self.say(f"  {message}")

    def summary(self, headline: str, facts: list[str]) -> None:
        """The closing lines: what was made, then seconds per stage and in all."""
        total = time.perf_counter() - self.started
        self.say(f"{headline} in {total:.1f} s: " + ", ".join(facts) + ".")
        self.say("Seconds: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in self.seconds.items()))


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """'1 survey', '3,706 respondents'."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"
