"""`diff` as the campaign manager's brief: quoted figures and words first, new waves in a line, revisions untested."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, invoke

from build_scripts.pipeline.compute import compute
from build_scripts.project import Project

TRACKED = "tracker-2020.support.agree.since=tracker-2019"  # the home page says it rose


@pytest.fixture(scope="module")
def waves_table(tmp_path_factory) -> str:
    """The stats.csv the waves fixture site's data gives now, computed once for the module (from a copy)."""
    project = tmp_path_factory.mktemp("waves-table") / "waves"
    shutil.copytree(FIXTURES / "waves-site", project)
    return compute(Project(project), copy_must_hold=False).table.to_csv()


@pytest.fixture
def waves(tmp_path: Path, waves_table: str) -> tuple[Path, Path]:
    """A copy of the waves fixture site and the stats.csv its data gives now (the base)."""
    project = tmp_path / "waves"
    shutil.copytree(FIXTURES / "waves-site", project)
    base = tmp_path / "before.csv"
    base.write_text(waves_table, encoding="utf-8")
    return project, base


def _late_responses(project: Path, count: int = 90) -> None:
    """A correction: `count` late respondents of the 2020 wave, all disagreeing, added to its export."""
    path = project / "surveys/tracker-2020/responses.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    late = [row | {"Respondent": f"LATE-{i:03d}", "Q1": "Disagree"} for i, row in enumerate(rows[:count])]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + late)


def _diff(project: Path, base: str, *options: str):
    result = invoke("diff", "--project", str(project), base, *options)
    assert result.exit_code == 0, result.output
    return result.stdout


def _section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")), len(lines))
    return lines[start:end]


def test_a_correction_is_revised_never_tested_and_a_changed_word_leads(waves):
    project, base = waves
    _late_responses(project)
    out = _diff(project, str(base))
    headline = out.splitlines()[0]
    assert headline.startswith(f"Since {base}: ") and "on index.md" in headline
    assert re.search(r"; \d quoted figures? changed (its|their) words", headline)
    quoted = _section(out, "Quoted in the copy:")
    assert quoted[0].startswith(f"  {TRACKED} (index.md): \"rose by ")
    assert quoted[0].split(": ", 1)[1].split(";")[0].endswith('-> "showed little change"')
    assert any(re.search(r"tracker-2020\.support\.agree \(index\.md\): revised \d+% -> \d+% \(-\d+\.\d points\)", line)
               for line in quoted)
    revised = _section(out, "Revised (the same surveys rebuilt: not tested):")
    assert revised and all(": " in line for line in revised)
    assert re.search(r"tracker-2020\.support\.disagree: revised \d+% -> \d+% \(\+\d+\.\d points\)", out)
    assert not re.search(r"\bp ?[=<]|p-value|significan", out, re.IGNORECASE)
    assert out.index("Quoted in the copy:") < out.index("Revised (") < out.index("Also: ")


def test_the_folded_rows_are_counted_and_every_figure_is_accounted_for(waves):
    project, base = waves
    _late_responses(project)
    out = _diff(project, str(base))
    folded = re.search(r"^Also: (\d+) other figures moved by less than 1 point, (\d+) suppressed figures not shown, "
                       r"(\d+) figures unchanged\.$", out, re.MULTILINE)
    assert folded, out
    small, suppressed, unchanged = map(int, folded.groups())
    listed = len(_section(out, "Quoted in the copy:")) + len(_section(out, "Revised (the same surveys rebuilt: not "
                                                                            "tested):"))
    figures = len(compute(Project(project), copy_must_hold=False).table)
    assert small > 0 and suppressed > 0 and listed + small + suppressed + unchanged == figures
    for line in _section(out, "Revised (the same surveys rebuilt: not tested):"):
        moved = re.search(r"\(([+-]\d+\.\d) points\)$", line)
        assert moved is None or abs(float(moved.group(1))) >= 1, line  # smaller moves are folded


def test_a_correction_as_markdown_reads_as_a_brief(waves):
    project, base = waves
    _late_responses(project)
    md = _diff(project, str(base), "--markdown")
    lines = md.splitlines()
    assert lines[0] == f"## Figures since `{base}`: the brief" and lines[2].startswith("**") and "index.md" in lines[2]
    assert lines[4].startswith(f"- On index.md, `{TRACKED}` now reads **showed little change** (was *rose by ")  # first
    order = [md.index(h) for h in ("### Figures quoted in the copy", "### Revisions", "<details><summary>")]
    assert order == sorted(order) and md.rstrip().endswith("</details>")
    assert re.search(r"<details><summary>\d+ other figures moved by less than 1 point, \d+ suppressed figures not "
                     r"shown, \d+ figures unchanged</summary>", md)
    row = next(line for line in lines if line.startswith(f"| `{TRACKED}` |"))
    assert "| index.md |" in row and "| showed little change |" in row and "words changed" in row
    assert "revised, not tested" in md.replace("*", "") and not re.search(r"\bp ?[=<]|p-value", md)


def test_a_new_wave_is_one_line_not_a_line_per_figure(waves):
    project, base = waves
    rows = list(csv.DictReader(base.open(encoding="utf-8")))
    with base.open("w", encoding="utf-8", newline="") as handle:  # the table before the 2020 wave came in
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for row in rows if row["survey"] != "tracker-2020")
    out = _diff(project, str(base))
    news = [line for line in out.splitlines() if line.startswith("New survey")]
    expected = (r"New survey tracker-2020: 440 respondents, 5 questions, \d+ figures \(17 change rows since "
                r"tracker-2019: [^)]+\), \d+ differences between groups tested, \d+ clear; 3 quoted in the copy")
    assert len(news) == 1 and re.fullmatch(expected, news[0])
    assert "3 quoted figures are new on index.md" in out.splitlines()[0] and "1 new survey" in out.splitlines()[0]
    listed = [line for line in out.splitlines() if line.startswith("  tracker-2020.")]
    assert len(listed) == 3 and all("(index.md): new: " in line for line in listed)
    assert "Revised" not in out and "— ->" not in out and "*" not in out
    md = _diff(project, str(base), "--markdown")
    assert md.count("New survey tracker-2020:") == 1 and "### New and removed surveys" in md


def test_a_removed_survey_is_one_line(waves):
    project, base = waves
    shutil.rmtree(project / "surveys/tracker-2020")
    (project / "docs/index.md").write_text("# Waves fixture\n\nNo figures.\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace('  - "2020": data/tracker-2020.md\n', ""),
                      encoding="utf-8")
    out = _diff(project, str(base))
    assert re.search(r"^Removed survey tracker-2020: \d+ figures of 5 questions no longer published$", out,
                     re.MULTILINE)
    assert not [line for line in out.splitlines() if line.startswith("  tracker-2020.")]


def test_nothing_changed_says_so(waves):
    project, base = waves
    assert _diff(project, str(base)) == f"Since {base}: No published figure changed.\n"
    assert "**No published figure changed.**" in _diff(project, str(base), "--markdown")


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=project, check=True,
                   capture_output=True)


@pytest.mark.parametrize("table", ["header", "old columns", "empty", "duplicate key"])
def test_any_stats_file_gives_a_report_or_a_problem_never_a_traceback(waves, table):
    project, base = waves
    rows = list(csv.DictReader(base.open(encoding="utf-8")))
    text = {"header": base.read_text(encoding="utf-8").splitlines()[0] + "\n",
            "old columns": "key,survey,estimate,effective_base,suppressed\n" + "".join(
                f"{r['key']},{r['survey']},{r['estimate']},{r['effective_base']},{r['suppressed']}\n" for r in rows),
            "empty": "",
            "duplicate key": base.read_text(encoding="utf-8") + base.read_text(encoding="utf-8").splitlines()[1] + "\n",
            }[table]
    base.write_text(text, encoding="utf-8")
    result = invoke("diff", "--project", str(project), str(base))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == (1 if table == "empty" else 0), result.output
    if table == "empty":
        assert "is not a statistics table" in result.output


def test_a_revision_whose_surveys_cannot_be_computed_is_a_problem_not_a_traceback(waves):
    project, _ = waves
    codebook = project / "surveys/tracker-2019/survey.yml"
    good = codebook.read_text(encoding="utf-8")
    codebook.write_text(good.replace("questions:", "questions: [oops", 1), encoding="utf-8")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "broken")
    codebook.write_text(good, encoding="utf-8")
    result = invoke("diff", "--project", str(project), "HEAD")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "the figures at this revision cannot be recomputed" in result.output and "Traceback" not in result.output
