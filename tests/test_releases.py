"""The public record (issue 16, standards rule 18): releases, revisions refused until explained, [r] and the
Revisions page, as staff and readers meet them, and the doors a hostile release folder could open."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from frictionless import Package

from build_scripts.editorial.formatting import percent
from build_scripts.editorial.revisions import revisions_between, shown
from build_scripts.statistics.statistics_table import StatisticsTable
from tests.conftest import REPO, invoke, run_cli, shipped_copy

HEADLINE = "professionals-2015.powerless.yes"
NOTE = "Late responses added: 40 social workers in England whose answers arrived after fieldwork closed."


def add_late_responses(project: Path, count: int = 40, batch: str = "L") -> None:
    """Late responses to the released 2015 survey of professionals: social workers who felt powerless."""
    with (project / "surveys" / "professionals-2015" / "responses.csv").open("a", encoding="utf-8") as handle:
        for number in range(count):
            handle.write(f"{batch}{number:05d},Social worker,England,2 to 5 years,Yes,,,Stayed about the same\n")


def stats_rows(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def revised(tmp_path_factory) -> dict:
    """The issue's scenario on a copy of the shipped project: the shipped first release, late responses,
    check --strict refusing them, a second release with its note, and a build."""
    project = shipped_copy(tmp_path_factory.mktemp("record"))
    before = stats_rows(project / "releases" / "2026-12-01" / "stats.csv")
    add_late_responses(project)
    refused = invoke("check", "--strict", "--project", str(project))
    warned = invoke("check", "--project", str(project))
    released = invoke("release", "--project", str(project), "--note", NOTE, "--date", "2026-12-02")
    built = run_cli("build", cwd=project)
    assert built.returncode == 0, built.stderr
    strict_after = invoke("check", "--strict", "--project", str(project))
    return {"project": project, "before": before, "refused": refused, "warned": warned, "released": released,
            "built": built, "strict_after": strict_after}


def test_the_shipped_site_has_its_first_release():
    release = REPO / "releases" / "2026-12-01"
    assert "First release" in (release / "release.yml").read_text(encoding="utf-8")
    rows = stats_rows(release / "stats.csv")
    assert HEADLINE in rows and rows[HEADLINE]["revised"] == "false"


def test_check_strict_refuses_moved_figures_naming_each(revised):
    refused = revised["refused"]
    assert refused.exit_code == 1
    assert "nothing was published" in refused.output
    assert f"figure {HEADLINE}: moved since the release of 1 December 2026 (was 41%, now 45%)" in refused.output
    assert "campaign-site release --note" in refused.output
    assert "Traceback" not in refused.output


def test_plain_check_warns_but_passes(revised):
    warned = revised["warned"]
    assert warned.exit_code == 0, warned.output
    assert f"warning: surveys/professionals-2015, figure {HEADLINE}" in warned.output


def test_release_says_what_moved(revised):
    released = revised["released"]
    assert released.exit_code == 0, released.output
    assert "Recorded the release of 2 December 2026 in releases/2026-12-02/" in released.output
    assert f"[r] {HEADLINE}: 41% -> 45%" in released.output
    assert "warning:" not in released.output  # the figures it records are not warned about as it records them
    record = (revised["project"] / "releases" / "2026-12-02" / "release.yml").read_text(encoding="utf-8")
    assert "date: 2026-12-02" in record and "Late responses added" in record


def test_after_the_release_check_strict_passes(revised):
    assert revised["strict_after"].exit_code == 0, revised["strict_after"].output


def test_stats_csv_marks_revised_figures_with_the_note(revised):
    site = revised["project"] / "site" / "data"
    rows = stats_rows(site / "stats.csv")
    headline = rows[HEADLINE]
    assert headline["revised"] == "true"
    assert headline["revision_note"] == NOTE
    assert percent(float(headline["revised_from"])) == "41%"
    assert percent(float(headline["estimate"])) == "45%"
    # Independent of our code: the headline recomputed by hand from the responses.
    with (revised["project"] / "surveys" / "professionals-2015" / "responses.csv").open(encoding="utf-8") as handle:
        answers = [row["Q1"] for row in csv.DictReader(handle) if row["Q1"]]
    assert float(headline["estimate"]) == pytest.approx(answers.count("Yes") / len(answers), abs=1e-12)
    unmoved = [row for row in rows.values() if row["survey"] == "public-2015"]
    assert unmoved and all(row["revised"] == "false" and row["revision_note"] == "" for row in unmoved)


def test_the_published_table_is_the_frozen_one(revised):
    project = revised["project"]
    frozen = (project / "releases" / "2026-12-02" / "stats.csv").read_bytes()
    assert (project / "site" / "data" / "stats.csv").read_bytes() == frozen
    assert (project / "site" / "data" / "releases" / "2026-12-02" / "stats.csv").read_bytes() == frozen
    # An older release is published in today's columns (those it did not have left empty), its figures as frozen.
    first = (project / "site" / "data" / "releases" / "2026-12-01" / "stats.csv").read_text(encoding="utf-8")
    frozen_first = (REPO / "releases" / "2026-12-01" / "stats.csv").read_text(encoding="utf-8")
    pd.testing.assert_frame_equal(StatisticsTable.from_csv(first, "site").frame,
                                  StatisticsTable.from_csv(frozen_first, "release").frame)


def test_revised_figures_carry_r_with_old_new_and_note(revised):
    site = revised["project"] / "site"
    survey_page = (site / "data" / "professionals-2015" / "index.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    tip = "Revised on 2 December 2026 from 41% to 45%: Late responses added"
    for page in (survey_page, home):  # in tables and main points, and inline in the copy
        marks = re.findall(r'<a class="figure revised" href="([^"]+)">(.*?)</a>', page, re.S)
        assert marks, "no [r] on the page"
        headline = [(href, text) for href, text in marks if HEADLINE in href]
        assert headline, "the headline figure has no [r]"
        href, text = headline[0]
        assert "&#91;r&#93;" in text and 'class="visually-hidden">revised<' in text and tip in text
        assert href.endswith(f"revisions/#r-2026-12-02-{HEADLINE}")
    table_cells = re.findall(r"<td[^>]*>45% <a class=\"figure revised\"", survey_page)
    assert table_cells, "the answers table does not mark the revised figure"
    assert "[r] revised in the latest release" in survey_page  # the note under the table


def test_unrevised_figures_carry_no_mark(revised):
    public = (revised["project"] / "site" / "data" / "public-2015" / "index.html").read_text(encoding="utf-8")
    assert "figure revised" not in public and "&#91;r&#93;" not in public


def test_revisions_page_lists_every_release_with_old_and_new(revised):
    page = (revised["project"] / "site" / "data" / "revisions" / "index.html").read_text(encoding="utf-8")
    assert "Revisions and releases" in page
    assert "2 December 2026 (latest release)" in page and "1 December 2026" in page
    assert "Late responses added" in page and "First release" in page
    row = re.search(rf'<tr>\s*<td><span id="r-2026-12-02-{re.escape(HEADLINE)}"></span>(.*?)</tr>', page, re.S)
    assert row, "the headline figure has no row with its anchor"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    assert cells[1] == "41%" and cells[2] == "45%"
    assert "changed" in cells[3]  # more than four in ten -> nearly half
    assert ">Act early on child neglect</a>" in cells[4] and "Briefing" in cells[4]  # the pages quoting it
    assert 'href="../releases/2026-12-02/stats.csv"' in page or 'href="releases/2026-12-02/stats.csv"' in page


def test_home_and_data_pages_say_when_figures_were_released(revised):
    site = revised["project"] / "site"
    for page in ("index.html", "data/index.html"):
        text = (site / page).read_text(encoding="utf-8")
        assert "Figures last released on 2 December 2026" in text


def test_the_data_package_still_validates(revised):
    package = revised["project"] / "site" / "data" / "datapackage.json"
    report = Package(str(package)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_nothing_to_release_is_said_plainly(revised):
    again = invoke("release", "--project", str(revised["project"]), "--note", "Again", "--date", "2026-12-02")
    assert again.exit_code == 1
    assert "No figure has moved or been added since the release of 2 December 2026" in again.output
    assert not (revised["project"] / "releases" / "2026-12-02-2").exists()


def test_revisions_compare_what_readers_see():
    """Digits beyond those printed are not a revision; a change of percentage, of publication, or a lost figure is."""
    frame = StatisticsTable.from_csv((REPO / "releases" / "2026-12-01" / "stats.csv").read_text(), "x").frame
    moved = frame.copy()
    first = moved.index[0]
    moved.loc[first, "estimate"] = moved.loc[first, "estimate"] + 1e-9  # prints the same
    assert revisions_between(StatisticsTable(frame), StatisticsTable(moved)) == []
    moved.loc[first, "estimate"] = moved.loc[first, "estimate"] + 0.05
    moved.loc[moved.index[1], "suppressed"] = True
    gone = StatisticsTable(moved.drop(index=moved.index[2]))
    found = {r.key: r for r in revisions_between(StatisticsTable(frame), gone)}
    keys = list(frame["key"][:3])
    assert set(found) == set(keys)
    assert found[keys[1]].new == "[c]" and found[keys[2]].new == "withdrawn"
    assert shown(None) == "withdrawn"


# --- Staff mistakes and hostile release folders -------------------------------------------------------------


@pytest.fixture
def project(tmp_path) -> Path:
    return shipped_copy(tmp_path)


def test_a_note_is_required_and_dates_go_forward(project):
    empty = invoke("release", "--project", str(project), "--note", "   ")
    assert empty.exit_code == 1 and "--note: is empty: a release must say why it was made" in empty.output
    add_late_responses(project, 5)
    backwards = invoke("release", "--project", str(project), "--note", "Late", "--date", "2026-11-30")
    assert backwards.exit_code == 1 and "is before the latest release (2026-12-01)" in backwards.output
    assert sorted(p.name for p in (project / "releases").iterdir()) == ["2026-12-01", "README.md"]


def test_two_releases_on_one_day_are_kept_apart(project):
    add_late_responses(project, 5)
    first = invoke("release", "--project", str(project), "--note", "Late", "--date", "2026-12-05")
    add_late_responses(project, 30, batch="M")
    second = invoke("release", "--project", str(project), "--note", "Later", "--date", "2026-12-05")
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert (project / "releases" / "2026-12-05-2" / "stats.csv").is_file()
    assert invoke("check", "--strict", "--project", str(project)).exit_code == 0


def test_a_hostile_note_is_text_on_every_page(project):
    note = "{{ 7 * 7 }} <script>alert(1)</script> | [link](javascript:alert(1)) {% include 'x' %}"
    add_late_responses(project)
    assert invoke("release", "--project", str(project), "--note", note).exit_code == 0
    built = run_cli("build", cwd=project)
    assert built.returncode == 0, built.stderr
    site = project / "site"
    pages = {page: page.read_text(encoding="utf-8") for page in site.rglob("*.html")}
    for page, text in pages.items():
        assert "<script>alert" not in text and 'href="javascript:' not in text, page
    revisions = pages[site / "data" / "revisions" / "index.html"]
    home = pages[site / "index.html"]
    for text in (revisions, home):  # the note shown as written, braces and all, never run as a template
        assert "&#123;&#123; 7 * 7 &#125;&#125; &lt;script&gt;alert(1)&lt;/script&gt; | [link](javascript:alert(1))" in text
    assert stats_rows(site / "data" / "stats.csv")[HEADLINE]["revision_note"] == note


def test_a_formula_note_is_defused_in_every_csv(project):
    add_late_responses(project)
    assert invoke("release", "--project", str(project), "--note", "=HYPERLINK(\"http://evil\")").exit_code == 0
    built = run_cli("build", cwd=project)
    assert built.returncode == 0, built.stderr
    for table in [project / "site" / "data" / "stats.csv", *project.glob("site/data/releases/*/stats.csv")]:
        for row in stats_rows(table).values():
            assert not row["revision_note"].startswith("="), table


@pytest.mark.parametrize("damage, expected", [
    ("release.yml", "releases/2026-12-01/release.yml, field note: is empty"),
    ("stats.csv", "releases/2026-12-01/stats.csv: is not a statistics table"),
    ("folder", "releases/latest: is not a release folder"),
    ("symlink", "releases/2026-12-01/stats.csv: is missing from the release"),
    ("date", "releases/2026-12-01/release.yml, field date: is not the date the folder is named by"),
])
def test_a_damaged_record_is_a_clear_error(project, tmp_path, damage, expected):
    release = project / "releases" / "2026-12-01"
    if damage == "release.yml":
        (release / "release.yml").write_text("date: 2026-12-01\nnote: ''\n", encoding="utf-8")
    elif damage == "stats.csv":
        (release / "stats.csv").write_text("key,survey\n" + "x" * 100 + "\n", encoding="utf-8")
    elif damage == "folder":
        (project / "releases" / "latest").mkdir()
    elif damage == "symlink":
        outside = tmp_path / "elsewhere.csv"
        shutil.copy2(release / "stats.csv", outside)
        (release / "stats.csv").unlink()
        (release / "stats.csv").symlink_to(outside)
    else:
        (release / "release.yml").write_text("date: 2025-01-01\nnote: First\n", encoding="utf-8")
    site_before = sorted(project.rglob("site/*"))
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert sorted(project.rglob("site/*")) == site_before


def test_no_releases_is_no_problem(project):
    shutil.rmtree(project / "releases")
    result = invoke("check", "--strict", "--project", str(project))
    assert result.exit_code == 0, result.output


def test_a_release_date_in_the_folder_name_must_be_real(project):
    (project / "releases" / "2026-02-30").mkdir()
    result = invoke("check", "--project", str(project))
    assert result.exit_code == 1 and "releases/2026-02-30" in result.output


def test_release_help_explains_the_workflow():
    result = invoke("release", "--help")
    assert result.exit_code == 0
    assert "check --strict" in result.output and "[r]" in result.output


def test_release_dates_default_to_today(project):
    add_late_responses(project, 5)
    result = invoke("release", "--project", str(project), "--note", "Late responses")
    assert result.exit_code == 0, result.output
    assert (project / "releases" / dt.date.today().isoformat()).is_dir()
