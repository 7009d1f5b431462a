"""Attacks on what the build publishes and how: formulas in CSVs, templates in copy, arguments to git,
full disks, and two builds or a killed build racing for site/ (issue 11)."""

from __future__ import annotations

import csv
import errno
import io
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from build_scripts import atomic_publish
from build_scripts.atomic_publish import BuildBusy, exclusive, recover, swap_in
from build_scripts.cli import main
from build_scripts.spreadsheet_safety import neutralised
from conftest import FIXTURES

FORMULAS = {"=": '=HYPERLINK("http://evil.example","x")', "+": "+cmd|' /C calc'!A0", "@": "@SUM(1+1)*cmd",
            "-": "-2+3+cmd|' /C calc'!A0"}


def _build(project: Path, *args: str):
    return CliRunner().invoke(main, ["build", "--project", str(project), *args], catch_exceptions=False)


def _mini(tmp_path: Path) -> Path:
    project = tmp_path / "mini-site"
    shutil.copytree(FIXTURES / "mini-site", project)
    return project


def _csv_cells(path: Path) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) for cell in row]


def test_neutralised_prefixes_formula_text_and_leaves_numbers_alone():
    for start, text in FORMULAS.items():
        assert neutralised(text) == "'" + text, start
    assert neutralised("\tTAB") == "'\tTAB" and neutralised("\rCR") == "'\rCR"
    assert neutralised("-0.0512") == "-0.0512" and neutralised("+4") == "+4"
    assert neutralised("Yes") == "Yes" and neutralised(-3.5) == -3.5


def test_published_csvs_cannot_run_formulas_from_codebook_text(tmp_path: Path):
    project = _mini(tmp_path)
    codebook = project / "surveys/mini-2020/survey.yml"
    book = yaml.safe_load(codebook.read_text(encoding="utf-8"))
    support = book["questions"][0]
    support["text"] = FORMULAS["="]
    support["options"][1].update(label=FORMULAS["+"], value="No")
    book["questions"][2]["options"][0].update(label=FORMULAS["@"], value="Online")
    book["segments"][0]["options"][0].update(label=FORMULAS["-"], value="North")
    codebook.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    result = _build(project)
    assert result.exit_code == 0, result.output
    data = project / "site/data"
    published = [data / "stats.csv", data / "mini-2020.csv", *sorted((data / "charts").glob("*.csv"))]
    cells = [cell for path in published for cell in _csv_cells(path)]
    for text in FORMULAS.values():
        assert text not in cells, f"{text!r} is published as a formula"
    assert "'" + FORMULAS["="] in _csv_cells(data / "mini-2020.csv")
    assert "'" + FORMULAS["+"] in _csv_cells(data / "stats.csv")
    assert any(cell == "'" + FORMULAS["@"] for path in (data / "charts").glob("*.csv") for cell in _csv_cells(path))
    assert not [c for c in cells if c[:1] in {"=", "+", "@", "\t", "\r"}]
    negatives = [c for c in cells if c.startswith("-")]
    assert all(float(c) < 0 for c in negatives)  # numbers stay numbers


@pytest.mark.parametrize("template", ["{{ stat.__globals__ }}",
                                      "{{ stat.__globals__['__builtins__']['__import__']('os').system('touch MARKER') }}",
                                      "{{ ''.__class__.__mro__[1].__subclasses__() }}"])
def test_copy_cannot_reach_python_internals(tmp_path: Path, template: str):
    project = _mini(tmp_path)
    marker = tmp_path / "pwned"
    page = project / "docs/index.md"
    template = template.replace("MARKER", str(marker))
    page.write_text(page.read_text(encoding="utf-8") + f"\n\n{template}\n", encoding="utf-8")
    result = _build(project)
    assert result.exit_code != 0
    assert "site" not in {p.name for p in project.iterdir()}
    assert not marker.exists()


def test_an_exchange_swap_never_leaves_site_missing(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("0")
    stop, missing = threading.Event(), []

    def read() -> None:
        while not stop.is_set():
            try:
                (site / "index.html").read_text()
            except FileNotFoundError:
                missing.append(1)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(1, 150):
            staging = tmp_path / f".site-build-{n}"
            staging.mkdir()
            (staging / "index.html").write_text(str(n))
            swap_in(staging, site)
    finally:
        stop.set()
        reader.join()
    assert not missing, f"site/index.html was missing {len(missing)} times while sites were swapped"
    assert (site / "index.html").read_text() == "149"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_build_killed_between_renames_is_repaired_at_the_next_start(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(atomic_publish, "_exchange", lambda a, b: False)  # the two-rename fallback
    site, staging = tmp_path / "site", tmp_path / ".site-build-x"
    for folder, text in ((site, "old"), (staging, "new")):
        folder.mkdir()
        (folder / "index.html").write_text(text)
    real_rename = Path.rename

    def killed(self, target):
        if self == staging:
            raise KeyboardInterrupt  # the process dies after retiring site/, before the new one is in place
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", killed)
    with pytest.raises(KeyboardInterrupt):
        swap_in(staging, site)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert not site.exists()
    (tmp_path / ".site-build-stale").mkdir()
    recover(tmp_path, site)
    assert (site / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_second_build_waits_for_the_first_and_gives_up_with_a_message(tmp_path: Path):
    said: list[str] = []
    with exclusive(tmp_path):
        with pytest.raises(BuildBusy) as raised:
            with exclusive(tmp_path, said.append, wait=0.3):
                pass
    assert said and "Waiting for another campaign-site build" in said[0]
    assert "fix:" in raised.value.describe()
    released = threading.Event()
    with exclusive(tmp_path):
        def second() -> None:
            with exclusive(tmp_path, wait=30):
                released.set()
        thread = threading.Thread(target=second)
        thread.start()
        assert not released.wait(0.3), "the second build ran while the first held the lock"
    thread.join(30)
    assert released.is_set(), "the second build never ran after the first finished"


def test_the_build_command_cleans_up_what_a_killed_build_left(built_mini_site: Path, tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(built_mini_site, project, symlinks=True)
    shutil.rmtree(project / "site")
    shutil.copytree(built_mini_site / "site", project / ".site-old-999")  # killed mid-swap
    (project / ".site-build-abc").mkdir()  # a staging folder from a crash
    result = _build(project)
    assert result.exit_code == 0, result.output
    assert (project / "site/index.html").exists()
    assert not list(project.glob(".site-*"))


@pytest.mark.parametrize("code, fix", [(errno.ENOSPC, "free some disk space"), (errno.EROFS, "read-only"),
                                       (errno.EACCES, "writable")])
def test_a_full_or_read_only_disk_is_a_message_and_site_is_unchanged(built_mini_site: Path, tmp_path: Path,
                                                                      monkeypatch, code: int, fix: str):
    project = tmp_path / "project"
    shutil.copytree(built_mini_site, project, symlinks=True)
    (project / "surveys/mini-2020/responses.csv").write_text(
        (project / "surveys/mini-2020/responses.csv").read_text().replace("R001,North,Yes,", "R001,North,No,", 1))
    before = {p.relative_to(project): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}

    def full(self):
        raise OSError(code, "simulated", str(project / "docs/data/stats.csv"))

    monkeypatch.setattr("build_scripts.writer.GeneratedFolder.flush", full)
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert "docs/data/stats.csv" in result.output and fix in result.output
    after = {p.relative_to(project): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert after == before


def test_diff_never_passes_its_argument_to_git_as_an_option(built_mini_site: Path, tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(built_mini_site, project, symlinks=True)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x"],
                   cwd=project, check=True)
    written = tmp_path / "written.tar"
    for base in (f"--output={written}", f"-o{written}", "--remote=ext::sh -c touch% /tmp/x"):
        result = CliRunner().invoke(main, ["diff", "--project", str(project), "--", base])
        assert result.exit_code == 1, result.output
        assert "neither a stats.csv file nor a git revision" in result.output
        assert not written.exists()
    result = CliRunner().invoke(main, ["diff", "--project", str(project), "HEAD"])
    assert result.exit_code == 0, result.output


def test_diff_refuses_a_file_that_is_not_a_statistics_table(built_mini_site: Path, tmp_path: Path):
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", "--project", str(built_mini_site), str(other)])
    assert result.exit_code == 1 and "is not a statistics table" in result.output


def test_two_waves_with_no_question_in_common_build_without_change_rows(tmp_path: Path):
    project = _mini(tmp_path)
    first = project / "surveys/mini-2020"
    second = project / "surveys/mini-2021"
    shutil.copytree(first, second)
    book = yaml.safe_load((second / "survey.yml").read_text(encoding="utf-8"))
    book["id"], book["title"] = "mini-2021", "Mini survey, 2021"
    for question in book["questions"]:
        question["key"] += "_new"
    (second / "survey.yml").write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 0, result.output


def _shipped(tmp_path: Path) -> Path:
    from conftest import REPO

    project = tmp_path / "campaign"
    project.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "docs", project / "docs", ignore=shutil.ignore_patterns("data"))
    for folder in ("surveys", "overrides"):
        shutil.copytree(REPO / folder, project / folder)
    return project


def test_check_names_an_update_with_an_impossible_date(tmp_path: Path):
    project = _shipped(tmp_path)
    post = project / "docs/updates/posts/2015-11-31-broken.md"
    post.write_text("---\ndate: 2015-11-31\n---\n\n# A broken update\n\nText.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
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


def test_links_and_special_files_in_docs_are_never_published(tmp_path: Path):
    import os

    project = _mini(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=abc123\n")
    (project / "docs/env.txt").symlink_to("/proc/self/environ")
    (project / "docs/secret.txt").symlink_to(secret)
    (project / "docs/outside").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(project / "docs/pipe")
    (project / "docs/inside.md").symlink_to(project / "docs/index.md")  # a link within the project is fine
    result = _build(project)
    assert result.exit_code == 1
    for name in ("docs/env.txt", "docs/secret.txt", "docs/outside", "docs/pipe"):
        assert f"{name}:" in result.output, name
    assert "docs/inside.md" not in result.output and "TOKEN" not in result.output
    assert not (project / "site").exists()


@pytest.mark.parametrize("setting", ["docs_dir: /etc", "site_dir: ../../elsewhere", "theme:\n  name: material\n"
                                     "  custom_dir: /usr/share"])
def test_mkdocs_yml_cannot_point_the_build_outside_the_project(tmp_path: Path, setting: str):
    project = _mini(tmp_path)
    config = project / "mkdocs.yml"
    lines = [line for line in config.read_text().splitlines() if not line.startswith(setting.split(":")[0])]
    if setting.startswith("theme"):  # replace the whole theme block
        lines = [line for line in lines if not line.startswith(("  name:", "  font:"))]
    config.write_text("\n".join(lines) + "\n" + setting + "\n")
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 1 and "names a folder outside the project" in result.output


@pytest.mark.parametrize("front, field", [("title: [a, b]", "title"), ("title: 123", "title"), ("hide: 5", "hide"),
                                          ("links: 5", "links"), ("template: 5", "template"),
                                          ("draft: true\ndate: 2015-02-30", "date")])
def test_front_matter_of_the_wrong_type_is_a_problem_check_finds(tmp_path: Path, front: str, field: str):
    project = _shipped(tmp_path)
    post = project / "docs/updates/posts/2016-01-01-typed.md"
    post.write_text(f"---\ndate: 2016-01-01\n{front}\n---\n\n# Typed\n\nText.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 1, result.output
    assert "2016-01-01-typed.md" in result.output and f"field {field}" in result.output


def test_a_list_nested_on_one_line_is_found_by_check(tmp_path: Path):
    project = _mini(tmp_path)
    (project / "docs/deep.md").write_text("# Deep\n\n" + "- " * 600 + "x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 1 and "docs/deep.md, line 3" in result.output and "nested" in result.output


def test_copy_cannot_include_other_files(tmp_path: Path):
    project = _mini(tmp_path)
    page = project / "docs/index.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n{% include "../../../../etc/passwd" %}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 1 and "reads another file" in result.output


@pytest.mark.parametrize("weight", ["1e308", "1e-320"])
def test_an_absurd_weight_is_a_problem_not_a_traceback(tmp_path: Path, weight: str):
    project = _mini(tmp_path)
    responses = project / "surveys/mini-2020/responses.csv"
    responses.write_text(responses.read_text().replace("R001,North,Yes,,Online,0.75", f"R001,North,Yes,,Online,{weight}"))
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 1 and "outside the range a survey weight can take" in result.output
    assert "row 2" in result.output


def test_serve_keeps_running_on_a_project_whose_data_never_built(mini_site: Path):
    from test_serve import _Server, _wait_for

    responses = mini_site / "surveys/mini-2020/responses.csv"
    responses.write_text(responses.read_text().replace("R002,North,Yes,", "R002,North,Perhaps,", 1))
    server = _Server(mini_site)
    try:
        page = _wait_for(server.url, "The survey data has problems")
        assert "Perhaps" in page and "figure unavailable" in page
        assert server.process.poll() is None
    finally:
        output = server.stop()
    assert "Traceback" not in output
