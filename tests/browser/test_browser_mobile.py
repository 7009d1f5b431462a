"""At 360 px wide, as on a small phone, no page scrolls sideways."""

import pytest

pytestmark = pytest.mark.browser

WIDTH = 360
OVERFLOW = """width => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
    wide: [...document.body.querySelectorAll('*')].filter(el => el.getBoundingClientRect().right > width + 0.5
            && el.checkVisibility())
        .slice(-5).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
            + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
            + ' right=' + Math.round(el.getBoundingClientRect().right))})"""


def test_no_page_scrolls_sideways_at_360px(new_context, visit_all, site_pages):
    """document.documentElement.scrollWidth stays within the 360 px viewport on every page."""
    context = new_context(viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True,
                          device_scale_factor=2)
    problems = []
    for path, page, _ in visit_all(context, site_pages):
        state = page.evaluate(OVERFLOW, WIDTH)
        if state["scroll"] > min(state["inner"], WIDTH):
            problems.append(f"{path or '/'}: scrollWidth {state['scroll']} > {WIDTH} px; widest elements: "
                            + ", ".join(state["wide"]))
        page.close()
    assert not problems, "pages scroll sideways at 360 px:\n" + "\n".join(problems)
