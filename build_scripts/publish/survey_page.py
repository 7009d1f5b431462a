"""A survey's generated page: disclosure, then per question its wording, chart, table, breakdowns and change."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from build_scripts.publish import charts
from build_scripts.project import chart_name
from build_scripts.publish.chart_figure import Chart, figure_data
from build_scripts.statistics.disclosure import BASE_TOO_SMALL, EFFECTIVE_BASE_TOO_SMALL
from build_scripts.editorial.formatting import count, decimal_count, interval, lower_first, md_text, p_value_text, percent
from build_scripts.editorial.chart_markdown import chart_markdown
from build_scripts.editorial.pages import FRONT_MATTER, GENERATED_NOTE, disclosure_markdown, yaml_string
from build_scripts.statistics.statistics_table import StatisticsTable
from build_scripts.statistics.survey_summary import Group, QuestionSummary, SurveySummary

GAP_NOTE = ("* not published: fewer than 50 answered, fewer than 10 gave the answer, or the figure "
            "would let a hidden one be worked out.")
SUPPRESSION_NOTE = "\\" + GAP_NOTE


@dataclass
class SurveyPage:
    """A survey page's Markdown and the charts it shows."""

    markdown: str
    charts: list[Chart] = field(default_factory=list)


def survey_page(survey: SurveySummary, table: StatisticsTable, methodology: bool) -> SurveyPage:
    """The survey's page: disclosure, downloads, then a section per question."""
    page = SurveyPage("")
    downloads = (f"Download every figure from this survey: [{survey.id}.csv]({survey.id}.csv) "
                 f"(percentages, 95% confidence intervals, bases and counts, including breakdowns).")
    if methodology:  # only link to the site's methodology page when the site has one
        downloads += " How the figures are made is on the [methodology page](../methodology.md)."
    parts = [FRONT_MATTER.format(title=yaml_string(survey.title)), GENERATED_NOTE, f"# {md_text(survey.title)}\n",
             disclosure_markdown(survey), downloads + "\n"]
    rows = table.of_survey(survey.id)
    for question in survey.questions:
        parts.append(_question(page, survey, question, rows.of_question(question.key), table))
    page.markdown = "\n".join(parts)
    return page


def _question(page: SurveyPage, survey: SurveySummary, question: QuestionSummary, rows: StatisticsTable,
              table: StatisticsTable) -> str:
    whole = rows.whole_sample()
    lines = [f"## {md_text(question.title)} {{ #{question.key} }}\n", f"> {md_text(question.text)}\n"]
    if whole.is_empty:
        return "\n".join([*lines, "Nobody was asked this question or nobody answered it.\n"])
    if question.type == "text":
        return "\n".join([*lines, _free_text(question, whole.frame.iloc[0])])
    lines.append(_base_line(survey, question, whole.on_base(question.base).frame.iloc[0]))
    if question.type == "multi":
        lines.append("Respondents could choose more than one answer, so the shares can add up to more than 100%.\n")
    options = whole.answers(question.base).frame
    answers_table = figures_table(whole.frame, question, weighted=survey.weighting is not None)
    if bool(options["suppressed"].iloc[0]):
        lines.append(f'!!! warning "Not published"\n    {_why_suppressed(options["suppression"].iloc[0])}, so no '
                     "percentages are shown (marked \\*).\n")
    else:
        if bool(options["low_base"].iloc[0]):
            fewer = ("Fewer than 100 people answered" if options["base"].iloc[0] < 100 else
                     "After weighting, the effective base is under 100")
            lines.append(f'!!! warning "Low base"\n    {fewer}: treat these figures with caution.\n')
        labels, estimates = options["option_label"].to_list(), options["estimate"].to_list()
        lines.append(_chart(page, Chart(
            chart_name(survey.id, question.key), question.title,
            charts.describe(question.title, options, question.respondents),
            lambda theme, title: charts.chart_spec(options, theme, title), figure_data(labels, estimates),
            GAP_NOTE if options["suppressed"].any() else "", answers_table)))
    lines.append(answers_table)
    lines.append(_breakdowns(page, survey, question, rows))
    lines.append(_change(page, survey, question, rows, table))
    return "\n".join(line for line in lines if line)


def _base_line(survey: SurveySummary, question: QuestionSummary, row: pd.Series) -> str:
    text = f"Asked of {md_text(question.asked_of)}. Base: {int(row['base']):,}"
    if question.base == "answering":
        text += " giving an answer (Don't know and Prefer not to say left out)."
    else:
        text += " asked." if question.type == "multi" else " who answered."
    if survey.weighting and (pd.isna(row["weighted_base"]) or pd.isna(row["effective_base"])):
        text += " Weighted and effective bases not published: with the weights, they would give away a small group."
    elif survey.weighting:
        text += f" Weighted base {decimal_count(row['weighted_base'])}; effective base {round(row['effective_base']):,}."
    return text + "\n"


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


def figures_table(rows: pd.DataFrame, question: QuestionSummary, weighted: bool) -> str:
    """The table twin of the chart: answer, percentage, interval and counts; nets after the answers."""
    head = "| Answer | % | 95% confidence interval | Respondents |"
    rule = "| --- | ---: | --- | ---: |"
    if weighted:
        head, rule = head + " Weighted count |", rule + " ---: |"
    lines = [head, rule]
    ordered = pd.concat([rows[(rows["option_type"] != "net") & (rows["base_type"] == question.base)],
                         rows[rows["option_type"] == "net"],
                         rows[(rows["option_type"] != "net") & (rows["base_type"] != question.base)]])
    for row in ordered.itertuples():
        label = md_text(row.option_label)
        if row.option_type == "net":
            label = f"**Net: {label}**"
        elif row.base_type != question.base:
            label += " (% of all asked)"
        cells = [label, percent(row.estimate), interval(row.ci_low, row.ci_high), count(row.count)]
        if weighted:
            cells.append("*" if pd.isna(row.weighted_count) else decimal_count(row.weighted_count))
        lines.append("| " + " | ".join("\\*" if c == "*" else c for c in cells) + " |")
    if question.base == "answering":
        lines.append("\nPercentages are of those giving an answer; Don't know and Prefer not to say are shown as "
                     "shares of everyone asked.")
    return "\n".join(lines) + "\n"


def _breakdowns(page: SurveyPage, survey: SurveySummary, question: QuestionSummary, rows: StatisticsTable) -> str:
    """A tab per segment: the headline answer by group as a chart, every answer by group as a table."""
    tabs = []
    cells = rows.on_base(question.base)
    for segment in survey.segments:
        rows = cells.breakdown(segment.key).frame
        if rows.empty:
            continue
        groups = [g for g in segment.groups if g.key in set(rows["segment_value"])]
        headline = rows[rows["option"] == question.headline].set_index("segment_value")
        labels, estimates = [g.label for g in groups], [headline["estimate"].get(g.key) for g in groups]
        data = charts.bar_frame(labels, estimates)
        answer = headline["option_label"].iloc[0] if not headline.empty else question.headline
        description = charts.describe_breakdown(answer, question.title, segment.label, data)
        table = _breakdown_table(rows, groups)
        chart = _chart(page, Chart(
            chart_name(survey.id, question.key, by=segment.key),
            f"{question.title}: share answering '{answer}', by {lower_first(segment.label)}", description,
            lambda theme, title, d=data: charts.bar_spec(d, theme, title), figure_data(labels, estimates, "group"),
            GAP_NOTE if data["share"].isna().any() else "", table))
        body = [f"Share answering '{md_text(answer)}':\n", chart, table, SUPPRESSION_NOTE]
        tabs.append(f'=== "By {md_text(lower_first(segment.label))}"\n\n' + _indent("\n".join(body)))
    return ("### Breakdowns\n\n" + "\n".join(tabs)) if tabs else ""


def _breakdown_table(rows: pd.DataFrame, groups: list[Group]) -> str:
    options = list(dict.fromkeys(rows["option"]))
    labels = dict(zip(rows["option"], rows["option_label"], strict=False))
    types = dict(zip(rows["option"], rows["option_type"], strict=False))
    by_cell = rows.set_index(["segment_value", "option"])
    head = ["Group", "Base"] + [("Net: " if types[o] == "net" else "") + md_text(labels[o]) for o in options]
    lines = ["| " + " | ".join(head) + " |", "| --- | ---: |" + " ---: |" * len(options)]
    for group in groups:
        base = by_cell.loc[group.key]["base"].iloc[0]
        cells = [percent(by_cell.at[(group.key, o), "estimate"]) if (group.key, o) in by_cell.index else "–"
                 for o in options]
        low = " (low base)" if by_cell.loc[group.key]["low_base"].any() else ""
        shown_base = "\\*" if pd.isna(base) else f"{int(base):,}"
        lines.append(f"| {md_text(group.label)}{low} | {shown_base} | "
                     + " | ".join("\\*" if c == "*" else c for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _change(page: SurveyPage, survey: SurveySummary, question: QuestionSummary, rows: StatisticsTable,
            table: StatisticsTable) -> str:
    """Change since the previous wave (tested), and the trend across every wave of the series."""
    changes = rows.changes().on_base(question.base).frame
    if changes.empty:
        return ""
    previous = survey.wave_name(changes["compare_to"].iloc[0])
    lines = [f"### Change since {md_text(previous)}\n",
             f"| Answer | {md_text(previous)} | {md_text(survey.wave)} | Change | p-value | |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for row in changes.itertuples():
        if row.suppressed:
            lines.append(f"| {md_text(row.option_label)} | \\* | \\* | \\* | | not published |")
            continue
        lines.append(f"| {md_text(row.option_label)} | {percent(row.previous_estimate)} | {percent(row.estimate)} | "
                     f"{points(row.change_pp)} | {p_value_text(row.p_value)} | {row.change} |")
    lines.append("\nA change is called a rise or a fall only when a two-proportion test on the effective bases "
                 "gives p below 0.05; otherwise it is \"little change\".\n")
    trend = _trend_data(survey, question, table)
    if trend is not None:
        lines.append(_chart(page, Chart(
            chart_name(survey.id, question.key, trend=True), f"{question.title}, by wave",
            charts.describe_trend(question.title, trend), lambda theme, title: charts.trend_spec(trend, theme, title),
            trend.assign(estimate=trend["share"].map(repr), shown_as=trend["share"].map(percent)).drop(columns="share"))))
    return "\n".join(lines)


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


def points(change_pp: float) -> str:
    """A change in percentage points, signed: +5 points, -3 points, 0 points."""
    whole = round(float(change_pp))
    return f"{whole:+d} points" if whole else "0 points"


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.splitlines()) + "\n"
