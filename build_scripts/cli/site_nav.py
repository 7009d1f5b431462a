"""Add a survey's page to mkdocs.yml's `nav`, as one new line beside the other survey pages, comments kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from build_scripts.project import GENERATED
from build_scripts.publish.project_bounds import nav_pages
from build_scripts.yaml_schema import TagTolerantLoader


def nav_label(nav, page: str) -> str | None:
    """The label the nav gives a page, if it names it with one."""
    if isinstance(nav, list):
        return next((label for entry in nav if (label := nav_label(entry, page))), None)
    if isinstance(nav, dict):
        for label, value in nav.items():
            if value == page:
                return None if label is None else str(label)  # a tagged label (!ENV) reads as None
            if (inner := nav_label(value, page)):
                return inner
    return None


def add_survey_page(config_file: Path, survey_id: str, label: str, after: str | None = None) -> str:
    """Name data/<survey_id>.md in the nav (after the page `after`, else after the last survey page).

    The file is changed by that one line only (its line ends and comments kept), and only if the nav then
    names the page and nothing else in mkdocs.yml changed. Returns what was done, in words: added, already
    there, no nav (the engine lists every page itself), or why it could not be added and the line to add by hand.
    """
    page = f"{GENERATED}/{survey_id}.md"
    quoted = _quoted(label)
    line = f"- {quoted}: {page}"
    by_hand = f"add the line `{line}` under `nav:` yourself"
    try:
        with config_file.open(encoding="utf-8", newline="") as file:  # CRLF line ends stay as they are
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return f"could not read mkdocs.yml: {by_hand}"
    before = _config_of(text)
    if before is None:
        return ("mkdocs.yml is not valid YAML (`campaign-site check` says where), so its nav was left as it is: "
                + by_hand)
    nav = before.get("nav")
    if nav is None:
        return "mkdocs.yml has no `nav`, so the site lists the survey's page by itself"
    if page in nav_pages(nav):
        return f"{page} is already in mkdocs.yml's nav"
    lines = text.splitlines(keepends=True)
    for anchor in [*(_anchor_lines(lines, after) if after else []), *_anchor_lines(lines, None)]:
        indent = re.match(r"[ \t]*", lines[anchor]).group(0)
        ending = lines[anchor][len(lines[anchor].rstrip("\r\n")):]
        newline = ending or ("\r\n" if "\r\n" in text else "\n")
        updated = "".join([*lines[: anchor + 1], *([] if ending else [newline]), f"{indent}{line}{newline}",
                           *lines[anchor + 1:]])
        if _only_page_added(before, _config_of(updated), page):
            config_file.write_text(updated, encoding="utf-8", newline="")
            return (f"added {page} to mkdocs.yml's nav, labelled {quoted} (edit the label there to rename it in "
                    "the menu)")
    return f"could not place it in mkdocs.yml's nav: {by_hand}"


def _quoted(label: str) -> str:
    """The label as a YAML string on one line: JSON's quotes and escapes, and \\uXXXX for each character YAML reads
    as a line break (U+0085, U+2028, U+2029) or refuses (other control characters, lone surrogates); cut short
    well within the 1,024 characters YAML allows a key."""
    label = " ".join(str(label).split()) or "Survey"
    label = label if len(label) <= 120 else label[:117] + "..."
    return re.sub(r"[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]", lambda m: f"\\u{ord(m.group(0)):04x}",
                  json.dumps(label, ensure_ascii=False))


def _only_page_added(before: dict, after: dict | None, page: str) -> bool:
    """Whether `after` is mkdocs.yml as `before` with one more nav entry, naming `page`."""
    def rest(config: dict) -> dict:
        return {key: value for key, value in config.items() if key != "nav"}

    if after is None or rest(after) != rest(before):
        return False
    pages = nav_pages(after.get("nav"))
    return page in pages and [p for p in pages if p != page] == nav_pages(before["nav"])


def _anchor_lines(lines: list[str], page: str | None) -> list[int]:
    """The nav lines naming `page`, or any survey page (data/<id>.md but not the data index), last first."""
    end = r"\s*(?:#.*)?$"  # a comment may follow
    pattern = re.compile(rf"^\s*-\s.*:\s*{re.escape(page)}{end}" if page else
                         rf"^\s*-\s.*:\s*{GENERATED}/(?!index\.md)[^\s/]+\.md{end}")
    return [i for i, line in reversed(list(enumerate(lines))) if pattern.match(line.rstrip("\r\n"))]


def _config_of(text: str) -> dict | None:
    try:
        config = yaml.load(text, Loader=TagTolerantLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    return {} if config is None else config if isinstance(config, dict) else None  # an empty file has no nav
