"""With JavaScript disabled, the charts, their tables and the inline figures are all there."""

import re

import pytest

pytestmark = pytest.mark.browser

CHART_STATE = """() => [...document.querySelectorAll('img[src*="/charts/"]')].map(img => ({
    src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0, visible: img.checkVisibility()}))"""


def test_survey_pages_show_charts_and_tables(new_context, visit_all, survey_pages):
    """Every chart image loads, light variants show and dark ones hide, and the pages carry tables of figures."""
    context = new_context(java_script_enabled=False)
    problems = []
    for path, page, _ in visit_all(context, survey_pages):
        charts = page.evaluate(CHART_STATE)
        light = [c for c in charts if c["src"].endswith("#only-light")]
        problems += [f"{path}: no chart image (img with /charts/ in src)"] if not charts else []
        problems += [f"{path}: no light chart variant (#only-light)"] if not light else []
        problems += [f"{path}: chart did not load: {c['src']}" for c in light if not c["loaded"]]
        problems += [f"{path}: no light chart is visible"] if light and not any(c["visible"] for c in light) else []
        problems += [f"{path}: dark chart visible in light mode: {c['src']}"
                     for c in charts if c["src"].endswith("#only-dark") and c["visible"]]
        rows = page.locator("table tbody tr").count()
        problems += [f"{path}: no table of figures"] if rows == 0 else []
        page.close()
    assert not problems, "without JavaScript:\n" + "\n".join(problems)


def test_home_page_shows_inline_figures(new_context, visit):
    """The home page's figures (a.figure) are in the HTML with their percentages."""
    page, _ = visit(new_context(java_script_enabled=False), "")
    figures = page.locator("a.figure")
    texts = [figures.nth(i).text_content() for i in range(figures.count())]
    assert texts, "no inline figure (a.figure) on the home page"
    missing = [t for t in texts if not re.match(r"\s*\d+(\.\d+)?%", t)]
    assert not missing, f"inline figures without a percentage: {missing}"
