"""Only aggregates leave surveys/: respondent IDs, free text, undeclared columns and personal data never reach site/."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import run_cli

from build_scripts.privacy import scan_site

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
    assert ("surveys/mini-2020/survey.yml, question 'channels', option 2 ('press'), field label: "
            "an e-mail address in the label would be published") in result.stderr
    assert "jo.bloggs@example.net" not in result.stderr and "bloggs" not in result.stderr
    assert (site / "index.html").read_text() == "old"
    assert not list(mini_site.glob(".site-build-*"))


def test_personal_data_past_the_codebook_check_is_stopped_by_the_site_scan_and_masked(mini_site: Path):
    site = mini_site / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    book = mini_site / "surveys/mini-2020/survey.yml"
    book.write_text(book.read_text().replace("method: Online\n",
                                             "method: Online\nnotes: Queries to jo.bloggs@example.net\n"))
    result = run_cli("build", cwd=mini_site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "an e-mail address would be published" in result.stderr
    assert re.search(r"site/data/mini-2020/index\.html, line \d+", result.stderr)
    assert "(found: 'jo.******@*******.*et')" in result.stderr
    assert "jo.bloggs@example.net" not in result.stderr and "bloggs" not in result.stderr
    assert (site / "index.html").read_text() == "old"
    assert not list(mini_site.glob(".site-build-*"))


def test_personal_data_the_copy_writer_typed_is_published(mini_site: Path):
    page = mini_site / "docs/index.md"
    page.write_text(page.read_text() + "\nPress office: press@mini-campaign.org, 020 7946 0958, SW1A 1AA.\n"
                    "Freephone [0808 800 5000](tel:+448088005000).\n")
    result = run_cli("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    assert "press@mini-campaign.org" in (mini_site / "site/index.html").read_text()


def test_personal_data_is_found_in_every_kind_of_published_file_with_its_line(tmp_path: Path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets/theme.js").write_text("contact@theme.example")
    (tmp_path / "search").mkdir()
    (tmp_path / "search/search_index.json").write_text('{"docs": [{"text": "write to jo\\u0040example.org"}]}')
    (tmp_path / "chart.svg").write_text('<svg>\n<text fill="#e1f2ab">sw1a 1aa</text>\n</svg>')
    (tmp_path / "data.csv").write_text("key,label\nx,AB-12-34-56-C\n")
    (tmp_path / "feed.xml").write_text("<item>\n\n<title>ring 0044 7700 900123</title></item>")
    (tmp_path / "page.html").write_text("<p>ok</p>\n<p>mail jo&#64;example.org or call 0800.123.4567</p>\n")
    found = {(p.file, p.where, p.message, p.value) for p in scan_site(tmp_path, allowed="")}
    assert found == {
        ("site/search/search_index.json", "line 1", "an e-mail address would be published", "jo@*******.*rg"),
        ("site/chart.svg", "line 2", "a UK postcode would be published", "sw** ***"),
        ("site/data.csv", "line 2", "a National Insurance number would be published", "AB-**-**-*6-C"),
        ("site/feed.xml", "line 3", "a UK phone number would be published", "00** **** ****23"),
        ("site/page.html", "line 2", "an e-mail address would be published", "jo@*******.*rg"),
        ("site/page.html", "line 2", "a UK phone number would be published", "08**.***.**67"),
    }


def test_what_the_copy_typed_is_allowed_in_any_written_form(tmp_path: Path):
    (tmp_path / "page.html").write_text('<a href="tel:+442079460958">020 7946 0958</a> SW1A1AA PRESS@Example.org')
    assert scan_site(tmp_path, allowed="Call 020-7946-0958, visit sw1a 1aa, write to press@example.org") == []
    [left] = scan_site(tmp_path, allowed="Call 020-7946-0958, write to press@example.org")
    assert left.message == "a UK postcode would be published"


def test_scan_skips_the_theme_assets_and_names_file_and_line_with_the_value_masked(tmp_path: Path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets/theme.js").write_text("contact@theme.example")
    (tmp_path / "page.html").write_text("<p>ok</p>\n<p>call 07700 900123</p>\n")
    [problem] = scan_site(tmp_path, allowed="")
    assert (problem.file, problem.where, problem.value) == ("site/page.html", "line 2", "07*** ****23")
    assert "900123" not in problem.describe()


def test_the_shipped_site_has_no_personal_data_not_even_typed(built_shipped_site: Path):
    assert scan_site(built_shipped_site / "site", allowed="") == []


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
