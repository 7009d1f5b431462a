"""Share images, Open Graph and Twitter metadata, the updates feed and the home page's newest update."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from conftest import contrast

from build_scripts.editorial.copy_check import Reference
from build_scripts.statistics.statistics_table import SCHEMA, StatisticsTable
from build_scripts.statistics.survey_summary import QuestionSummary, SurveySummary
from build_scripts.publish.share_images import (
    Brand, ShareCard, card_svg, figure_card, file_stem, plan_cards, render_card, site_card)

LOCAL = "http://127.0.0.1:8000/"  # mkdocs.yml's site_url when SITE_URL is not set


def _meta(html: str, name: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    assert found, name
    return unescape(found.group(1))


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def _pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("index.html")) if "404" not in p.parts]


def test_every_page_names_a_share_image_that_exists_at_1200_by_630(built_shipped_site: Path):
    site = built_shipped_site / "site"
    for page in _pages(site):
        html = page.read_text(encoding="utf-8")
        image = _meta(html, "og:image")
        assert image == _meta(html, "twitter:image")
        assert image.startswith(LOCAL), image
        assert _png_size(site / image.removeprefix(LOCAL)) == (1200, 630)
        assert _meta(html, "twitter:card") == "summary_large_image"
        assert len(_meta(html, "og:image:alt")) > 20
        assert _meta(html, "og:title") and _meta(html, "og:description")


def test_a_page_shares_the_first_figure_it_quotes_and_a_survey_page_its_first_headline(built_shipped_site: Path):
    site = built_shipped_site / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert _meta(home, "og:image").endswith("data/share/professionals-2015.powerless.yes.png")
    assert _meta(home, "og:image:alt").startswith("41% of social workers have felt powerless to intervene in cases "
                                                  "of child neglect. Survey of professionals")
    public = (site / "data/public-2015/index.html").read_text(encoding="utf-8")
    assert _meta(public, "og:image").endswith("data/share/public-2015.important_services.early_help.png")
    sources = (site / "sources/index.html").read_text(encoding="utf-8")
    assert _meta(sources, "og:image").endswith("data/share/site.png")  # quotes no figure


def test_each_question_headline_figure_has_a_share_image(built_shipped_site: Path):
    stats = pd.read_csv(built_shipped_site / "site/data/stats.csv", keep_default_na=False)
    share = built_shipped_site / "site/data/share"
    for key in ["professionals-2015.powerless.yes", "professionals-2015.time_resources.lack",
                "public-2015.important_services.early_help"]:
        assert key in set(stats["key"])
        assert _png_size(share / f"{file_stem(key)}.png") == (1200, 630)


def test_the_feed_lists_the_updates_with_absolute_links_and_pages_announce_it(built_shipped_site: Path):
    site = built_shipped_site / "site"
    channel = ET.parse(site / "feed_rss_created.xml").getroot().find("channel")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Campaign launch: social workers powerless to act on neglect"]
    post = "updates/2015/11/02/campaign-launch-social-workers-powerless-to-act-on-neglect/"
    assert items[0].findtext("link") == items[0].findtext("guid") == f"{LOCAL}{post}"  # the address subscribers know
    assert (site / post / "index.html").is_file()
    assert "None" not in ET.tostring(channel, encoding="unicode")
    assert channel.find("image").findtext("url") == f"{LOCAL}data/share/site.png"
    assert channel.findtext("lastBuildDate") == "Mon, 02 Nov 2015 00:00:00 +0000"  # the newest post, not build time
    assert channel.findtext("language") == "en-GB"  # mkdocs.yml's theme.language
    for gone in ("feed_rss_updated.xml", "feed_json_created.json", "feed_json_updated.json", "rss.xsl"):
        assert not (site / gone).exists(), gone
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'type="application/rss+xml"' in home and 'href="feed_rss_created.xml"' in home
    assert 'href="../feed_rss_created.xml"' in (site / "updates/index.html").read_text(encoding="utf-8")
    assert home.count('rel="alternate" type="application/rss+xml"') == 1


def test_the_home_page_shows_the_newest_update_and_a_chart_with_its_table(built_shipped_site: Path):
    html = (built_shipped_site / "site/index.html").read_text(encoding="utf-8")
    latest = html[html.index('id="latest-update"'):html.index('id="about-these-figures"')]
    assert re.search(r'<strong><a href="updates/2015/11/02/[^"]+">Campaign launch: social workers powerless to act '
                     r"on neglect</a></strong>, 2 November 2015", latest)
    # the excerpt's figure is rendered and its link, written for the post's folder, works from here
    assert re.search(r'<a class="figure" href="data/professionals-2015/#powerless">41%', latest)
    assert '<a href="early-help/">Read the case for early help</a>' in latest
    assert 'src="data/charts/professionals-2015.powerless-light.svg#only-light"' in html
    assert 'href="data/charts/professionals-2015.powerless.csv"' in html
    assert re.search(r"<td>Yes</td>\s*<td[^>]*>41%</td>", html)


def test_a_low_base_figure_carries_its_warning_onto_its_card():
    row = pd.Series({"key": "s.q.yes", "question": "q", "segment": "", "option_label": "Yes", "estimate": 0.5,
                     "base": 80, "low_base": True})
    card = figure_card(row, META)
    assert "Low base (80): treat with caution." in card.source and card.name == "s.q.yes"


def _table(rows: list[dict]) -> StatisticsTable:
    empty = {c.name: {"text": "", "integer": 0, "number": 0.0, "flag": False}[c.kind] for c in SCHEMA}
    base = empty | {"survey": "s", "question": "q", "base": 100, "option_label": "Yes", "estimate": 0.5}
    frame = pd.DataFrame([base | r for r in rows])
    return StatisticsTable(frame.astype({c.name: "Int64" for c in SCHEMA if c.kind == "integer"}))


META = SurveySummary(
    id="s", title="S survey", commissioned_by="C", conducted_by="D", fieldwork_start="2020-01-01",
    fieldwork_end="2020-01-09", method="online", population="people", coverage="UK", notes=None, respondents=100,
    weighting=None, series="s", wave="2020", waves=[], segments=[],
    questions=[QuestionSummary(key="q", title="Q", type="single", base="asked", headline="yes", text="Do you?",
                               asked_of="all respondents", respondents="people")])


def test_plan_gives_headlines_and_first_quoted_figures_their_cards():
    table = _table([{"key": "s.q.yes", "option": "yes"},
                    {"key": "s.q.no", "option": "no", "option_label": "No", "estimate": 0.3},
                    {"key": "s.q.dk", "option": "dk", "suppressed": True}])
    site = site_card("Site", "About it")
    refs = [Reference("a.md", "A", 3, "stat", "s.q.no"), Reference("a.md", "A", 9, "stat", "s.q.yes"),
            Reference("b.md", "B", 1, "stat", "s.q.dk"), Reference("c.md", "C", 1, "source", "elsewhere")]
    cards, pages = plan_cards(table, [META], refs, site)
    assert sorted(cards) == ["s.q.no", "s.q.yes", "site"]
    assert pages["a.md"].name == "s.q.no"  # the first figure on the page
    assert pages["data/s.md"].name == "s.q.yes"
    assert "b.md" not in pages and "c.md" not in pages  # a suppressed figure or a source: the site card
    assert pages["a.md"].figure == "30%" and "Base: 100 people" in pages["a.md"].source


@pytest.mark.parametrize("card", [
    ShareCard("x", "41%", "of social workers answered 'Yes' when asked: " + "a long question " * 20, "Source line."),
    site_card("Fund early help properly. " * 12, "campaign.example.org"),
])
def test_a_card_renders_at_1200_by_630_even_with_long_text(card: ShareCard, tmp_path: Path):
    path = tmp_path / "card.png"
    path.write_bytes(render_card(card, Brand("Act early", "campaign.example.org")))
    assert _png_size(path) == (1200, 630)


def test_the_site_card_carries_the_name_the_whole_ask_and_the_address_inside_the_image():
    ask = "Fund early help properly, so that families get support before neglect harms a child."
    svg = card_svg(site_card(ask, "campaign.example.org"), Brand("Act <early>", "campaign.example.org"))
    texts = re.findall(r'<text x="(\d+)" y="([\d.]+)" font-size="(\d+)"[^>]*>([^<]*)</text>', svg)
    words = " ".join(t[3] for t in texts)
    assert "Act &lt;early&gt;" in words and "campaign.example.org" in words
    assert " ".join(t[3] for t in texts[1:-1]) == ask  # the whole ask, not cut short
    bottoms = sorted(float(y) for _, y, _, _ in texts)
    assert bottoms[-1] <= 630 - 20 and all(b - a >= 24 for a, b in zip(bottoms, bottoms[1:]))  # no line over another


def test_card_text_stays_readable_on_the_campaign_colour():
    brand = Brand("Act", "x.org", "#12436d", "#28a197")
    assert contrast(brand.accent_text, brand.background) >= 4.5
