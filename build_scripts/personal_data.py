"""Recognise personal data in text (e-mail addresses, UK phone numbers, postcodes, NI and NHS numbers) and mask it.

One detector for every door: the scan of the built site, the codebook check, the drafting of a
codebook and the error messages all ask it, so a form it learns to see is seen everywhere. Text is
read as a person would read it: full-width letters and digits as ordinary ones (NFKC), invisible
format characters (zero-width spaces, soft hyphens) as nothing, and dates as dates, never as the
digits of a phone number. Positions are always those of the text as given.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

EMAIL, PHONE, POSTCODE, NI_NUMBER, NHS_NUMBER = "an e-mail address", "a UK phone number", "a UK postcode", \
    "a National Insurance number", "an NHS number"
_GAP = r"(?:[^\S\n]|[.-])"  # what people put between groups of digits: spaces (never a line break), dots, hyphens
_SPACE = r"[^\S\n]"
# "jo [at] example [dot] org", "jo (at) example (dot) org", "jo at example dot org".
_AT = rf"(?:{_SPACE}*[\[({{<]{_SPACE}*at{_SPACE}*[\])}}>]{_SPACE}*|{_SPACE}+at{_SPACE}+)"
_DOT = rf"(?:{_SPACE}*[\[({{<]{_SPACE}*dot{_SPACE}*[\])}}>]{_SPACE}*|{_SPACE}+dot{_SPACE}+|\.)"
# Searched in the text as read, each only when a cheap test finds what it needs (an "@", an "at" in brackets...).
TEXT_PATTERNS = [
    # \w is Unicode: addresses with accented or non-Latin letters (IDN) are addresses too.
    (EMAIL, re.compile(r"(?<![\w.%+-])(?:[\w.%+-]+|\"[^\"\n]{1,64}\")(?:@|%40)[\w-]+(?:\.[\w-]+)*\.([^\W\d_]{2,})"
                       r"(?![\w-])"), re.compile("@|%40")),
    (EMAIL, re.compile(rf"(?<![\w.%+-])[\w.%+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}([^\W\d_]{{2,}})(?![\w-])",
                       re.IGNORECASE), re.compile(rf"[dD][oO][tT]{_SPACE}|[aA][tT]{_SPACE}*[\])}}>]")),
    (POSTCODE, re.compile(
        r"(?<![\w#/.-])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR)[^\S\n]?\d[ABD-HJLNP-UW-Z]{2}(?![\w-])",
        re.IGNORECASE), None),
    (NI_NUMBER, re.compile(
        r"(?<![\w.-])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
        rf"{_GAP}?\d{{2}}{_GAP}?\d{{2}}{_GAP}?\d{{2}}{_GAP}?[A-D](?![\w-])", re.IGNORECASE), None),
]
# Searched in the text with its dates blanked out, so no date lends its digits to a number.
NUMBER_PATTERNS = [
    (PHONE, re.compile(
        r"(?<![\w.+#])"  # not the tail of a longer number, a decimal or an identifier
        rf"(?:(?:\+|\b00|\b)44{_GAP}?(?:\(0\){_GAP}?)?|\(?0)"  # +44, 0044, 44, +44 (0), or the trunk 0, maybe bracketed
        rf"[1-35789](?:\)?{_GAP}?\d){{8,9}}"  # 0800/0808/0500 freephone, 07 mobiles, 01/02/03 geographic
        r"(?!\w|[.,-]\d)"), None),
    # Spelt out a digit at a time, "0 7 7 0 0 9 0 0 1 2 3": the whole run, so a row of axis ticks never is.
    (PHONE, re.compile(rf"0(?<![\w.+#-]0)(?<!\d{_SPACE}0){_SPACE}[1-35789](?:{_SPACE}\d){{9}}"
                       rf"(?!\w|{_SPACE}\d|[.,-]\d)"), None),
    (NHS_NUMBER, re.compile(r"([0-9](?<![\w.+#-][0-9])\d{2})([^\S\n]|-|)(\d{3})\2(\d{4})(?!\w|[.,-]\d)"), None),
]
_DATE = re.compile(  # 2015-10-05, 2015/10/05, 05/10/2015, 5.10.15; its first digit is matched first, for speed
    r"[0-9](?<![\d.][0-9])(?:\d{3}([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
    r"|\d?([-/.])(?:0?[1-9]|1[0-2])\2(?:\d{4}|\d{2}))(?!\d|\.\d)")
_BRACKET_OR_DOT_WORD = re.compile(r"[\[({<]|\bdot\b", re.IGNORECASE)
# "logo@2x.png" names an image, not a person.
FILE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "json", "html", "pdf", "ico"}
_ESCAPE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});|\\u[0-9a-fA-F]{4}|%40")
KEEP = 2  # characters shown at each end of a masked value


@dataclass(frozen=True)
class Found:
    """One piece of personal data: its kind, the text as written, where it starts and ends, and the text as read."""

    kind: str
    text: str
    start: int
    end: int
    plain: str = ""


def find(text: str) -> list[Found]:
    """Every piece of personal data in a text, in order of where it starts."""
    plain, where = _as_read(text)
    numbers = _DATE.sub(_blank, plain) if any(c in plain for c in "-/.") else plain
    found = []
    for searched, patterns in ((plain, TEXT_PATTERNS), (numbers, NUMBER_PATTERNS)):
        for kind, pattern, needs in patterns:
            if needs and not needs.search(searched):
                continue
            for match in pattern.finditer(searched):
                if _mistaken(kind, match):
                    continue
                start, end = (where(match.start()), where(match.end() - 1) + 1) if where else match.span()
                found.append(Found(kind, text[start:end], start, end, plain[match.start():match.end()]))
    return sorted(found, key=lambda f: (f.start, -f.end))


def _mistaken(kind: str, match: re.Match) -> bool:
    """Whether a match only looks like personal data: an image name, words around 'at', a wrong check digit."""
    if kind == EMAIL:
        if match.group(1).lower() in FILE_EXTENSIONS:
            return True
        # "find us at example.org" is a sentence; "jo at example dot org" or "jo [at] example.org" an address.
        return "@" not in match.group(0) and "%40" not in match.group(0) \
            and not _BRACKET_OR_DOT_WORD.search(match.group(0))
    if kind == NHS_NUMBER:
        return not nhs_check_digit_valid(match.group(1) + match.group(3) + match.group(4))
    return False


def nhs_check_digit_valid(digits: str) -> bool:
    """Whether ten digits carry a valid NHS (modulus 11) check digit; one digit repeated never does here."""
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    check = 11 - sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    return (0 if check == 11 else check) == int(digits[9])


def _blank(match: re.Match) -> str:
    return "x" * len(match.group(0))


def _as_read(text: str):
    """The text with full-width forms made ordinary (NFKC) and format characters dropped, and a function taking a
    position in it back to the text as given (None when nothing changed)."""
    if text.isascii():
        return text, None
    odd = {c for c in set(text) if not c.isascii() and _read_as(c) != c}
    if not odd:
        return text, None
    pieces, starts, origins, runs = [], [], [], []  # per piece: where it starts in each text, kept or replaced
    length = last = 0
    for match in re.finditer("[" + "".join(re.escape(c) for c in odd) + "]", text):
        if match.start() > last:
            pieces.append(text[last:match.start()])
            starts.append(length), origins.append(last), runs.append(True)
            length += match.start() - last
        replacement = _read_as(match.group(0))
        if replacement:
            pieces.append(replacement)
            starts.append(length), origins.append(match.start()), runs.append(False)
            length += len(replacement)
        last = match.end()
    if last < len(text):
        pieces.append(text[last:])
        starts.append(length), origins.append(last), runs.append(True)

    def where(position: int) -> int:
        i = bisect_right(starts, position) - 1
        return origins[i] + (position - starts[i] if runs[i] else 0)

    return "".join(pieces), where


def _read_as(char: str) -> str:
    return "" if unicodedata.category(char) == "Cf" else unicodedata.normalize("NFKC", char)


def unescape(text: str) -> str:
    """HTML entities (`&#64;`, `&commat;`), JSON `\\u0040` escapes and `%40` decoded; line breaks stay where they were.

    An escaped line break becomes a NUL, which nothing matches across, so line numbers found in the
    decoded text are those of the file.
    """
    if "&" not in text and "\\u" not in text and "%40" not in text:
        return text
    return _ESCAPE.sub(_decoded, text)


def _decoded(match: re.Match) -> str:
    escape = match.group(0)
    if escape == "%40":
        return "@"
    char = chr(int(escape[2:], 16)) if escape.startswith("\\u") else html.unescape(escape)
    return "\0" if char in {"\n", "\r"} else char


def mask(value: str) -> str:
    """A value with all but its first and last few letters and digits starred: '07700 900123' -> '07*** ****23'."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    shown = set(positions[:KEEP]) | (set(positions[-KEEP:]) if len(positions) >= 4 * KEEP else set())
    return "".join(c if i in shown or not c.isalnum() else "*" for i, c in enumerate(value))


def mask_within(text: str) -> str:
    """The text with every piece of personal data in it masked."""
    out, last = [], 0
    for item in find(text):
        if item.start < last:
            continue  # overlaps one already masked
        out += [text[last:item.start], mask(item.text)]
        last = item.end
    return "".join(out) + text[last:]


def canonical(item: Found) -> str:
    """One spelling for the many ways of writing the same thing: '+44 (0)20 7946 0958' and '020-7946-0958' agree."""
    text = item.plain or item.text
    if item.kind == EMAIL:
        text = re.sub(rf"{_AT}|%40", "@", text, count=1, flags=re.IGNORECASE)
        return re.sub(_DOT, ".", text, flags=re.IGNORECASE).casefold()
    if item.kind == PHONE:
        digits = re.sub(r"^(?:\+|00)?44", "", re.sub(r"[^\d+]", "", text))
        return "0" + digits.lstrip("0")
    return re.sub(r"[^A-Z0-9]", "", text.upper())
