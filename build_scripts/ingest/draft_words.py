"""Short readable keys and titles for a draft codebook, made of whole words of the question or answer."""

from __future__ import annotations

import re

MAX_KEY = 24  # characters: a figure key reads `survey.question.option.segment=group`
MAX_TITLE = 60
KEY_WORDS = 3
# Words that carry no meaning in a key. Negations ("no", "not", "never") always stay: they reverse it.
FUNCTION_WORDS = {
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "with", "by", "from", "and", "or", "as", "into", "i",
    "me", "my", "you", "your", "yours", "we", "our", "us", "they", "their", "it", "its", "will", "would", "make",
    "is", "are", "was", "were", "be", "been", "being", "this", "that", "these", "those",
}
QUESTION_WORDS = FUNCTION_WORDS | {
    "what", "which", "who", "whom", "where", "when", "why", "how", "do", "does", "did", "have", "has", "had", "ever",
    "can", "could", "should", "may", "might", "please", "any", "if", "there", "about", "following", "statement",
    "statements", "comes", "closest", "view", "describes", "best", "think", "feel", "felt", "say", "expect",
    "effect", "extent", "much", "many", "long", "often", "number", "mainly", "usually", "currently", "generally",
    "overall", "tell", "like", "rate", "select", "apply", "all", "one", "answer", "respondent",
}
QUESTION_CODE = re.compile(r"[A-Za-z]{0,4}\d+[A-Za-z0-9_.]*")  # Q1, QS2_1, V12: a column named by the tool
# A clause that sets the scene before the question: "Thinking about the next twelve months, ..."
LEAD_IN = re.compile(r"^(?:thinking (?:about|of)|over the|in the (?:past|last|next)|in your|during|since|looking|"
                     r"overall|compared|when|if|as a|for)\b[^,?]*,\s*", re.IGNORECASE)


def question_key(text: str, taken: set[str], column: str = "", ending: frozenset[str] = frozenset()) -> str:
    """A unique key of a question's few meaningful words: 'In your time as a social worker, have you ever felt
    powerless to intervene...?' -> powerless_intervene_case; a short column name such as 'Region' is used whole.

    With `ending`, the key stops at the first of those words: 'Which UK nation do you work in?' -> uk_nation.
    """
    if column and len(column) <= MAX_KEY and "?" not in column and not QUESTION_CODE.fullmatch(column):
        return option_key(column, taken)
    words = _meaningful(text, QUESTION_WORDS) or _words(text)[:KEY_WORDS]
    last = next((i for i, word in enumerate(words) if word in ending), None)
    return unique(words if last is None else words[:last + 1][-2:], taken)


def option_key(label: str, taken: set[str]) -> str:
    """A unique key of an answer: all its words if they fit ('Prefer not to say' -> prefer_not_to_say), else
    its meaningful words ('It will make no difference' -> no_difference)."""
    words = _words(label)
    if words[:1] == ["neither"] and "nor" in words:  # the middle of a scale: "Neither agree nor disagree"
        words = ["neither"]
    if len("_".join(words)) <= MAX_KEY and len(words) <= KEY_WORDS + 1:
        return unique(words, taken, len(words))
    return unique([w for w in words if w not in FUNCTION_WORDS] or words, taken)


def unique(words: list[str], taken: set[str], most: int = KEY_WORDS) -> str:
    """The first few words joined into a key not yet taken (a number added if it is), recorded as taken."""
    return untaken("_".join(_fitting(words, most)) or "item", taken)


def untaken(base: str, taken: set[str]) -> str:
    """`base`, or `base_2`, `base_3`... whichever is not yet taken, recorded as taken."""
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def title(text: str) -> str:
    """A heading of whole words, at most MAX_TITLE characters: the wording, else its question without the
    scene-setting clause and notes in brackets, cut after a word that means something."""
    text = " ".join(text.split())
    if len(text) <= MAX_TITLE:
        return text
    text = re.sub(r"\s*\([^)]*\)", "", text)
    core = LEAD_IN.sub("", text)
    core = core[:1].upper() + core[1:] if core else text
    for candidate in (text, core, _first_sentence(core)):
        if candidate and len(candidate) <= MAX_TITLE:
            return candidate
    words = core[:MAX_TITLE - 2].rsplit(" ", 1)[0].rstrip(",;:.-–— ").split(" ") if " " in core else [core]
    while len(words) > 1 and re.sub(r"\W", "", words[-1].lower()) in QUESTION_WORDS - {"many", "much", "long"}:
        words.pop()
    cut = " ".join(words).rstrip(",;:.-–— ")
    return cut[:MAX_TITLE - 3] + "..."


def _meaningful(text: str, stop: set[str]) -> list[str]:
    """The first few words that mean something, from the first sentence that has any, after the scene is set."""
    text = re.sub(r"\s*\([^)]*\)", " ", text)
    for sentence in _sentences(text):
        kept = [w for w in _words(LEAD_IN.sub("", sentence)) if w not in stop] \
            or [w for w in _words(sentence) if w not in stop]
        if kept:
            return kept
    return []


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[?.!])\s+|\.\.\.", text) if s.strip()]


def _first_sentence(text: str) -> str:
    sentences = _sentences(text)
    return sentences[0].strip() if sentences else ""


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("'", "").replace("’", ""))


def _fitting(words: list[str], most: int) -> list[str]:
    """The first `most` words, fewer if they would not fit in MAX_KEY characters; never part of a word
    (a single word longer than that is cut, as nothing shorter would say it)."""
    kept: list[str] = []
    for word in words[:most]:
        if len("_".join([*kept, word])) > MAX_KEY:
            break
        kept.append(word)
    return kept or [words[0][:MAX_KEY]] if words else []
