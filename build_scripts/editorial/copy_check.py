"""Hand-written pages as text: their front matter and title, and figures typed by hand rather than quoted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from build_scripts.errors import Problem, relative
from build_scripts.yaml_schema import parse_yaml

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.DOTALL)
# Figures typed by hand: percentages, "N in M", and fraction words in a claim about a number.
TYPED = re.compile(
    r"\b\d+(?:\.\d+)?\s?(?:%|per ?cent\b|percentage points?\b)"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+) in (?:two|three|four|five|six|seven|eight|nine|ten|"
    r"\d+)\b"
    r"|\b(?:nearly|almost|more than|over|around|about|at least|under|fewer than|less than|just under)\s+"
    r"(?:a|an|one|two|three)\s+(?:half|third|thirds|quarter|quarters|fifth|fifths)\b"
    r"|\b(?:a|one|two) (?:third|thirds|quarter|quarters) of\b|\b(?:a majority|half) of (?:all |the )?\w+",
    re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """One figure a page quotes: stat("key"), claim("phrase", "key"[, "key of B"]) or source("key")."""

    page: str  # relative to docs/, e.g. early-help.md
    title: str
    line: int
    kind: str
    key: str
    phrase: str = ""
    versus: str = ""  # for a claim comparing two groups: the other group's key


def typed_figures(pages: list[Path], root: Path) -> list[Problem]:
    """Figures typed by hand rather than quoted with stat, claim or source, with file and line."""
    problems = []
    for page in pages:
        text = prose(page.read_text(encoding="utf-8-sig", errors="replace"))
        for number, line in enumerate(text.splitlines(), 1):
            for match in TYPED.finditer(line):
                problems.append(Problem(relative(page, root), f"line {number}", "a figure is typed by hand",
                                        'quote it with {{ stat("<key>") }}, {{ claim("<words>", "<key>") }} or '
                                        '{{ source("<key>") }}, so it is computed and checked; if it must stay as '
                                        "typed (someone's own words), put <!-- typed figure: why --> on the line "
                                        "above", match.group(0)))
    return problems


# A stat() printing a figure where a sentence starts: first in a paragraph or list item, or after . ! or ?
# (The look inside the call is bounded: unbounded, a line of many "{{ stat(" took time growing as its square.)
_STAT = r"(?:\*\*|_)?\{\{-?\s*stat\((?![^)]{0,300}?form\s*=\s*[\"']words)"
_AFTER_STOP = re.compile(r"[.!?][*_]*[ \t]+" + _STAT)
_LINE_START = re.compile(r"^[ \t]*(?P<item>(?:[-*+]|\d+\.)[ \t]+)?" + _STAT)


def figure_led_sentences(pages: list[Path], root: Path) -> list[Problem]:
    """Sentences that start with a figure (standards rule 12: a figure never starts a sentence), with file and line."""
    problems = []
    for page in pages:
        text = FRONT_MATTER.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)),
                                page.read_text(encoding="utf-8-sig", errors="replace"))
        # A comment is not text: a figure after a line holding only a comment still opens its paragraph.
        text = re.sub(r"<!--.*?(?:-->|\Z)", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.DOTALL)
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            start = _LINE_START.match(line)
            first = start and (start.group("item") or number == 1 or not lines[number - 2].strip())
            if first or _AFTER_STOP.search(line):
                problems.append(Problem(relative(page, root), f"line {number}", "a sentence starts with a figure",
                                        "lead with words, e.g. 'Social workers: {{ stat(...) }} have ...' or "
                                        "'Of social workers, {{ stat(...) }} ...' (standards rule 12); if it "
                                        "must stay, put <!-- figure first: why --> on the line above",
                                        line.strip()[:60]))
    return problems


def prose(text: str) -> str:
    """The page with front matter, template expressions, code and comments blanked (line numbers kept)."""
    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = FRONT_MATTER.sub(blank, text)
    # An unclosed {{, {% or <!-- runs to the end (the renderer reports it): searched for its end again from every
    # later opening, a page of many took time growing as its square.
    for pattern in [r"```.*?```", r"`[^`\n]*`", r"<!--.*?(?:-->|\Z)", r"\{\{.*?(?:\}\}|\Z)", r"\{%.*?(?:%\}|\Z)"]:
        text = re.sub(pattern, blank, text, flags=re.DOTALL)
    return text


def read_front_matter(text: str, shown: str) -> tuple[dict | None, list[Problem]]:
    """The page's front matter as a mapping (None if it has none, or the lines between --- are not a mapping,
    as MkDocs reads them), and the problem of one that is not valid YAML ({} then)."""
    front = FRONT_MATTER.match(text)
    try:
        meta = parse_yaml(front.group(1)) if front else None
    except yaml.YAMLError as exc:
        return {}, [Problem(shown, "front matter", f"the front matter is not valid YAML: {str(exc)[:160]}",
                            "correct the lines between the two --- lines (indentation, quotes, colons)")]
    return (meta if isinstance(meta, dict) else None), []


def page_title(text: str, meta: dict, page: Path) -> str:
    if meta.get("title"):
        return str(meta["title"])
    heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return heading.group(1).strip() if heading else page.stem.replace("-", " ").capitalize()
