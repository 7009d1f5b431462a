"""Charts: an Altair bar chart per question, rendered to SVG at build time, light and dark."""

from __future__ import annotations

import json
import textwrap

import altair as alt
import pandas as pd
import vl_convert as vlc

from build_scripts.formatting import percent

# Accessible government palette (design.md); each colour has at least 3:1 contrast on its background.
THEMES = {
    "light": {"background": "#ffffff", "bar": "#12436D", "text": "#0b0c0c", "grid": "#d9d9d9"},
    "dark": {"background": "#1e2129", "bar": "#28A197", "text": "#e8e8e8", "grid": "#44474f"},
}
FONT = "Helvetica, Arial, sans-serif"  # system fonts only: the site requests no web fonts
WIDTH = 560
LABEL_CHARS = 30  # answer labels wrap onto several lines rather than being cut off


def chart_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The chart's data: one row per published option, with its label and the percentage shown."""
    shown = rows[~rows["suppressed"]]
    return pd.DataFrame({
        "answer": [textwrap.fill(label, LABEL_CHARS) for label in shown["option_label"]],
        "share": shown["estimate"].astype(float).round(6).to_list(),
        "label": [percent(v) for v in shown["estimate"]],
    })


def chart_spec(rows: pd.DataFrame, theme: str) -> dict:
    """A Vega-Lite spec (via Altair) for one question's whole-sample figures in one colour theme."""
    colours = THEMES[theme]
    data = chart_frame(rows)
    order = data["answer"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("answer:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=0, labelFontSize=13, labelExpr=r"split(datum.label, '\n')")),
        x=alt.X("share:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=None),
    )
    bars = base.mark_bar(color=colours["bar"], height={"band": 0.7})
    labels = base.mark_text(align="left", dx=4, fontSize=13, color=colours["text"]).encode(text="label:N")
    chart = (bars + labels).properties(width=WIDTH - 260, height=alt.Step(40))
    spec = chart.configure(background=colours["background"], font=FONT).configure_view(stroke=None).configure_axis(
        labelColor=colours["text"], domainColor=colours["grid"], tickColor=colours["grid"]
    ).to_dict()
    spec.pop("$schema", None)  # keep the spec free of any URL; vl-convert does not need it
    return spec


def render_svg(spec: dict) -> str:
    """Render a Vega-Lite spec to a standalone SVG string, with no scripts and no network."""
    return vlc.vegalite_to_svg(spec)


def spec_json(spec: dict) -> str:
    """A spec as stable, sorted JSON, for snapshots and downloads."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def describe(question_title: str, rows: pd.DataFrame, respondents: str) -> str:
    """A text alternative for the chart, generated from its numbers, largest share named first."""
    shown = rows[~rows["suppressed"]]
    if shown.empty:
        return f"{question_title}: no figures are shown because the base is under the publication threshold."
    parts = [f"{label}: {percent(v)}" for label, v in zip(shown["option_label"], shown["estimate"])]
    top = shown.loc[shown["estimate"].astype(float).idxmax()]
    base = int(shown["base"].iloc[0])
    return (
        f"Bar chart of answers to '{question_title}' from {base:,} {respondents}. "
        f"The largest share, {percent(top['estimate'])}, answered '{top['option_label']}'. "
        + "; ".join(parts) + "."
    )
