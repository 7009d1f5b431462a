"""The site as a campaign in a real browser: the main button in view, tables that fit a phone, a briefing that prints."""

from __future__ import annotations

import gzip
import re

import pytest

from .conftest import PageLog

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 800)])
def test_the_primary_action_is_visible_without_scrolling(new_context, visit, width, height):
    page, log = visit(new_context(viewport={"width": width, "height": height}), "")
    button = page.locator(".campaign-hero a.md-button--primary")
    box = button.bounding_box()
    assert button.inner_text() == "Write to your MP"
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    headline = page.locator(".campaign-hero h1").bounding_box()
    assert headline["y"] < box["y"]  # the finding, then the ask, then the button
    assert not log.errors and not log.foreign


def test_no_table_runs_off_a_phone_screen_and_each_scrolls_by_keyboard(new_context, visit_all, site_pages):
    context = new_context(viewport={"width": 360, "height": 740})
    for path, page, _ in visit_all(context, site_pages):
        tables = page.evaluate("""() => [...document.querySelectorAll('article table')].map(table => {
            const region = table.closest('.table-region');
            const box = (region || table).getBoundingClientRect();
            return {inRegion: !!region, right: box.right, left: box.left,
                    focusable: !!region && region.tabIndex === 0 && !!region.getAttribute('aria-label'),
                    scrolls: !!region && region.scrollWidth > region.clientWidth};
        })""")
        for table in tables:
            assert table["inRegion"] and table["focusable"], (path, table)
            assert table["left"] >= 0 and table["right"] <= 360 + 0.5, (path, table)
        page.close()


def test_a_table_keeps_its_first_column_in_view_as_it_scrolls(new_context, visit, survey_pages):
    page, _ = visit(new_context(viewport={"width": 360, "height": 740}), survey_pages[0])
    region = page.locator(".table-region").filter(has=page.locator("th", has_text="Group")).first
    region.scroll_into_view_if_needed()
    # Narrow the region below its table's width, as a longer label or a smaller phone would.
    region.evaluate("r => { r.style.maxWidth = '200px'; }")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    first, other = region.locator("tbody tr td").nth(0), region.locator("tbody tr td").nth(2)
    first_x, other_x = first.bounding_box()["x"], other.bounding_box()["x"]
    region.evaluate("r => { r.scrollLeft = r.scrollWidth; }")
    assert region.evaluate("r => r.scrollLeft") > 0
    assert abs(first.bounding_box()["x"] - first_x) <= 2  # the group names stay in view (a border aside)
    assert other.bounding_box()["x"] < other_x  # the figures moved under them


def test_the_briefing_prints_on_two_sides_of_a4_with_every_figure(new_context, visit):
    page, _ = visit(new_context(), "briefing/")
    figures = page.eval_on_selector_all("article a.figure", "links => links.map(a => a.firstChild.textContent.trim())")
    assert len(figures) >= 5
    page.emulate_media(media="print")
    shown = page.evaluate("""() => [...document.querySelectorAll('.md-header, .md-sidebar, .md-footer, .share-link')]
        .filter(e => e.getClientRects().length > 0).length""")
    assert shown == 0  # no navigation or share links on paper
    address = page.locator('nav.share[aria-label="Share this page"] input')
    assert address.is_visible() and address.input_value().endswith("/briefing/")  # but the page's address
    printed_sources = page.eval_on_selector_all(".print-only", "spans => spans.map(s => s.textContent.trim())")
    assert printed_sources and all(url.startswith("https://") for url in printed_sources)
    assert all(page.locator(".print-only").nth(i).is_visible() for i in range(len(printed_sources)))
    printed = page.inner_text("article")
    for figure in figures:
        assert figure in printed
    assert re.search(r"Base: 634 social workers; 95% confidence interval", printed)  # sources travel with figures
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    pages = [int(n) for n in re.findall(rb"/Count (\d+)", pdf)]
    assert pages and max(pages) <= 2, pages


def test_the_home_page_with_all_it_loads_stays_within_110_kb_compressed(new_context, base_url):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()  # a new context: nothing cached
    log = PageLog(page, "")
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(base_url, wait_until="networkidle")
    page.mouse.wheel(0, 20000)  # lazy images below the fold load as a reader scrolls
    page.wait_for_load_state("networkidle")
    sizes = {}
    for response in responses:
        if "/search/" in response.url or response.status != 200:
            continue  # the search index loads only when a reader searches
        body = response.body()
        text = not response.url.endswith((".png", ".webp", ".jpg"))
        sizes[response.url] = len(gzip.compress(body, 6)) if text else len(body)
    assert 0 < sum(sizes.values()) <= 110_000, sorted((size, url) for url, size in sizes.items())[-5:]
    assert not log.foreign
