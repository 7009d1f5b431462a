"""Only aggregates leave surveys/: respondent IDs, free text, undeclared columns and personal data never reach site/."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import run_cli

from build_scripts.privacy import personal_data, scan_site

MARK_ID, MARK_TEXT, MARK_EMAIL = "ZQXMARKID", "ZQXMARKTEXT", "zqx.person"


def _plant_markers(site: Path) -> None:
    """Every respondent ID and free-text answer carries a marker; an undeclared column holds e-mail addresses."""
    responses = site / "surveys/mini-2020/responses.csv"
    lines = responses.read_text().splitlines()
    out = [lines[0] + ",comment,email"]
    for i, line in enumerate(lines[1:], 1):
        cells = line.split(",")
        cells[0] = f"{MARK_ID}{i:03d}"
        out.append(",".join(cells) + f",{MARK_TEXT}{i:03d} my story,{MARK_EMAIL}{i}@example.org")
    responses.write_text("\n".join(out) + "\n")
    book = site / "surveys/mini-2020/survey.yml"
    book.write_text(book.read_text() + """  - key: comment
    title: Comments
    text: Anything else?
    column: comment
    type: text
""")


def test_no_respondent_id_free_text_or_undeclared_column_reaches_the_site(mini_site: Path):
    _plant_markers(mini_site)
    result = run_cli("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    files = [p for p in (mini_site / "site").rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        data = path.read_bytes()
        for marker in (MARK_ID, MARK_TEXT, MARK_EMAIL):
            assert marker.encode() not in data, f"{marker} in {path}"
    stats = (mini_site / "site/data/stats.csv").read_text()
    assert "mini-2020.comment.answered" in stats  # counted, never shown


def test_personal_data_in_a_codebook_label_stops_the_build_and_keeps_the_old_site(mini_site: Path):
    site = mini_site / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    book = mini_site / "surveys/mini-2020/survey.yml"
    book.write_text(book.read_text().replace("{key: press, label: Newspapers}",
                                             "{key: press, label: Newspapers, value: Newspapers}").replace(
        "label: Newspapers,", "label: Newspapers (ask jo.bloggs@example.net),"))
    result = run_cli("build", cwd=mini_site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "an e-mail address would be published" in result.stderr
    assert "'jo.bloggs@example.net'" in result.stderr
    assert re.search(r"site/data/mini-2020/index\.html, line \d+", result.stderr)
    assert (site / "index.html").read_text() == "old"
    assert not list(mini_site.glob(".site-build-*"))


def test_personal_data_the_copy_writer_typed_is_published(mini_site: Path):
    page = mini_site / "docs/index.md"
    page.write_text(page.read_text() + "\nPress office: press@mini-campaign.org, 020 7946 0958, SW1A 1AA.\n")
    result = run_cli("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    assert "press@mini-campaign.org" in (mini_site / "site/index.html").read_text()


@pytest.mark.parametrize("text, kind", [
    ("write to jane.doe@example.com", "an e-mail address"),
    ("ring 07700 900123", "a UK phone number"),
    ("ring +44 20 7946 0958", "a UK phone number"),
    ("ring (0161) 496 0000", "a UK phone number"),
    ("ring 020-7946-0958", "a UK phone number"),
    ("at SW1A 1AA", "a UK postcode"),
    ("at M1 1AE", "a UK postcode"),
    ("NI AB 12 34 56 C", "a National Insurance number"),
    ("NI AB123456C", "a National Insurance number"),
])
def test_each_kind_of_personal_data_is_found(text, kind):
    assert [k for k, _ in personal_data(text)] == [kind]


@pytest.mark.parametrize("text", [
    "0.4100946372239748,0.37,634", "2015-10-05 09:12:33", "1,642 respondents", "10245871311",
    "R_1a2B3c4D5e6F7g8", "width=560 height=87", "Q1 2015", "GB 12 34 56 A",
    "0\n7946 0958 123",  # files are searched whole, but a number never runs across lines
])
def test_figures_dates_and_ids_are_not_mistaken_for_personal_data(text):
    assert personal_data(text) == []


def test_scan_skips_the_theme_assets_and_names_file_and_line(tmp_path: Path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets/theme.js").write_text("contact@theme.example")
    (tmp_path / "page.html").write_text("<p>ok</p>\n<p>call 07700 900123</p>\n")
    [problem] = scan_site(tmp_path, allowed="")
    assert (problem.file, problem.where, problem.value) == ("site/page.html", "line 2", "07700 900123")


MARKUP = '<script>alert("x")</script> {{ nope }} | *star* [link](http://evil.example)'


def test_markup_in_option_labels_is_literal_in_tables_charts_and_alt_text(mini_site: Path):
    book = mini_site / "surveys/mini-2020/survey.yml"
    book.write_text(book.read_text().replace(
        '{key: "no", label: "No"}\n      - {key: dont_know', "{key: \"no\", label: '" + MARKUP + "', value: \"No\"}\n"
        "      - {key: dont_know", 1))
    result = run_cli("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    page = (mini_site / "site/data/mini-2020/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and 'href="http://evil.example"' not in page and "<em>star</em>" not in page
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td>(.*?)</td>", page, re.DOTALL)]
    assert MARKUP in cells  # the table shows the label exactly as written
    alts = [html.unescape(a) for a in re.findall(r'alt="([^"]*)"', page)]
    assert any(MARKUP in a for a in alts)
    svg = (mini_site / "site/data/charts/mini-2020-support-light.svg").read_text(encoding="utf-8")
    assert "<script" not in svg and "&lt;script&gt;" in svg
