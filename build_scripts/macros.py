"""mkdocs-macros module: the functions copy writers call in Markdown, e.g. {{ stat("<key>") }}.

Kept thin on purpose: it reads what the build wrote into docs/data/ (stats.csv and site-data.json)
and formats it. An unknown or suppressed key, or a claim its figure does not support, is logged as
an error naming the page, which fails the strict build.
"""

from __future__ import annotations

import csv
import html
import json
import logging
import posixpath
import re
from functools import cache
from pathlib import Path

from jinja2.sandbox import ImmutableSandboxedEnvironment

from build_scripts.chart_figure import chart_markdown
from build_scripts.claims import claim_problem
from build_scripts.errors import DataError
from build_scripts.formatting import change_phrase, date_words, interval, md_text, percent
from build_scripts.pages import disclosure_markdown, fieldwork_text
from build_scripts.phrasing import words
from build_scripts.pipeline import GENERATED, PROBLEMS
from build_scripts.standards import DEFAULT, describe_setting
from build_scripts.updates import latest_post

log = logging.getLogger("mkdocs.plugins.campaign_site")
UNAVAILABLE = "**[figure unavailable]**"
# What the figure functions see in a preview whose data has never built (they then say each figure is unavailable).
NOTHING_BUILT = {"stats.csv": {}, "site-data.json": {"surveys": [], "sources": [], "charts": {}, "share": {}, "uses": {}}}
_RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|/|#)([^)\s#]+)(#[^)\s]*)?\)")  # ](path#part), not a URL


@cache
def _stats(path: Path, stamp: float) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: row for row in csv.DictReader(handle)}


@cache
def _site_data(path: Path, stamp: float) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source_path(page) -> str:
    """The page's source file under docs/ (MkDocs pages carry it as file.src_uri, Zensical's as path)."""
    file = getattr(page, "file", None)
    return file.src_uri if file is not None else str(getattr(page, "path", ""))


def on_pre_page_macros(env) -> None:
    """Before a page renders: sandbox the template engine, pass on any problems `serve` found, set the share image."""
    _sandbox(env)
    path = Path(env.conf["docs_dir"]) / GENERATED / "site-data.json"
    if not path.exists():
        return
    share = _site_data(path, path.stat().st_mtime).get("share", {})
    record = share.get("pages", {}).get(source_path(env.page)) or share.get("default")
    if record:
        env.page.meta.setdefault("share_image", record["image"])
        env.page.meta.setdefault("share_alt", record["alt"])


def on_post_page_macros(env) -> None:
    """After the page's template has run: put any problems `serve` found at the top, as escaped text."""
    problems = Path(env.conf["docs_dir"]) / GENERATED / PROBLEMS
    if problems.exists():
        env.markdown = problems_banner(problems.read_text(encoding="utf-8")) + env.markdown


def problems_banner(text: str) -> str:
    """A warning box with the build's problems: one raw HTML line that Markdown and Jinja leave alone.

    The problems quote survey answers, which respondents typed, so they are escaped and added only
    after the template has run; newlines become character references so no blank line ends the block.
    """
    body = html.escape(text.rstrip("\n")).replace("\n", "&#10;")
    return ('<div class="admonition failure" role="alert"><p class="admonition-title">The survey data has problems: '
            f"this preview shows the last figures that built</p><pre style=\"white-space: pre-wrap\"><code>{body}</code></pre></div>\n\n")


class CopySandbox(ImmutableSandboxedEnvironment):
    """Jinja for copy: attributes only of plain data (text, numbers, lists, mappings), nothing changed in place.

    Pages call the figure functions; an object such as MkDocs' config or theme would lead back to an
    unsandboxed engine (`config.theme.get_env()`), so no attribute of one is reachable.
    """

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        """Whether a template may read this attribute: only of plain data, and only what the sandbox allows."""
        return isinstance(obj, PLAIN_DATA) and super().is_safe_attribute(obj, attr, value)


PLAIN_DATA = (str, int, float, bool, type(None), list, tuple, dict)
# mkdocs-macros' own variables that are live objects (the config, the plugin, the file list); copy uses none.
UNSAFE_VARIABLES = ("config", "plugin", "files", "navigation", "git", "environment", "macros", "filters",
                    "filters_builtin", "context", "macros_info")


def _sandbox(env) -> None:
    """Swap mkdocs-macros' Jinja environment for the copy sandbox, keeping its loader, globals and filters.

    Copy comes from pull requests too: a page's template must run nothing but the figure functions.
    """
    for name in UNSAFE_VARIABLES:
        env.variables.pop(name, None)
    current = env.env
    if isinstance(current, CopySandbox):
        return
    sandboxed = CopySandbox(loader=current.loader, undefined=current.undefined, extensions=list(current.extensions))
    sandboxed.globals.update({name: value for name, value in current.globals.items() if name not in UNSAFE_VARIABLES})
    sandboxed.filters.update(current.filters)
    sandboxed.tests.update(current.tests)
    env._env = sandboxed  # mkdocs-macros builds its environment in on_config, after define_env has run


def define_env(env) -> None:
    """Register the figure functions with mkdocs-macros."""
    data_dir = Path(env.conf["docs_dir"]) / GENERATED

    def read(name: str, loader):
        path = data_dir / name
        if not path.exists():
            if (data_dir / PROBLEMS).exists():  # a preview whose data never built: the banner says why
                return NOTHING_BUILT[name]
            raise FileNotFoundError(f"{path} is missing: build the site with `campaign-site build`, not bare mkdocs")
        return loader(path, path.stat().st_mtime)  # the mtime makes `serve` pick up rewritten data

    def page_name() -> str:
        page = getattr(env, "page", None)
        return f"docs/{source_path(page)}" if page is not None else "a page"

    def link_to(target: str) -> str:
        page = getattr(env, "page", None)
        here = posixpath.dirname(source_path(page)) if page is not None else ""
        return posixpath.relpath(target, here or ".")

    def figure_row(key: str, call: str) -> dict | None:
        row = read("stats.csv", _stats).get(key)
        if row is None:
            log.error(f"{page_name()}: {call} names no figure in the statistics table; "
                      f"fix: use a key from docs/{GENERATED}/stats.csv")
        elif row["suppressed"] == "true":
            log.error(f"{page_name()}: {call} is suppressed ({row['suppression']}, base {row['base'] or 'hidden'}) "
                      "and cannot be quoted; fix: quote a figure with a larger base")
            return None
        return row

    def linked(text: str, row: dict) -> str:
        """The figure as a link to its question, with base, interval and source shown on hover or focus."""
        surveys = {m["id"]: m for m in read("site-data.json", _site_data)["surveys"]}
        meta = surveys.get(row["survey"], {})
        question = next((q for q in meta.get("questions", []) if q["key"] == row["question"]), {})
        tip = (f"Base: {int(row['base']):,} {question.get('respondents', 'respondents')}"
               if row["base"] else "Base not published")
        if row["estimate"]:
            tip += f"; 95% confidence interval {interval(float(row['ci_low']), float(row['ci_high']))}"
        if meta:
            tip += f". {meta['title']}, fieldwork {fieldwork_text(meta['fieldwork_start'], meta['fieldwork_end'])}."
        href = link_to(f"{GENERATED}/{row['survey']}.md") + f"#{row['question']}"
        return f'[{text}<span class="figure-tip" role="tooltip"> ({md_text(tip)})</span>]({href}){{ .figure }}'

    @env.macro
    def stat(key: str, form: str = "figure", ci: bool = False, base: bool = False) -> str:
        """A figure in house style (41%), or in honest words (form="words"), optionally with interval and base."""
        row = figure_row(key, f'stat("{key}")')
        if row is None:
            return UNAVAILABLE
        if row.get("compare_to"):
            return linked(change_phrase(row["change"], float(row["change_pp"])), row)
        value = float(row["estimate"])
        if form not in {"figure", "words"}:
            log.error(f'{page_name()}: stat("{key}", form="{form}") has an unknown form; fix: use "figure" or "words"')
        text = words(value) if form == "words" else percent(value)
        if ci:
            text += f" (95% confidence interval {interval(float(row['ci_low']), float(row['ci_high']))})"
        if base:
            text += f" (base {int(row['base']):,})"
        # Standards rule 4: a figure on a base of 50 to 99 carries its warning wherever it is quoted.
        if row["low_base"] == "true":
            text += f" (low base: {int(row['base'])})"
        return linked(text, row)

    @env.macro
    def claim(phrase: str, key: str) -> str:
        """The writer's own phrase, printed only if the figure (or cited source) supports it."""
        sources = {s["key"]: s for s in read("site-data.json", _site_data)["sources"]}
        if key in sources:
            problem = claim_problem(phrase, None, sources[key])
            if problem is None:
                return cite(md_text(phrase), sources[key])
        else:
            row = read("stats.csv", _stats).get(key)
            problem = claim_problem(phrase, row)
            if problem is None:
                return linked(md_text(phrase), row)
        log.error(f'{page_name()}: claim("{phrase}", "{key}"): {problem}')
        return UNAVAILABLE

    def cite(text: str, found: dict) -> str:
        return f"{text} ([{md_text(found['publisher'])}, {found['date'][:4]}]({link_to('sources.md')}#{found['key']}))"

    @env.macro
    def source(key: str) -> str:
        """A figure from another organisation, with its citation linked to the sources page."""
        found = {s["key"]: s for s in read("site-data.json", _site_data)["sources"]}.get(key)
        if found is None:
            log.error(f'{page_name()}: source("{key}") names no source in surveys/sources.yml; '
                      "fix: add it there or correct the key")
            return UNAVAILABLE
        return cite(md_text(found["figure"]), found)

    @env.macro
    def sources_list() -> str:
        """Every cited source with its publisher, title, date, link and the pages that quote it."""
        data = read("site-data.json", _site_data)
        blocks = []
        for s in data["sources"]:
            note = f"\n\n{md_text(s['note'])}" if s.get("note") else ""
            uses = data.get("uses", {}).get(s["key"], [])
            quoted = ", ".join(f"[{md_text(u['title'])}]({link_to(u['page'])})" for u in uses)
            blocks.append(
                f"### {md_text(s['publisher'])}: {md_text(s['title'])} {{ #{s['key']} }}\n\n"
                f"> {md_text(s['figure'])}\n\n"
                f"{md_text(s['publisher'])}, *{md_text(s['title'])}*, {date_words(s['date'])}. <{s['url']}>{note}\n\n"
                + (f"Quoted on: {quoted}.\n" if quoted else "Not quoted on any page yet.\n")
            )
        return "\n".join(blocks)

    @env.macro
    def chart(question: str, by: str = "", trend: bool = False) -> str:
        """A question's chart as its survey page shows it: light and dark, text alternative, downloads."""
        name = question.replace(".", "-", 1) + (f"-by-{by}" if by else "") + ("-trend" if trend else "")
        record = read("site-data.json", _site_data).get("charts", {}).get(name)
        if record is None:
            call = f'chart("{question}"' + (f', by="{by}"' if by else "") + (", trend=True" if trend else "") + ")"
            log.error(f"{page_name()}: {call} names no chart; fix: use '<survey>.<question>' (with by= a segment "
                      f"or trend=True as on the survey page); charts are listed in docs/{GENERATED}/site-data.json")
            return UNAVAILABLE
        return chart_markdown(record, prefix=link_to(GENERATED) + "/") + "\n" + record.get("table", "")

    @env.macro
    def latest_update() -> str:
        """The newest campaign update: its date, title as a link, and opening paragraph."""
        try:
            post = latest_post(Path(env.conf["docs_dir"]))
        except DataError as error:  # `check` and `build` stop on it first; the preview shows it and goes on
            log.error(f"{page_name()}: latest_update(): {error.problems[0].describe()}")
            return UNAVAILABLE
        if post is None:
            return "No updates yet."
        # The excerpt was written for the post's own folder, and its macros have not run yet.
        excerpt = _RELATIVE_LINK.sub(
            lambda m: f"]({link_to(posixpath.normpath(posixpath.join(posixpath.dirname(post.page), m.group(1))))}"
                      f"{m.group(2) or ''})", post.excerpt)
        return (f"**[{md_text(post.title)}]({link_to(post.page)})**, {date_words(post.date.isoformat())}\n\n"
                f"{env.render(excerpt)}\n")

    @env.macro
    def disclosure(survey_id: str) -> str:
        """The disclosure table for one survey (standards rules 1 to 3)."""
        metas = {m["id"]: m for m in read("site-data.json", _site_data)["surveys"]}
        if survey_id not in metas:
            log.error(f'{page_name()}: disclosure("{survey_id}") names no survey; fix: use one of {sorted(metas)}')
            return UNAVAILABLE
        return disclosure_markdown(metas[survey_id])

    @env.macro
    def standard(name: str) -> str:
        """A publication setting in words, e.g. standard("suppress_below") -> 50, so methodology cannot drift."""
        try:
            return describe_setting(DEFAULT, name)
        except KeyError:
            log.error(f'{page_name()}: standard("{name}") is not a setting; fix: see build_scripts/standards.py')
            return UNAVAILABLE
