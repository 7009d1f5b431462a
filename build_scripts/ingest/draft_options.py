"""The options of a drafted question in the order readers expect: a known scale in its own order, numbered
ranges by number, Yes before No, "Other" after the answers, and "Don't know" and "Prefer not to say" last.

Other answers keep the order they first appear in the export, not how often they were chosen: appending
late responses then never reorders a question's options, and two waves' drafts line up.
"""

from __future__ import annotations

import re

from build_scripts.ingest.draft_words import option_key

DONT_KNOW = re.compile(r"\bdon'?t know\b|\bnot sure\b|\bunsure\b|\bcan'?t say\b|\bcannot say\b|\bno opinion\b")
PREFER_NOT = re.compile(r"\bprefer not\b|\brather not\b|\bdeclined? to\b|^refused$")
OTHER = re.compile(r"^(?:other\b|something else|none of (?:these|the above)|not applicable$|n/?a$)")
# Known scales, each a list of positions; the labels at one position are ways tools word the same answer.
SCALES = [
    [["strongly agree", "agree strongly", "completely agree"],
     ["agree", "tend to agree", "somewhat agree", "slightly agree", "mostly agree", "agree somewhat"],
     ["neither agree nor disagree", "neither agree or disagree", "neutral", "neither"],
     ["disagree", "tend to disagree", "somewhat disagree", "slightly disagree", "mostly disagree"],
     ["strongly disagree", "disagree strongly", "completely disagree"]],
    [["very likely", "extremely likely", "certain to"], ["fairly likely", "quite likely", "likely", "somewhat likely"],
     ["neither likely nor unlikely"], ["fairly unlikely", "not very likely", "unlikely", "somewhat unlikely",
                                       "quite unlikely"], ["very unlikely", "not at all likely", "extremely unlikely"]],
    [["very satisfied", "extremely satisfied", "completely satisfied"],
     ["fairly satisfied", "quite satisfied", "satisfied", "somewhat satisfied"],
     ["neither satisfied nor dissatisfied"],
     ["fairly dissatisfied", "quite dissatisfied", "dissatisfied", "somewhat dissatisfied", "not very satisfied"],
     ["very dissatisfied", "extremely dissatisfied", "completely dissatisfied", "not at all satisfied"]],
    [["always", "all the time", "all of the time"], ["very often", "most of the time", "almost always"],
     ["often", "usually", "frequently", "a lot of the time"], ["sometimes", "some of the time", "occasionally"],
     ["rarely", "seldom", "hardly ever", "almost never", "a little of the time"], ["never", "none of the time"]],
    [["risen a lot", "increased a lot", "gone up a lot", "risen significantly", "increased significantly"],
     ["risen", "increased", "gone up", "got better", "improved", "better", "more", "risen a little",
      "increased a little", "gone up a little", "risen slightly", "increased slightly"],
     ["stayed about the same", "stayed the same", "about the same", "not changed", "no change", "unchanged",
      "the same", "same", "no difference", "made no difference"],
     ["fallen", "decreased", "gone down", "got worse", "worsened", "worse", "less", "fallen a little",
      "decreased a little", "gone down a little", "fallen slightly", "decreased slightly"],
     ["fallen a lot", "decreased a lot", "gone down a lot", "fallen significantly", "decreased significantly"]],
    [["excellent"], ["very good"], ["good", "fairly good", "quite good"], ["fair", "average", "ok", "okay",
                                                                          "neither good nor poor",
                                                                          "neither good nor bad"],
     ["poor", "bad", "fairly poor", "fairly bad"], ["very poor", "very bad"]],
    [["a great deal", "a lot"], ["a fair amount", "quite a lot", "some"], ["not very much", "a little", "not much"],
     ["not at all", "none at all", "nothing"]],
    [["yes"], ["no"]],
]
# "Very X", "Fairly X", "Not very X", "Not at all X": a scale of any word X (important, confident, worried...).
DEGREES = [("extremely", 0), ("very", 1), ("fairly", 2), ("quite", 2), ("somewhat", 2), ("moderately", 2),
           ("reasonably", 2), ("slightly", 3), ("a little", 3), ("not very", 5), ("not particularly", 5),
           ("not at all", 6), ("not", 5)]
DEGREE = re.compile(rf"^({'|'.join(re.escape(d) for d, _ in DEGREES)}) (.+)$")
BELOW = re.compile(r"\b(?:less than|under|fewer than|up to|below|younger than)\b")
ABOVE = re.compile(r"\b(?:more than|over|above|older than|or more|or over|and over|or older|plus)\b|\+")


def plain(label: str) -> str:
    """A label as the scales spell it: lower case, straight apostrophes, single spaces, no final full stop."""
    return " ".join(label.lower().replace("’", "'").replace("‘", "'").split()).rstrip(".")


def option_kind(label: str) -> str:
    """answer, dont_know or prefer_not_to_say, from the label's words."""
    text = plain(label)
    if PREFER_NOT.search(text):
        return "prefer_not_to_say"
    if DONT_KNOW.search(text):
        return "dont_know"
    return "answer"


def ordered(labels: list[str]) -> list[str]:
    """Labels (in the order first seen) in reading order: scale, numbers, yes/no, else as seen with "Other" after
    the rest; then don't know, then prefer not to say."""
    kinds = {label: option_kind(label) for label in labels}
    answers = [label for label in labels if kinds[label] == "answer"]
    ranked = _on_a_scale(answers) or _by_number(answers) or _by_degree(answers) or _yes_first(answers) or \
        [a for a in answers if not OTHER.match(plain(a))] + [a for a in answers if OTHER.match(plain(a))]
    return ranked + [la for la in labels if kinds[la] == "dont_know"] + \
        [la for la in labels if kinds[la] == "prefer_not_to_say"]


def draft_options(labels: list[str], keep_order: bool = False) -> list[dict]:
    """Options for labels: key, label and (when not an answer) kind; reordered unless the tool gave the order."""
    options, keys = [], set()
    for label in labels if keep_order else ordered(labels):
        option = {"key": option_key(label, keys), "label": label}
        if (kind := option_kind(label)) != "answer":
            option["kind"] = kind
        options.append(option)
    return options


def known_scale(labels: list[str]) -> bool:
    """Whether the answers (leaving out don't know and prefer not to say) are all on one known scale."""
    answers = [label for label in labels if option_kind(label) == "answer"]
    return bool(answers) and (_on_a_scale(answers) is not None or _by_degree(answers) is not None)


def _on_a_scale(answers: list[str]) -> list[str] | None:
    for scale in SCALES:
        position = {label: i for i, labels in enumerate(scale) for label in labels}
        if answers and all(plain(a) in position for a in answers):
            return sorted(answers, key=lambda a: position[plain(a)])
    return None


def _by_number(answers: list[str]) -> list[str] | None:
    """Ranges and counts by their first number: 'Less than 2 years' < '2 to 5 years' < 'More than 10 years'."""
    place = {}
    for answer in answers:
        text = plain(answer)
        found = re.search(r"\d[\d,]*(?:\.\d+)?", text)
        if found is None:
            if text not in {"none", "never", "no", "nil", "zero"}:
                return None
            place[answer] = -1.0
            continue
        number = float(found.group(0).replace(",", ""))
        place[answer] = number - 0.5 if BELOW.search(text) else number + 0.5 if ABOVE.search(text) else number
    if len(answers) < 2 or len(set(place.values())) < len(answers):
        return None
    return sorted(answers, key=place.__getitem__)


def _by_degree(answers: list[str]) -> list[str] | None:
    """'Very important' < 'Fairly important' < 'Not very important' < 'Not at all important'."""
    rank, words = {}, set()
    for answer in answers:
        text = plain(answer)
        neither = re.fullmatch(r"neither (\S+) nor .+", text)
        degree = DEGREE.fullmatch(text)
        if neither:
            rank[answer], word = 4, neither.group(1)
        elif degree:
            rank[answer], word = dict(DEGREES)[degree.group(1)], degree.group(2)
        else:
            return None
        words.add(word)
    if len(answers) < 2 or len(words) != 1 or len(set(rank.values())) < len(answers):
        return None
    return sorted(answers, key=rank.__getitem__)


def _yes_first(answers: list[str]) -> list[str] | None:
    """'Yes, ...' answers before 'No, ...' ones, each kept in the order seen."""
    first = [plain(a).split(",")[0].split(" ")[0] for a in answers]
    if not {"yes", "no"} <= set(first) or not set(first) <= {"yes", "no"}:
        return None
    return [a for a, f in zip(answers, first, strict=True) if f == "yes"] + \
        [a for a, f in zip(answers, first, strict=True) if f == "no"]
