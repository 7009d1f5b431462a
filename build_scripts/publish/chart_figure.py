"""A chart as a page shows it: light and dark SVG, a PNG and the data as CSV, with its text alternative.

The Markdown names both SVG variants with Material's `#only-light` / `#only-dark` suffixes, so the
palette toggle swaps them with CSS alone; both load lazily, so a reader downloads only the one shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from build_scripts.publish.drawing import THEMES, render_svg, variants
from build_scripts.editorial.formatting import percent
from build_scripts.publish.spreadsheet_safety import spreadsheet_safe


@dataclass
class Chart:
    """One chart: its file stem under charts/, words for readers, a spec per theme and the figures drawn."""

    name: str
    title: str
    description: str
    build: Callable[[str, str], dict]  # (theme, title) -> Vega-Lite spec
    data: pd.DataFrame  # what the CSV download holds
    note: str = ""
    table: str = ""  # the same numbers as a Markdown table, for pages that show the chart away from its survey page
    subtitle: str = ""  # under the title: the question as asked and its base
    source: str = ""  # the source line every image carries: survey, fieldwork, base

    def spec(self, theme: str) -> dict:
        """The Vega-Lite spec of one colour theme, titled."""
        return self.build(theme, self.title)

    def files(self, light_svg: str | None = None) -> dict[str, str | bytes]:
        """Every file the chart publishes, by path under the generated folder.

        `light_svg` is the light spec already laid out (e.g. by a worker); it is drawn here if not given.
        """
        light, dark, png = variants(light_svg or render_svg(self.spec("light")))
        return {f"charts/{self.name}-light.svg": light, f"charts/{self.name}-dark.svg": dark,
                f"charts/{self.name}.png": png, f"charts/{self.name}.csv": spreadsheet_safe(self.data).to_csv(index=False, lineterminator="\n")}

    def record(self) -> dict:
        """What a page needs to show the chart without recomputing it: names, words, table and colour themes."""
        return {"name": self.name, "title": self.title, "description": self.description, "note": self.note,
                "table": self.table, "themes": " ".join(THEMES)}


def figure_data(labels: list[str], estimates: list[float | None], label_column: str = "answer") -> pd.DataFrame:
    """A bar chart's figures for download: the label, the estimate at full precision and how the page shows it."""
    values = [None if v is None or pd.isna(v) else float(v) for v in estimates]
    return pd.DataFrame({
        label_column: labels,
        "estimate": ["" if v is None else repr(v) for v in values],
        "shown_as": ["not published" if v is None else percent(v) for v in values],
    })
