"""Recognise personal data in text (e-mail addresses, UK phone numbers, postcodes, NI numbers) and mask it.

One detector for every door: the scan of the built site, the codebook check, the drafting of a
codebook and the error messages all ask it, so a form it learns to see is seen everywhere.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

EMAIL, PHONE, POSTCODE, NI_NUMBER = "an e-mail address", "a UK phone number", "a UK postcode", \
    "a National Insurance number"
_GAP = r"(?:[^\S\n]|[.-])"  # what people put between groups of digits: spaces (never a line break), dots, hyphens
PATTERNS = {
    # \w is Unicode: addresses with accented or non-Latin letters (IDN) are addresses too.
    EMAIL: re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.([^\W\d_]{2,})(?![\w-])"),
    PHONE: re.compile(
        r"(?<![\w.+#])"  # not the tail of a longer number, a decimal or an identifier
        rf"(?:(?:\+|\b00)44{_GAP}?(?:\(0\){_GAP}?)?|\(?0)"  # +44, 0044, +44 (0), or the trunk 0, maybe bracketed
        rf"[1-35789](?:\)?{_GAP}?\d){{8,9}}"  # 0800/0808/0500 freephone, 07 mobiles, 01/02/03 geographic
        r"(?!\w|[.,-]\d)"),
    POSTCODE: re.compile(
        r"(?<![\w#/.-])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR)[^\S\n]?\d[ABD-HJLNP-UW-Z]{2}(?![\w-])",
        re.IGNORECASE),
    NI_NUMBER: re.compile(
        r"(?<![\w-])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
        r"(?:[^\S\n]|-)?\d{2}(?:[^\S\n]|-)?\d{2}(?:[^\S\n]|-)?\d{2}(?:[^\S\n]|-)?[A-D](?![\w-])", re.IGNORECASE),
}
# "logo@2x.png" names an image, not a person.
FILE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "json", "html", "pdf", "ico"}
_ESCAPE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});|\\u[0-9a-fA-F]{4}|%40")
KEEP = 2  # characters shown at each end of a masked value


@dataclass(frozen=True)
class Found:
    """One piece of personal data: its kind, the text as written, and where it starts and ends."""

    kind: str
    text: str
    start: int
    end: int


def find(text: str) -> list[Found]:
    """Every piece of personal data in a text, in order of where it starts."""
    found = []
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            if kind == EMAIL and match.group(1).lower() in FILE_EXTENSIONS:
                continue
            found.append(Found(kind, match.group(0), match.start(), match.end()))
    return sorted(found, key=lambda f: (f.start, -f.end))


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
    if item.kind == EMAIL:
        return item.text.casefold()
    if item.kind == PHONE:
        digits = re.sub(r"\D", "", item.text)
        if item.text.startswith(("+44", "0044")):
            digits = digits[2:] if item.text.startswith("+") else digits[4:]
        return "0" + digits.lstrip("0")
    return re.sub(r"[^A-Z0-9]", "", item.text.upper())
