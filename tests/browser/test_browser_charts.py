"""Charts as readers see them: filling the text column on a desktop, a narrow drawing on a phone that never runs
off the screen, text at least 14 px as shown, one image fetched per chart, and "Embed this chart" with no script."""

import pytest

pytestmark = pytest.mark.browser

VISIBLE_CHARTS = """() => [...document.querySelectorAll('img[src*="/charts/"]')].filter(img => img.checkVisibility())
    .map(img => {const box = img.getBoundingClientRect();
        const column = img.closest('.md-content__inner').getBoundingClientRect();
        return {src: img.getAttribute('src'), url: img.currentSrc || img.src, left: box.left, right: box.right,
                width: box.width, column: column.width, natural: img.naturalWidth, cls: img.className}})"""
SCROLL_THROUGH = """async () => {  // bring every lazy image into view once, as a reader scrolling down would
    for (const img of document.querySelectorAll('img[src*="/charts/"]')) {
        if (img.checkVisibility()) { img.scrollIntoView(); await new Promise(r => setTimeout(r, 30)); } }
    window.scrollTo(0, 0); }"""
SMALLEST_TEXT = """async url => {const svg = await (await fetch(url)).text();
    return Math.min(...[...svg.matchAll(/font-size="([0-9.]+)px"/g)].map(m => parseFloat(m[1])))}"""


@pytest.fixture(scope="module")
def chart_pages(site_pages, survey_pages):
    """Pages that show a chart: the survey pages and the home page."""
    return ["", *survey_pages]


def _open(visit, context, path):
    page, log = visit(context, path)
    page.evaluate(SCROLL_THROUGH)
    page.wait_for_load_state("networkidle")
    return page, log


def test_on_a_360px_phone_every_chart_is_the_narrow_drawing_and_none_runs_off_the_screen(new_context, visit,
                                                                                       chart_pages):
    context = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                          device_scale_factor=2)
    problems = []
    for path in chart_pages:
        page, _ = _open(visit, context, path)
        page.evaluate("document.querySelectorAll('details.chart-embed').forEach(d => d.open = true)")  # must fit too
        charts = page.evaluate(VISIBLE_CHARTS)
        problems += [f"/{path}: no chart shown"] if not charts else []
        for chart in charts:
            if chart["left"] < 0 or chart["right"] > 360.5:
                problems.append(f"/{path}: {chart['src']} runs off the screen ({chart['left']:.0f} to "
                                f"{chart['right']:.0f} px)")
            if "chart-narrow" not in chart["cls"] or ".narrow-" not in chart["src"]:
                problems.append(f"/{path}: {chart['src']} is not the narrow drawing")
        wide = page.evaluate("""() => [...document.querySelectorAll('details.chart-embed, details.chart-embed *')]
            .filter(el => el.checkVisibility() && el.getBoundingClientRect().right > 360.5).map(el => el.tagName)""")
        problems += [f"/{path}: the embed snippet runs off the screen ({', '.join(wide[:3])})"] if wide else []
        page.close()
    assert not problems, "\n".join(problems)


def test_at_1280px_every_chart_fills_the_text_column_with_text_at_least_14px(new_context, visit, chart_pages):
    context = new_context(viewport={"width": 1280, "height": 800})
    problems = []
    for path in chart_pages:
        page, _ = _open(visit, context, path)
        charts = page.evaluate(VISIBLE_CHARTS)
        problems += [f"/{path}: no chart shown"] if not charts else []
        for chart in charts:
            if chart["width"] < 0.9 * chart["column"]:
                problems.append(f"/{path}: {chart['src']} is {chart['width']:.0f} px wide in a "
                                f"{chart['column']:.0f} px column")
            shown = page.evaluate(SMALLEST_TEXT, chart["url"]) * chart["width"] / chart["natural"]
            if shown < 14 - 0.05:
                problems.append(f"/{path}: {chart['src']} has text {shown:.1f} px high as shown")
        page.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [360, 1280])
def test_a_reader_downloads_one_image_per_chart(new_context, visit, survey_pages, width):
    """The other width and the other theme are display: none and lazy: they are never fetched."""
    page, _ = _open(visit, new_context(viewport={"width": width, "height": 800}), survey_pages[0])
    shown = {chart["url"].split("#")[0] for chart in page.evaluate(VISIBLE_CHARTS)}
    loaded = set(page.evaluate("""() => performance.getEntriesByType('resource').map(e => e.name.split('#')[0])
        .filter(name => name.includes('/charts/'))"""))
    assert loaded and loaded <= shown, f"fetched images that are not shown: {sorted(loaded - shown)[:3]}"


def test_embed_this_chart_opens_without_javascript_and_holds_the_snippet(new_context, visit, survey_pages):
    page, _ = visit(new_context(java_script_enabled=False), survey_pages[0])
    embed = page.locator("details.chart-embed").first
    code = embed.locator("pre code")
    assert not code.is_visible()
    embed.locator("summary").click()
    assert code.is_visible()
    snippet = code.text_content()
    assert snippet.startswith("<figure") and '<img src="' in snippet and ".png" in snippet and 'alt="' in snippet
    assert 'href="http' in snippet and "/#" in snippet  # an absolute link back to the chart's question
