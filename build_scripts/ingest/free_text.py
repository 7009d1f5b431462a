"""Which export columns hold people's own words or say who they are, so a draft never makes them categories.

Four signs, any one enough: the survey tool marks the column as typed text (SurveyMonkey's
"Open-Ended Response", Qualtrics' `_TEXT` import ids); it is named like a field that says who someone
is (name, e-mail, phone, address, postcode, date of birth, home town, school, employer, a reference
number, a signature, an IP address...) or like a comment box; its answers hold personal data, street
addresses or dates of birth, or read like sentences; most of its answers are different from each other.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from build_scripts.personal_data import find

# Fields that say who someone is, matched against a column's whole name or question (after "Q3", "your",
# "what is your"...). A careless export has all of these; "Age last birthday" and "Age (exact)" are figures.
IDENTITY_FIELDS = {
    "an IP address": r"ip(?: ?address| addr)?",
    "a device's details": r"(?:browser )?user ?agent|device(?: id| identifier)|(?:session|cookie) id|mac address",
    "a location": r"location (?:latitude|longitude)|latitude|longitude|gps(?: location)?",
    "an e-mail address": r"(?:(?:recipient|respondent|contact|work|home|personal|parent'?s) )*e ?-? ?mail(?: address)?",
    "a phone number": r"(?:(?:contact|home|work|daytime|mobile|tel|telephone|phone) )*"
                      r"(?:phone|telephone|tel|mobile|cell)(?: (?:phone|number|no))*",
    "a postcode": r"(?:(?:home|your|school|work) )?(?:post ?code|postal code|zip(?: code)?)",
    "a postal address": r"(?:(?:home|postal|street|full|current|permanent|school|work) )*address(?: line)?(?: \d)?"
                        r"|street(?: name)?|house (?:number|name|no)|flat(?: number| no)",
    "contact details": r"(?:(?:contact|personal|your) )*(?:details|info|information|particulars)",
    "a home town": r"(?:home ?town|town(?: or city| city)?|city|village)(?: of residence)?"
                   r"|place of birth|birth ?place|where were you born",
    "a date of birth": r"(?:(?:child'?s|children'?s|baby'?s|respondent'?s|their|his|her) )*"
                       r"(?:date of birth|birth ?date|birthday|dob|d o b)"
                       r"|when (?:were you|was (?:your child|the child|he|she)) born",
    "a name": r"(?:(?:recipient|respondent|full|first|last|given|family|middle|child'?s|children'?s|parent'?s|"
              r"carer'?s) )*(?:sur|fore|user ?)?names?"
              r"|name of (?:the |your |their )?(?:child|children|person|respondent|parent|carer|caseworker)"
              r"|who is your (?:case ?worker|social worker|key ?worker|gp|doctor|health visitor|(?:head ?)?teacher)",
    "a school's or employer's name": r"(?:(?:your|child'?s|their) )*(?:school|employer|company|workplace|"
                                     r"organi[sz]ation)(?: name| attended|'?s name)"
                                     r"|name of (?:the |your |their |your child'?s )?(?:school|employer|company|"
                                     r"workplace|organi[sz]ation)|school|employer",
    "a signature": r"signature|signed|sign(?:ed)? here|sign your name",
    "a reference number": r"(?:case|client|customer|patient|pupil|unique pupil|student|membership|account|crime|"
                          r"nhs|chi|ni|national insurance|passport|driving licen[cs]e|hospital|social security|tax) "
                          r"(?:reference|ref|number|no|id|code)(?: number| no)?"
                          r"|(?:case |client |your )?(?:reference|ref)(?: number| no| code)?|upn|nhs|nino",
}
_IDENTITY = {reason: re.compile(pattern) for reason, pattern in IDENTITY_FIELDS.items()}
_ASKING = re.compile(r"^(?:q?\d+[a-z]? )?"
                     r"(?:(?:what is|what's|please (?:give|enter|tell us|provide|write)|enter|give|tell us) )?"
                     r"(?:(?:your|their|the respondent'?s) )?")
POSTAL_ADDRESS, DATE_OF_BIRTH = "a postal address", "a date of birth"
# Answers that are someone's address: a house number and a street, a flat, a named house ("Rose Cottage").
_STREET = r"(?:Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Cres|Place|Gardens|Grove|Terrace" \
          r"|Court|Ct|Square|Sq|Hill|Mews|Row|Walk|Park|Green|View|Rise|Parade|Vale)"
STREET_ADDRESS = re.compile(
    rf"\b\d+[A-Za-z]?,? (?:[A-Z][\w'’-]* ){{1,3}}{_STREET}\b"
    r"|(?i:\b\d+[a-z]?,? (?:[a-z'’-]+ ){1,2}(?:street|st|road|rd|lane|avenue|crescent|terrace)\b)"
    r"|(?i:\b(?:flat|apartment|apt|unit)\.? ?\d+[a-z]?\b)"
    r"|(?<![\w-])(?!(?:Detached|Semi|Terraced|End|Council|Town|Care|Foster|Family|Public|Halfway|Shared|Private"
    r"|Country|Tree|Open|Whole|Big|Small|Large|My|Our|Their|The|A|Any|Other|Own|Social|Mobile|Holiday)\b)"
    r"[A-Z][a-z]+ (?:House|Cottage|Farm|Lodge|Barn|Manor|Villa|Grange)\b")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# A day, a month and a year, maybe a time after: 1980-01-02, 02/01/1980, 2 Jan 1980, January 2, 1980.
FULL_DATE = re.compile(
    r"(?i:(?P<y1>\d{4})[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?P<y2>\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? (?P<y3>\d{{4}})|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? (?P<y4>\d{{4}}))"
    r"(?:[ T]\d.*)?")
BIRTH_YEARS_SPAN = 2  # full dates spread over years are when people were born; a survey's own dates are not
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
    """What most answers are, when most say who someone is (an e-mail address, an address, a date of birth...)."""
    distinct = set(answers)
    kinds = Counter(kind for kind in map(_identity_answer, distinct) if kind)
    kind, count = kinds.most_common(1)[0] if kinds else (None, 0)
    if kind == DATE_OF_BIRTH and not _spread_over_years(distinct):
        return None
    return kind if count and count * 2 > len(distinct) else None


def _identity_answer(answer: str) -> str | None:
    found = find(answer)
    if found:
        return found[0].kind
    if STREET_ADDRESS.search(answer):
        return POSTAL_ADDRESS
    return DATE_OF_BIRTH if FULL_DATE.fullmatch(answer.strip()) else None


def _spread_over_years(answers: set[str]) -> bool:
    years = {int(next(y for y in match.groups() if y)) for match in map(FULL_DATE.fullmatch, map(str.strip, answers))
             if match}
    return bool(years) and max(years) - min(years) >= BIRTH_YEARS_SPAN


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
