"""Pages, posts and project files that would crash the site engine or lead it out of the project are problems
`check` finds, with the file and field (issue 11)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import invoke, shipped_copy


def test_check_names_an_update_with_an_impossible_date(tmp_path: Path):
    project = shipped_copy(tmp_path)
    post = project / "docs/updates/posts/2015-11-31-broken.md"
    post.write_text("---\ndate: 2015-11-31\n---\n\n# A broken update\n\nText.\n", encoding="utf-8")
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert "2015-11-31-broken.md" in result.output and "date" in result.output


def test_links_in_a_survey_folder_are_never_followed_to_hash_it(tmp_path: Path):
    from build_scripts.cache import folder_digest

    folder = tmp_path / "survey"
    folder.mkdir()
    (folder / "survey.yml").write_text("id: s\n")
    (folder / "zero").symlink_to("/dev/zero")  # reading it would never end
    (folder / "root").symlink_to("/", target_is_directory=True)  # walking it would read the whole disk
    first = folder_digest(folder)
    (folder / "zero").unlink()
    (folder / "zero").symlink_to("/dev/null")
    assert folder_digest(folder) != first  # a link is hashed by where it points


def test_links_and_special_files_in_docs_are_never_published(mini_site: Path, tmp_path: Path):
    project = mini_site
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=abc123\n")
    (project / "docs/env.txt").symlink_to("/proc/self/environ")
    (project / "docs/secret.txt").symlink_to(secret)
    (project / "docs/outside").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(project / "docs/pipe")
    (project / "docs/inside.md").symlink_to(project / "docs/index.md")  # a link within the project is fine
    result = invoke("build", "--project", str(project))
    assert result.exit_code == 1
    for name in ("docs/env.txt", "docs/secret.txt", "docs/outside", "docs/pipe"):
        assert f"{name}:" in result.output, name
    assert "docs/inside.md" not in result.output and "TOKEN" not in result.output
    assert not (project / "site").exists()


@pytest.mark.parametrize("setting", ["docs_dir: /etc", "site_dir: ../../elsewhere", "theme:\n  name: material\n"
                                     "  custom_dir: /usr/share"])
def test_mkdocs_yml_cannot_point_the_build_outside_the_project(mini_site: Path, setting: str):
    project = mini_site
    config = project / "mkdocs.yml"
    lines = [line for line in config.read_text().splitlines() if not line.startswith(setting.split(":")[0])]
    if setting.startswith("theme"):  # replace the whole theme block
        lines = [line for line in lines if not line.startswith(("  name:", "  font:"))]
    config.write_text("\n".join(lines) + "\n" + setting + "\n")
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1 and "names a folder outside the project" in result.output


@pytest.mark.parametrize("front, field", [("title: [a, b]", "title"), ("title: 123", "title"), ("hide: 5", "hide"),
                                          ("links: 5", "links"), ("template: 5", "template"),
                                          ("draft: true\ndate: 2015-02-30", "date"), ('slug: "../../x"', "slug"),
                                          ("slug: a/b", "slug"), ('slug: ""', "slug")])
def test_front_matter_of_the_wrong_type_is_a_problem_check_finds(tmp_path: Path, front: str, field: str):
    project = shipped_copy(tmp_path)
    post = project / "docs/updates/posts/2016-01-01-typed.md"
    post.write_text(f"---\ndate: 2016-01-01\n{front}\n---\n\n# Typed\n\nText.\n", encoding="utf-8")
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert "2016-01-01-typed.md" in result.output and f"field {field}" in result.output


def test_a_list_nested_on_one_line_is_found_by_check(mini_site: Path):
    project = mini_site
    (project / "docs/deep.md").write_text("# Deep\n\n" + "- " * 600 + "x\n", encoding="utf-8")
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1 and "docs/deep.md, line 3" in result.output and "nested" in result.output


def test_copy_cannot_include_other_files(mini_site: Path):
    project = mini_site
    page = project / "docs/index.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n{% include "../../../../etc/passwd" %}\n', encoding="utf-8")
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1 and "reads another file" in result.output


def test_a_link_to_the_raw_responses_or_from_the_theme_folder_is_refused(mini_site: Path):
    (mini_site / "docs/raw.csv").symlink_to("../surveys/mini-2020/responses.csv")
    theme = mini_site / "theme2"
    theme.mkdir()
    (theme / "leak.txt").symlink_to("/etc/hostname")
    config = mini_site / "mkdocs.yml"
    config.write_text(config.read_text().replace("theme:\n  name: material\n", "theme:\n  name: material\n"
                                                 "  custom_dir: theme2\n", 1))
    result = invoke("check", "--project", str(mini_site))
    assert result.exit_code == 1
    assert "docs/raw.csv:" in result.output and "theme2/leak.txt:" in result.output


def test_a_folder_name_no_file_system_accepts_is_a_problem(mini_site: Path):
    config = mini_site / "mkdocs.yml"
    config.write_text(config.read_text() + 'docs_dir: "do\\0cs"\n')
    result = invoke("check", "--project", str(mini_site))
    assert result.exit_code == 1 and "field docs_dir" in result.output


def test_a_yaml_bomb_in_front_matter_is_a_problem_not_a_memory_error(mini_site: Path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    page = mini_site / "docs/bomb.md"
    page.write_text("---\n" + "\n".join(levels) + "\ntitle: *a8\ndate: *a8\n---\n\n# Bomb\n", encoding="utf-8")
    result = invoke("check", "--project", str(mini_site))
    assert result.exit_code == 1 and "docs/bomb.md, front matter" in result.output and "would expand" in result.output
