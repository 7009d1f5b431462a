"""Add a survey's page to mkdocs.yml's `nav`, as one new line beside the other survey pages, comments kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

from build_scripts.project import GENERATED
from build_scripts.yaml_schema import TagTolerantLoader, read_site_config

import yaml


def nav_pages(nav) -> list[str]:
    """Every page a `nav` names, in order."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for entry in nav for page in nav_pages(entry)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    return []


def nav_label(nav, page: str) -> str | None:
    """The label the nav gives a page, if it names it with one."""
    if isinstance(nav, list):
        return next((label for entry in nav if (label := nav_label(entry, page))), None)
    if isinstance(nav, dict):
        for label, value in nav.items():
            if value == page:
                return str(label)
            if (inner := nav_label(value, page)):
                return inner
    return None


def add_survey_page(config_file: Path, survey_id: str, label: str, after: str | None = None) -> str:
    """Name data/<survey_id>.md in the nav (after the page `after`, else after the last survey page).

    Returns what was done, in words: added, already there, no nav (the engine lists every page
    itself), or why it could not be added and the line to add by hand.
    """
    page = f"{GENERATED}/{survey_id}.md"
    nav = read_site_config(config_file).get("nav")
    line = f"- {json.dumps(label, ensure_ascii=False)}: {page}"
    if nav is None:
        return "mkdocs.yml has no `nav`, so the site lists the survey's page by itself"
    if page in nav_pages(nav):
        return f"{page} is already in mkdocs.yml's nav"
    text = config_file.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    anchor = _anchor_line(lines, after) if after else None
    if anchor is None:
        anchor = _anchor_line(lines, None)
    if anchor is not None:
        indent = re.match(r"\s*", lines[anchor]).group(0)
        newline = "\n" if lines[anchor].endswith("\n") else ""
        updated = "".join([*lines[: anchor + 1], *([] if newline else ["\n"]), f"{indent}{line}\n",
                           *lines[anchor + 1:]])
        if page in nav_pages(_nav_of(updated)):
            config_file.write_text(updated, encoding="utf-8")
            return (f"added {page} to mkdocs.yml's nav, labelled {json.dumps(label, ensure_ascii=False)} "
                    "(edit the label there to rename it in the menu)")
    return f"could not place it in mkdocs.yml's nav: add the line `{line}` under `nav:` yourself"


def _anchor_line(lines: list[str], page: str | None) -> int | None:
    """The last nav line naming `page`, or any survey page (data/<id>.md but not the data index)."""
    pattern = re.compile(rf"^\s*-\s.*:\s*{re.escape(page)}\s*$" if page else
                         rf"^\s*-\s.*:\s*{GENERATED}/(?!index\.md)[^\s/]+\.md\s*$")
    found = [i for i, line in enumerate(lines) if pattern.match(line.rstrip("\n"))]
    return found[-1] if found else None


def _nav_of(text: str):
    try:
        config = yaml.load(text, Loader=TagTolerantLoader)
    except yaml.YAMLError:
        return None
    return config.get("nav") if isinstance(config, dict) else None
