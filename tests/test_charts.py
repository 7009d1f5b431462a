"""Charts: Vega-Lite specs snapshotted (not SVG bytes), laid out at two widths with nothing cut or overflowing,
colours with enough contrast, alt text from the data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import contrast

from build_scripts.editorial.formatting import SUPPRESSED, percent
from build_scripts.publish import charts
from build_scripts.publish.chart_text import text_width, wrap
from build_scripts.publish.charts import NARROW, PAD, THEMES, WIDE, Frame, chart_spec, describe
from build_scripts.publish.drawing import render_svg


def spec_json(spec: dict) -> str:
    """A spec as stable, sorted JSON, for snapshots and downloads."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


SNAPSHOTS = Path(__file__).parent / "snapshots"


def _rows(estimates: dict[str, float | None], base: int = 634) -> pd.DataFrame:
    return pd.DataFrame({
        "option_label": list(estimates),
        "estimate": [float("nan") if v is None else v for v in estimates.values()],
        "suppressed": [v is None for v in estimates.values()],
        "base": base,
    })


ROWS = _rows({"Yes": 0.410095, "No": 0.536278, "Don't know": 0.053628})
LONG = ("Strongly agree that the local authority should have acted much earlier in this particular case, "
        "Supercalifragilisticexpialidociousnessofthewholeaffair included")
FRAME = Frame("41% of social workers have felt powerless to intervene in cases of suspected child neglect",
              'Asked: "In your time as a social worker, have you ever felt powerless to intervene?" Base: 634.',
              ("Source: Survey of professionals who work with children, 2015; fieldwork 1 to 18 September 2015",
               "Act early on child neglect · example.org/campaign"))
TREND = pd.DataFrame({"wave": ["2019"] * 4 + ["2020"] * 4, "answer": ["Agree", "Disagree", LONG, "Neither"] * 2,
                      "share": [0.40, 0.38, 0.12, 0.10, 0.41, 0.40, 0.11, 0.08]})
KINDS = {
    "answers": lambda theme, frame: chart_spec(_rows({"Yes": 0.41, LONG: 0.5, "No": None}), theme, frame),
    "trend": lambda theme, frame: charts.trend_spec(TREND, theme, frame),
}


def _texts(spec: dict) -> list[dict]:
    """Every text mark's rows, with the mark's alignment and weight."""
    return [{**row, **{k: layer["mark"].get(k) for k in ("align", "fontWeight")}}
            for layer in spec["layer"] if layer["mark"]["type"] == "text" for row in layer["data"]["values"]]


def _rects(spec: dict) -> list[dict]:
    return [row for layer in spec["layer"] if layer["mark"]["type"] == "rect" for row in layer["data"]["values"]]


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_spec_matches_its_snapshot(theme):
    # Set UPDATE_SNAPSHOTS=1 to rewrite after an intended change, then review the diff.
    path = SNAPSHOTS / f"chart-{theme}.json"
    text = spec_json(chart_spec(ROWS, theme))
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_spec_holds_the_published_figures_as_bars_in_proportion_and_no_url(width):
    spec = chart_spec(ROWS, "light", Frame(width=width))
    labels = [t["text"] for t in _texts(spec) if t["fontWeight"] == "bold"]
    assert labels == ["41%", "54%", "5%"]
    lengths = [r["x2"] - r["x"] for r in _rects(spec)]
    assert [round(length / lengths[1], 2) for length in lengths] == [round(v / 0.536278, 2) for v in
                                                                     (0.410095, 0.536278, 0.053628)]
    assert "http" not in json.dumps(spec)


def test_suppressed_figures_are_gaps_labelled_with_the_mark_never_zeros():
    spec = chart_spec(_rows({"Yes": 0.6, "No": None}), "light")
    assert len(_rects(spec)) == 1  # No has no bar at all
    assert [t["text"] for t in _texts(spec) if t["fontWeight"] == "bold"] == ["60%", SUPPRESSED]
    assert f">{SUPPRESSED}<" in render_svg(spec)


def test_a_true_zero_is_a_zero_length_bar_labelled_as_house_style_writes_it():
    spec = chart_spec(_rows({"Yes": 1.0, "No": 0.0}), "light")
    assert [r["x2"] - r["x"] for r in _rects(spec)][1] == 0
    assert percent(0.0) in [t["text"] for t in _texts(spec)]


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_mark_and_text_colour_has_enough_contrast_against_its_background(theme):
    colours = THEMES[theme]
    assert contrast(colours["bar"], colours["background"]) >= 3
    for series in colours["series"]:
        assert contrast(series, colours["background"]) >= 3
    assert contrast(colours["text"], colours["background"]) >= 4.5  # labels are text: WCAG AA
    assert contrast(colours["muted"], colours["background"]) >= 4.5  # subtitles, axes and footers too


def test_rendered_svg_is_static_and_labelled():
    svg = render_svg(chart_spec(ROWS, "dark"))
    assert svg.startswith("<svg") and "<script" not in svg and "41%" in svg
    assert THEMES["dark"]["background"] in svg


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_the_image_is_exactly_its_width_and_its_height_is_known_before_drawing(kind, width):
    spec = KINDS[kind]("light", Frame(FRAME.title, FRAME.subtitle, FRAME.footer, width))
    svg = render_svg(spec)
    assert f'width="{width}" height="{spec["height"] + 2 * PAD}"' in svg


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_every_line_of_text_fits_inside_the_image_in_the_widest_font_and_is_at_least_14px(kind, width):
    spec = KINDS[kind]("light", Frame(FRAME.title, FRAME.subtitle, FRAME.footer, width))
    for text in _texts(spec):
        assert text["size"] >= 14, text
        bold = text["fontWeight"] == "bold"
        left = {"left": text["x"], "center": text["x"] - text_width(text["text"], text["size"], bold) / 2,
                "right": text["x"] - text_width(text["text"], text["size"], bold)}[text["align"]]
        assert left >= 0 and left + text_width(text["text"], text["size"], bold) <= width - 2 * PAD + 0.5, text
        assert 0 <= text["y"] <= spec["height"], text


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_labels_wrap_rather_than_being_cut(kind, width):
    """Every word of every label, title and footer is in the image, in order (a word too long for a line is
    broken across lines, never dropped)."""
    spec = KINDS[kind]("light", Frame(FRAME.title, FRAME.subtitle, FRAME.footer, width))
    drawn = "".join(t["text"] for t in _texts(spec)).replace(" ", "")
    for words in (LONG, FRAME.title, FRAME.subtitle, *FRAME.footer):
        assert words.replace(" ", "") in drawn
    assert "…" not in drawn


def test_wrap_breaks_between_words_and_inside_a_word_only_when_it_must():
    lines = wrap("one two three four five six seven", 60, 15)
    assert " ".join(lines) == "one two three four five six seven" and len(lines) > 1
    assert all(text_width(line, 15) <= 60 for line in lines)
    long = wrap("x" * 40, 100, 15)
    assert "".join(long) == "x" * 40 and all(text_width(line, 15) <= 100 for line in long)


def test_trend_labels_beside_the_lines_never_overlap():
    spec = charts.trend_spec(TREND, "light", FRAME)
    right = [t for t in _texts(spec) if t["x"] > WIDE / 2 and t["align"] == "left" and t["size"] == 16]
    tops = sorted(t["y"] for t in right)
    assert len(tops) >= 4 and all(b - a >= 16 for a, b in zip(tops, tops[1:], strict=False))


def test_a_narrow_trend_has_a_key_with_each_lines_marker_under_it():
    spec = charts.trend_spec(TREND, "light", Frame(width=NARROW))
    points = [row for layer in spec["layer"] if layer["mark"]["type"] == "point" for row in layer["data"]["values"]]
    key = [p for p in points if p["x"] == 6]
    assert [p["shape"] for p in key] == charts.SHAPES[:4]
    assert any(t["text"].startswith("Agree: 41% in 2020") for t in _texts(spec))


def test_description_names_the_largest_share_and_every_figure():
    text = describe("Feeling powerless", ROWS, "social workers")
    assert text == ("Bar chart: Feeling powerless. 54% of the 634 social workers answered 'No', the largest share; "
                    "41% 'Yes'; 5% 'Don't know'.")


def test_description_of_a_suppressed_question_says_why():
    assert "under the publication threshold" in describe("Q", _rows({"Yes": None}, base=30), "respondents")
