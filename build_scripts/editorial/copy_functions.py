"""The functions copy writers call in Markdown, e.g. {{ stat("<key>") }}: figures, claims, sources, charts.

They read only `CopyData`, plain data made from the in-memory statistics table and the survey pages'
plan, and return Markdown. A call that cannot be honoured (an unknown key, a suppressed figure, a claim
its figure does not support) prints UNAVAILABLE and reports a problem naming the page and line; the
same problem whether `check`, `build`, `serve` or `diff` rendered the page.
"""

from __future__ import annotations

import html
import inspect
import math
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from build_scripts.editorial.campaign import Campaign, actions_markdown, page_address, share_html
from build_scripts.editorial.claims import claim_problem, comparison_for
from build_scripts.editorial.comparisons import difference_text, other_group
from build_scripts.editorial.copy_check import Reference
from build_scripts.errors import Problem
from build_scripts.editorial.formatting import (change_phrase, date_words, interval, md_text, p_value_text, percent,
    signed_points)
from build_scripts.editorial.chart_markdown import chart_markdown
from build_scripts.editorial.pages import disclosure_markdown, fieldwork_text, finding_sentence
from build_scripts.editorial.phrasing import words
from build_scripts.editorial.revisions import REVISIONS_PAGE, PublicRecord, revised_mark
from build_scripts.standards import DEFAULT, describe_setting
from build_scripts.editorial.updates import Post
from build_scripts.project import GENERATED, chart_name
from build_scripts.statistics.statistics_table import DIFFERENCE
from build_scripts.statistics.survey_summary import SurveySummary

UNAVAILABLE = "**[figure unavailable]**"
FUNCTIONS = ("stat", "claim", "source", "sources_list", "chart", "latest_update", "disclosure", "standard", "ask",
             "actions", "share")
_RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|/|#)([^)\s#]+)(#[^)\s]*)?\)")  # ](path#part), not a URL


@dataclass(frozen=True)
class CopyData:
    """Everything the figure functions read: plain data, computed once per build and shared by every page."""

    figures: dict[str, dict] = field(default_factory=dict)  # rows of the statistics table by key; NaN as None
    surveys: dict[str, SurveySummary] = field(default_factory=dict)  # survey summaries by id
    sources: dict[str, dict] = field(default_factory=dict)  # cited sources by key
    charts: dict[str, dict] = field(default_factory=dict)  # chart records by name
    latest_post: Post | None = None
    uses: dict[str, list[dict]] = field(default_factory=dict)  # for sources_list(): pages quoting each key
    campaign: Campaign = field(default_factory=Campaign)  # mkdocs.yml's extra: campaign:
    site_url: str = ""  # where the site is published, for addresses readers share
    preview: bool = False  # for `serve`: each figure's tooltip also names its key, for writers to reuse
    record: PublicRecord = field(default_factory=PublicRecord)  # releases and revisions, for [r] and citations


class PageFunctions:
    """The figure functions bound to one page: links are made relative to it, problems name it.

    Every function takes `_line`, the line of its call, which the renderer adds from the syntax tree.
    """

    def __init__(self, data: CopyData, page: str, title: str, shown: str):
        self.data, self.page, self.title, self.shown = data, page, title, shown
        self.problems: list[Problem] = []
        self.references: list[Reference] = []

    def functions(self) -> dict[str, Callable]:
        """The functions by the names pages call them, each refusing arguments it does not take as a problem (the
        page's other calls still run, so every problem is reported at once)."""
        return {name: self._checked(name, getattr(self, name)) for name in FUNCTIONS}

    def _checked(self, name: str, function: Callable) -> Callable:
        signature = inspect.signature(function)
        takes = ", ".join(str(p).replace("'", '"') for p in signature.parameters.values() if not p.name.startswith("_"))

        def call(*args, **kwargs):
            try:
                signature.bind(*args, **kwargs)
            except TypeError:
                given = len(args) + len([k for k in kwargs if not k.startswith("_")])
                return self._problem(kwargs.get("_line", 0), f"{name}() was given arguments it does not take "
                                     f"({given} given)", f"write it as {name}({takes})")
            return function(*args, **kwargs)

        return call

    def _problem(self, line: int, message: str, fix: str, value: str = "") -> str:
        self.problems.append(Problem(self.shown, f"line {line}" if line else "", message, fix, value))
        return UNAVAILABLE

    def _link_to(self, target: str) -> str:
        here = posixpath.dirname(self.page)
        return posixpath.relpath(target, here or ".")

    def _moved(self, markdown: str, written_for: str) -> str:
        """Markdown written for the page `written_for` (a post's excerpt, a survey page's table), its relative links
        made relative to this page."""
        return _RELATIVE_LINK.sub(
            lambda m: f"]({self._link_to(posixpath.normpath(posixpath.join(posixpath.dirname(written_for), m.group(1))))}"
                      f"{m.group(2) or ''})", markdown)

    def _refer(self, line: int, kind: str, key: str, phrase: str = "") -> None:
        self.references.append(Reference(self.page, self.title, line, kind, key, phrase))

    def _figure_row(self, key: str, line: int) -> dict | None:
        row = self.data.figures.get(key)
        if row is None:
            self._problem(line, _unknown(key, self.data.figures), _suggest(key, self.data.figures), key)
        elif row["suppressed"]:
            self._problem(line, f"this figure is suppressed ({row['suppression']}) and cannot be published",
                          "quote a figure with a larger base (e.g. the whole sample)", key)
            return None
        return row

    def _linked(self, text: str, row: dict) -> str:
        """The figure as a link to its question, with base, interval and source shown on hover or focus."""
        survey = self.data.surveys.get(row["survey"])
        question = survey.question(row["question"]) if survey else None
        tip = (f"Base: {int(row['base']):,} {question.respondents if question else 'respondents'}"
               if _number(row["base"]) else "Base not published")
        if row.get("comparison") == DIFFERENCE and _number(row.get("change_pp")):
            tip += (f"; difference {signed_points(row['change_pp'])} (95% confidence interval "
                    f"{signed_points(row['difference_low'])} to {signed_points(row['difference_high'])}), "
                    f"p = {p_value_text(row['p_adjusted'])} after Holm's correction")
        elif _number(row["estimate"]):
            tip += f"; 95% confidence interval {interval(row['ci_low'], row['ci_high'])}"
        if survey:
            tip += f". {survey.title}, fieldwork {fieldwork_text(survey.fieldwork_start, survey.fieldwork_end)}."
        if self.data.preview:
            tip = f"{tip.rstrip('.')}. Key (shown in the preview only): {row['key']}"
        href = self._link_to(f"{GENERATED}/{row['survey']}.md") + f"#{row['question']}"
        mark = revised_mark(row, self.data.record, self._link_to(REVISIONS_PAGE))
        return (f'[{text}<span class="figure-tip" role="tooltip"> ({md_text(tip)})</span>]({href}){{ .figure }}'
                + (f" {mark}" if mark else ""))

    def stat(self, key: str, form: str = "figure", ci: bool = False, base: bool = False, _line: int = 0) -> str:
        """A figure in house style (41%), or in honest words (form="words"), optionally with interval and base."""
        key = str(key)
        self._refer(_line, "stat", key)
        if form not in {"figure", "words"}:
            return self._problem(_line, f'stat("{key}", form="{form}") has an unknown form', 'use "figure" or "words"',
                                 str(form))
        row = self._figure_row(key, _line)
        if row is None:
            return UNAVAILABLE
        if row["comparison"] == DIFFERENCE:
            text = md_text(difference_text(row, self._other_group(row), form))
            if ci:
                text += (f" (95% confidence interval {signed_points(row['difference_low'])} to "
                         f"{signed_points(row['difference_high'])})")
            if base:
                text += f" (base {int(row['base']):,})"
            if row["low_base"]:  # standards rule 4, for a difference as for any figure on a small base
                text += f" (low base: {int(row['base'])})"
            return self._linked(text, row)
        if row["compare_to"]:
            return self._linked(change_phrase(row["change"], row["change_pp"]), row)
        value = row["estimate"]
        text = words(value) if form == "words" else percent(value)
        if ci:
            text += f" (95% confidence interval {interval(row['ci_low'], row['ci_high'])})"
        if base:
            text += f" (base {int(row['base']):,})"
        # Standards rule 4: a figure on a base of 50 to 99 carries its warning wherever it is quoted.
        if row["low_base"]:
            text += f" (low base: {int(row['base'])})"
        return self._linked(text, row)

    def _other_group(self, row: dict) -> str:
        survey = self.data.surveys.get(row["survey"])
        segment = survey.segment(row["segment"]) if survey else None
        return other_group(row, segment.label_of if segment else str)

    def claim(self, phrase: str, key: str, versus: str = "", *, _line: int = 0) -> str:
        """The writer's own phrase, printed only if the figure (or cited source, or the test between two groups'
        figures) supports it."""
        phrase, key, versus = str(phrase), str(key), str(versus)
        if versus:
            return self._comparative_claim(phrase, key, versus, _line)
        self._refer(_line, "claim", key, phrase)
        found = self.data.sources.get(key)
        row = None if found else self.data.figures.get(key)
        problem = claim_problem(phrase, row, found)
        if problem:
            return self._problem(_line, f'claim("{phrase}", "{key}"): {problem}',
                                 "change the words to what the figure supports, or quote another figure", key)
        return self._cite(md_text(phrase), found) if found else self._linked(md_text(phrase), row)

    def _comparative_claim(self, phrase: str, key: str, versus: str, line: int) -> str:
        self.references.append(Reference(self.page, self.title, line, "claim", key, phrase, versus))
        difference, problem = comparison_for(phrase, self.data.figures, key, versus)
        if problem:
            return self._problem(line, f'claim("{phrase}", "{key}", "{versus}"): {problem}',
                                 "change the words to what the test between the two groups supports", key)
        return self._linked(md_text(phrase), difference.row)

    def _cite(self, text: str, found: dict) -> str:
        # On paper a link to the sources page leads nowhere: the source's own address is printed instead.
        printed = f'<span class="print-only"> {html.escape(str(found["url"]))}</span>'
        return (f"{text} ([{md_text(found['publisher'])}, {found['date'][:4]}]"
                f"({self._link_to('sources.md')}#{found['key']}){printed})")

    def source(self, key: str, _line: int = 0) -> str:
        """A figure from another organisation, with its citation linked to the sources page."""
        key = str(key)
        self._refer(_line, "source", key)
        found = self.data.sources.get(key)
        if found is None:
            return self._problem(_line, "no source in surveys/sources.yml has this key",
                                 "add the source to surveys/sources.yml or correct the key", key)
        return self._cite(md_text(found["figure"]), found)

    def sources_list(self, _line: int = 0) -> str:
        """Every cited source with its publisher, title, date, link and the pages that quote it."""
        blocks = []
        for s in self.data.sources.values():
            note = f"\n\n{md_text(s['note'])}" if s.get("note") else ""
            uses = self.data.uses.get(s["key"], [])
            quoted = ", ".join(f"[{md_text(u['title'])}]({self._link_to(u['page'])})" for u in uses)
            blocks.append(
                f"### {md_text(s['publisher'])}: {md_text(s['title'])} {{ #{s['key']} }}\n\n"
                f"> {md_text(s['figure'])}\n\n"
                f"{md_text(s['publisher'])}, *{md_text(s['title'])}*, {date_words(s['date'])}. <{s['url']}>{note}\n\n"
                + (f"Quoted on: {quoted}.\n" if quoted else "Not quoted on any page yet.\n")
            )
        return "\n".join(blocks)

    def chart(self, question: str, by: str = "", trend: bool = False, _line: int = 0) -> str:
        """A question's chart as its survey page shows it: light and dark, text alternative, downloads."""
        question, by = str(question), str(by)
        survey, _, key = question.partition(".")
        name = chart_name(survey, key, by, bool(trend))
        record = self.data.charts.get(name)
        if record is None:
            call = f'chart("{question}"' + (f', by="{by}"' if by else "") + (", trend=True" if trend else "") + ")"
            return self._problem(_line, f"{call} names no chart",
                                 "use '<survey>.<question>' (with by= a segment or trend=True as on the survey "
                                 "page), as the survey page shows it", name)
        return chart_markdown(record, prefix=self._link_to(GENERATED) + "/") + "\n" + self._moved(record.get("table", ""),
                                                                                               f"{GENERATED}/x.md")

    def latest_update(self, _line: int = 0) -> str:
        """The newest campaign update: its date, title as a link, and opening paragraph."""
        post = self.data.latest_post
        if post is None:
            return "No updates yet."
        excerpt = self._moved(post.excerpt, post.page)
        return (f"**[{md_text(post.title)}]({self._link_to(post.page)})**, {date_words(post.date.isoformat())}\n\n"
                f"{excerpt}\n")

    def disclosure(self, survey_id: str, _line: int = 0) -> str:
        """The disclosure table for one survey (standards rules 1 to 3)."""
        survey = self.data.surveys.get(str(survey_id))
        if survey is None:
            return self._problem(_line, f'disclosure("{survey_id}") names no survey',
                                 f"use one of {', '.join(sorted(self.data.surveys)) or 'the surveys in surveys/'}")
        return disclosure_markdown(survey)

    def standard(self, name: str, _line: int = 0) -> str:
        """A publication setting in words, e.g. standard("suppress_below") -> 50, so methodology cannot drift."""
        try:
            return describe_setting(DEFAULT, str(name))
        except KeyError:
            return self._problem(_line, f'standard("{name}") is not a publication setting',
                                 "use a setting the methodology page names, e.g. standard(\"suppress_below\")")


    def ask(self, _line: int = 0) -> str:
        """The campaign's ask in one sentence (mkdocs.yml, extra: campaign: ask:)."""
        if not self.data.campaign.ask:
            return self._problem(_line, "ask() has nothing to print: the campaign has no ask",
                                 "add `ask:` under `extra: campaign:` in mkdocs.yml")
        return md_text(self.data.campaign.ask)

    def actions(self, primary: bool = False, _line: int = 0) -> str:
        """The campaign's actions as buttons, or with primary=True only the first, the page's main button."""
        campaign = self.data.campaign
        if not campaign.actions:
            return self._problem(_line, "actions() has nothing to print: the campaign has no actions",
                                 "add `actions:` (label, link, text) under `extra: campaign:` in mkdocs.yml")
        if primary:
            campaign = campaign.model_copy(update={"actions": campaign.actions[:1]})
        return actions_markdown(campaign, self._link_to, heading="" if primary else "What you can do")

    def share(self, key: str = "", _line: int = 0) -> str:
        """Share links for this page, or for one figure: the finding as the text, its survey page as the link."""
        title = self.title
        url = page_address(self.data.site_url, self.page)
        text = ""
        if key:
            key = str(key)
            self._refer(_line, "share", key)
            row = self._figure_row(key, _line)
            if row is None:
                return UNAVAILABLE
            survey = self.data.surveys.get(row["survey"])
            question = survey.question(row["question"]) if survey else None
            if question and not question.finding_fits(row):
                question = question.model_copy(update={"finding": None})  # its words are the headline answer's
            text = finding_sentence(question, row["estimate"], row["option_label"]) if question else ""
            url = page_address(self.data.site_url, f"{GENERATED}/{row['survey']}.md") + f"#{row['question']}"
            return share_html(url, title, text, heading="Share this finding")
        return share_html(url, title, text)


def _number(value) -> bool:
    return isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value))


def _unknown(key: str, rows: dict) -> str:
    question = key.rsplit(".", 1)[0] + "."
    if "." in key and not any(k.startswith(question) for k in rows):
        return (f"no figure has this key: the question {question[:-1]!r} has no figures "
                "(it is not in the codebook, or nobody answered it)")
    return "no figure in the statistics table has this key"


def _suggest(key: str, rows: dict) -> str:
    stem = key.rsplit(".", 1)[0]
    near = [k for k in rows if k.startswith(stem + ".") and "=" not in k][:4]
    return ("use a key that `campaign-site figures WORD` lists (WORD: a word of the question), or one from "
            "site/data/stats.csv" + (f", e.g. {', '.join(near)}" if near else ""))
