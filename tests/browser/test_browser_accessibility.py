"""axe-core, injected from the npm package, finds no serious or critical violation on any page, light or dark."""

import pytest

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def describe(path: str, scheme: str, violation: dict) -> str:
    """One readable line per violation: page, scheme, rule, impact, help text and the elements it names."""
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
    shown = "; ".join(targets[:8]) + (f"; and {len(targets) - 8} more" if len(targets) > 8 else "")
    return (f"{path or '/'} [{scheme}] {violation['id']} ({violation['impact']}): {violation['help']} "
            f"-> {shown} ({violation['helpUrl']})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(new_context, visit_all, site_pages, axe_script, dark_mode, scheme):
    """Run axe.run() on every page after switching to the scheme with the real toggle."""
    context = new_context()
    found = []
    # The first page alone, then the rest together: the scheme the first page's toggle chose is remembered, so
    # the rest open in it, as they would one after another.
    for batch in (site_pages[:1], site_pages[1:]):
        for path, page, _ in visit_all(context, batch):
            if scheme == "dark":
                dark_mode(page)
            page.add_script_tag(path=str(axe_script))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            found += [describe(path, scheme, v) for v in result["violations"] if v["impact"] in SERIOUS]
            page.close()
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
