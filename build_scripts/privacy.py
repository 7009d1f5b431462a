"""The last check before publishing: no personal data in the built site unless the copy writer typed it.

Survey data only ever reaches the site as aggregates, so an e-mail address, UK phone number, postcode
or National Insurance number in the output means something leaked. Text the campaign typed into its
own pages (a helpline number, a press office address) is allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

from build_scripts.errors import Problem

PATTERNS = {
    "an e-mail address": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    # [^\S\n]: spaces within a line only, as files are searched whole and a number never spans lines
    "a UK phone number": re.compile(
        r"(?<![\w.+])(?:\+44[^\S\n]?(?:\(0\)[^\S\n]?)?|\(?0)[1-37](?:\)?(?:[^\S\n]|-)?\d){8,9}(?![\w.])"),
    "a UK postcode": re.compile(r"\b[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b"),
    "a National Insurance number": re.compile(
        r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"),
}
SCANNED = {".html", ".csv", ".json", ".svg", ".xml", ".txt", ".md"}
THEME_FOLDERS = {"assets"}  # the theme's own CSS and JavaScript, not content
HITS_PER_FILE = 5


def personal_data(text: str) -> list[tuple[str, str]]:
    """Every (kind, match) of personal data in a text."""
    return [(kind, m.group(0)) for kind, pattern in PATTERNS.items() for m in pattern.finditer(text)]


def typed_text(docs_dir: Path, generated_dir: Path, extra: list[Path]) -> str:
    """Everything the campaign typed itself: hand-written pages, the site config, the sources file."""
    pages = [p for p in docs_dir.rglob("*") if p.is_file() and generated_dir not in p.parents
             and p.suffix in {".md", ".html", ".yml", ".yaml"}]
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in [*pages, *extra] if p.exists())


def scan_site(site: Path, allowed: str, shown_as: str = "site") -> list[Problem]:
    """Personal data in the built site that the copy did not type, with file and line."""
    problems = []
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site)
        if not path.is_file() or path.suffix not in SCANNED or relative.parts[0] in THEME_FOLDERS:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits = 0
        for kind, pattern in PATTERNS.items():  # whole-file search; line numbers only for what is found
            for match in pattern.finditer(text):
                found = match.group(0)
                if found in allowed or hits >= HITS_PER_FILE:
                    continue
                hits += 1
                problems.append(Problem(
                    f"{shown_as}/{relative.as_posix()}", f"line {text.count(chr(10), 0, match.start()) + 1}",
                    f"{kind} would be published",
                    "remove it from the survey data, codebook or sources: only figures made from many people's "
                    "answers may be published (if the campaign means to publish it, type it into a page)", found))
    return problems
