"""Which export columns hold people's own words or say who they are, so a draft never makes them categories.

Four signs, any one enough: the survey tool marks the column as typed text (SurveyMonkey's
"Open-Ended Response", Qualtrics' `_TEXT` import ids); it is named like a contact field (name,
e-mail, phone, address, postcode) or a comment box; its answers hold personal data or read like
sentences; most of its answers are different from each other.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from build_scripts.personal_data import find

# Contact fields, matched against a column's whole name or question (after "your", "what is your"...).
IDENTITY_FIELDS = {
    "an IP address": r"ip address",
    "a location": r"location (?:latitude|longitude)|latitude|longitude",
    "an e-mail address": r"(?:(?:recipient|respondent|contact|work|home) )*e ?-? ?mail(?: address)?",
    "a phone number": r"(?:(?:contact|home|work|daytime|mobile|tel|telephone|phone) )*"
                      r"(?:phone|telephone|tel|mobile|cell)(?: (?:phone|number|no))*",
    "a postcode": r"(?:home )?(?:post ?code|postal code|zip(?: code)?)",
    "a postal address": r"(?:(?:home|postal|street|full) )*address(?: line)?(?: \d)?",
    "a name": r"(?:(?:recipient|respondent|full|first|last|given|family|middle|child'?s) )*(?:sur)?name",
}
_IDENTITY = {reason: re.compile(pattern) for reason, pattern in IDENTITY_FIELDS.items()}
_ASKING = re.compile(r"^(?:(?:what is|what's|please (?:give|enter|tell us|provide|write)|enter|give|tell us) )?"
                     r"(?:(?:your|their|the respondent'?s) )?")
# A request for typed words anywhere in the label...
TYPED_WORDS_ASKED = re.compile(
    r"\bplease (?:tell us|specify|explain|describe|give (?:details|reasons?|more)|say|write)\b|\bspecify\b"
    r"|\btell us (?:more|why|about|anything)\b|\bin your own words\b|\banything else\b|\bopen[ -]ended\b"
    r"|\bfree ?text\b")
# ...or a label that starts or ends with what comment boxes are called ("Which comment best describes you?"
# is a categorical question, "Any other comments" a comment box).
COMMENT_WORDS = r"(?:comments?|feedback|suggestions?|remarks|notes)"
COMMENT_LABEL = re.compile(rf"^(?:(?:any|other|further|additional|general|final|your) )*{COMMENT_WORDS}\b"
                           rf"|\b{COMMENT_WORDS}$")
SENTENCE_END = re.compile(r"\w[^.!?]*\s\S+[.!?]+[\"'”’)]*$")  # several words, then a full stop
SENTENCE_BREAK = re.compile(r"[.!?][\"'”’)]*\s+[A-Z]")
LONG_ANSWER_WORDS = 15
LONG_ANSWER_CHARACTERS = 100


def identity_field(column: str, wording: str = "") -> str | None:
    """What a column named like a contact field holds ('a name', 'an e-mail address'...), or None."""
    for label in (column, wording):
        name = _plain(label)
        for reason, pattern in _IDENTITY.items():
            if pattern.fullmatch(name) or pattern.fullmatch(_ASKING.sub("", name, count=1)):
                return reason
    return None


def comment_field(column: str, wording: str = "") -> bool:
    """Whether a column is named like a comment box: 'Comments', 'Please tell us more', 'Other (please specify)'."""
    return any(TYPED_WORDS_ASKED.search(_lower_words(label)) or COMMENT_LABEL.search(_plain(label))
               for label in (column, wording))


def identity_answers(answers: pd.Series) -> str | None:
    """What most answers are, when most are personal data ('an e-mail address'...), else None."""
    kinds = Counter(found[0].kind for found in map(find, set(answers)) if found)
    kind, count = kinds.most_common(1)[0] if kinds else (None, 0)
    return kind if count and count * 2 > len(set(answers)) else None


def mostly_different(answers: pd.Series) -> bool:
    """Whether most answers are given by one person only, as people's own words are."""
    counts = Counter(answers)
    singletons = sum(1 for n in counts.values() if n == 1)
    return (len(answers) >= 5 and len(counts) > 0.8 * len(answers)) \
        or (len(answers) >= 10 and singletons * 2 > len(answers))


def own_words(values) -> bool:
    """Whether any of these answers is long, runs over lines, reads like a sentence or holds personal data."""
    return any(_own_words(v) or find(v) for v in set(values))


def _own_words(answer: str) -> bool:
    words = answer.split()
    return len(answer) > LONG_ANSWER_CHARACTERS or "\n" in answer or len(words) >= LONG_ANSWER_WORDS \
        or (len(words) >= 4 and bool(SENTENCE_END.search(answer) and not answer.endswith("etc."))) \
        or bool(SENTENCE_BREAK.search(answer))


def _lower_words(label: str) -> str:
    """'RecipientEmail' -> 'recipient email', 'Q5_other' -> 'q5 other'."""
    return re.sub(r"[_/]+", " ", re.sub(r"([a-z])([A-Z])", r"\1 \2", label)).lower()


def _plain(label: str) -> str:
    """A label as bare lower-case words, asides in brackets dropped: 'E-mail (optional):' -> 'e-mail'."""
    label = re.sub(r"\([^)]*\)", " ", _lower_words(label))
    return " ".join(re.sub(r"[^\w'’ -]+", " ", label).replace("’", "'").split()).strip(" -")
