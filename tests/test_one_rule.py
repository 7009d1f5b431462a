"""One rule for copy: `build` and `check` refuse the same things (figures typed by hand included), a page may mark
an exception with its reason and `check` lists it, a page left out of `nav` is reported, an update's opening
paragraph is its description, and only the preview names each figure's key."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import invoke, run_here, shipped_copy

from build_scripts.cli.serve import Preview
from build_scripts.pipeline.compute import compute
from build_scripts.project import Project

TYPED_FIX = "fix: quote it with {{ stat(\"<key>\") }}"


def _add(site: Path, text: str, page: str = "docs/index.md") -> None:
    path = site / page
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def _problems(output: str) -> list[str]:
    """The numbered problems of a refusal, each with its fix line."""
    return re.findall(r"^\d+\. (.*\n    fix: .*)$", output, re.MULTILINE)


def test_a_typed_figure_fails_build_and_check_alike_and_site_stays_as_it_was(mini_site: Path):
    _add(mini_site, "Across the country, 45% of councils cut early help.")
    (mini_site / "site").mkdir()
    (mini_site / "site/index.html").write_text("old")
    checked = invoke("check", "--project", str(mini_site))
    built = invoke("build", "--project", str(mini_site))
    assert checked.exit_code == built.exit_code == 1
    assert _problems(checked.output) == _problems(built.output) != []
    problem = _problems(built.output)[0]
    assert problem.startswith("docs/index.md, line 8: a figure is typed by hand (found: '45%')")
    assert TYPED_FIX in problem and "<!-- typed figure: why -->" in problem
    assert (mini_site / "site/index.html").read_text() == "old"
    assert sorted(p.name for p in (mini_site / "site").iterdir()) == ["index.html"]
    strict = invoke("build", "--strict", "--project", str(mini_site))  # still accepted; no further effect
    assert strict.exit_code == 1 and _problems(strict.output) == _problems(built.output)


def test_a_sentence_that_starts_with_a_figure_fails_the_build_without_strict(mini_site: Path):
    _add(mini_site, '{{ stat("mini-2020.support.yes") }} of people support us.')
    built = invoke("build", "--project", str(mini_site))
    assert built.exit_code == 1 and "docs/index.md, line 8: a sentence starts with a figure" in built.output


def test_a_marked_exception_passes_and_check_lists_it_with_page_line_and_reason(mini_site: Path):
    _add(mini_site, "<!-- typed figure: quoting the minister's own words -->\n\n"
                    "The minister told Parliament that 45% of councils had cut early help.")
    _add(mini_site, '<!-- figure first: the pull quote, as the report printed it -->\n'
                    '{{ stat("mini-2020.support.yes") }} of people support us.')
    page = mini_site / "docs/sources.md"
    page.write_text('---\ntyped_figures: "the sources\' own headlines, quoted"\n---\n' + page.read_text() +
                    "\nOfsted found one in four councils short of staff.\n", encoding="utf-8")
    checked = invoke("check", "--project", str(mini_site))
    assert checked.exit_code == 0, checked.output
    assert ("note: docs/index.md, line 10: typed figure allowed (found: '45%'), because: quoting the minister's "
            "own words") in checked.output
    assert re.search(r"note: docs/index\.md, line 13: figure first allowed \(found: '\{\{ stat\(.*\), because: the "
                     "pull quote, as the report printed it", checked.output)
    assert ("note: docs/sources.md, line 8: typed figure allowed (found: 'one in four'), because: the sources' own "
            "headlines, quoted") in checked.output
    assert "warning:" not in checked.output
    assert invoke("build", "--project", str(mini_site)).exit_code == 0


def test_an_exception_must_give_its_reason(mini_site: Path):
    _add(mini_site, "<!-- typed figure -->\nThe minister said 45% of councils cut early help.")
    page = mini_site / "docs/sources.md"
    page.write_text("---\ntyped_figures: true\n---\n" + page.read_text(), encoding="utf-8")
    checked = invoke("check", "--project", str(mini_site))
    assert checked.exit_code == 1
    assert "docs/index.md, line 8: an exception must say why (found: '<!-- typed figure -->')" in checked.output
    assert "docs/sources.md, front matter, field typed_figures: an exception must say why" in checked.output
    assert "docs/index.md, line 9: a figure is typed by hand (found: '45%')" in checked.output


def test_a_page_left_out_of_nav_is_a_warning_naming_it_and_the_line_to_add(mini_site: Path):
    (mini_site / "docs/about.md").write_text("# About us\n\nWho we are.\n", encoding="utf-8")
    (mini_site / "docs/draft.md").write_text("---\ndraft: true\n---\n# Not yet\n", encoding="utf-8")
    (mini_site / "docs/thanks.md").write_text("# Thank you\n\nFor signing.\n", encoding="utf-8")
    config = mini_site / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - Results: data/mini-2020.md\n", "")
                      + "not_in_nav: |\n  /thanks.md\n", encoding="utf-8")
    checked = invoke("check", "--project", str(mini_site))
    assert checked.exit_code == 0, checked.output
    assert ('warning: mkdocs.yml, nav: no menu leads to docs/about.md ("About us"): it is not in `nav`\n'
            "    fix: add this line to mkdocs.yml under `nav:`: `  - About us: about.md`") in checked.output
    assert ('no menu leads to the survey page data/mini-2020.md ("Mini survey, 2020", made from surveys/mini-2020/)'
            in checked.output), checked.output
    assert "draft.md" not in checked.output and "thanks.md" not in checked.output
    built = invoke("build", "--project", str(mini_site))
    assert built.exit_code == 0 and "no menu leads to docs/about.md" in built.output


def test_no_warning_when_every_page_is_in_nav_or_there_is_no_nav(mini_site: Path):
    assert [w for w in compute(Project(mini_site)).warnings if w.where == "nav"] == []
    config = mini_site / "mkdocs.yml"
    config.write_text(config.read_text().split("nav:")[0], encoding="utf-8")
    (mini_site / "docs/about.md").write_text("# About us\n\nWho we are.\n", encoding="utf-8")
    assert [w for w in compute(Project(mini_site)).warnings if w.where == "nav"] == []


OPENING = "Ministers answered our survey today, and promised to look again at early help for families."


def test_a_new_update_has_no_description_so_feed_and_link_previews_show_its_opening(tmp_path: Path):
    project = shipped_copy(tmp_path)
    made = run_here("new-update", "Ministers respond", "--date", "2016-01-05", cwd=project)
    assert made.returncode == 0, made.stderr
    post = project / "docs/updates/posts/2016-01-05-ministers-respond.md"
    text = post.read_text(encoding="utf-8")
    assert "description" not in text.split("---")[1]
    text = text.replace("draft: true\n", "").replace(
        "The opening paragraph: it appears on the home page, in the updates list, in the feed and in link "
        "previews.", OPENING)
    post.write_text(text, encoding="utf-8")
    built = run_here("build", cwd=project)
    assert built.returncode == 0, built.stderr
    items = ET.parse(project / "site/feed_rss_created.xml").getroot().iter("item")
    item = next(i for i in items if i.findtext("title") == "Ministers respond")
    assert item.findtext("description") == OPENING
    html = (project / "site/updates/2016/01/05/ministers-respond/index.html").read_text(encoding="utf-8")
    assert f'<meta name="description" content="{OPENING}">' in html


def test_the_preview_shows_each_figures_key_and_the_build_does_not(mini_site: Path):
    said: list[str] = []
    Preview(Project(mini_site), said.append).regenerate()
    previewed = (mini_site / ".build/docs/index.md").read_text(encoding="utf-8").replace("\\", "")  # Markdown escapes
    assert "Key (shown in the preview only): mini-2020.support.yes" in previewed
    assert "Key (shown in the preview only): mini-2020.channels.online" in previewed
    built = invoke("build", "--project", str(mini_site))
    assert built.exit_code == 0, built.output
    assert "Key (shown" not in (mini_site / ".build/docs/index.md").read_text(encoding="utf-8")
    site = "".join(p.read_text(encoding="utf-8") for p in (mini_site / "site").rglob("*.html"))
    assert "Key (shown" not in site and "mini-2020.support.yes" not in site


def test_the_preview_shows_a_typed_figure_on_the_page_and_keeps_going(mini_site: Path):
    _add(mini_site, "Across the country, 45% of councils cut early help.")
    said: list[str] = []
    Preview(Project(mini_site), said.append).regenerate()
    previewed = (mini_site / ".build/docs/index.md").read_text(encoding="utf-8").replace("\\", "")
    assert "This preview has problems" in previewed and "a figure is typed by hand" in previewed
    assert "Key (shown in the preview only)" in previewed  # the pages are still written
