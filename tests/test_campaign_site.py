"""The shipped site as a campaign: its home page, actions and share links, look, language, titles and descriptions."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote

from conftest import contrast, invoke, shipped_copy

from build_scripts.editorial.campaign import read_campaign
from build_scripts.yaml_schema import read_site_config

LOCAL = "http://127.0.0.1:8000/"


def _html(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


def _pages(site: Path) -> dict[str, str]:
    return {p.parent.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(site.rglob("index.html")) if "search" not in p.parts}


def test_the_home_page_leads_with_the_finding_the_ask_and_the_button_without_navigation(built_shipped_site: Path):
    home = _html(built_shipped_site / "site", ".")
    hero = home[home.index('class="campaign-hero"'):]
    shared = hero[hero.index("</div>"):hero.index("<p>Social workers see neglect")]  # just after the hero
    hero = hero[:hero.index("</div>")]
    assert re.search(r"<h1[^>]*>Social workers: <a[^>]*>41%.*have felt powerless", hero, re.DOTALL)
    assert 'class="campaign-ask"' in hero and "Fund early help properly" in hero
    assert re.search(r'<a class="md-button md-button--primary" href="https://www.writetothem.com/">Write to your MP</a>',
                     hero)
    assert "Share this finding" in shared and f'value="{LOCAL}data/professionals-2015/#powerless"' in shared
    assert re.search(r'md-sidebar--primary"[^>]*hidden', home) and re.search(r'md-sidebar--secondary"[^>]*hidden', home)


def test_survey_pages_and_updates_end_with_the_actions_and_every_page_can_be_shared(built_shipped_site: Path):
    site = built_shipped_site / "site"
    pages = _pages(site)
    post = next(name for name in pages if name.startswith("updates/2015/"))
    for name, html in pages.items():
        content = html[html.index('<main'):html.index('<footer')]
        shares = re.findall(r'<input type="text" readonly value="([^"]+)"', content)
        assert shares, name
        if name == ".":
            assert shares == [f"{LOCAL}data/professionals-2015/#powerless", LOCAL]
            continue
        assert shares[-1] == f"{LOCAL}{name}/", name  # the page's own address, last on the page
        whatsapp = re.findall(r'href="https://wa.me/\?text=([^"]+)"', content)[-1]
        assert f"{LOCAL}{name}/" in unquote(whatsapp)
        has_actions = "What you can do" in content
        survey_page = name.startswith("data/") and name not in {"data", "data/revisions"}
        assert has_actions == (survey_page or name == post), name
    survey = pages["data/professionals-2015"]
    finding = survey[survey.index('id="powerless"'):survey.index('id="time_resources"')]
    assert f'value="{LOCAL}data/professionals-2015/#powerless"' in finding  # each headline figure can be shared
    whatsapp = unquote(re.search(r'href="https://wa.me/\?text=([^"]+)"', finding).group(1))
    assert whatsapp.startswith("41% of social workers have felt powerless to intervene")
    assert re.search(r'href="\.\./\.\./briefing/">Read the briefing</a>', survey)  # a site page, made relative


def test_the_site_has_its_own_look_and_speaks_british_english(built_shipped_site: Path):
    site = built_shipped_site / "site"
    pages = _pages(site)
    config = read_site_config(built_shipped_site / "mkdocs.yml")
    campaign, problems = read_campaign(config)
    assert problems == []
    colours = (site / "stylesheets/colours.css").read_text(encoding="utf-8")
    assert f"--md-primary-fg-color: {campaign.colours.primary};" in colours
    assert contrast(campaign.colours.primary, "#ffffff") >= 4.5
    for name, html in pages.items():
        assert '<html lang="en-GB"' in html, name
        assert "Made with" not in html and "squidfunk" not in html, name
        assert "stylesheets/colours.css" in html and re.search(r'<img src="[./]*images/logo.svg" alt="">', html), name
    updates = pages["updates"]
    assert "2 November 2015" in updates and "November 2, 2015" not in updates


def test_every_page_has_its_own_title_and_description(built_shipped_site: Path):
    pages = _pages(built_shipped_site / "site")
    titles = {name: re.search(r"<title>([^<]*)</title>", html).group(1) for name, html in pages.items()}
    descriptions = {name: unescape(re.search(r'<meta name="description" content="([^"]*)"', html).group(1))
                    for name, html in pages.items()}
    assert titles["."] == "Act early on child neglect"
    assert len(set(titles.values())) == len(titles) and len(set(descriptions.values())) == len(descriptions)
    assert {name: d for name, d in descriptions.items() if not 20 <= len(d) <= 160} == {}


def test_every_table_scrolls_in_a_focusable_named_region(built_shipped_site: Path):
    for name, html in _pages(built_shipped_site / "site").items():
        content = html[html.index('<article'):html.index('</article>')]
        tables = content.count("<table")
        # (inside a tab or a details block the region is passed through as written, its table rendered within it)
        regions = [tag for tag in re.findall(r"<div [^>]*>", content) if 'class="table-region"' in tag
                   and 'role="region"' in tag and 'tabindex="0"' in tag and 'aria-label="Table' in tag]
        assert len(regions) == tables, name


def _check_with(tmp_path: Path, monkeypatch, written: str, instead: str):
    """`check` on a copy of the shipped project whose mkdocs.yml has `instead` where it had `written`."""
    project = shipped_copy(tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert written in text
    config.write_text(text.replace(written, instead), encoding="utf-8")
    monkeypatch.chdir(project)
    result = invoke("check")
    assert result.exit_code == 1 and "Traceback" not in result.output
    return result.output


def test_a_campaign_colour_that_fails_contrast_stops_the_build_with_a_shade_that_passes(tmp_path: Path, monkeypatch):
    output = _check_with(tmp_path, monkeypatch, 'primary: "#12436d"', 'primary: "#7fb2e5"')
    assert "mkdocs.yml, field extra.campaign.colours.primary" in output
    suggested = re.search(r'e\.g\. "(#[0-9a-f]{6})"', output).group(1)
    assert contrast(suggested, "#ffffff") >= 4.5


def test_an_unsafe_action_link_is_named(tmp_path: Path, monkeypatch):
    output = _check_with(tmp_path, monkeypatch, "link: https://www.writetothem.com/", 'link: "javascript:alert(1)"')
    assert "mkdocs.yml, field extra.campaign.actions[0].link" in output


def test_a_missing_logo_is_named(tmp_path: Path, monkeypatch):
    output = _check_with(tmp_path, monkeypatch, "logo: images/logo.svg", "logo: images/missing.svg")
    assert "field extra.campaign.logo" in output and "there is no file docs/images/missing.svg" in output
