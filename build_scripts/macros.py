"""mkdocs-macros module: the functions copy writers call in Markdown, e.g. {{ stat("<key>") }}.

Kept thin on purpose: it only reads what the build wrote into docs/data/ (stats.csv and
site-data.json) and formats it. An unknown or suppressed key is logged as an error naming the
page and the key, which fails the strict build.
"""

from __future__ import annotations

import csv
import json
import logging
import posixpath
from functools import cache
from pathlib import Path

from build_scripts.formatting import change_phrase, date_words, md_text, percent
from build_scripts.pages import disclosure_markdown
from build_scripts.pipeline import GENERATED

log = logging.getLogger("mkdocs.plugins.campaign_site")
UNAVAILABLE = "**[figure unavailable]**"


@cache
def _stats(path: Path, stamp: float) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: row for row in csv.DictReader(handle)}


@cache
def _site_data(path: Path, stamp: float) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def define_env(env) -> None:
    """Register the figure functions with mkdocs-macros."""
    data_dir = Path(env.conf["docs_dir"]) / GENERATED

    def read(name: str, loader):
        path = data_dir / name
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: build the site with `campaign-site build`, not bare mkdocs")
        return loader(path, path.stat().st_mtime)  # the mtime makes `serve` pick up rewritten data

    def page_name() -> str:
        page = getattr(env, "page", None)
        return f"docs/{page.file.src_uri}" if page is not None else "a page"

    def link_to(target: str) -> str:
        page = getattr(env, "page", None)
        here = posixpath.dirname(page.file.src_uri) if page is not None else ""
        return posixpath.relpath(target, here or ".")

    @env.macro
    def stat(key: str) -> str:
        """A figure from the statistics table in house style, e.g. 41%."""
        row = read("stats.csv", _stats).get(key)
        if row is None:
            log.error(f'{page_name()}: stat("{key}") names no figure in the statistics table; '
                      f"fix: use a key from docs/{GENERATED}/stats.csv")
            return UNAVAILABLE
        if row["suppressed"] == "true":
            log.error(f'{page_name()}: stat("{key}") is suppressed ({row["suppression"]}, base {row["base"]}) and '
                      "cannot be quoted; fix: quote a figure with a larger base")
            return UNAVAILABLE
        if row.get("compare_to"):
            return change_phrase(row["change"], float(row["change_pp"]))
        shown = percent(float(row["estimate"]))
        # Standards rule 4: a figure on a base of 50 to 99 carries its warning wherever it is quoted.
        return f"{shown} (low base: {int(row['base'])})" if row["low_base"] == "true" else shown

    @env.macro
    def source(key: str) -> str:
        """A figure from another organisation, with its citation linked to the sources page."""
        found = {s["key"]: s for s in read("site-data.json", _site_data)["sources"]}.get(key)
        if found is None:
            log.error(f'{page_name()}: source("{key}") names no source in surveys/sources.yml; '
                      "fix: add it there or correct the key")
            return UNAVAILABLE
        year = found["date"][:4]
        return f"{md_text(found['figure'])} ([{md_text(found['publisher'])}, {year}]({link_to('sources.md')}#{key}))"

    @env.macro
    def sources_list() -> str:
        """Every cited source with its publisher, title, date and link, each with an anchor."""
        blocks = []
        for s in read("site-data.json", _site_data)["sources"]:
            note = f"\n\n{md_text(s['note'])}" if s.get("note") else ""
            blocks.append(
                f"### {md_text(s['publisher'])}: {md_text(s['title'])} {{ #{s['key']} }}\n\n"
                f"> {md_text(s['figure'])}\n\n"
                f"{md_text(s['publisher'])}, *{md_text(s['title'])}*, {date_words(s['date'])}. "
                f"<{s['url']}>{note}\n"
            )
        return "\n".join(blocks)

    @env.macro
    def disclosure(survey_id: str) -> str:
        """The disclosure table for one survey (standards rules 1 to 3)."""
        metas = {m["id"]: m for m in read("site-data.json", _site_data)["surveys"]}
        if survey_id not in metas:
            log.error(f'{page_name()}: disclosure("{survey_id}") names no survey; fix: use one of {sorted(metas)}')
            return UNAVAILABLE
        return disclosure_markdown(metas[survey_id])
