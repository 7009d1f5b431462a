"""Error types: every problem names the file, the place in it, what is wrong and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from build_scripts.personal_data import mask_within

SHOWN_CHARACTERS = 30  # of a value from a file: enough to find it, too little to publish a comment in a log


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with enough detail to fix it without reading code."""

    file: str
    where: str
    message: str
    fix: str
    value: str | None = None

    def describe(self) -> str:
        """Render the problem as a short, self-contained paragraph for the terminal."""
        place = f"{self.file}, {self.where}" if self.where else self.file
        found = f" (found: {quote(self.value)})" if self.value is not None else ""
        return f"{place}: {self.message}{found}\n    fix: {self.fix}"


class CampaignError(Exception):
    """Base class for errors the command line reports without a traceback."""


class DataError(CampaignError):
    """Raised with every problem found in the inputs, so they can all be fixed in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the inputs")

    def describe(self) -> str:
        """List every problem, numbered, for the terminal."""
        lines = [f"Found {len(self.problems)} problem(s); nothing was published."]
        lines += [f"{i}. {p.describe()}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)


class SiteBuildError(CampaignError):
    """Raised when MkDocs refuses to build the pages (a broken figure reference, a bad link)."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages) or "the site build failed")

    def describe(self) -> str:
        """List what MkDocs complained about."""
        lines = ["The site was not built; the previous site/ is unchanged."]
        lines += [f"{i}. {m}" for i, m in enumerate(self.messages, 1)]
        return "\n".join(lines)


def quote(value: object) -> str:
    """A value from a file as messages show it: quoted, personal data masked, cut to a short prefix."""
    text = mask_within(value if isinstance(value, str) else repr(value))
    text = text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS].rstrip() + "…"
    return repr(text) if isinstance(value, str) else text


def rows_text(rows: list[int], shown: int = 5) -> str:
    """Row numbers for a message, the first few then how many more: 'rows 2, 5 and 3 more'."""
    more = f" and {len(rows) - shown} more" if len(rows) > shown else ""
    return f"row{'s' if len(rows) > 1 else ''} " + ", ".join(map(str, rows[:shown])) + more


def relative(path: Path, root: Path) -> str:
    """Show a path relative to the project root when it lies inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
