"""The last check before publishing: no personal data in the built site unless the copy writer typed it.

Survey data only ever reaches the site as aggregates, so an e-mail address, UK phone number, postcode
or National Insurance number in the output means something leaked. Text the campaign typed into its
own pages (a helpline number, a press office address) is allowed. What is found is reported masked,
so the terminal and CI logs never carry it.
"""

from __future__ import annotations

from pathlib import Path

from build_scripts.errors import Problem
from build_scripts.personal_data import canonical, find, mask, unescape

# Every published file is read as text, whatever its name, except formats that are never text.
BINARY = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".gz", ".zip"}
THEME_FOLDERS = {("assets", "javascripts"), ("assets", "stylesheets")}  # the theme's own code, not content
HITS_PER_FILE = 5


def personal_data(text: str) -> list[tuple[str, str]]:
    """Every (kind, text) of personal data in a text, escapes (`&#64;`, `\\u0040`) decoded."""
    return [(item.kind, item.text) for item in find(unescape(text))]


def typed_text(docs_dir: Path, generated_dir: Path, extra: list[Path]) -> str:
    """Everything the campaign typed itself: hand-written pages, the site config, the sources file."""
    pages = [p for p in docs_dir.rglob("*") if p.is_file() and generated_dir not in p.parents
             and p.suffix in {".md", ".html", ".yml", ".yaml"}]
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in [*pages, *extra] if p.exists())


def scan_site(site: Path, allowed: str, shown_as: str = "site") -> list[Problem]:
    """Personal data in the built site that the copy did not type, with file and line, the value masked."""
    typed = {canonical(item) for item in find(unescape(allowed))}
    problems = []
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site)
        if not path.is_file() or path.suffix.lower() in BINARY or tuple(relative.parts[:2]) in THEME_FOLDERS:
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary data (an image under another name): no text to read
        text = unescape(data.decode("utf-8", errors="replace"))  # line breaks stay where they were
        hits = 0
        for item in find(text):  # whole-file search; line numbers only for what is found
            if canonical(item) in typed or hits >= HITS_PER_FILE:
                continue
            hits += 1
            problems.append(Problem(
                f"{shown_as}/{relative.as_posix()}", f"line {text.count(chr(10), 0, item.start) + 1}",
                f"{item.kind} would be published",
                "remove it from the survey data, codebook or sources: only figures made from many people's "
                "answers may be published (if the campaign means to publish it, type it into a page)",
                mask(item.text)))
    return problems
