"""The copy rules every page keeps (no figure typed by hand, no sentence that starts with a figure), less the
exceptions a page marks with its reason: `<!-- typed figure: why -->` or `<!-- figure first: why -->` for a
paragraph, or `typed_figures: why` or `figure_first: why` in the front matter for the whole page.

`check` and `build` refuse what the rules find; the exceptions they honour are listed by `check`, so a reviewer
sees each one with its page, line and reason.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from build_scripts.editorial.copy_check import FRONT_MATTER, figure_led_sentences, read_front_matter, typed_figures
from build_scripts.errors import Problem, quote, relative

# Each rule: the words of its marker, its front-matter field, and the check that finds what breaks it.
RULES = {"typed figure": ("typed_figures", typed_figures), "figure first": ("figure_first", figure_led_sentences)}
# (The reason is bounded: unbounded, a page of many unclosed markers took time growing as its square.)
_MARKER = re.compile(r"<!--\s*(typed[ \t]+figures?|figures?[ \t]+first)\b\s*:?(.{0,500}?)-->",
                     re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# Characters Python's splitlines() (which numbers the rules' lines) breaks at but editors and Markdown do not.
_ODD_BREAK = re.compile(r"\r(?!\n)|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_EXAMPLE = {"typed figure": "<!-- typed figure: quoting the minister's own words -->",
            "figure first": "<!-- figure first: a pull quote, as the report printed it -->"}


@dataclass(frozen=True)
class Exemption:
    """A place a page breaks a copy rule on purpose, with the reason it gives."""

    file: str
    where: str
    rule: str
    reason: str
    value: str

    def describe(self) -> str:
        """The exception as `check` lists it: page, line, what it allows and why."""
        return f"{self.file}, {self.where}: {self.rule} allowed (found: {quote(self.value)}), because: {self.reason}"


def copy_rule_problems(pages: list[Path], root: Path) -> tuple[list[Problem], list[Exemption]]:
    """What breaks the copy rules and is not marked as an exception (with any exception that gives no reason),
    and the exceptions honoured."""
    problems, honoured = [], []
    for page in pages:
        marks = _Marks(page.read_text(encoding="utf-8-sig", errors="replace"), relative(page, root))
        problems += marks.problems
        for rule, (_, check) in RULES.items():
            for problem in check([page], root):
                reason = marks.reason(rule, problem.where)
                if reason:
                    honoured.append(Exemption(problem.file, problem.where, rule, reason, problem.value or ""))
                else:
                    problems.append(problem)
    return problems, honoured


class _Marks:
    """The exceptions one page marks: for the whole page (front matter) or by paragraph (comments)."""

    def __init__(self, text: str, shown: str):
        self.problems: list[Problem] = []
        self.page: dict[str, str] = {}  # rule -> reason, from the front matter
        self.paragraphs: dict[tuple[str, int], str] = {}  # (rule, paragraph index) -> reason
        meta, _ = read_front_matter(text, shown)  # front matter that cannot be read is reported by the renderer
        for rule, (field, _) in RULES.items():
            if meta and field in meta:
                reason = meta[field]
                if isinstance(reason, str) and _says_why(reason):
                    self.page[rule] = " ".join(reason.split())
                else:
                    example = f'{field}: "quoting the minister\'s own words"'
                    self.problems.append(Problem(shown, f"front matter, field {field}", "an exception must say why",
                                                 f"write the reason, e.g. {example}"))
        text = FRONT_MATTER.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        lines = text.splitlines()
        self.blocks = _blocks(lines)
        self.starts = [first for first, _ in self.blocks]
        alone = [not _COMMENT.sub("", "\n".join(lines[first - 1:last])).strip() for first, last in self.blocks]
        searched = re.sub(r"```.*?```|`[^`\n]*`", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.DOTALL)
        odd, unplaced = _ODD_BREAK.search(text), False
        line, counted = 1, 0
        for match in _MARKER.finditer(searched):
            line, counted = line + searched.count("\n", counted, match.start()), match.start()
            rule = "typed figure" if match.group(1).lower().startswith("typed") else "figure first"
            reason = " ".join(match.group(2).split())
            if not _says_why(reason):
                fix = f"write the reason after the colon, e.g. {_EXAMPLE[rule]}"
                self.problems.append(Problem(shown, f"line {line}", "an exception must say why", fix, match.group(0)))
                continue
            if odd:  # the rules number lines past it differently: the marker could cover another paragraph
                unplaced = True
                continue
            # A marker covers its own paragraph, and the next one when it stands alone in its own.
            index = self._paragraph(line)
            for covered in [index, index + 1] if alone[index] else [index]:
                self.paragraphs.setdefault((rule, covered), reason)
        if unplaced:
            self.problems.append(Problem(
                shown, f"line {text.count(chr(10), 0, odd.start()) + 1}",
                f"a line break editors do not show (U+{ord(odd.group(0)):04X}) is on a page that marks an exception, "
                "so which paragraph the exception covers cannot be told", "replace it with a space or a new line"))

    def reason(self, rule: str, where: str) -> str:
        """The reason given for breaking `rule` at `where` ("line N"), or "" if none is."""
        line = int(where.removeprefix("line ")) if where.startswith("line ") else 0
        return self.page.get(rule) or (self.paragraphs.get((rule, self._paragraph(line)), "") if line else "")

    def _paragraph(self, line: int) -> int:
        return bisect.bisect_right(self.starts, line) - 1


def _says_why(reason: str) -> bool:
    """Whether a reason has words in it (not blank, punctuation or invisible characters such as U+200B)."""
    return re.search(r"[^\W_]", reason) is not None


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """The page's paragraphs (and lists, tables: runs of lines with no blank line), as first and last line."""
    blocks, start = [], None
    for number, line in enumerate(lines, 1):
        if line.strip() and start is None:
            start = number
        elif not line.strip() and start is not None:
            blocks.append((start, number - 1))
            start = None
    if start is not None:
        blocks.append((start, len(lines)))
    return blocks
