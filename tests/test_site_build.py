"""End to end: build the mini fixture site with the real command and check what a reader gets."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import run_cli, run_here

from build_scripts.statistics.statistics_table import COLUMNS

# A canonical or alternate <link> names the page's own address and is never fetched; any other absolute
# URL in a loading attribute would be a request to another host.
THIRD_PARTY = re.compile(
    r"""(?:src|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//|"""
    r"""<link\b(?![^>]*\brel\s*=\s*["']?(?:canonical|alternate)\b)[^>]*href\s*=\s*["']?(?:https?:)?//|"""
    r"""url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def _text(html: str) -> str:
    """What a reader sees without hovering: tags and the figures' hover notes removed."""
    html = re.sub(r'<span class="figure-tip"[^>]*>.*?</span>', "", html, flags=re.DOTALL)
    return re.sub(r"\s+([.,;:)])", r"\1", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_figures_in_copy_are_computed_from_the_responses(built_mini_site: Path):
    home = _text((built_mini_site / "site/index.html").read_text(encoding="utf-8"))
    assert "Support stands at 55% of everyone asked" in home  # 66 of 120, weights balanced
    assert "60% heard about us online" in home  # 72 of 120 chose Online
    # (the source's address follows the citation, shown only on paper)
    assert re.search(r"one in five mini figures are cited \(\s*Mini Statistics Office, 2019\s+https://\S+\s*\)", home)


def test_stats_csv_is_published_with_the_design_columns(built_mini_site: Path):
    with (built_mini_site / "site/data/stats.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == COLUMNS
    by_key = {row["key"]: row for row in rows}
    support = by_key["mini-2020.support.yes"]
    assert support["base"] == "120" and support["weighted"] == "true"
    assert float(support["estimate"]) == 0.55
    assert abs(float(support["effective_base"]) - 14400 / 135) < 0.01
    assert float(support["ci_low"]) < 0.55 < float(support["ci_high"])
    south = by_key["mini-2020.south_only.yes"]
    assert south["base"] == "40" and south["suppressed"] == "true" and south["estimate"] == ""
    assert by_key["mini-2020.support.yes.region=north"]["low_base"] == "true"  # base 80
    assert (built_mini_site / "site/data/mini-2020.csv").exists()


def test_survey_page_has_wording_chart_table_base_and_interval(built_mini_site: Path):
    html = (built_mini_site / "site/data/mini-2020/index.html").read_text(encoding="utf-8")
    text = _text(html)
    assert "Do you support the campaign?" in text
    assert "Base: 120 who answered" in text and "effective base 107" in text
    assert re.search(r"<td>Yes</td>\s*<td[^>]*>55%</td>\s*<td>\d+% to \d+%</td>", html)
    assert 'src="../charts/mini-2020.support-light.svg#only-light"' in html
    assert 'src="../charts/mini-2020.support-dark.svg#only-dark"' in html
    assert re.search(r"<img alt=\"Bar chart: [^\"]*55% of the 120 [^\"]* answered 'Yes', the largest share", html)
    assert "Fewer than 50 people answered, so no percentages are shown" in text  # the routed question has a base of 40
    assert "Commissioned by" in text and "Mini Research Ltd" in text and "2 to 9 March 2020" in text
    assert "<script" not in (built_mini_site / "site/data/charts/mini-2020.support-light.svg").read_text()


def test_no_page_requests_a_third_party_host(built_mini_site: Path):
    offenders = []
    for path in (built_mini_site / "site").rglob("*"):
        if path.suffix in {".html", ".css", ".svg", ".js"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.name}: {m.group(0)}" for m in THIRD_PARTY.finditer(text)]
    assert offenders == []
    assert "fonts.googleapis" not in (built_mini_site / "site/index.html").read_text(encoding="utf-8")


def test_rebuilding_the_same_inputs_gives_identical_files(built_mini_site: Path, tmp_path: Path):
    before = {p.relative_to(built_mini_site / "site"): p.read_bytes()
              for p in (built_mini_site / "site").rglob("*") if p.is_file()}
    result = run_here("build", cwd=built_mini_site)
    assert result.returncode == 0, result.stderr
    after = {p.relative_to(built_mini_site / "site"): p.read_bytes()
             for p in (built_mini_site / "site").rglob("*") if p.is_file()}
    assert sorted(before) == sorted(after)
    assert [str(p) for p in before if before[p] != after[p]] == []


def _assert_failed_cleanly(result, site: Path, marker: bytes, *expected: str):
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert (site / "index.html").read_bytes() == marker


def _with_old_site(project: Path) -> tuple[Path, bytes]:
    site = project / "site"
    site.mkdir()
    marker = b"<p>the previous site</p>"
    (site / "index.html").write_bytes(marker)
    return site, marker


def test_broken_codebook_stops_the_build_and_keeps_the_old_site(mini_site: Path):
    site, marker = _with_old_site(mini_site)
    book = mini_site / "surveys/mini-2020/survey.yml"
    book.write_text(book.read_text().replace("commissioned_by: Mini Campaign\n", "").replace(
        "method: Online\n", ""))
    result = run_cli("build", cwd=mini_site)
    _assert_failed_cleanly(result, site, marker, "surveys/mini-2020/survey.yml", "field commissioned_by",
                           "field method", "add `commissioned_by:`", "2 problem(s)")


def test_missing_column_and_unknown_answer_are_all_reported(mini_site: Path):
    site, marker = _with_old_site(mini_site)
    responses = mini_site / "surveys/mini-2020/responses.csv"
    lines = responses.read_text().splitlines()
    lines[3] = lines[3].replace(",Yes,", ",Maybe,")
    responses.write_text("\n".join(lines) + "\n")
    book = mini_site / "surveys/mini-2020/survey.yml"
    book.write_text(book.read_text().replace("column: q3", "column: q3_channels"))
    result = run_here("build", cwd=mini_site)
    _assert_failed_cleanly(result, site, marker, "surveys/mini-2020/responses.csv", "column 'q3_channels'",
                           "a column declared in survey.yml is not in the export")
    # The missing column stops row checks of that file; fix it and the bad answer is reported with its row.
    book.write_text(book.read_text().replace("column: q3_channels", "column: q3"))
    result = run_here("check", cwd=mini_site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "column 'q1', row 4" in result.stderr and "'Maybe'" in result.stderr and "'Yes'" in result.stderr


def test_unknown_figure_key_in_copy_names_the_page_and_key(mini_site: Path):
    site, marker = _with_old_site(mini_site)
    page = mini_site / "docs/index.md"
    page.write_text(page.read_text() + '\nAlso {{ stat("mini-2020.support.maybe") }}.\n')
    result = run_here("build", cwd=mini_site)
    _assert_failed_cleanly(result, site, marker, "docs/index.md", "line 8", "mini-2020.support.maybe",
                           "mini-2020.support.yes")


def test_suppressed_figure_in_copy_fails_the_build(mini_site: Path):
    site, marker = _with_old_site(mini_site)
    page = mini_site / "docs/index.md"
    page.write_text(page.read_text() + '\n{{ stat("mini-2020.south_only.yes") }}\n')
    result = run_here("build", cwd=mini_site)
    _assert_failed_cleanly(result, site, marker, "docs/index.md", "mini-2020.south_only.yes", "suppressed")


def test_macro_reports_a_bad_key_the_copy_scan_cannot_see(mini_site: Path):
    # A key built by Jinja at render time escapes the text scan; the macro itself must fail the build.
    site, marker = _with_old_site(mini_site)
    page = mini_site / "docs/index.md"
    page.write_text(page.read_text() + '\n{% set k = "mini-2020.nothing" %}{{ stat(k ~ ".yes") }}\n')
    result = run_here("build", cwd=mini_site)
    _assert_failed_cleanly(result, site, marker, "docs/index.md, line 8", "'mini-2020.nothing.yes'")


def test_check_validates_without_writing_anything(mini_site: Path):
    result = run_here("check", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    assert "All checks passed" in result.stderr
    assert not (mini_site / "site").exists() and not (mini_site / ".build").exists()


def test_every_command_has_help(mini_site: Path):
    for command in ["build", "check", "serve"]:
        result = run_cli(command, "--help", cwd=mini_site)
        assert result.returncode == 0 and "--project" in result.stdout
    assert "build" in run_cli("--help", cwd=mini_site).stdout


def test_running_outside_a_site_folder_says_so(tmp_path: Path):
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode != 0 and "no mkdocs.yml" in result.stderr and "Traceback" not in result.stderr


def test_a_misspelt_macro_or_broken_template_is_reported_before_mkdocs_runs(mini_site: Path):
    page = mini_site / "docs/index.md"
    page.write_text(page.read_text() + '\n{{ stats("mini-2020.support.yes") }}\n')
    (mini_site / "docs/broken.md").write_text("# Broken\n\nSupport is {{ stat(\"mini-2020.support.yes\") .\n")
    result = run_here("check", cwd=mini_site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "docs/index.md" in result.stderr and "'stats'" in result.stderr and "not one of the site's functions" in result.stderr
    assert "docs/broken.md, line 3" in result.stderr and "template is broken" in result.stderr


def test_a_page_that_is_not_utf8_is_reported(mini_site: Path):
    (mini_site / "docs/latin.md").write_bytes("# Caf\u00e9\n".encode("latin-1"))
    result = run_here("check", cwd=mini_site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "docs/latin.md" in result.stderr and "not UTF-8" in result.stderr


def test_a_low_base_figure_quoted_in_copy_carries_its_warning(mini_site: Path):
    page = mini_site / "docs/index.md"
    page.write_text(page.read_text() + '\nIn the North, {{ stat("mini-2020.support.yes.region=north") }}.\n')
    result = run_here("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    assert "In the North, 55% (low base: 80)." in _text((mini_site / "site/index.html").read_text(encoding="utf-8"))


def test_markup_in_codebook_text_reaches_pages_as_literal_text(mini_site: Path):
    book = mini_site / "surveys/mini-2020/survey.yml"
    text = book.read_text().replace("title: Mini survey, 2020", 'title: "Mini <script>alert(1)</script> {{ x }}"')
    text = text.replace("text: Do you support the campaign?", 'text: "Do you *really* support | [us](http://x)?"')
    book.write_text(text)
    result = run_here("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    html = (mini_site / "site/data/mini-2020/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Do you *really* support | [us](http://x)?" in _text(html).replace("&amp;", "&")
    assert "<em>really</em>" not in html and 'href="http://x"' not in html


def test_a_truncated_export_is_reported_not_padded(mini_site: Path):
    responses = mini_site / "surveys/mini-2020/responses.csv"
    lines = responses.read_text().splitlines()
    lines[4] = ",".join(lines[4].split(",")[:3])
    responses.write_text("\n".join(lines) + "\n")
    result = run_here("check", cwd=mini_site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "responses.csv, row 5" in result.stderr and "fewer cells than the 6 columns" in result.stderr


def test_the_shipped_site_builds_and_leads_with_computed_headlines(built_shipped_site: Path):
    project = built_shipped_site
    html = (project / "site/index.html").read_text(encoding="utf-8")
    hero = html[html.index('class="campaign-hero"'):]
    assert re.search(r'<h1[^>]*>Social workers: <a class="figure" href="data/professionals-2015/#powerless">41%<', hero)
    figures = re.findall(r'class="headline-figure"><a class="figure" href="[^"]+">([^<]*)<', html)
    assert figures == ["32%", "33%", "29%", "57%"]
    for path in (project / "site").rglob("*"):
        if path.suffix in {".html", ".css", ".svg", ".js"}:
            assert not THIRD_PARTY.search(path.read_text(encoding="utf-8", errors="replace")), path
    for name in ["early-help", "methodology", "sources", "updates", "data", "data/professionals-2015",
                 "data/public-2015"]:
        assert (project / "site" / name / "index.html").exists(), name
    assert "synthetic" in (project / "site/methodology/index.html").read_text(encoding="utf-8")


def test_the_engine_builds_the_finished_tree_without_any_project_code_or_data_stack(built_mini_site: Path, tmp_path: Path):
    poisoned = tmp_path / "poisoned"
    poisoned.mkdir()
    for name in ("pandas", "numpy", "altair", "vl_convert", "build_scripts"):
        (poisoned / f"{name}.py").write_text(f"raise ImportError('the engine imported {name}')\n")
    config = (built_mini_site / ".build/mkdocs.yml").read_text(encoding="utf-8")
    assert "macros" not in config and "hooks:" not in config
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(built_mini_site / ".build/mkdocs.yml"),
                           "-d", str(out)], env={**os.environ, "PYTHONPATH": str(poisoned)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert ">55%<" in (out / "index.html").read_text(encoding="utf-8")
