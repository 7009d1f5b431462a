"""Copy that cannot go stale or overstate: false claims stop the build, typed figures are found, diffs list moves."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli, run_here

from build_scripts.editorial.copy_check import figure_led_sentences


def _add(site: Path, text: str, page: str = "docs/index.md") -> None:
    path = site / page
    path.write_text(path.read_text() + "\n" + text + "\n")


def test_a_false_claim_fails_the_build_naming_page_phrase_value_and_a_true_phrase(mini_site: Path):
    _add(mini_site, 'Support is {{ claim("more than 60 per cent", "mini-2020.support.yes") }}.')
    (mini_site / "site").mkdir()
    (mini_site / "site/index.html").write_text("old")
    result = run_here("build", cwd=mini_site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "docs/index.md, line 8" in result.stderr
    assert 'claim("more than 60 per cent", "mini-2020.support.yes")' in result.stderr
    assert "is not true of 55%" in result.stderr and "a true phrase would be 'a majority'" in result.stderr
    assert (mini_site / "site/index.html").read_text() == "old"


def test_a_true_claim_prints_the_writers_words_linked_to_the_question(mini_site: Path):
    _add(mini_site, 'Support is {{ claim("more than half", "mini-2020.support.yes") }}.')
    result = run_here("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    html = (mini_site / "site/index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="figure" href="data/mini-2020/#support">more than half<span class="figure-tip"', html)
    assert "Base: 120 respondents; 95% confidence interval" in html


def test_check_fails_on_figures_typed_by_hand_with_or_without_strict(mini_site: Path):
    _add(mini_site, "Nearly a third of people agree, and 45% said so; one in four did not.\n"
         "Inline `20%` in code and {{ stat(\"mini-2020.support.yes\") }} are fine.")
    result = run_here("check", cwd=mini_site)
    assert result.returncode == 1 and "All checks passed" not in result.stderr and "3 problem(s)" in result.stderr
    for typed in ["'Nearly a third'", "'45%'", "'one in four'"]:
        assert f"docs/index.md, line 8: a figure is typed by hand (found: {typed})" in result.stderr
    assert "'20%'" not in result.stderr
    strict = run_here("check", "--strict", cwd=mini_site)  # still accepted, for older scripts: no further effect
    assert strict.returncode == 1 and strict.stderr == result.stderr


def test_the_sources_page_lists_every_page_that_quotes_a_source(built_mini_site: Path):
    html = (built_mini_site / "site/sources/index.html").read_text(encoding="utf-8")
    assert re.search(r'Quoted on: <a href="\.\./">Mini campaign</a>', html)


def _change_support(site: Path) -> None:
    responses = site / "surveys/mini-2020/responses.csv"
    lines = responses.read_text().splitlines()
    changed = [lines[0]] + [line.replace(",No,", ",Yes,", 1) if i % 2 else line for i, line in enumerate(lines[1:])]
    responses.write_text("\n".join(changed) + "\n")


def test_diff_against_a_stats_file_lists_moved_figures_pages_and_broken_claims(mini_site: Path):
    _add(mini_site, 'Support is {{ claim("around 55%", "mini-2020.support.yes") }}.')
    assert run_here("build", cwd=mini_site).returncode == 0
    base = mini_site.parent / "before.csv"
    base.write_bytes((mini_site / "site/data/stats.csv").read_bytes())
    _change_support(mini_site)
    result = run_here("diff", str(base), cwd=mini_site)
    assert result.returncode == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if l.strip().startswith("mini-2020.support.yes ("))
    assert re.search(r"\(index\.md\): revised 55% -> \d+% \(\+\d+\.\d points\)", line) and "p =" not in line
    assert "BROKEN docs/index.md, line 8: claim(\"around 55%\")" in result.stdout
    markdown = run_here("diff", str(base), "--markdown", cwd=mini_site).stdout
    assert markdown.startswith("## Figures since") and "| `mini-2020.support.yes` | index.md | 55% |" in markdown
    assert '- **Claim breaks:** docs/index.md, line 8: claim("around 55%")' in markdown


def test_diff_against_a_git_revision_recomputes_the_old_table(mini_site: Path):
    def git(*args):
        subprocess.run(["git", *args], cwd=mini_site, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "before")
    _change_support(mini_site)
    result = run_here("diff", "HEAD", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    assert re.search(r"mini-2020\.support\.yes \(index\.md\): revised 55% -> \d+%", result.stdout)
    same = run_here("diff", "HEAD", "--project", str(mini_site), cwd=mini_site.parent)
    assert "support.yes" in same.stdout
    bad = run_here("diff", "no-such-revision", cwd=mini_site)
    assert bad.returncode == 1 and "neither a stats.csv file nor a git revision" in bad.stderr


def test_a_deeply_nested_page_is_a_problem_with_its_line_not_a_recursion_error(mini_site: Path):
    from click.testing import CliRunner

    from build_scripts.cli.commands import main

    nested = "".join("    " * depth + "- item\n" for depth in range(400))  # RecursionError in Python-Markdown
    _add(mini_site, nested + "\n" + "<div markdown>\n" * 300 + "x\n" + "</div>\n" * 300, page="docs/sources.md")
    (mini_site / "site").mkdir()
    (mini_site / "site/index.html").write_text("old")
    result = CliRunner().invoke(main, ["build", "--project", str(mini_site)])
    assert result.exit_code == 1 and not isinstance(result.exception, RecursionError)
    assert "docs/sources.md, line" in result.output and "nested 399 levels deep" in result.output
    assert (mini_site / "site/index.html").read_text() == "old"


def test_an_impossible_date_in_a_pages_front_matter_is_not_a_traceback(mini_site: Path):
    page = mini_site / "docs/sources.md"
    page.write_text("---\ntitle: Sources\ndate: 2015-11-31\n---\n" + page.read_text(encoding="utf-8"))
    result = run_cli("check", cwd=mini_site)
    assert result.returncode in {0, 1} and "Traceback" not in result.stderr


@pytest.mark.parametrize("text, led", [
    ('{{ stat("a") }} of people agree.', True),
    ('- {{ stat("a") }} of people agree', True),
    ('- **{{ stat("a") }}** of people agree', True),
    ('They said so. {{ stat("a") }} of people agree.', True),
    ('Of those asked, {{ stat("a") }} agree.', False),
    ('{{ stat("a", form="words") }} of people agree.', False),  # words, not a figure
    ('# People: {{ stat("a") }} agree', False),
    ('<span class="headline-figure">{{ stat("a") }}</span>', False),
    ('A paragraph whose line wraps before the\n{{ stat("a") }} it quotes.', False),
    ('<!-- a comment is not words -->\n{{ stat("a") }} of people agree.', True),
    ('<!-- {{ stat("a") }} commented out -->', False),
])
def test_a_sentence_that_starts_with_a_figure_is_found(tmp_path, text, led):
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text(f"---\ntitle: T\n---\n\n{text}\n", encoding="utf-8")
    problems = figure_led_sentences([page], tmp_path)
    assert bool(problems) == led
    if led:
        assert problems[0].file == "docs/page.md" and "rule 12" in problems[0].fix
