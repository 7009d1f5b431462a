"""The campaign's settings: checked colours, safe links, actions and share links, and tables that fit a phone."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest import contrast as oracle_contrast
from hypothesis import given
from hypothesis import strategies as st

from build_scripts.editorial.campaign import (
    Campaign, actions_markdown, campaign_css, page_address, read_campaign, share_html, share_links)
from build_scripts.editorial.colours import WHITE, contrast, readable_on
from build_scripts.editorial.table_regions import wrap_tables

colours = st.from_regex(r"#[0-9a-f]{6}", fullmatch=True)


@given(colours, colours)
def test_contrast_agrees_with_an_independent_calculation(a, b):
    assert contrast(a, b) == pytest.approx(oracle_contrast(a, b), abs=0.02)


@given(colours, colours)
def test_a_suggested_shade_passes_whenever_any_can(colour, background):
    best = max(oracle_contrast("#ffffff", background), oracle_contrast("#000000", background))
    assert oracle_contrast(readable_on(colour, background), background) >= min(4.5, best) - 0.02


def _settings(**campaign) -> dict:
    return {"extra": {"campaign": campaign}}


def test_colours_that_fail_wcag_aa_are_refused_with_a_shade_that_passes():
    _, problems = read_campaign(_settings(colours={"primary": "#FFCC00", "accent": "#eeeeee"}))
    primary, accent = problems
    assert primary.where == "field extra.campaign.colours.primary" and "1.5:1" in primary.message
    suggested = re.search(r'"(#[0-9a-f]{6})"', primary.fix).group(1)
    assert oracle_contrast(suggested, WHITE) >= 4.5
    assert accent.where == "field extra.campaign.colours.accent" and "3.0:1" in accent.message


@pytest.mark.parametrize("settings, where", [
    ({"colours": {"primary": "red"}}, "field extra.campaign.colours.primary"),
    ({"actions": [{"label": "Go", "link": "javascript:alert(1)"}]}, "field extra.campaign.actions[0].link"),
    ({"actions": [{"label": "Go", "link": "http://insecure.example"}]}, "field extra.campaign.actions[0].link"),
    ({"actions": [{"label": "Go", "link": "../../etc/passwd"}]}, "field extra.campaign.actions[0].link"),
    ({"actions": [{"label": "Go"}]}, "field extra.campaign.actions[0].link"),
    ({"logo": "/etc/passwd"}, "field extra.campaign.logo"),
    ({"logo": "images/../../secret.svg"}, "field extra.campaign.logo"),
    ({"colour": {"primary": "#000000"}}, "field extra.campaign.colour"),
])
def test_bad_settings_name_their_field(settings, where):
    campaign, problems = read_campaign(_settings(**settings))
    assert [p.where for p in problems] == [where] and all(p.file == "mkdocs.yml" and p.fix for p in problems)
    assert campaign == Campaign()  # the defaults, so the rest of the check still runs


def test_no_settings_means_the_defaults():
    assert read_campaign({}) == (Campaign(), [])
    assert read_campaign({"extra": {"campaign": None}}) == (Campaign(), [])
    assert read_campaign({"extra": {"campaign": "yes"}})[1][0].where == "field extra.campaign"


def test_the_colour_sheet_keeps_link_text_readable_in_both_schemes():
    css = campaign_css(Campaign.model_validate({"colours": {"primary": "#1d70b8", "accent": "#00703c"}}))
    light, dark = css.split("[data-md-color-scheme=slate]")
    assert oracle_contrast(re.search(r"--md-typeset-a-color: (#\w+)", light).group(1), WHITE) >= 4.5
    assert oracle_contrast(re.search(r"--md-typeset-a-color: (#\w+)", dark).group(1), "#1e2129") >= 4.5


def test_actions_are_escaped_buttons_with_site_pages_made_relative():
    campaign = Campaign.model_validate({"actions": [
        {"label": "Write to <b>your</b> MP", "link": "https://www.writetothem.com/", "text": "It takes [5] minutes"},
        {"label": "Read the briefing", "link": "briefing.md"}]})
    text = actions_markdown(campaign, lambda page: f"../{page}")
    assert "[Write to &lt;b&gt;your&lt;/b&gt; MP](https://www.writetothem.com/){ .md-button .md-button--primary }" in text
    assert "It takes \\[5\\] minutes" in text
    assert "[Read the briefing](../briefing.md){ .md-button }" in text


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.inputs = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(attrs["href"])
        if tag == "input":
            self.inputs.append(attrs)


def test_share_links_carry_the_address_and_the_finding_and_load_nothing():
    url = "https://example.org/data/professionals-2015/#powerless"
    html = share_html(url, 'Title "with" <tags>', "41% of social workers have felt powerless")
    parser = _Links()
    parser.feed(html)
    assert "<script" not in html and "<tags>" not in html
    assert {urlsplit(link).scheme for link in parser.links} == {"mailto", "https"}
    for link in parser.links:
        values = " ".join(v for vs in parse_qs(urlsplit(link).query).values() for v in vs)
        assert url in values or url in unquote(link)
    whatsapp = next(link for link in parser.links if "wa.me" in link)
    assert "41% of social workers have felt powerless" in parse_qs(urlsplit(whatsapp).query)["text"][0]
    assert parser.inputs == [{"type": "text", "readonly": None, "value": url}]
    assert [name for name, _ in share_links(url, "T")] == ["E-mail", "WhatsApp", "X", "Facebook", "LinkedIn"]


def test_no_site_address_means_no_share_links():
    assert share_html("", "Title") == "" and share_html("javascript:alert(1)", "T") == ""


@pytest.mark.parametrize("page, address", [
    ("index.md", "https://x.org/"), ("early-help.md", "https://x.org/early-help/"),
    ("data/index.md", "https://x.org/data/"), ("data/public-2015.md", "https://x.org/data/public-2015/"),
])
def test_page_addresses(page, address):
    assert page_address("https://x.org/", page) == address


def test_tables_get_a_focusable_named_scroll_region_but_code_does_not():
    text = "\n".join([
        "Intro", "", "| Answer | % |", "| --- | ---: |", "| Yes | 41% |", "Next", "",
        '=== "By nation"', "", "    | **Group** | Base |", "    | --- | ---: |", "    | England | 100 |", "",
        "```", "", "| a | b |", "| --- | --- |", "```"])
    wrapped = wrap_tables(text)
    regions = re.findall(r'^( *)<div class="table-region" role="region" tabindex="0" aria-label="([^"]+)" markdown>',
                         wrapped, re.MULTILINE)
    assert regions == [("", "Table: Answer"), ("    ", "Table: Group")]
    assert wrapped.count("</div>") == 2 and "```\n\n| a | b |\n| --- | --- |\n```" in wrapped
    assert wrap_tables(wrapped.replace('<div class="table-region"', "")) .count("table-region") == 2
