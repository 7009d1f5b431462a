"""A chart as a page shows it: SVGs for the text column and for phones, light and dark, a PNG and the data as
CSV, with its text alternative and the site it is published on.

Every image carries the chart's title, subtitle, any note on gaps, its source line and the site's name and
address (`ChartSite`, from mkdocs.yml), so a chart saved, downloaded or embedded elsewhere keeps its
attribution. Survey pages make their charts without knowing the site: `published_by` names it for every
chart made inside it, and the site is part of each chart's record, so of its cache key too (a renamed site
redraws its charts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import pandas as pd

from build_scripts.editorial.formatting import percent
from build_scripts.project import GENERATED
from build_scripts.publish.charts import NARROW, PAD, WIDE, Frame
from build_scripts.publish.drawing import PNG_SCALE, THEMES, recolour, render_png, render_svg
from build_scripts.publish.spreadsheet_safety import spreadsheet_safe

WIDTHS = {"": WIDE, ".narrow": NARROW}  # file-name infix: the image's width (".narrow" holds no "-": no clash)


@dataclass(frozen=True)
class ChartSite:
    """The site a chart is published on: its name and address (mkdocs.yml's site_name and site_url)."""

    name: str = ""
    url: str = ""

    @classmethod
    def of(cls, config: dict) -> ChartSite:
        """From mkdocs.yml as plain data (site_url as the engine reads it, !ENV resolved)."""
        return cls(str(config.get("site_name") or "").strip(), str(config.get("site_url") or "").strip())

    @property
    def address(self) -> str:
        """The site's address as readers see it printed: no scheme, no closing slash, e.g. example.org/campaign."""
        return re.sub(r"^[a-z]+://", "", self.url).rstrip("/")

    @property
    def line(self) -> str:
        """The site as its charts name it: 'Act early on child neglect · example.org/campaign'."""
        return " · ".join(part for part in (self.name, self.address) if part)


_SITE: ContextVar[ChartSite] = ContextVar("chart_site", default=ChartSite())


def current_site() -> ChartSite:
    """The site pages and charts being made now are published by (see `published_by`)."""
    return _SITE.get()


@contextmanager
def published_by(site: ChartSite) -> Iterator[None]:
    """Charts made inside this block are published by `site`: drawn on their images and linked from their embed
    snippets. Survey pages make their charts without being told the site; the page plan says it once here."""
    token = _SITE.set(site)
    try:
        yield
    finally:
        _SITE.reset(token)


def image_paths(name: str) -> dict[tuple[str, str], str]:
    """A chart's SVG files under the generated folder, by (file-name infix, theme)."""
    return {(infix, theme): f"charts/{name}{infix}-{theme}.svg" for infix in WIDTHS for theme in THEMES}


def chart_page(name: str) -> str:
    """The page and heading a chart belongs to, from the site's root: its question on its survey page
    (`project.chart_name` joins survey, question and the rest with dots)."""
    survey, _, rest = name.partition(".")
    question = rest.split(".")[0]
    return f"{GENERATED}/{survey}/" + (f"#{question}" if question else "")


@dataclass
class Chart:
    """One chart: its file stem under charts/, words for readers, a spec per theme and width, and the figures drawn."""

    name: str
    title: str  # the finding, e.g. "41% of social workers have felt powerless to intervene"
    description: str
    build: Callable[[str, Frame], dict]  # (theme, frame) -> Vega-Lite spec; a bare title also works as the frame
    data: pd.DataFrame  # what the CSV download holds
    note: str = ""
    table: str = ""  # the same numbers as a Markdown table, for pages that show the chart away from its survey page
    subtitle: str = ""  # under the title: the question as asked and its base
    source: str = ""  # the source line every image carries: survey, fieldwork, base
    site: ChartSite = field(default_factory=_SITE.get)  # the site every image names, see `published_by`
    _sized: tuple[Frame, dict] | None = field(default=None, init=False, repr=False, compare=False)

    def frame(self, width: int = WIDE) -> Frame:
        """What the image carries around the figures: title, subtitle, and the note, source and site at its foot."""
        source = self.source if not self.source or self.source.startswith("Source") else f"Source: {self.source}"
        footer = tuple(text for text in (self.note, source, self.site.line) if text)
        return Frame(self.title, self.subtitle, footer, width)

    def spec(self, theme: str = "light", width: int = WIDE) -> dict:
        """The Vega-Lite spec of one colour theme at one width, framed."""
        return self.build(theme, self.frame(width))

    def specs(self) -> list[dict]:
        """What is laid out to draw the chart: the light spec at each width (the dark ones are recoloured)."""
        return [self.spec("light", width) for width in WIDTHS.values()]

    def sizes(self) -> dict[str, tuple[int, int]]:
        """Each image's width and height in px by file-name infix, known before it is drawn (laid out once per
        frame: a page asks for them, and then the plan)."""
        frame = self.frame()
        if self._sized is None or self._sized[0] != frame:
            self._sized = (frame, {infix: (width, self.spec("light", width)["height"] + 2 * PAD)
                                   for infix, width in WIDTHS.items()})
        return self._sized[1]

    def files(self, light_svgs: list[str] | None = None) -> dict[str, str | bytes]:
        """Every file the chart publishes, by path under the generated folder: each width in light and dark, the
        PNG (the wide light image at twice its size) and the CSV.

        `light_svgs` are `specs()` already laid out (e.g. by a worker); they are drawn here if not given.
        """
        drawn = light_svgs or [render_svg(spec) for spec in self.specs()]
        files: dict[str, str | bytes] = {}
        paths = image_paths(self.name)
        for infix, light in zip(WIDTHS, drawn, strict=True):
            for theme in THEMES:
                files[paths[infix, theme]] = light if theme == "light" else recolour(light, "light", theme)
        files[f"charts/{self.name}.png"] = render_png(drawn[0], PNG_SCALE)
        files[f"charts/{self.name}.csv"] = spreadsheet_safe(self.data).to_csv(index=False, lineterminator="\n")
        return files

    def record(self) -> dict[str, str]:
        """What a page needs to show the chart without recomputing it (names, words, table, colour themes, image
        sizes, the site and the chart's page), all text: it is also what the chart's cache key is made of."""
        sizes = " ".join(f"{infix or 'wide'}={w}x{h}" for infix, (w, h) in self.sizes().items())
        return {"name": self.name, "title": self.title, "description": self.description, "note": self.note,
                "table": self.table, "themes": " ".join(THEMES), "subtitle": self.subtitle, "source": self.source,
                "site_name": self.site.name, "site_url": self.site.url, "page": chart_page(self.name), "sizes": sizes}


def figure_data(labels: list[str], estimates: list[float | None], label_column: str = "answer") -> pd.DataFrame:
    """A bar chart's figures for download: the label, the estimate at full precision and how the page shows it."""
    values = [None if v is None or pd.isna(v) else float(v) for v in estimates]
    return pd.DataFrame({
        label_column: labels,
        "estimate": ["" if v is None else repr(v) for v in values],
        "shown_as": ["not published" if v is None else percent(v) for v in values],
    })
