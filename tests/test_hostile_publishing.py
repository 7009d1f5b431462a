"""Attacks on what the build publishes: formulas in CSVs, templates in copy, arguments to git, absurd weights,
and a preview whose data never built (issue 11)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from build_scripts.publish.spreadsheet_safety import neutralised
from conftest import invoke

FORMULAS = {"=": '=HYPERLINK("http://evil.example","x")', "+": "+cmd|' /C calc'!A0", "@": "@SUM(1+1)*cmd",
            "-": "-2+3+cmd|' /C calc'!A0"}


def _csv_cells(path: Path) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) for cell in row]


def test_neutralised_prefixes_formula_text_and_leaves_numbers_alone():
    for start, text in FORMULAS.items():
        assert neutralised(text) == "'" + text, start
    assert neutralised("\tTAB") == "'\tTAB" and neutralised("\rCR") == "'\rCR"
    assert neutralised("-0.0512") == "-0.0512" and neutralised("+4") == "+4"
    assert neutralised("Yes") == "Yes" and neutralised(-3.5) == -3.5


def test_published_csvs_cannot_run_formulas_from_codebook_text(mini_site: Path):
    project = mini_site
    codebook = project / "surveys/mini-2020/survey.yml"
    book = yaml.safe_load(codebook.read_text(encoding="utf-8"))
    support = book["questions"][0]
    support["text"] = FORMULAS["="]
    support["options"][1].update(label=FORMULAS["+"], value="No")
    book["questions"][2]["options"][0].update(label=FORMULAS["@"], value="Online")
    book["segments"][0]["options"][0].update(label=FORMULAS["-"], value="North")
    codebook.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    result = invoke("build", "--project", str(project))
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
                                      "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                                      "{{ config.theme.get_env().from_string(\"{{ cycler.__init__.__globals__.os"
                                      ".popen('touch MARKER').read() }}\").render() }}",
                                      "{{ page.file.abs_src_path }}{{ extra.__class__ }}"])
def test_copy_cannot_reach_python_internals(mini_site: Path, tmp_path: Path, template: str):
    project = mini_site
    marker = tmp_path / "pwned"
    page = project / "docs/index.md"
    template = template.replace("MARKER", str(marker))
    page.write_text(page.read_text(encoding="utf-8") + f"\n\n{template}\n", encoding="utf-8")
    result = invoke("build", "--project", str(project))
    assert result.exit_code != 0
    assert "site" not in {p.name for p in project.iterdir()}
    assert not marker.exists()


def test_diff_never_passes_its_argument_to_git_as_an_option(built_mini_site: Path, tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(built_mini_site, project, symlinks=True)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x"],
                   cwd=project, check=True)
    written = tmp_path / "written.tar"
    for base in (f"--output={written}", f"-o{written}", "--remote=ext::sh -c touch% /tmp/x"):
        result = invoke("diff", "--project", str(project), "--", base)
        assert result.exit_code == 1, result.output
        assert "neither a stats.csv file nor a git revision" in result.output
        assert not written.exists()
    result = invoke("diff", "--project", str(project), "HEAD")
    assert result.exit_code == 0, result.output


def test_diff_refuses_a_file_that_is_not_a_statistics_table(built_mini_site: Path, tmp_path: Path):
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    result = invoke("diff", "--project", str(built_mini_site), str(other))
    assert result.exit_code == 1 and "is not a statistics table" in result.output


def test_two_waves_with_no_question_in_common_are_a_problem_not_a_traceback(mini_site: Path):
    project = mini_site
    first = project / "surveys/mini-2020"
    second = project / "surveys/mini-2021"
    shutil.copytree(first, second)
    book = yaml.safe_load((second / "survey.yml").read_text(encoding="utf-8"))
    book["id"], book["title"] = "mini-2021", "Mini survey, 2021"
    for question in book["questions"]:
        question["key"] += "_new"
    (second / "survey.yml").write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "share no question key" in result.output and "series: mini-2021" in result.output
    book["series"] = "mini-2021"  # the fix the problem gives: a series of its own
    (second / "survey.yml").write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("weight", ["1e308", "1e-320"])
def test_an_absurd_weight_is_a_problem_not_a_traceback(mini_site: Path, weight: str):
    project = mini_site
    responses = project / "surveys/mini-2020/responses.csv"
    responses.write_text(responses.read_text().replace("R001,North,Yes,,Online,0.75", f"R001,North,Yes,,Online,{weight}"))
    result = invoke("build", "--project", str(project))
    assert result.exit_code == 1 and "outside the range a survey weight can take" in result.output
    assert "row 2" in result.output


def test_serve_keeps_running_on_a_project_whose_data_never_built(mini_site: Path):
    from test_serve import _Server, _wait_for

    responses = mini_site / "surveys/mini-2020/responses.csv"
    responses.write_text(responses.read_text().replace("R002,North,Yes,", "R002,North,Perhaps,", 1))
    server = _Server(mini_site)
    try:
        page = _wait_for(server.url, "This preview has problems")
        assert "Perhaps" in page and "figure unavailable" in page
        assert server.process.poll() is None
    finally:
        output = server.stop()
    assert "Traceback" not in output


def test_a_build_folder_committed_as_a_link_never_sends_the_build_elsewhere(mini_site: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "docs").mkdir(parents=True)
    (elsewhere / "docs/keep.md").write_text("not the build's\n")
    (mini_site / ".build").symlink_to(elsewhere, target_is_directory=True)
    result = invoke("build", "--project", str(mini_site))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in elsewhere.rglob("*")) == ["docs", "keep.md"]
    assert not (mini_site / ".build").is_symlink() and (mini_site / ".build/docs/index.md").is_file()
    (mini_site / ".build/docs/data").rename(tmp_path / "moved")
    (mini_site / ".build/docs/data").symlink_to(elsewhere / "docs", target_is_directory=True)
    (mini_site / "docs/index.md").write_text("# Changed\n")
    assert invoke("build", "--project", str(mini_site)).exit_code == 0
    assert sorted(p.name for p in elsewhere.rglob("*")) == ["docs", "keep.md"]
