"""A chart as published: each width in both colour variants, PNG and CSV downloads, every image carrying its
title, source and site, the Markdown (four lazy images, downloads, "Embed this chart"), and contrast for every mark."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser

import altair as alt
import markdown
import pandas as pd
import pytest
from conftest import contrast
from hypothesis import given
from hypothesis import strategies as st

from build_scripts.cache import Cache
from build_scripts.editorial.chart_markdown import chart_markdown, embed_html
from build_scripts.project import chart_name
from build_scripts.publish import charts, drawing
from build_scripts.publish.chart_figure import Chart, ChartSite, figure_data, image_paths, published_by
from build_scripts.publish.charts import NARROW, WIDE, Frame

SVG = "{http://www.w3.org/2000/svg}"
SITE = ChartSite("Act early on child neglect", "https://campaign.example.org/neglect/")
HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)> *stars* _under_ [link](javascript:x) |pipe|'


def _rows(estimates: dict[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame({"option_label": list(estimates),
                         "estimate": [float("nan") if v is None else v for v in estimates.values()],
                         "suppressed": [v is None for v in estimates.values()], "base": 634})


ROWS = _rows({"Yes": 0.410095, "No": 0.536278, "Don't know": None})
TREND = pd.DataFrame({"wave": ["2019"] * 6 + ["2020"] * 6, "answer": [f"Answer {i}" for i in range(6)] * 2,
                      "share": [0.1, 0.2, 0.3, 0.15, 0.05, 0.2, 0.12, 0.18, 0.33, 0.1, 0.07, 0.2]})
FRAME = Frame("Feeling powerless", "Asked: have you felt powerless? Base: 634", ("Source: a survey, 2015",))
KINDS = {
    "answers": lambda theme, width: charts.chart_spec(ROWS, theme, replace(FRAME, width=width)),
    "breakdown": lambda theme, width: charts.bar_spec(charts.bar_frame(["England", "Wales"], [0.4, None]), theme,
                                                      Frame("By nation", width=width)),
    "trend": lambda theme, width: charts.trend_spec(TREND, theme, Frame("Support, by wave", "Q", width=width)),
}


def _chart(title: str = "41% of social workers have felt powerless to intervene",
           description: str = "Bar chart: Feeling powerless, 54% said no", site: ChartSite = SITE) -> Chart:
    labels, estimates = ROWS["option_label"].to_list(), ROWS["estimate"].to_list()
    with published_by(site):
        return Chart("s.q", title, description, lambda theme, frame: charts.chart_spec(ROWS, theme, frame),
                     figure_data(labels, estimates), "[c] not published: too few answered",
                     subtitle='Asked: "Have you ever felt powerless to intervene?" Base: 634 social workers.',
                     source="Survey of professionals, 2015; fieldwork 1 to 18 September 2015; base 634")


def _svg_text(svg: str) -> str:
    """The words an SVG shows, its lines joined by spaces (wrapped text reads as it was written)."""
    return " ".join("".join(e.itertext()) for e in ET.fromstring(svg).iter(f"{SVG}text"))


def _svg_size(svg: str) -> tuple[int, int]:
    root = ET.fromstring(svg)
    return int(root.get("width")), int(root.get("height"))


def test_a_chart_publishes_each_width_light_and_dark_a_png_and_its_data():
    files = _chart().files()
    assert sorted(files) == ["charts/s.q-dark.svg", "charts/s.q-light.svg", "charts/s.q.csv",
                             "charts/s.q.narrow-dark.svg", "charts/s.q.narrow-light.svg", "charts/s.q.png"]
    for width, infix in ((WIDE, ""), (NARROW, ".narrow")):
        for theme in charts.THEMES:
            svg = files[f"charts/s.q{infix}-{theme}.svg"]
            assert _svg_size(svg)[0] == width and charts.THEMES[theme]["background"] in svg
    rows = list(csv.DictReader(io.StringIO(files["charts/s.q.csv"])))
    assert rows == [
        {"answer": "Yes", "estimate": "0.410095", "shown_as": "41%"},
        {"answer": "No", "estimate": "0.536278", "shown_as": "54%"},
        {"answer": "Don't know", "estimate": "", "shown_as": "not published"},
    ]


def test_every_image_carries_its_title_subtitle_note_source_and_the_sites_name_and_address():
    """On the page or downloaded, light or dark, wide or narrow, SVG or PNG, a chart says what it shows, where
    the figures come from and which site published it."""
    chart = _chart()
    files = chart.files()
    svgs = {path: text for path, text in files.items() if path.endswith(".svg")}
    assert len(svgs) == 4
    for path, svg in svgs.items():
        words = _svg_text(svg)
        for part in (chart.title, chart.subtitle, chart.note, "Source: " + chart.source,
                     "Act early on child neglect", "campaign.example.org/neglect"):
            assert part in words, (path, part)
    # The PNG is the wide light SVG rasterised at twice its size: the same words, drawn.
    width, height = struct.unpack(">II", files["charts/s.q.png"][16:24])
    assert files["charts/s.q.png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert (width, height) == tuple(2 * n for n in _svg_size(files["charts/s.q-light.svg"]))
    assert drawing.render_png(files["charts/s.q-light.svg"], drawing.PNG_SCALE) == files["charts/s.q.png"]


def test_empty_subtitle_and_source_draw_nothing():
    chart = _chart(site=ChartSite())
    chart.subtitle = chart.source = chart.note = ""
    spec = chart.spec()
    texts = [row["text"] for layer in spec["layer"] if layer["mark"]["type"] == "text"
             for row in layer["data"]["values"]]
    assert "" not in texts and not any(t.startswith("Source") for t in texts)
    assert chart.frame().footer == ()


def test_the_site_is_in_the_record_so_a_renamed_site_gets_new_cache_keys_and_redrawn_charts():
    cache = Cache(None)
    first, renamed = _chart(), _chart(site=ChartSite("Another campaign", SITE.url))
    moved = _chart(site=ChartSite(SITE.name, "https://elsewhere.example/"))
    keys = {cache.key(*c.record().values()) for c in (first, renamed, moved)}
    assert len(keys) == 3
    assert "Another campaign" in _svg_text(renamed.files()["charts/s.q-light.svg"])
    assert _chart().site == SITE and Chart("x", "", "", lambda t, f: {}, pd.DataFrame()).site == ChartSite()


def test_markdown_shows_four_lazy_images_with_the_text_alternative_sizes_and_downloads():
    text = chart_markdown(_chart().record(), prefix="data/")
    alt = "Bar chart: Feeling powerless, 54% said no"
    sizes = _chart().sizes()
    for infix, css in (("", "chart-wide"), (".narrow", "chart-narrow")):
        width, height = sizes[infix]
        for theme in ("light", "dark"):
            assert (f"![{alt}](data/charts/s.q{infix}-{theme}.svg#only-{theme})"
                    f"{{ .{css} loading=lazy width={width} height={height} }}") in text
    for download in ("data/charts/s.q.csv", "data/charts/s.q-light.svg", "data/charts/s.q.png"):
        assert f"({download}){{ download }}" in text
    assert "\\[c\\] not published" in text  # the note on gaps sits with the chart
    assert "<summary>Embed this chart</summary>" in text


def test_the_sizes_in_the_markdown_are_the_drawn_images_sizes():
    chart = _chart()
    files = chart.files()
    assert _svg_size(files["charts/s.q-light.svg"]) == chart.sizes()[""]
    assert _svg_size(files["charts/s.q.narrow-dark.svg"]) == chart.sizes()[".narrow"]


def test_the_embed_snippet_has_the_png_at_its_address_the_alt_text_and_a_link_back():
    snippet = embed_html(_chart().record())
    found = _parse(snippet)
    assert found["img"]["src"] == "https://campaign.example.org/neglect/data/charts/s.q.png"
    assert found["img"]["alt"] == "Bar chart: Feeling powerless, 54% said no"
    assert found["a"]["href"] == "https://campaign.example.org/neglect/data/s/#q"
    assert "Act early on child neglect" in found["text"]


def test_no_embed_snippet_without_the_sites_address():
    assert embed_html(_chart(site=ChartSite("Name only")).record()) == ""
    assert "Embed this chart" not in chart_markdown(_chart(site=ChartSite("Name only")).record())


EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "pymdownx.tabbed", "toc"]


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.splitlines()) + "\n"


@pytest.mark.parametrize("where", ["page", "tab"])
def test_a_hostile_title_stays_inert_in_the_embed_snippet_on_the_page_and_in_a_tab(where):
    """Titles and text alternatives come from codebooks: the page shows the snippet as text, and the snippet a
    reader copies holds them as escaped attribute values and text, at the top of a page and inside a tab."""
    block = chart_markdown(_chart(title=HOSTILE, description=HOSTILE).record())
    page = block if where == "page" else '=== "By nation"\n\n' + _indent(block) + '\n=== "Other"\n\n    x\n'
    rendered = markdown.markdown(page, extensions=EXTENSIONS,
                                 extension_configs={"pymdownx.tabbed": {"alternate_style": True}})
    tags = _tags(rendered)
    assert "script" not in tags and tags.count("img") == 4  # the chart's own four images, nothing injected
    assert not re.search(r"<(em|strong|a)\b", rendered.split("<details")[1])  # no Markdown read in the snippet
    code = re.search(r"<pre><code>(.*?)</code></pre>", rendered, re.S).group(1)
    copied = html.unescape(code)  # what the reader sees and copies
    found = _parse(copied)
    assert found["img"]["alt"] == HOSTILE and HOSTILE in found["text"]
    assert _tags(copied) == ["figure", "a", "img", "figcaption", "a"]  # the hostile text made no element


def _tags(text: str) -> list[str]:
    parser = _Collect()
    parser.feed(text)
    return parser.tags


def _parse(text: str) -> dict:
    parser = _Collect()
    parser.feed(text)
    return {"img": parser.first["img"], "a": parser.first["a"], "text": "".join(parser.text)}


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.first, self.text = [], {}, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.first.setdefault(tag, dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


KEY = st.from_regex(r"[a-z0-9_-]{1,6}", fullmatch=True)


@given(first=st.tuples(KEY, KEY, st.one_of(st.just(""), KEY), st.booleans()),
       second=st.tuples(KEY, KEY, st.one_of(st.just(""), KEY), st.booleans()))
def test_two_different_charts_never_share_an_image_file(first, second):
    if first != second:
        assert not set(image_paths(chart_name(*first)).values()) & set(image_paths(chart_name(*second)).values())


def test_a_suppressed_bar_is_a_labelled_gap_not_a_zero_bar():
    svg = drawing.render_svg(KINDS["breakdown"]("light", WIDE))
    root = ET.fromstring(svg)
    bars = [e for e in _marks(root) if e[0] == "rect"]
    assert len(bars) == 1  # England drawn; Wales (suppressed) has no bar at all
    assert f">{charts.SUPPRESSED}<" in svg


def _marks(root: ET.Element):
    """(mark type, role, colour) for every coloured element, by the class of its nearest Vega group
    ("decoration" for the layer named grid: gridlines, faint on purpose)."""
    found = []

    def walk(element: ET.Element, mark: str, role: str) -> None:
        cls = element.get("class", "")
        if element.tag == f"{SVG}g" and "role-" in cls:
            mark = cls.split()[0].removeprefix("mark-")
            role = "decoration" if "grid_marks" in cls.split() else next(c for c in cls.split() if c.startswith("role-"))
        for attribute in ("fill", "stroke"):
            colour = element.get(attribute, "")
            if colour.startswith("#") and element.tag != f"{SVG}g":
                found.append((mark, role, colour))
        for child in element:
            walk(child, mark, role)

    walk(root, "", "")
    return found


@pytest.mark.parametrize("width", [WIDE, NARROW])
@pytest.mark.parametrize("theme", sorted(charts.THEMES))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_drawn_mark_and_label_has_enough_contrast_on_its_background(kind, theme, width):
    background = charts.THEMES[theme]["background"]
    root = ET.fromstring(drawing.render_svg(KINDS[kind](theme, width)))
    checked = 0
    for mark, role, colour in _marks(root):
        if colour.lower() == background.lower() or role == "decoration":
            continue  # the background itself, and gridlines
        assert contrast(colour, background) >= (4.5 if mark == "text" else 3), (kind, theme, mark, role, colour)
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("width", [WIDE, NARROW])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_specs_are_valid_vega_lite(kind, width):
    # The build writes its specs as plain dicts with no validation, so they are checked here against the schema.
    alt.LayerChart.from_dict(KINDS[kind]("light", width), validate=True)


@pytest.mark.parametrize("width", [WIDE, NARROW])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_dark_variant_is_the_light_drawing_recoloured_exactly_as_vega_would_draw_it(kind, width):
    # The build recolours the light SVG instead of laying the chart out twice; this keeps that honest.
    light = drawing.render_svg(KINDS[kind]("light", width))
    assert drawing.recolour(light, "light", "dark") == drawing.render_svg(KINDS[kind]("dark", width))


def test_the_worker_lays_out_both_widths_in_one_call_as_this_process_would():
    charts_ = [_chart(title=f"Chart {i}") for i in range(16)]  # about 100 KB of specs
    pool = drawing.DrawingPool(in_worker=True)
    try:
        assert pool.worker is not None or (os.cpu_count() or 1) == 1
        futures = [pool.submit(chart.specs()) for chart in charts_]  # more than a pipe holds: never blocks
        made = [drawing.drawn(future, chart.specs) for future, chart in zip(futures, charts_, strict=True)]
    finally:
        pool.close()
    assert made == [[drawing.render_svg(spec) for spec in chart.specs()] for chart in charts_]
    assert charts_[0].files(made[0]) == charts_[0].files()
