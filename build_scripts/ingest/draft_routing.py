"""Routing proposed from the export's blanks: a question left blank by every respondent in some groups of
another column, and answered by the rest, was asked of the rest only (`asked:` in the codebook)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

NOT_ASKED = 0.98  # share of the rows of the groups not asked that must be blank (a few stray answers are allowed)
GROUP_NOT_ASKED = 0.9  # ... and of each such group
GROUP_ASKED = 0.5  # a group asked answers at least this often (a group in between makes no routing)
MIN_NOT_ASKED = 5  # rows: fewer blanks than this prove nothing
MAX_GROUPS = 8
UNCOUNTED = {"police", "staff", "personnel", "people", "children", "clergy", "public", "press", "media"}
PEOPLE_WORDS = {"role", "job", "profession", "occupation", "position", "work", "employed", "post", "title"}


def propose_routing(frame: pd.DataFrame, segments: list[dict], questions: list[dict]) -> None:
    """Add `asked:` to each question whose blanks follow a group of a segment (or of a short single-choice
    question, which then becomes a segment too, as routing must name one)."""
    groups: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # per column: each row's group, and each group's size
    for question in list(questions):
        if question not in questions or question.get("type") not in {"single", "multi"} or question.get("asked"):
            continue
        blank = _blank(frame, question)
        if blank is None or not blank.any():
            continue
        found = _best_routing(frame, blank, question, [*segments, *_routers(frame, questions)], groups)
        if found is None:
            continue
        router, values = found
        if router not in segments:
            questions.remove(router)
            segments.append({"key": router["key"], "label": router["title"], "column": router["column"],
                             "options": router["options"]})
        labels = [o["label"] for o in router["options"] if o["key"] in values]
        question["asked"] = {"segment": router["key"], "values": values, "description": describe(labels, router)}


def describe(labels: list[str], router: dict) -> str:
    """Who was asked, in words: 'social workers' for a role's 'Social worker'; else the answers they gave."""
    named = router.get("text") or router.get("label") or router.get("title") or router["column"]
    if PEOPLE_WORDS & set(re.findall(r"[a-z]+", f"{named} {router['column']}".lower())):
        return _listed([" or ".join(_plural(part) for part in re.split(r" or | and ", label)) for label in labels])
    return f"those answering {_listed([repr(label) for label in labels])} to {' '.join(named.split())!r}"


def _blank(frame: pd.DataFrame, question: dict) -> pd.Series | None:
    """Where the question has no answer at all (every column blank)."""
    columns = [o["column"] for o in question.get("options", []) if o.get("column")] or [question.get("column")]
    if not all(c in frame.columns for c in columns):
        return None
    return (frame[columns] == "").all(axis=1)


def _routers(frame: pd.DataFrame, questions: list[dict]) -> list[dict]:
    """Single-choice questions that could say who was asked: few options, answered by everyone."""
    return [q for q in questions if q.get("type") == "single" and len(q.get("options", [])) <= MAX_GROUPS
            and q.get("column") in frame.columns and not (frame[q["column"]] == "").any()]


def _best_routing(frame: pd.DataFrame, blank: pd.Series, question: dict, routers: list[dict],
                  groups: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[dict, list[str]] | None:
    """The router whose groups not asked explain most of the question's blanks, with the keys of those asked."""
    best, most = None, 0
    empty = blank.to_numpy(dtype=float)
    for router in routers:
        if router is question or router.get("column") == question.get("column"):
            continue
        values = [o.get("value", o["label"]) for o in router["options"]]
        if router["column"] not in groups:
            codes = pd.Categorical(frame[router["column"]], categories=values).codes
            groups[router["column"]] = codes, np.bincount(codes[codes >= 0], minlength=len(values))
        codes, sizes = groups[router["column"]]
        blanks = np.bincount(codes[codes >= 0], weights=empty[codes >= 0], minlength=len(values))
        present = sizes > 0
        not_asked = present & (blanks >= GROUP_NOT_ASKED * sizes)
        asked = present & (blanks <= GROUP_ASKED * sizes)
        if (present & ~not_asked & ~asked).any() or not asked.any():
            continue  # a group half blank, or none answering: this column does not say who was asked
        rows, explained = int(sizes[not_asked].sum()), float(blanks[not_asked].sum())
        if rows >= MIN_NOT_ASKED and explained >= NOT_ASKED * rows and explained > most:
            best, most = (router, [o["key"] for o, a in zip(router["options"], asked, strict=True) if a]), explained
    return best


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


def _plural(label: str) -> str:
    """'Social worker' -> 'social workers', 'Other professional working with children' -> 'other professionals
    working with children': the noun before any qualifying words, in the plural; capitals kept for names."""
    words = label.split()
    if not words:
        return label
    if len(words[0]) > 1 and words[0][1:].islower():
        words[0] = words[0].lower()
    qualifier = next((i for i, w in enumerate(words) if i and w.lower() in
                      {"working", "with", "in", "of", "for", "who", "from", "at", "on", "based", "employed"}), None)
    at = (qualifier or len(words)) - 1
    words[at] = _plural_word(words[at])
    return " ".join(words)


def _plural_word(word: str) -> str:
    lower = word.lower()
    if lower in UNCOUNTED or lower.endswith("s") or not lower.isalpha():
        return word
    if lower.endswith("man"):
        return word[:-3] + ("men" if word[-3:].islower() else "MEN")
    if lower.endswith("y") and lower[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    if lower.endswith(("ch", "sh", "x", "z")):
        return word + "es"
    return word + "s"
