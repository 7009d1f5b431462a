"""The staff guide's tutorial, done for real: every command it shows is run, in order, on a fresh copy of the
shipped project, and what it says the commands print is what they print. Its edits are made as it shows them."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO, shipped_copy
from statsmodels.stats.proportion import proportions_ztest

sys.path.insert(0, str(REPO / "tests" / "fixtures"))
import make_next_wave  # noqa: E402

TUTORIAL = REPO / "guide" / "tutorial.md"
DISCLOSURE = {"commissioned_by", "conducted_by", "method", "population", "coverage", "fieldwork"}
# Commands that need a person, a browser or GitHub; what the test does instead, if anything.
NOT_RUN = {"campaign-site serve": "a preview server (tests/test_serve.py runs it)",
           "git push": "GitHub", "git pull": "GitHub: the test merges the branch, as the pull request did"}
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


@dataclass
class Block:
    """One fenced block of the tutorial: console commands with their output, or a file's content."""

    language: str
    title: str
    body: str


def blocks(text: str) -> list[Block]:
    """The tutorial's fenced blocks, in order."""
    found = []
    for language, info, body in FENCE.findall(text):
        title = re.search(r'title="([^"]+)"', info)
        found.append(Block(language, title.group(1) if title else "", body))
    return found


def commands(body: str) -> list[tuple[str, list[str]]]:
    """A console block's commands, each with the lines the tutorial says it prints."""
    runs: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            runs.append((line[2:], []))
        elif runs:
            runs[-1][1].append(line)
    return runs


def shown_in(shown: list[str], printed: str) -> str | None:
    """Why the lines the tutorial shows are not what was printed (in order, `…` for lines left out), or None."""
    actual = [line.rstrip() for line in printed.splitlines()]
    position, gap_allowed = 0, False
    for line in shown:
        if line.strip() == "…":
            gap_allowed = True
            continue
        if not line.strip() and not gap_allowed:
            while position < len(actual) and not actual[position].strip():
                position += 1
            continue
        candidates = range(position, len(actual)) if gap_allowed else range(position, min(position + 1, len(actual)))
        match = next((i for i in candidates if actual[i] == line.rstrip()), None)
        if match is None:
            return f"the tutorial shows {line!r}, which the command did not print at that point"
        position, gap_allowed = match + 1, False
    return None


def _run(command: str, project: Path) -> subprocess.CompletedProcess:
    argv = shlex.split(command)
    environment = {**os.environ, "GIT_AUTHOR_NAME": "Staff", "GIT_AUTHOR_EMAIL": "staff@example.org",
                   "GIT_COMMITTER_NAME": "Staff", "GIT_COMMITTER_EMAIL": "staff@example.org"}
    if argv[0] == "campaign-site":
        argv = [sys.executable, "-m", "build_scripts", *argv[1:]]
    elif argv[0] not in {"git", "cp"}:
        pytest.fail(f"the tutorial shows a command this test does not know how to run: {command}")
    return subprocess.run(argv, cwd=project, capture_output=True, text=True, env=environment, timeout=300)


def _edit(block: Block, project: Path) -> None:
    """Make the edit a titled block shows: a YAML block's fields replace the file's; other blocks are the file."""
    path = project / block.title
    if block.language != "yaml":
        path.write_text(block.body, encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    for field, value in yaml.safe_load(block.body).items():
        replacement = yaml.safe_dump({field: value}, sort_keys=False, allow_unicode=True, width=1000)
        text, count = re.subn(rf"(?m)^{field}:.*\n(?:[ ]+.*\n)*", lambda _: replacement, text)
        assert count == 1, f"{block.title} has no field {field!r} for the tutorial to fill in"
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def tutorial_done(tmp_path_factory) -> Path:
    """A fresh copy of the shipped project (a git repository on main), with the whole tutorial done in it."""
    project = shipped_copy(tmp_path_factory.mktemp("tutorial"))
    shutil.copytree(REPO / "guide" / "examples", project / "guide" / "examples")
    (project / ".gitignore").write_text("site/\n.build/\n.cache/\n", encoding="utf-8")
    for setup in ["git init -q -b main", "git add -A", "git commit -q -m shipped"]:
        assert _run(setup, project).returncode == 0
    branch = ""
    for block in blocks(TUTORIAL.read_text(encoding="utf-8")):
        if block.title:
            _edit(block, project)
            continue
        if block.language != "console":
            continue
        for command, shown in commands(block.body):
            if command in NOT_RUN or command.startswith("git push"):
                if command == "git pull":  # the pull request was merged on GitHub
                    assert _run(f"git merge -q {branch}", project).returncode == 0
                continue
            result = _run(command, project)
            refused = any(line.endswith("nothing was published.") for line in shown)  # the tutorial shows a refusal
            assert (result.returncode != 0) == refused, f"$ {command}\n{result.stdout}{result.stderr}"
            if command.startswith("git switch -c "):
                branch = command.split()[-1]
            problem = shown_in(shown, result.stderr + result.stdout)
            assert problem is None, f"$ {command}: {problem}\n--- printed ---\n{result.stderr}{result.stdout}"
    return project


def test_every_command_the_tutorial_shows_runs_and_prints_what_it_says(tutorial_done):
    assert (tutorial_done / "surveys/professionals-2016/survey.yml").is_file()
    log = _run("git log --format=%s", tutorial_done).stdout
    assert "90 late responses added" in log and "Professionals survey 2016 and an update on it" in log


def test_the_repeat_wave_needs_only_its_disclosure_fields_edited():
    [edit] = [b for b in blocks(TUTORIAL.read_text(encoding="utf-8")) if b.title.endswith("survey.yml")]
    assert set(yaml.safe_load(edit.body)) == DISCLOSURE


def test_the_tutorials_rise_is_the_two_proportion_test_statsmodels_gives(tutorial_done):
    """The published change since 2015, against statsmodels on counts taken from the exports by hand."""
    then = pd.read_csv(REPO / "surveys/professionals-2015/responses.csv", dtype=str, keep_default_na=False)
    now = make_next_wave.responses()  # the first export, before the late responses
    asked_then = then[then["Role"] == "Social worker"]["Q1"]
    asked_now = now[now[make_next_wave.ROLE] == "Social worker"][next(iter(make_next_wave.QUESTIONS))]
    counts = [(asked_now == "Yes").sum(), (asked_then == "Yes").sum()]
    _, p_value = proportions_ztest(counts, [len(asked_now), len(asked_then)], prop_var=False)
    change = (counts[0] / len(asked_now) - counts[1] / len(asked_then)) * 100
    assert p_value < 0.05 and round(change) == 7  # "rose by 7 percentage points (..., p = 0.0099)"
    assert f"p = {p_value:.2g}" in TUTORIAL.read_text(encoding="utf-8")


def test_after_the_correction_the_change_is_little_and_the_claim_holds(tutorial_done):
    stats = _run("campaign-site figures powerless", tutorial_done)
    assert "professionals-2016.powerless.yes.since=professionals-2015  showed little change" in stats.stdout
    assert "1,490 respondents" in stats.stdout  # 1,400 and the 90 late: no header row counted


def test_the_example_exports_are_what_the_script_in_the_tests_writes():
    first = make_next_wave.csv_text(make_next_wave.responses()).encode("utf-8")
    corrected = make_next_wave.csv_text(make_next_wave.with_late_responses()).encode("utf-8")
    assert make_next_wave.EXAMPLE.read_bytes() == first
    assert make_next_wave.CORRECTED.read_bytes() == corrected


def test_the_shown_output_check_finds_a_line_the_command_did_not_print():
    assert shown_in(["a", "…", "c"], "a\nb\nc\n") is None
    assert shown_in(["a", "c"], "a\nb\nc\n") is not None  # without `…`, lines may not be skipped
    assert shown_in(["a", "…", "d"], "a\nb\nc\n") is not None
