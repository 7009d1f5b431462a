"""A survey's generated page, findings first: the main points, then per question its wording, chart, table,
breakdowns and change, and last, under "About this survey", the disclosure block and the method.

Public tables show percentages, intervals and bases; weighted counts, effective bases and test statistics sit in
collapsed "For statisticians" blocks (and in the downloads). Figures that are not shown carry the Government
Statistical Service's shorthand, [c], [u] or [x], seen as the symbol and heard as words, explained under each table.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

import pandas as pd

from build_scripts.publish import charts
from build_scripts.project import chart_name
from build_scripts.editorial.campaign import page_address, share_html
from build_scripts.publish.chart_figure import Chart, current_site, figure_data
from build_scripts.publish.difference_marks import SegmentDifferences
from build_scripts.statistics.disclosure import BASE_TOO_SMALL, EFFECTIVE_BASE_TOO_SMALL
from build_scripts.editorial.formatting import (
    LOW_BASE, NOT_AVAILABLE, REVISED, SHORTHAND, SUPPRESSED, count, decimal_count, interval, lower_first, md_text,
    p_value_text, percent, percentage_points, shorthand, shorthand_note, signed_points)
from build_scripts.editorial.chart_markdown import chart_markdown, html_text
from build_scripts.editorial.citation import Citation, bibtex_key
from build_scripts.editorial.pages import (
    FRONT_MATTER, GENERATED_NOTE, design_sentence, disclosure_markdown, fieldwork_text, finding_sentence, finding_words,
    yaml_string)
from build_scripts.editorial.revisions import REVISIONS_LINK, PublicRecord, revised_mark
from build_scripts.statistics.statistics_table import StatisticsTable
from build_scripts.statistics.survey_summary import Group, QuestionSummary, SurveySummary

GLOSSARY = "../glossary.md"
_RECORD: ContextVar[PublicRecord | None] = ContextVar("record", default=None)  # the releases, while a page is made
FOR_STATISTICIANS = '??? note "For statisticians"'


@dataclass
class SurveyPage:
    """A survey page's Markdown and the charts it shows."""

    markdown: str
    charts: list[Chart] = field(default_factory=list)


class _Terms:
    """Words the glossary explains, each linked to it on its first use on the page only (none without a glossary)."""

    def __init__(self, glossary: bool):
        self.glossary = glossary
        self.used: set[str] = set()

    def link(self, anchor: str, text: str) -> str:
        """`text` (Markdown already) as a link to the glossary's `anchor` the first time, as itself after that."""
        if not self.glossary or anchor in self.used:
            return text
        self.used.add(anchor)
        return f"[{text}]({GLOSSARY}#{anchor})"


class _Cells:
    """Table cells in house style; the shorthand symbols used are kept for the note under the table (and the page)."""

    def __init__(self, page: set[str]):
        self.symbols: set[str] = set()
        self.page = page
        self.record = _RECORD.get()

    def mark(self, symbol: str, spoken: bool = True) -> str:
        self.symbols.add(symbol)
        self.page.add(symbol)
        return shorthand(symbol, spoken)

    def figure(self, value: str, low_base: bool = False, row=None) -> str:
        """A percentage, interval or count in house style: [c] when hidden, [u] after it on a low base, and [r]
        (with the figure before and why) when `row`, the figure's row, was revised in the latest release."""
        revised = revised_mark(dict(row), self.record, REVISIONS_LINK) if row is not None else ""
        if revised:
            self.symbols.add(REVISED)
            self.page.add(REVISED)
            revised = f" {revised}"
        if value in SHORTHAND:
            return self.mark(value) + revised
        return (f"{value} {self.mark(LOW_BASE)}" if low_base else value) + revised

    def note(self) -> str:
        """The note under the table explaining its symbols (a paragraph), or nothing."""
        text = shorthand_note(self.symbols)
        return f"\n{md_text(text)}\n" if text else ""


def survey_page(survey: SurveySummary, table: StatisticsTable, methodology: bool, glossary: bool = False,
                record: PublicRecord | None = None) -> SurveyPage:
    """The survey's page: main points, a section per question, then about the survey.

    `methodology` and `glossary` say whether the site has those pages, so the page links to them only then;
    `record` (the releases) dates the [r] of revised figures.
    """
    token = _RECORD.set(record)
    try:
        return _survey_page(survey, table, methodology, glossary)
    finally:
        _RECORD.reset(token)


def _survey_page(survey: SurveySummary, table: StatisticsTable, methodology: bool, glossary: bool) -> SurveyPage:
    page = SurveyPage("")
    terms = _Terms(glossary)
    symbols: set[str] = set()  # every shorthand symbol the page shows, for the reading note
    rows = table.of_survey(survey.id)
    questions = [(q, rows.of_question(q.key)) for q in survey.questions]
    lead = _lead(survey, terms)
    points = [point for q, q_rows in questions
              if (point := _main_point(q, q_rows.whole_sample(), terms, _Cells(symbols))
                  + _since(q, q_rows.changes(), survey))]
    reading = _reading(survey, terms)
    sections = [_question(page, survey, q, q_rows, table, terms, symbols) for q, q_rows in questions]
    reading += _symbols_sentence(symbols, terms)
    parts = [FRONT_MATTER.format(title=yaml_string(survey.title)), GENERATED_NOTE, f"# {md_text(survey.title)}\n",
             lead, "## Main points\n", "\n".join(points) + "\n" if points else "No figures are published.\n",
             reading + "\n", *sections, _about(survey, methodology, glossary, terms)]
    page.markdown = "\n".join(parts)
    return page


def _lead(survey: SurveySummary, terms: _Terms) -> str:
    fieldwork = terms.link("fieldwork", "Fieldwork")
    return (f"{fieldwork} {fieldwork_text(survey.fieldwork_start, survey.fieldwork_end)}; {survey.respondents:,} "
            "respondents. Who carried the survey out, how, and whom it represents: "
            "[About this survey](#about-this-survey).\n")


def _headline_row(question: QuestionSummary, whole: StatisticsTable) -> pd.Series | None:
    """The question's headline figure for everyone asked, on the question's base (None if there is none)."""
    if question.headline is None:
        return None
    found = whole.on_base(question.base).frame
    found = found[found["option"] == question.headline]
    return None if found.empty else found.iloc[0]


def _since(question: QuestionSummary, changes: StatisticsTable, survey: SurveySummary) -> str:
    """How a main point's figure moved since the wave before, in the test's words; nothing if it cannot be said."""
    found = changes.on_base(question.base).frame
    found = found[(found["segment"] == "") & (found["option"] == question.headline) & ~found["suppressed"]]
    if question.type == "text" or found.empty:
        return ""
    row = found.iloc[0]
    since = survey.wave_name(str(row["compare_to"]))
    moved = {"rose": "a rise", "fell": "a fall"}.get(str(row["change"]))  # the test's words (standards rule 8)
    said = f"{moved} of {percentage_points(float(row['change_pp']))}" if moved else "little change"
    return f" ({said} since {md_text(since)})"


def _main_point(question: QuestionSummary, whole: StatisticsTable, terms: _Terms, cells: _Cells) -> str:
    """The question's headline figure as a plain sentence linking to its section (nothing for a free-text one)."""
    if question.type == "text":
        return ""
    title, anchor = md_text(question.title), f"#{question.key}"
    row = _headline_row(question, whole)
    if row is None:
        return (f"- [{title}]({anchor}): {cells.mark(NOT_AVAILABLE, spoken=False)} not available: nobody was asked "
                "or nobody answered.")
    if bool(row["suppressed"]):
        options = whole.answers(question.base).frame
        why = (_why_suppressed(options["suppression"].iloc[0]) if bool(options["suppressed"].all())
               else "It would let a small count be worked out")
        return (f"- [{title}]({anchor}): {cells.mark(SUPPRESSED, spoken=False)} not published, to protect "
                f"respondents. {why}.")
    sentence = md_text(finding_sentence(question, row["estimate"], row["option_label"]))
    # standards rule 12: no sentence starts with a figure; the bullet is the headline figure's permalink target
    point = f"- [{title}]({anchor}){{ #{_headline_anchor(question)} }}: {sentence}"
    if bool(row["low_base"]):
        point += (f" ({terms.link('low-base', 'low base')} {cells.mark(LOW_BASE, spoken=False)}: {_base_words(row)} "
                  f"{md_text(question.respondents)}, so treat it with caution)")
    return point + cells.figure("", row=row)


def _base_words(row: pd.Series) -> str:
    """The base of a low-base figure in words: the number who answered, or that the effective base is low."""
    if int(row["base"]) < 100:
        return f"{int(row['base']):,}"
    return f"after weighting, an effective base of {round(row['effective_base']):,}"


def _reading(survey: SurveySummary, terms: _Terms) -> str:
    """How to read the figures, with the glossary's terms linked on their first use."""
    text = (f"Each {terms.link('percentage', 'percentage')} is a share of its question's "
            f"{terms.link('base', 'base')}, the people who were asked it and answered (each question says who). "
            "Each comes with a "
            f"{terms.link('confidence-interval', '95% confidence interval')}, the range the figure for everyone "
            "like them most likely lies in.")
    if survey.weighting:
        text += (f" The figures are {terms.link('weighting', 'weighted')}, so the sample matches the population it "
                 "represents.")
    if survey.design:
        text += (" The sample was drawn in strata and clusters, so each interval allows for its "
                 f"{terms.link('design-effect', 'design effect')}.")
    return text


def _symbols_sentence(symbols: set[str], terms: _Terms) -> str:
    """What the shorthand symbols on the page mean, linked to the glossary."""
    if not symbols:
        return ""
    meaning = {SUPPRESSED: "a figure " + terms.link("not-published", "not published") + " to protect respondents",
               LOW_BASE: "a figure on a " + terms.link("low-base", "low base") + " (treat it with caution)",
               NOT_AVAILABLE: "a figure " + terms.link("not-available", "not available"),
               REVISED: f"a figure [revised]({REVISIONS_LINK}) in the latest release"}
    used = [f"{md_text(s)} {meaning[s]}" for s in SHORTHAND if s in symbols]
    used[0] = used[0].replace(" ", " marks ", 1)
    return " In tables and charts, " + _join(used) + "."


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _about(survey: SurveySummary, methodology: bool, glossary: bool, terms: _Terms) -> str:
    """About this survey: the disclosure block (standards rules 1 and 3), downloads, and the method in detail."""
    downloads = (f"Download every figure from this survey: [{survey.id}.csv]({survey.id}.csv) "
                 f"(percentages, 95% confidence intervals, bases and counts, including breakdowns).")
    if methodology:  # only link to the site's methodology page when the site has one
        downloads += " How the figures are made is on the [methodology page](../methodology.md)."
    if glossary:
        downloads += f" Every term is explained in the [glossary]({GLOSSARY})."
    record = _RECORD.get()
    if record and record.latest:  # a figure's history: every release, its table and what it revised
        downloads += (f" These figures as each release published them, and every revision: "
                      f"[Revisions and releases]({REVISIONS_LINK}).")
    design = survey.design
    if design:
        interval = ("Wilson score intervals on each figure's design-effective base, its number of respondents ÷ its "
                    "design effect" if design.interval == "wilson" else
                    "Wald intervals, each figure ± 1.96 design-based standard errors")
        method = [f"The 95% confidence intervals are {interval}. {design_sentence(survey)}. Each figure's design "
                  "effect (as R's survey package computes it with deff=\"replace\") is in the download."]
    else:
        method = ["The 95% confidence intervals are Wilson score intervals"
                  + (", on each figure's Kish effective base, (sum of weights)² ÷ (sum of squared weights)."
                     if survey.weighting else ".")]
    if survey.weighting and survey.weighting.effective_base:
        method.append(f"Effective sample size of the whole survey (Kish{', allowing for weighting only' if design else ''})"
                      f": {round(survey.weighting.effective_base):,}.")
    if survey.segments:
        method.append("Differences between groups are tested with a two-proportion test on the effective bases, "
                      "each group against everyone else asked (or the two groups of a two-group breakdown against "
                      "each other); the p-values are adjusted by Holm's method for every difference tested on this "
                      "page, and a group is called more or less likely only when the adjusted p is below 0.05. The "
                      "95% intervals of the differences (Newcombe's method) are not adjusted.")
    if len(survey.waves) > 1:
        method.append("A change between waves is tested with a two-proportion test on the effective bases; it is "
                      "called a rise or a fall only when p is below 0.05.")
    method.append("Every figure, with its counts, bases and interval, is in the download above.")
    return "\n".join([
        "## About this survey { #about-this-survey }\n", disclosure_markdown(survey), downloads + "\n",
        FOR_STATISTICIANS + "\n", _indent("\n".join(f"- {line}" for line in method))])


def _question(page: SurveyPage, survey: SurveySummary, question: QuestionSummary, rows: StatisticsTable,
              table: StatisticsTable, terms: _Terms, symbols: set[str]) -> str:
    whole = rows.whole_sample()
    lines = [f"## {md_text(question.title)} {{ #{question.key} }}\n", f"> {md_text(question.text)}\n"]
    if whole.is_empty:
        return "\n".join([*lines, "Nobody was asked this question or nobody answered it.\n", _cite(survey, question)])
    if question.type == "text":
        return "\n".join([*lines, _free_text(question, whole.frame.iloc[0]), _cite(survey, question)])
    base_row = whole.on_base(question.base).frame.iloc[0]
    lines.append(_base_line(question, base_row))
    if question.type == "multi":
        lines.append("Respondents could choose more than one answer, so the shares can add up to more than 100%.\n")
    options = whole.answers(question.base).frame
    cells = _Cells(symbols)
    answers_table = figures_table(whole.frame, question, cells)
    if bool(options["suppressed"].iloc[0]):
        lines.append(f'!!! warning "Not published"\n    {_why_suppressed(options["suppression"].iloc[0])}, so no '
                     f"percentages are shown (marked {md_text(SUPPRESSED)}).\n")
    else:
        low = bool(options["low_base"].iloc[0])
        if low:
            fewer = ("Fewer than 100 people answered" if options["base"].iloc[0] < 100 else
                     "After weighting, the effective base is under 100")
            lines.append(f'!!! warning "Low base"\n    {fewer}: treat these figures with caution (marked '
                         f"{md_text(LOW_BASE)}).\n")
        labels, estimates = options["option_label"].to_list(), options["estimate"].to_list()
        data = _labelled(charts.bar_frame(labels, estimates), [low] * len(labels))
        headline = _headline_row(question, whole)
        title = question.title
        if headline is not None and not bool(headline["suppressed"]):
            title = finding_sentence(question, headline["estimate"], headline["option_label"], asked=False)
        lines.append(_chart(page, Chart(
            chart_name(survey.id, question.key), title,
            charts.describe(question.title, options, question.respondents),
            lambda theme, frame, d=data: charts.bar_spec(d, theme, frame), figure_data(labels, estimates),
            _chart_note(data), answers_table,
            subtitle=_subtitle(question, base_row, low), source=_source(survey, base_row))))
    lines.append(answers_table)
    lead = _headline_row(question, whole)
    sentence = ""
    if lead is not None and not bool(lead["suppressed"]):  # a reader can share the finding itself
        address = page_address(current_site().url, f"data/{survey.id}.md") + f"#{question.key}"
        sentence = finding_sentence(question, lead["estimate"], lead["option_label"], asked=False)
        lines.append(share_html(address, survey.title, sentence, heading="Share this finding"))
    lines.append(_cite(survey, question, sentence))
    if survey.weighting or survey.design:
        lines.append(_weighted_block(question, whole.frame, base_row, survey.design is not None))
    lines.append(_breakdowns(page, survey, question, rows, symbols))
    lines.append(_change(page, survey, question, rows, table, terms, symbols))
    return "\n".join(line for line in lines if line)


def _headline_anchor(question: QuestionSummary) -> str:
    """The id of a question's headline figure, on its bullet in Main points: e.g. powerless.headline. A key has
    no dot (codebook keys are [a-z0-9_-]) and neither have the ids the engine makes from headings, so it can
    collide with no question's anchor and no heading's, and it stays the same from build to build."""
    return f"{question.key}.headline"


def _cite(survey: SurveySummary, question: QuestionSummary, finding: str = "") -> str:
    """ "Cite this question": APA text and BibTeX for the question and, when its headline figure is published
    (`finding`, the figure in a sentence), for that figure too, in one closed <details> readable with no
    JavaScript. Dated by the latest release (the end of fieldwork before the first); the addresses are the
    question's and the figure's permalinks (none without the site's address)."""
    record = _RECORD.get()
    released = record.dated(survey.fieldwork_end) if record is not None else survey.fieldwork_end
    site = current_site()
    page = page_address(site.url, f"data/{survey.id}.md")
    cited = [("<strong>This question</strong>", Citation(
        survey.commissioned_by, released, f"{survey.title}: {question.title}", site.name or site.address,
        f"{page}#{question.key}" if page else "", bibtex_key(survey.id, question.key)))]
    if finding:
        cited.append(("<strong>Its headline figure</strong> (in Main points)", Citation(
            survey.commissioned_by, released, f"{finding}: {survey.title}", site.name or site.address,
            f"{page}#{_headline_anchor(question)}" if page else "", bibtex_key(survey.id, question.key, "headline"))))
    parts = ['<details class="cite">', "<summary>Cite this question</summary>"]
    for what, citation in cited:
        label = f"{what}, in" if len(cited) > 1 else "In"
        parts += [f'<p class="cite-what">{label} APA style and as BibTeX:</p>',
                  f'<p class="cite-apa">{html_text(citation.apa())}</p>',
                  f'<pre class="cite-bibtex"><code>{html_text(citation.bibtex())}</code></pre>']
    return "\n".join(parts) + "\n</details>\n"


def _base_line(question: QuestionSummary, row: pd.Series) -> str:
    text = f"Asked of {md_text(question.asked_of)}. Base: {int(row['base']):,}"
    if question.base == "answering":
        text += " giving an answer (Don't know and Prefer not to say left out)."
    else:
        text += " asked." if question.type == "multi" else " who answered."
    return text + "\n"


def _subtitle(question: QuestionSummary, row: pd.Series, low: bool) -> str:
    """Under a chart's title: the question as asked and its base."""
    text = f'Asked: "{question.text}" Base: {int(row["base"]):,} {question.respondents}'
    text += " giving an answer." if question.base == "answering" else "."
    if low:
        text += f" {LOW_BASE} low base: treat with caution."
    if question.type == "multi":
        text += " More than one answer allowed."
    return text


def _source(survey: SurveySummary, row: pd.Series | None) -> str:
    """The source line a chart carries wherever it goes: survey, fieldwork and base."""
    text = f"{survey.title}; fieldwork {fieldwork_text(survey.fieldwork_start, survey.fieldwork_end)}"
    return text + (f"; base {int(row['base']):,}" if row is not None and pd.notna(row["base"]) else "")


def _labelled(data: pd.DataFrame, low_base: list[bool]) -> pd.DataFrame:
    """A bar chart's data with [u] after each figure on a low base (hidden ones are [c] already)."""
    marked = [f"{label} {LOW_BASE}" if low and label != SUPPRESSED else label
              for label, low in zip(data["label"], low_base, strict=True)]
    return data.assign(label=marked)


def _chart_note(data: pd.DataFrame) -> str:
    """The note a chart carries (on its image too) for the shorthand on its labels, e.g. "[c] not published."
    The note under the table beside it says more."""
    used = [s for s in SHORTHAND if any(s in label for label in data["label"])]
    return "; ".join(f"{s} {SHORTHAND[s][0]}" for s in used) + ("." if used else "")


def _why_suppressed(reason: str) -> str:
    """Why a whole question's figures are not published, in words for the page."""
    if reason == BASE_TOO_SMALL:
        return "Fewer than 50 people answered"
    if reason == EFFECTIVE_BASE_TOO_SMALL:
        return "After weighting, the effective base is under 50 (a few people carry much of the weight)"
    return "These figures would let a small count in a breakdown be worked out"


def _free_text(question: QuestionSummary, row: pd.Series) -> str:
    if bool(row["suppressed"]):
        return "Fewer than 50 people were asked this open question. Their answers are not published.\n"
    return (f"{count(row['count'])} of the {int(row['base']):,} {md_text(question.respondents)} asked "
            f"({percent(row['estimate'])}) answered this open question in their own words. Their answers are "
            "not published: only figures made from many people's answers are.\n")


def _chart(page: SurveyPage, chart: Chart) -> str:
    """Register a chart with the page and return the Markdown that shows it."""
    page.charts.append(chart)
    return chart_markdown(chart.record())


def _ordered(rows: pd.DataFrame, question: QuestionSummary) -> pd.DataFrame:
    """A question's whole-sample rows as tables list them: answers on its base, then nets, then the rest."""
    return pd.concat([rows[(rows["option_type"] != "net") & (rows["base_type"] == question.base)],
                      rows[rows["option_type"] == "net"],
                      rows[(rows["option_type"] != "net") & (rows["base_type"] != question.base)]])


def _answer_label(row, question: QuestionSummary) -> str:
    label = md_text(row.option_label)
    if row.option_type == "net":
        return f"**Net: {label}**"
    return label + (" (% of all asked)" if row.base_type != question.base else "")


def figures_table(rows: pd.DataFrame, question: QuestionSummary, cells: _Cells | None = None) -> str:
    """The table twin of the chart: answer, percentage, interval and respondents, nets after the answers;
    the note under it explains any shorthand it uses."""
    cells = cells or _Cells(set())
    lines = ["| Answer | % | 95% confidence interval | Respondents |", "| --- | ---: | --- | ---: |"]
    for row in _ordered(rows, question).itertuples():
        low = bool(row.low_base)
        lines.append("| " + " | ".join([
            _answer_label(row, question), cells.figure(percent(row.estimate), low, row._asdict()),
            cells.figure(interval(row.ci_low, row.ci_high)), cells.figure(count(row.count))]) + " |")
    if question.base == "answering":
        lines.append("\nPercentages are of those giving an answer; Don't know and Prefer not to say are shown as "
                     "shares of everyone asked.")
    return "\n".join(lines) + "\n" + cells.note()


def _weighted_block(question: QuestionSummary, rows: pd.DataFrame, base: pd.Series, design: bool = False) -> str:
    """For statisticians: the question's weighted and effective bases and each answer's weighted count."""
    cells = _Cells(set())
    if pd.isna(base["weighted_base"]) or pd.isna(base["effective_base"]):
        bases = "Weighted and effective bases not published: with the weights, they would give away a small group."
    else:
        how = (f"design-based: {base['base']:,} ÷ the design effect {base['design_effect']:.2f}" if design
               else "Kish")
        bases = (f"Weighted base {decimal_count(base['weighted_base'])}; effective base "
                 f"{round(base['effective_base']):,} ({how}).")
    lines = [bases, "", "| Answer | Weighted count |", "| --- | ---: |"]
    for row in _ordered(rows, question).itertuples():
        shown = SUPPRESSED if pd.isna(row.weighted_count) else decimal_count(row.weighted_count)
        lines.append(f"| {_answer_label(row, question)} | {cells.figure(shown)} |")
    return FOR_STATISTICIANS + "\n\n" + _indent("\n".join(lines) + "\n" + cells.note())


def _breakdowns(page: SurveyPage, survey: SurveySummary, question: QuestionSummary, rows: StatisticsTable,
                symbols: set[str]) -> str:
    """A tab per segment: the headline answer by group as a chart, every answer by group as a table."""
    tabs = []
    cells_on_base = rows.on_base(question.base)
    whole = _headline_row(question, rows.whole_sample())
    for segment in survey.segments:
        frame = cells_on_base.breakdown(segment.key).frame
        if frame.empty:
            continue
        groups = [g for g in segment.groups if g.key in set(frame["segment_value"])]
        headline = frame[frame["option"] == question.headline].set_index("segment_value")
        labels, estimates = [g.label for g in groups], [headline["estimate"].get(g.key) for g in groups]
        low = [bool(headline["low_base"].get(g.key, False)) for g in groups]
        data = _labelled(charts.bar_frame(labels, estimates), low)
        answer = headline["option_label"].iloc[0] if not headline.empty else question.headline
        differences = rows.differences().on_base(question.base).frame
        labels_of = dict(zip(frame["option"], frame["option_label"], strict=False))
        tested = SegmentDifferences(differences[differences["segment"] == segment.key], segment,
                                    lambda option: labels_of.get(option, option))
        said = tested.sentences()
        description = charts.describe_breakdown(answer, question.title, segment.label, data) + (
            f" {said}" if said else "")
        cells = _Cells(symbols)
        table = _breakdown_table(frame, groups, cells, tested)
        by = lower_first(segment.label)
        chart = _chart(page, Chart(
            chart_name(survey.id, question.key, by=segment.key),
            _breakdown_title(question, whole, answer, by, estimates), description,
            lambda theme, frame, d=data: charts.bar_spec(d, theme, frame), figure_data(labels, estimates, "group"),
            _chart_note(data), table,
            subtitle=_breakdown_subtitle(question, whole, answer, by),
            source=_source(survey, whole)))
        body = [f"Share answering '{md_text(answer)}':\n", chart, table]
        if said:
            body.append(md_text(said) + "\n")
        if block := tested.statisticians():
            body.append(FOR_STATISTICIANS + "\n\n" + _indent(block))
        tabs.append(f'=== "By {md_text(by)}"\n\n' + _indent("\n".join(body)))
    return ("### Breakdowns\n\n" + "\n".join(tabs)) if tabs else ""


def _breakdown_subtitle(question: QuestionSummary, whole: pd.Series | None, answer: str, by: str) -> str:
    """Under a breakdown chart's title: what is shown, the figure for everyone, the question and its base."""
    text = f"Share answering '{answer}', by {by}"
    if whole is not None and not bool(whole["suppressed"]):
        text += f"; {percent(whole['estimate'])} of all {question.respondents}"
    text += f'. Asked: "{question.text}"'
    return text + (f" Base: {int(whole['base']):,} {question.respondents}." if whole is not None else "")


def _breakdown_title(question: QuestionSummary, whole: pd.Series | None, answer: str, by: str, estimates: list) -> str:
    """A breakdown chart's title: the finding as a range across the groups, where two or more are published."""
    # The figures alone: a title carries no [u] or [c] (the chart's labels and note do), and reads as a spread
    # across the groups, not as a change over time.
    shown = [(float(e), percent(e)) for e in estimates if e is not None and pd.notna(e)]
    if len(shown) < 2:
        return f"{question.title}: share answering '{answer}', by {by}"
    label = whole["option_label"] if whole is not None else answer
    words = finding_words(question, label, asked=False)
    low, high = min(shown)[1], max(shown)[1]
    if low == high:
        return f"{low} {words} in each group, by {by}"
    return f"Between {low} and {high} {words}, depending on {by}"


def _breakdown_table(rows: pd.DataFrame, groups: list[Group], cells: _Cells,
                     tested: SegmentDifferences | None = None) -> str:
    options = list(dict.fromkeys(rows["option"]))
    labels = dict(zip(rows["option"], rows["option_label"], strict=False))
    types = dict(zip(rows["option"], rows["option_type"], strict=False))
    by_cell = rows.set_index(["segment_value", "option"])
    head = ["Group", "Base"] + [("Net: " if types[o] == "net" else "") + md_text(labels[o]) for o in options]
    lines = ["| " + " | ".join(head) + " |", "| --- | ---: |" + " ---: |" * len(options)]
    for group in groups:
        base = by_cell.loc[group.key]["base"].iloc[0]
        shown = []
        for option in options:
            if (group.key, option) not in by_cell.index:
                shown.append(cells.mark(NOT_AVAILABLE))
                continue
            row = by_cell.loc[(group.key, option)]
            mark = tested.mark(group.key, option) if tested else ""
            shown.append(cells.figure(percent(row["estimate"]), bool(row["low_base"]), row) + mark)
        lines.append(f"| {md_text(group.label)} | {cells.figure(count(base))} | " + " | ".join(shown) + " |")
    note = tested.note() if tested else ""
    return "\n".join(lines) + "\n" + cells.note() + (f"\n{md_text(note)}\n" if note else "")


def _change(page: SurveyPage, survey: SurveySummary, question: QuestionSummary, rows: StatisticsTable,
            table: StatisticsTable, terms: _Terms, symbols: set[str]) -> str:
    """Change since the previous wave (tested), and the trend across every wave of the series."""
    changes = rows.changes().on_base(question.base).frame
    if changes.empty:
        return ""
    previous = survey.wave_name(changes["compare_to"].iloc[0])
    cells = _Cells(symbols)
    lines = [f"### Change since {md_text(previous)}\n",
             f"| Answer | {md_text(previous)} | {md_text(survey.wave)} | Change | What the test says |",
             "| --- | ---: | ---: | ---: | --- |"]
    tests = ["| Answer | p-value |", "| --- | ---: |"]
    test_cells = _Cells(set())
    for row in changes.itertuples():
        label = ("Net: " if row.option_type == "net" else "") + md_text(row.option_label)
        if row.suppressed:
            hidden = cells.mark(SUPPRESSED)
            lines.append(f"| {label} | {hidden} | {hidden} | {hidden} | not published |")
            tests.append(f"| {label} | {test_cells.mark(SUPPRESSED)} |")
            continue
        lines.append(f"| {label} | {percent(row.previous_estimate)} | {percent(row.estimate)} | "
                     f"{signed_points(row.change_pp)} | {row.change} |")
        tests.append(f"| {label} | {p_value_text(row.p_value)} |")
    lines.append(cells.note())
    significant = terms.link("statistically-significant", "statistically significant")
    lines.append(f"Changes are in {terms.link('percentage-points', 'percentage points')}. A change is called a rise "
                 f"or a fall only when it is {significant}; otherwise it is "
                 f"\"{terms.link('little-change', 'little change')}\".\n")
    lines.append(FOR_STATISTICIANS + "\n\n" + _indent(
        "Two-proportion test on the effective bases; a rise or a fall needs p below 0.05.\n\n" + "\n".join(tests)
        + "\n" + test_cells.note()))
    trend = _trend_data(survey, question, table)
    if trend is not None:
        whole = _headline_row(question, rows.whole_sample())
        lines.append(_chart(page, Chart(
            chart_name(survey.id, question.key, trend=True), _trend_title(survey, question, whole, changes),
            charts.describe_trend(question.title, trend), lambda theme, frame: charts.trend_spec(trend, theme, frame),
            trend.assign(estimate=trend["share"].map(repr), shown_as=trend["share"].map(percent)).drop(columns="share"),
            subtitle=(f"Each answer's share in each wave. Asked: \"{question.text}\""
                      + (f" Base in {survey.wave}: {int(whole['base']):,} {question.respondents}."
                         if whole is not None else "")),
            source=f"{_source(survey, whole)}; earlier waves: "
                   + ", ".join(w.wave for w in survey.waves if w.id != survey.id))))
    return "\n".join(lines)


def _trend_title(survey: SurveySummary, question: QuestionSummary, whole: pd.Series | None,
                 changes: pd.DataFrame) -> str:
    """A trend chart's title: the latest headline finding and its tested change since the wave before."""
    change = changes[changes["option"] == question.headline]
    if whole is None or bool(whole["suppressed"]) or change.empty or bool(change["suppressed"].iloc[0]):
        return f"{question.title}, by wave"
    row = change.iloc[0]
    sentence = finding_sentence(question, whole["estimate"], whole["option_label"], asked=False)
    previous = f"{percent(row['previous_estimate'])} in {survey.wave_name(row['compare_to'])}"
    how = {"rose": "up from", "fell": "down from"}.get(row["change"], "little changed from")
    return f"{sentence} in {survey.wave}, {how} {previous}"


def _trend_data(survey: SurveySummary, question: QuestionSummary, table: StatisticsTable) -> pd.DataFrame | None:
    waves = [w.id for w in survey.waves]
    rows = table.of_surveys(waves).of_question(question.key).whole_sample().answers(question.base).published().frame
    if rows["survey"].nunique() < 2:
        return None
    names = {w.id: w.wave for w in survey.waves}
    order = {survey_id: i for i, survey_id in enumerate(waves)}
    rows = rows.assign(order=rows["survey"].map(order)).sort_values(["order"], kind="stable")
    return pd.DataFrame({"wave": rows["survey"].map(names).to_list(), "answer": rows["option_label"].to_list(),
                         "share": rows["estimate"].astype(float).round(6).to_list()})


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.splitlines()) + "\n"
