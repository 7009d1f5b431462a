"""Material's palette toggle swaps each chart's light variant for its dark one."""

import pytest

pytestmark = pytest.mark.browser


def test_palette_toggle_swaps_chart_variants(new_context, visit, survey_pages, dark_mode):
    """Light mode shows the #only-light image and hides #only-dark; after the toggle, the reverse."""
    page, _ = visit(new_context(), survey_pages[0])
    light = page.locator('img[src*="/charts/"][src$="#only-light"]').first
    dark = page.locator('img[src*="/charts/"][src$="#only-dark"]').first
    assert light.is_visible() and dark.is_hidden(), "light mode should show the light chart only"
    dark_mode(page)
    assert dark.is_visible() and light.is_hidden(), "after the toggle the dark chart should show instead"
    assert dark.evaluate("img => img.complete && img.naturalWidth > 0"), "the dark chart did not load"
