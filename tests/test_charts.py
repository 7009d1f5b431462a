"""Charts: Vega-Lite specs snapshotted (not SVG bytes), colours with 3:1 contrast, alt text from the data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import contrast

from build_scripts.publish.charts import THEMES, chart_spec, describe
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


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_spec_matches_its_snapshot(theme):
    # Set UPDATE_SNAPSHOTS=1 to rewrite after an intended change, then review the diff.
    path = SNAPSHOTS / f"chart-{theme}.json"
    text = spec_json(chart_spec(ROWS, theme))
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_spec_holds_the_published_figures_and_no_url():
    spec = chart_spec(ROWS, "light")
    values = next(iter(spec["datasets"].values()))
    assert [v["label"] for v in values] == ["41%", "54%", "5%"]
    assert [v["share"] for v in values] == [0.410095, 0.536278, 0.053628]
    assert "http" not in json.dumps(spec)


def test_suppressed_figures_are_gaps_labelled_with_an_asterisk_never_zeros():
    spec = chart_spec(_rows({"Yes": 0.6, "No": None}), "light")
    values = next(iter(spec["datasets"].values()))
    assert [(v["answer"], v["share"], v["label"]) for v in values] == [("Yes", 0.6, "60%"), ("No", None, "*")]
    assert "*" in render_svg(spec)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_mark_has_three_to_one_contrast_against_its_background(theme):
    colours = THEMES[theme]
    assert contrast(colours["bar"], colours["background"]) >= 3
    assert contrast(colours["text"], colours["background"]) >= 4.5  # labels are text: WCAG AA


def test_rendered_svg_is_static_and_labelled():
    svg = render_svg(chart_spec(ROWS, "dark"))
    assert svg.startswith("<svg") and "<script" not in svg and "41%" in svg
    assert THEMES["dark"]["background"] in svg


def test_description_names_the_largest_share_and_every_figure():
    text = describe("Feeling powerless", ROWS, "social workers")
    assert text == ("Bar chart: Feeling powerless. 54% of the 634 social workers answered 'No', the largest share; "
                    "41% 'Yes'; 5% 'Don't know'.")


def test_description_of_a_suppressed_question_says_why():
    assert "under the publication threshold" in describe("Q", _rows({"Yes": None}, base=30), "respondents")

