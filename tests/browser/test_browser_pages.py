"""Every page loads in Chromium with no console error and no request to any host but localhost."""

import pytest

pytestmark = pytest.mark.browser


def test_every_page_loads_without_errors_or_foreign_requests(new_context, visit_all, site_pages):
    """No console error, uncaught exception, failed load or off-localhost request on any page."""
    context = new_context()
    problems = []
    for path, page, log in visit_all(context, site_pages):
        problems += [f"{log.path}: {error}" for error in log.errors]
        problems += [f"{log.path}: request to another host: {url}" for url in log.foreign]
        page.close()
    assert len(site_pages) > 1, f"only {site_pages} found in the built site"
    assert not problems, "pages misbehaved in Chromium:\n" + "\n".join(problems)
