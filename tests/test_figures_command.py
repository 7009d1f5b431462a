"""`campaign-site figures [WORD]`: keys, values and honest words to paste into the copy, and nothing written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, invoke, shipped_copy

from build_scripts.editorial.claims import claim_problem
from build_scripts.pipeline.compute import compute
from build_scripts.project import Project

POWERLESS = "professionals-2015.powerless.yes"
SNIPPET = re.compile(r'^ +\{\{ (stat|claim)\((.*)\) \}\}$')


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    """A copy of the shipped project (not built: `figures` needs no site)."""
    return shipped_copy(tmp_path_factory.mktemp("figures"))


@pytest.fixture(scope="module")
def rows(shipped: Path) -> dict[str, dict]:
    """The shipped project's figures by key, as the copy's functions read them."""
    return {row["key"]: row for row in compute(Project(shipped), copy_must_hold=False).table.records()}


def _figures(project: Path, *args: str):
    return invoke("figures", "--project", str(project), *args)


def test_figures_powerless_lists_the_key_its_value_and_a_snippet_to_paste(shipped: Path, rows):
    result = _figures(shipped, "powerless")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("professionals-2015: ")
    assert re.search(rf"^    {re.escape(POWERLESS)}  41%  Yes$", out, re.MULTILINE)
    assert f'      {{{{ stat("{POWERLESS}") }}}}' in out.splitlines()
    assert f'      {{{{ claim("more than four in ten", "{POWERLESS}") }}}}' in out.splitlines()
    assert "Percentages of the 634 social workers." in out
    questions = {line.split(":")[0].strip() for line in out.splitlines() if re.match(r"^  [a-z_]+: ", line)}
    assert questions == {"powerless"}
    assert "nation=" not in out  # breakdowns only on request


def test_every_snippet_and_honest_phrase_is_one_the_build_accepts(tmp_path: Path, shipped: Path, rows):
    out = _figures(shipped, "--all").stdout
    snippets = [line.strip() for line in out.splitlines() if SNIPPET.match(line)]
    assert len(snippets) > 100
    project = shipped_copy(tmp_path)  # pasted into a page, every snippet renders and every claim holds
    page = project / "docs/glossary.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n\nPasted: " + " and ".join(snippets) + ".\n",
                    encoding="utf-8")
    check = invoke("check", "--project", str(project))
    assert check.exit_code == 0, check.output
    current = None
    for line in out.splitlines():
        if match := re.match(r"^    (\S+)  ", line):
            current = match.group(1)
        elif line.startswith("      honest words: "):
            for phrase in line.removeprefix("      honest words: ").split("; "):
                assert claim_problem(phrase, rows[current]) is None, (phrase, current)


def test_the_word_is_matched_in_any_case_against_title_wording_and_key(shipped: Path):
    assert _figures(shipped, "POWERLESS").stdout == _figures(shipped, "powerless").stdout
    by_wording = _figures(shipped, "twelve months").stdout  # in funding_impact's wording only
    assert "  funding_impact: " in by_wording and "  powerless: " not in by_wording


def test_with_no_word_every_whole_sample_figure_is_listed_by_survey_and_question(shipped: Path, rows):
    out = _figures(shipped).stdout
    listed = set(re.findall(r"^    (\S+)  ", out, re.MULTILINE))
    whole = {key for key, row in rows.items() if not row["segment"]}
    assert listed == whole
    surveys = re.findall(r"^([a-z0-9-]+): ", out, re.MULTILINE)
    assert surveys == sorted(set(surveys), key=surveys.index) and set(surveys) == {r["survey"] for r in rows.values()}


def test_a_segment_adds_its_breakdown_and_suppressed_figures_say_why(shipped: Path, rows):
    out = _figures(shipped, "powerless", "--segment", "nation").stdout
    assert f'{{{{ stat("{POWERLESS}.nation=scotland") }}}}' in out
    assert "role=" not in out
    everything = _figures(shipped, "--all").stdout
    hidden = [key for key, row in rows.items() if row["suppressed"]]
    assert hidden
    for key in hidden:
        block = everything.split(f"\n    {key}  [c]  ", 1)[1].split("\n\n", 1)[0]
        assert f"not publishable: {rows[key]['suppression']}" in block and "{{" not in block


def test_a_word_that_matches_nothing_says_so_and_exits_1(shipped: Path):
    result = _figures(shipped, "zebra")
    assert result.exit_code == 1 and result.stdout == ""
    assert "No question matches 'zebra'" in result.output and "professionals-2015.powerless" in result.output
    bad = _figures(shipped, "--segment", "no-such-segment")
    assert bad.exit_code == 2 and "segments: " in bad.output


def test_the_help_says_what_it_matches_and_how_it_exits():
    text = " ".join(invoke("figures", "--help").output.split())
    assert "WORD" in text and "--segment" in text and "--all" in text
    assert "1 when no question matches WORD" in text and "write nothing" in text


def test_changes_between_waves_are_listed_with_their_tested_words(tmp_path: Path):
    project = tmp_path / "waves"
    shutil.copytree(FIXTURES / "waves-site", project)
    out = _figures(project, "support").stdout
    key = "tracker-2020.support.agree.since=tracker-2019"  # the fixture's agreement rises between waves
    block = out.split(f"\n    {key}  ", 1)[1].split("\n\n", 1)[0].splitlines()
    assert re.fullmatch(r"rose by (\d+) percentage points \(\+\d+\.\d points, p (= 0\.\d+|< 0\.001)\)  Agree \(net\), "
                        r"since 2019", block[0])
    size = int(re.match(r"rose by (\d+)", block[0]).group(1))
    assert block[1] == f"      honest words: rose by {size} percentage points; rose by more than {size - 1} percentage points"
    assert block[2:] == [f'      {{{{ stat("{key}") }}}}',
                         f'      {{{{ claim("rose by more than {size - 1} percentage points", "{key}") }}}}']


def test_it_writes_nothing(tmp_path: Path):
    project = shipped_copy(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    assert _figures(project, "powerless").exit_code == 0
    assert _figures(project).exit_code == 0
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*")} == before
    assert not (project / ".cache").exists() and not (project / "site").exists()


def test_figures_lists_keys_while_a_page_is_broken_mid_edit(tmp_path):
    """A writer looks keys up while writing: a broken link in a page is a warning here, not a stop."""
    from conftest import invoke, shipped_copy

    project = shipped_copy(tmp_path)
    page = project / "docs/early-help.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [x](no-such-page.md).\n", encoding="utf-8")
    assert invoke("check", "--project", str(project)).exit_code == 1
    result = invoke("figures", "powerless", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "professionals-2015.powerless.yes" in result.output
    assert "warning: docs/early-help.md" in result.output and "no-such-page.md" in result.output
