"""How to cite a figure or a question (standards rule 19): APA-style text and a BibTeX entry.

Both are made from the codebook (who commissioned the survey, its title, the question) and the release (its
date), with the figure's permanent address, so a journalist or a researcher can cite exactly what they saw.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Characters BibTeX or LaTeX would read, as LaTeX that prints them. BibTeX counts every brace, even an escaped
# one, so a lone brace from a codebook is written as a command whose own braces pair up.
_BIBTEX_TEXT = {**{c: "\\" + c for c in "&%$#_"}, "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
                "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Citation:
    """What a citation names: who, when (the release), what, where it was published and its address."""

    author: str  # the organisation that commissioned the survey
    released: dt.date  # the release the figures are from (or the end of fieldwork before the first release)
    title: str  # the question, or the finding
    publisher: str  # the site's name
    url: str  # the permanent address of the figure or question
    key: str  # a BibTeX key: letters and digits only

    def apa(self) -> str:
        """APA-style reference text for a data set, e.g. Org. (2026, December 1). Title [Data set]. Site. URL"""
        when = f"{self.released.year}, {self.released:%B} {self.released.day}"
        title = " ".join(self.title.split()).rstrip(". ")
        parts = [f"{_sentence(self.author)} ({when}).", f"{title} [Data set].",
                 _sentence(self.publisher) if self.publisher.strip() else "", " ".join(self.url.split())]
        return " ".join(part for part in parts if part)

    def bibtex(self) -> str:
        """A BibTeX @misc entry; special characters escaped, braces balanced, the organisation double-braced so it
        is not split into names and the title so that styles keep its capitals."""
        fields = [("author", "{{" + _bibtex(self.author) + "}}"), ("title", "{{" + _bibtex(self.title) + "}}"),
                  ("year", str(self.released.year)), ("month", _MONTHS[self.released.month - 1]),
                  ("date", "{" + self.released.isoformat() + "}")]
        if self.publisher.strip():
            fields.append(("publisher", "{" + _bibtex(self.publisher) + "}"))
        if self.url:
            fields.append(("howpublished", "{\\url{" + _bibtex_url(self.url) + "}}"))
        fields.append(("note", "{Data set}"))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        return f"@misc{{{self.key},\n{body}\n}}"


def bibtex_key(*parts: str) -> str:
    """A BibTeX key from words (survey id, question, year): letters and digits only, e.g. professionals2015powerless."""
    return "".join(re.sub(r"[^A-Za-z0-9]", "", part) for part in parts) or "figure"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _bibtex(text: str) -> str:
    return "".join(_BIBTEX_TEXT.get(c, c) for c in " ".join(str(text).split()))


def _bibtex_url(url: str) -> str:
    # \url{} takes the address as it is, but a brace would end the field and a % or # must be escaped in it.
    encoded = "".join(url.split()).replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
    return encoded.replace("%", "\\%").replace("#", "\\#")
