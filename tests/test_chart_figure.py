"""A chart as published: both colour variants, PNG and CSV downloads, Markdown, and 3:1 contrast for every mark."""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET

import altair as alt
import pandas as pd
import pytest
from conftest import contrast

from build_scripts.publish import charts
from build_scripts.publish import drawing
from build_scripts.editorial.chart_markdown import chart_markdown
from build_scripts.publish.chart_figure import Chart, figure_data

SVG = "{http://www.w3.org/2000/svg}"


def _rows(estimates: dict[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame({"option_label": list(estimates),
                         "estimate": [float("nan") if v is None else v for v in estimates.values()],
                         "suppressed": [v is None for v in estimates.values()], "base": 634})


ROWS = _rows({"Yes": 0.410095, "No": 0.536278, "Don't know": None})
TREND = pd.DataFrame({"wave": ["2019"] * 6 + ["2020"] * 6, "answer": [f"Answer {i}" for i in range(6)] * 2,
                      "share": [0.1, 0.2, 0.3, 0.15, 0.05, 0.2, 0.12, 0.18, 0.33, 0.1, 0.07, 0.2]})
KINDS = {
    "answers": lambda theme: charts.chart_spec(ROWS, theme, "Feeling powerless"),
    "breakdown": lambda theme: charts.bar_spec(charts.bar_frame(["England", "Wales"], [0.4, None]), theme, "By nation"),
    "trend": lambda theme: charts.trend_spec(TREND, theme, "Support, by wave"),
}


def _chart() -> Chart:
    labels, estimates = ROWS["option_label"].to_list(), ROWS["estimate"].to_list()
    return Chart("s-q", "Feeling powerless", "Bar chart: Feeling powerless, 54% said no",
                 lambda theme, title: charts.chart_spec(ROWS, theme, title), figure_data(labels, estimates), "* hidden")


def test_a_chart_publishes_light_and_dark_svg_a_png_and_its_data():
    files = _chart().files()
    assert sorted(files) == ["charts/s-q-dark.svg", "charts/s-q-light.svg", "charts/s-q.csv", "charts/s-q.png"]
    assert charts.THEMES["dark"]["background"] in files["charts/s-q-dark.svg"]
    assert charts.THEMES["light"]["background"] in files["charts/s-q-light.svg"]
    assert "Feeling powerless" in files["charts/s-q-light.svg"]  # the title travels with a downloaded chart
    png = files["charts/s-q.png"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 500 and height > 200  # drawn at twice the SVG's size, for sharp slides
    rows = list(csv.DictReader(io.StringIO(files["charts/s-q.csv"])))
    assert rows == [
        {"answer": "Yes", "estimate": "0.410095", "shown_as": "41%"},
        {"answer": "No", "estimate": "0.536278", "shown_as": "54%"},
        {"answer": "Don't know", "estimate": "", "shown_as": "not published"},
    ]


def test_markdown_shows_both_variants_lazily_with_the_text_alternative_and_downloads():
    text = chart_markdown(_chart().record(), prefix="data/")
    assert "![Bar chart: Feeling powerless, 54% said no](data/charts/s-q-light.svg#only-light){ loading=lazy }" in text
    assert "![Bar chart: Feeling powerless, 54% said no](data/charts/s-q-dark.svg#only-dark){ loading=lazy }" in text
    for download in ("data/charts/s-q.csv", "data/charts/s-q-light.svg", "data/charts/s-q.png"):
        assert f"({download}){{ download }}" in text
    assert "\\* hidden" in text  # the note on gaps sits with the chart


def test_a_suppressed_bar_is_a_labelled_gap_not_a_zero_bar():
    svg = drawing.render_svg(KINDS["breakdown"]("light"))
    root = ET.fromstring(svg)
    bars = [e for e in _marks(root) if e[0] == "rect"]
    assert len(bars) == 1  # England drawn; Wales (suppressed) has no bar at all
    assert ">*<" in svg


def _marks(root: ET.Element):
    """(mark type, role, colour) for every coloured element, by the class of its nearest Vega group."""
    found = []

    def walk(element: ET.Element, mark: str, role: str) -> None:
        cls = element.get("class", "")
        if element.tag == f"{SVG}g" and "role-" in cls:
            mark = cls.split()[0].removeprefix("mark-")
            role = next(c for c in cls.split() if c.startswith("role-"))
        for attribute in ("fill", "stroke"):
            colour = element.get(attribute, "")
            if colour.startswith("#") and element.tag != f"{SVG}g":
                found.append((mark, role, colour))
        for child in element:
            walk(child, mark, role)

    walk(root, "", "")
    return found


@pytest.mark.parametrize("theme", sorted(charts.THEMES))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_drawn_mark_and_label_has_enough_contrast_on_its_background(kind, theme):
    background = charts.THEMES[theme]["background"]
    root = ET.fromstring(drawing.render_svg(KINDS[kind](theme)))
    checked = 0
    for mark, role, colour in _marks(root):
        if colour.lower() == background.lower():
            continue  # the background itself
        if role == "role-mark":  # data: bars, lines, points and their direct labels
            needed = 4.5 if mark == "text" else 3
        elif mark == "text":  # axis labels and the title
            needed = 4.5
        else:
            continue  # gridlines and axis rules are decoration, deliberately faint
        assert contrast(colour, background) >= needed, (kind, theme, mark, role, colour)
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_specs_are_valid_vega_lite(kind):
    # The build skips Altair's schema validation for speed, so it is done here once per kind of chart.
    alt.LayerChart.from_dict(KINDS[kind]("light"), validate=True)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_dark_variant_is_the_light_drawing_recoloured_exactly_as_vega_would_draw_it(kind):
    # The build recolours the light SVG instead of laying the chart out twice; this keeps that honest.
    light = drawing.render_svg(KINDS[kind]("light"))
    assert drawing.recolour(light, "light", "dark") == drawing.render_svg(KINDS[kind]("dark"))
