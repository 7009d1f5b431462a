"""Charts: Altair specs rendered to SVG at build time by vl-convert, in light and dark, with text alternatives.

Three kinds: a question's answers, one answer broken down by a segment, and a trend across waves.
Each carries its title, labels every bar or line directly, and draws suppressed figures as gaps
labelled "*", never as zeros.
"""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from build_scripts.publish.drawing import FONT, THEMES
from build_scripts.editorial.formatting import SUPPRESSED, lower_first, percent

WIDTH = 560
LABEL_CHARS = 30  # answer labels wrap onto several lines rather than being cut off
TITLE_CHARS = 60


def bar_frame(labels: list[str], estimates: list[float | None]) -> pd.DataFrame:
    """A bar chart's data: a row per bar, suppressed ones with no share and a '*' label."""
    shares = [None if pd.isna(v) else round(float(v), 6) for v in estimates]
    return pd.DataFrame({
        "answer": [textwrap.fill(label, LABEL_CHARS) for label in labels],
        "share": shares,
        "label": [SUPPRESSED if v is None else percent(v) for v in shares],
        "label_at": [0.0 if v is None else v for v in shares],
    })


def bar_spec(data: pd.DataFrame, theme: str, title: str = "") -> dict:
    """A horizontal bar chart with each bar labelled directly, in one colour theme."""
    colours = THEMES[theme]
    base = alt.Chart(data).encode(
        y=alt.Y("answer:N", sort=data["answer"].to_list(), title=None,
                axis=alt.Axis(labelLimit=0, labelFontSize=13, labelExpr=r"split(datum.label, '\n')")),
    )
    bars = base.mark_bar(color=colours["bar"], height={"band": 0.7}).encode(
        x=alt.X("share:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=None))
    labels = base.mark_text(align="left", dx=4, fontSize=13, color=colours["text"]).encode(
        x=alt.X("label_at:Q", scale=alt.Scale(domain=[0, 1]), axis=None), text="label:N")
    return _finish((bars + labels).properties(width=WIDTH - 260, height=alt.Step(40)), colours, title)


def chart_spec(rows: pd.DataFrame, theme: str, title: str = "") -> dict:
    """One question's whole-sample answers (the options, not the nets)."""
    return bar_spec(bar_frame(rows["option_label"].to_list(), rows["estimate"].to_list()), theme, title)


def trend_spec(data: pd.DataFrame, theme: str, title: str = "") -> dict:
    """Each answer's share across waves (columns wave, answer, share), labelled at its latest point."""
    colours = THEMES[theme]
    answers = list(dict.fromkeys(data["answer"]))
    colour = alt.Color("answer:N", sort=answers, legend=None,
                       scale=alt.Scale(domain=answers, range=colours["series"][: len(answers)] or ["#000"]))
    shape = alt.Shape("answer:N", sort=answers, legend=None)  # colour is never the only cue
    base = alt.Chart(data).encode(
        x=alt.X("wave:O", sort=list(dict.fromkeys(data["wave"])), title=None,
                axis=alt.Axis(labelAngle=0, labelFontSize=13)),
        y=alt.Y("share:Q", title=None, scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", labelFontSize=12, tickCount=5, gridColor=colours["grid"])),
        color=colour,
    )
    lines = base.mark_line(strokeWidth=2.5)
    points = base.mark_point(size=70, filled=True).encode(shape=shape)
    last = data.groupby("answer", sort=False).tail(1).assign(text=lambda d: [
        f"{textwrap.shorten(a, 28, placeholder='…')} {percent(s)}" for a, s in zip(d["answer"], d["share"])])
    # Labels in the text colour (4.5:1), beside the end of their line: series colours are only 3:1.
    labels = alt.Chart(last).mark_text(align="left", dx=8, fontSize=12, color=colours["text"]).encode(
        x=alt.X("wave:O", sort=list(dict.fromkeys(data["wave"]))), y="share:Q", text="text:N")
    return _finish((lines + points + labels).properties(width=WIDTH - 260, height=220), colours, title)


def _finish(chart: alt.TopLevelMixin, colours: dict, title: str) -> dict:
    # Title and configuration are set on the finished dict: Altair's own methods copy the whole chart
    # each time, which was a third of the cost of every chart. The result is the same spec (tested).
    spec = chart.to_dict(validate=False)  # the spec tests validate against the schema; the build need not
    spec.pop("$schema", None)  # keep the spec free of any URL; vl-convert does not need it
    spec["config"] = {
        "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
        "axis": {"domainColor": colours["grid"], "labelColor": colours["text"], "tickColor": colours["grid"]},
        "background": colours["background"], "font": FONT,
    }
    if title:  # in the image itself, so a downloaded or shared chart still says what it shows
        spec["title"] = {"text": textwrap.wrap(title, TITLE_CHARS), "anchor": "start", "color": colours["text"],
                         "fontSize": 15, "fontWeight": "bold", "offset": 12}
    return spec



def describe(question_title: str, rows: pd.DataFrame, respondents: str) -> str:
    """A text alternative for a question's chart, generated from its numbers, the largest share first."""
    shown = rows[~rows["suppressed"]]
    if shown.empty:
        return f"{question_title}: no figures are shown because the base is under the publication threshold."
    ordered = shown.assign(value=shown["estimate"].astype(float)).sort_values("value", ascending=False, kind="stable")
    top, rest = ordered.iloc[0], ordered.iloc[1:]
    base = int(shown["base"].iloc[0])
    text = (f"Bar chart: {question_title}. {percent(top['value'])} of the {base:,} {respondents} answered "
            f"'{top['option_label']}', the largest share")
    text += "".join(f"; {percent(row.value)} '{row.option_label}'" for row in rest.itertuples())
    hidden = len(rows) - len(shown)
    if hidden:
        text += f"; {hidden} {'answer is' if hidden == 1 else 'answers are'} not published (too few people)"
    return text + "."


def describe_breakdown(answer: str, question_title: str, segment: str, data: pd.DataFrame) -> str:
    """A text alternative for a breakdown chart: each group's share, unpublished ones said so."""
    parts = [f"{g}: {'not published' if s is None or pd.isna(s) else percent(s)}"
             for g, s in zip(data["answer"].str.replace("\n", " "), data["share"], strict=True)]
    return f"Bar chart: the share answering '{answer}' to '{question_title}', by {lower_first(segment)}. " + \
        "; ".join(parts) + "."


def describe_trend(question_title: str, data: pd.DataFrame) -> str:
    """A text alternative for a trend chart: each answer's share in each wave."""
    parts = []
    for answer, rows in data.groupby("answer", sort=False):
        steps = ", ".join(f"{percent(s)} in {w}" for w, s in zip(rows["wave"], rows["share"], strict=True))
        parts.append(f"{answer}: {steps}")
    return f"Line chart: answers to '{question_title}' across survey waves. " + "; ".join(parts) + "."
