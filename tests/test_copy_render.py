"""The one copy renderer: `check` and `build` refuse the same pages with the same messages, found in the
template's syntax tree (keyword arguments, apostrophes, keys from variables), and nothing escapes the sandbox."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, invoke

from build_scripts.editorial.copy_functions import CopyData
from build_scripts.editorial.copy_render import CopySandbox, render_copy

BROKEN = FIXTURES / "broken-pages"
# Each broken page and the words its problem must carry, with the line the problem must name.
EXPECTED = {
    "keyword-argument.md": ("line 3", "no figure"),
    "apostrophe-in-claim.md": ("line 3", "it's nearly everyone"),
    "misspelt-function.md": ("line 3", "not one of the site's functions"),
    "broken-syntax.md": ("line 3", "template is broken"),
    "false-claim.md": ("line 3", "is not true of"),
    "reads-a-file.md": ("line 3", "reads another file"),
    "sandbox-escape.md": ("line 3", "copy may not"),
    "unknown-source.md": ("line 3", "no source"),
    "unknown-chart.md": ("line 3", "names no chart"),
    "unknown-form.md": ("line 3", "unknown form"),
    "key-from-a-variable.md": ("line 8", "no figure"),
    "typed-figure.md": ("line 3", "typed by hand"),
    "missing-image.md": ("line 3", "links to an image that does not exist (found: 'team.jpg')"),
    "link-to-a-missing-page.md": ("line 3", "links to a page that does not exist (found: 'gone.md')"),
}
PROBLEM_LINE = re.compile(r"^\d+\. (docs/[^,:]+\.md(?:, [^:]+)?: .*)$", re.MULTILINE)


@pytest.fixture
def broken_site(mini_site: Path) -> Path:
    for page in BROKEN.glob("*.md"):
        shutil.copy2(page, mini_site / "docs" / page.name)
    return mini_site


def test_check_and_build_refuse_every_broken_page_with_the_same_messages(broken_site: Path):
    checked = invoke("check", "--strict", "--project", str(broken_site))
    built = invoke("build", "--strict", "--project", str(broken_site))
    assert checked.exit_code == 1 and built.exit_code == 1
    assert "Traceback" not in checked.output + built.output
    check_problems = PROBLEM_LINE.findall(checked.output)
    assert check_problems == PROBLEM_LINE.findall(built.output)
    for page, (line, words) in EXPECTED.items():
        mine = [p for p in check_problems if p.startswith(f"docs/{page}")]
        assert any(f"docs/{page}, {line}:" in p and words in p for p in mine), (page, mine)
    assert not (broken_site / "site").exists()


def test_figures_are_found_in_the_syntax_tree_whatever_the_call_looks_like(built_mini_site: Path, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").write_text(
        "# Page\n\n{{ stat(key='mini-2020.support.yes') }}, {{ stat( \"mini-2020.channels.press\" ,form = 'words') }}\n"
        "{% for k in ['mini-2020.channels.online'] %}{{ stat(k) }}{% endfor %}\n", encoding="utf-8")
    from build_scripts.pipeline.compute import Project, compute

    data = compute(Project(built_mini_site)).copy_data
    copy = render_copy(docs, tmp_path, data)
    assert copy.problems == [] and copy.figure_problems == []
    quoted = [(ref.key, ref.line) for ref in copy.references]
    assert quoted == [("mini-2020.support.yes", 3), ("mini-2020.channels.press", 3), ("mini-2020.channels.online", 4)]
    body = copy.pages["page.md"].body
    assert "{{" not in body and "{%" not in body and body.count("{ .figure }") == 3


@pytest.mark.parametrize("template, words", [
    ("{% for i in range(9999) %}{% for j in range(99) %}{{ 'x' * 9999 }}{% endfor %}{% endfor %}", "writes more than"),
    ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "loops run more than"),
    ('{{ "x" * 10000000000 }}', "would pass"),
    ("{{ [1, 2] * 99999999999 }}", "would pass"),
    ("{{ 10 ** 10 ** 10 }}", "power that large"),
    ('{% for c in "x" * 999999 %}{% for d in "x" * 999999 %}{% endfor %}{% endfor %}', "ran for more than"),
    ('{% set s = "x" * 4999999 %}' + '{% set s = s ~ s %}' * 9 + "{{ s | length }}", "more memory than"),  # no deadline
    ('{{ "%0900000000d" | format(1) }}', "No filter named 'format'"),
    ('{{ "%0900000000d" % 1 }}', "formatting with %"),
    ('{{ "x" | indent(width=1500000000) }}', "No filter named 'indent'"),
    ('{{ "x".ljust(1000000000) }}', "unsafe"),
    ("{% set a = (10 ** 9) ** 64 %}" + "{% set a = a * a %}" * 20, "number that large"),
])
def test_a_page_that_would_exhaust_memory_or_time_is_stopped_with_a_problem(tmp_path: Path, monkeypatch,
                                                                           template: str, words: str):
    from build_scripts.editorial import copy_sandbox

    # A short deadline for the loops; none to speak of for the memory case, which a loaded machine copies slowly.
    monkeypatch.setattr(copy_sandbox, "MAX_SECONDS", 600 if words == "more memory than" else 1)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "attack.md").write_text(f"# Attack\n\n{template}\n")
    copy = render_copy(docs, tmp_path, CopyData())
    assert len(copy.problems) == 1 and words in copy.problems[0].message, copy.problems


def test_ordinary_arithmetic_and_loops_still_work(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "fine.md").write_text('{% for i in range(3) %}{{ i * 2 }}{% endfor %} {{ "ab" * 3 }} {{ 2 ** 10 }}\n')
    copy = render_copy(docs, tmp_path, CopyData())
    assert copy.problems == [] and copy.pages["fine.md"].body == "024 ababab 1024\n"


def test_render_macros_false_publishes_the_page_as_written(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "raw.md").write_text("---\nrender_macros: false\n---\n\nWrite {{ stat(\"key\") }} in a page.\n")
    copy = render_copy(docs, tmp_path, CopyData())
    assert copy.problems == [] and '{{ stat("key") }}' in copy.pages["raw.md"].markdown()


def test_the_copy_sandbox_reads_no_attribute_of_a_live_object():
    from jinja2 import StrictUndefined
    from jinja2.exceptions import SecurityError, UndefinedError

    class Live:
        name = "theme"

        def get_env(self):
            raise AssertionError("reached")

    sandbox = CopySandbox(undefined=StrictUndefined)
    for template in ("{{ live.get_env() }}", "{{ live.name }}", "{{ items.append(1) }}"):
        with pytest.raises((SecurityError, UndefinedError)):
            sandbox.from_string(template).render(live=Live(), items=[])
    assert sandbox.from_string("{{ text.upper() }} {{ data.key }}").render(text="a", data={"key": 1}) == "A 1"


def test_front_matter_is_read_as_mkdocs_reads_it(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bom.md").write_bytes("\ufeff---\ntitle: Bom page\ndescription: hello\n---\n# Heading\n".encode())
    (docs / "rule.md").write_text("---\nIntro heading\n---\n\n# Page\n")
    (docs / "flow.md").write_text("---\n{title: Flow, description: hi}\n---\n\n# Flow\n")
    (docs / "own.md").write_text("---\ntitle: Own\nshare_image: stylesheets/card.png\n---\n\n# Own\n")
    copy = render_copy(docs, tmp_path, CopyData())
    card = {"share_image": "data/share/x.png", "share_alt": "41% of ..."}
    assert copy.pages["bom.md"].meta["title"] == "Bom page"
    assert copy.pages["bom.md"].markdown(card).startswith("---\ntitle: Bom page\ndescription: hello\nshare_image:")
    assert "Intro heading" in copy.pages["rule.md"].body  # not a mapping: the page's own text, as MkDocs shows it
    assert [p.file for p in copy.problems] == ["docs/flow.md"] and "one field a line" in copy.problems[0].fix
    own = copy.pages["own.md"].markdown(card)
    assert "share_alt" not in own and own.count("share_image") == 1


def test_the_home_page_shows_the_newest_posts_opening_as_the_post_renders_it(built_mini_site: Path, tmp_path: Path):
    import datetime as dt

    from build_scripts.editorial.updates import Post
    from build_scripts.pipeline.compute import Project, compute

    docs = tmp_path / "docs"
    (docs / "updates/posts").mkdir(parents=True)
    (docs / "updates/posts/2020-04-01-news.md").write_text(
        "---\ndate: 2020-04-01\ncampaign: Act early\n---\n\n# News\n\nThe {{ campaign }} campaign: "
        '{{ stat("mini-2020.support.yes") }}.\n\n<!-- more -->\n\nMore.\n')
    (docs / "index.md").write_text("# Home\n\n{{ latest_update() }}\n")
    data = compute(Project(built_mini_site)).copy_data
    post = Post("updates/posts/2020-04-01-news.md", dt.date(2020, 4, 1), "News", "raw, not yet rendered")
    copy = render_copy(docs, tmp_path, dataclasses.replace(data, latest_post=post))
    assert copy.problems == [] and copy.figure_problems == []
    home = copy.pages["index.md"].body
    assert "The Act early campaign: [55%" in home and "{{" not in home
    assert "](data/mini-2020.md#support)" in home  # the figure's link, made relative to the home page


def test_a_nav_entry_naming_a_missing_page_fails_check(mini_site: Path):
    config = mini_site / "mkdocs.yml"
    config.write_text(config.read_text().replace("Sources: sources.md", "Sources: sourcez.md"))
    result = invoke("check", "--project", str(mini_site))
    assert result.exit_code == 1 and "mkdocs.yml, nav: names a page that does not exist (found: 'sourcez.md')" in result.output


def test_a_link_to_a_draft_is_refused_and_a_front_matter_comment_is_not_the_title(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "draft.md").write_text("---\ndraft: true\n---\n\n# Coming soon\n")
    (docs / "page.md").write_text("---\n# a note for editors\ndescription: d\n---\n\n# The page\n\n[Soon](draft.md)\n")
    copy = render_copy(docs, tmp_path, CopyData())
    [problem] = copy.problems
    assert problem.file == "docs/page.md" and problem.where == "line 8" and "a draft" in problem.message
    assert render_copy(docs, tmp_path, CopyData()).pages["page.md"].body.startswith("# The page")
    from build_scripts.editorial.copy_check import page_title

    assert page_title(copy.pages["page.md"].body, {}, docs / "page.md") == "The page"
