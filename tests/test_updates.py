"""Campaign updates: `campaign-site new-update` drafts a dated post; the newest published one is found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from build_scripts.editorial.updates import latest_post, read_post, slug
from tests.conftest import run_cli, run_here


def _post(docs: Path, name: str, front: str, body: str = "# Title\n\nOpening.\n\n<!-- more -->\n\nRest.\n") -> Path:
    path = docs / "updates/posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    return path


def test_new_update_writes_a_dated_draft_with_front_matter(mini_site: Path):
    result = run_here("new-update", "Ministers respond: what next?", "--date", "2021-02-03", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    path = mini_site / "docs/updates/posts/2021-02-03-ministers-respond-what-next.md"
    text = path.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert front == {"date": dt.date(2021, 2, 3), "draft": True}  # no description: the opening paragraph is used
    assert "# Ministers respond: what next?" in text and "<!-- more -->" in text
    assert "draft: true" in result.stderr  # the next step is said


def test_new_update_writes_a_description_only_when_given_one(mini_site: Path):
    result = run_here("new-update", "Ministers respond", "--date", "2021-02-03", "--description",
                     "What the minister said, and what we ask next.", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    text = (mini_site / "docs/updates/posts/2021-02-03-ministers-respond.md").read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---")[1])["description"] == "What the minister said, and what we ask next."


def test_new_update_refuses_to_overwrite_and_needs_a_title(mini_site: Path):
    assert run_cli("new-update", "Same", "--date", "2021-02-03", cwd=mini_site).returncode == 0
    again = run_cli("new-update", "Same", "--date", "2021-02-03", cwd=mini_site)
    assert again.returncode != 0 and "already exists" in again.stderr and "Traceback" not in again.stderr
    blank = run_cli("new-update", "  ", cwd=mini_site)
    assert blank.returncode != 0 and "title" in blank.stderr and "Traceback" not in blank.stderr


def test_new_update_defaults_to_today(mini_site: Path):
    assert run_here("new-update", "Today", cwd=mini_site).returncode == 0
    assert (mini_site / f"docs/updates/posts/{dt.date.today().isoformat()}-today.md").exists()


def test_the_latest_post_is_the_newest_published_one(tmp_path: Path):
    _post(tmp_path, "a.md", "date: 2020-01-01\n")
    _post(tmp_path, "b.md", "date:\n  created: 2021-05-06\n", "# Newer\n\nThe newer one.\n\n<!-- more -->\n\nMore.\n")
    _post(tmp_path, "c.md", "date: 2022-01-01\ndraft: true\n")
    post = latest_post(tmp_path)
    assert (post.title, post.date, post.excerpt, post.page) == ("Newer", dt.date(2021, 5, 6), "The newer one.",
                                                                  "updates/posts/b.md")


def test_a_post_without_a_date_is_not_listed_and_no_posts_is_none(tmp_path: Path):
    assert latest_post(tmp_path) is None
    assert read_post(_post(tmp_path, "x.md", "title: No date\n"), tmp_path) is None


def test_slugs_are_plain_ascii():
    assert slug("Ministers respond: what next for early help?") == "ministers-respond-what-next-for-early-help"
    assert slug("Café & crèche — 2016") == "cafe-creche-2016"
    assert slug("!!!") == "update"


def test_a_draft_is_checked_but_not_listed_as_quoting_anything(mini_site: Path):
    from build_scripts.pipeline.compute import Project, compute

    _post(mini_site / "docs", "2021-01-01-draft.md", "date: 2021-01-01\ndraft: true\n",
          '# Draft\n\nSupport is {{ stat("mini-2020.support.yes") }}.\n')
    results = compute(Project(mini_site))
    assert all(use["page"] != "updates/posts/2021-01-01-draft.md"
               for uses in results.uses().values() for use in uses)
    _post(mini_site / "docs", "2021-01-01-draft.md", "date: 2021-01-01\ndraft: true\n",
          '# Draft\n\nSupport is {{ stat("mini-2020.no.such.key") }}.\n')
    assert run_here("check", cwd=mini_site).returncode != 0  # still checked
