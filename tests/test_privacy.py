"""Only aggregates leave surveys/: respondent IDs, free text, undeclared columns and personal data never reach site/."""

from __future__ import annotations

import html
import re
from pathlib import Path

from conftest import run_here

from build_scripts.publish.privacy import scan_site

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
    result = run_here("build", cwd=mini_site)
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
    result = run_here("build", cwd=mini_site)
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
    result = run_here("build", cwd=mini_site)
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
    result = run_here("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    assert "press@mini-campaign.org" in (mini_site / "site/index.html").read_text()


def test_personal_data_is_found_in_every_kind_of_published_file_with_its_line(tmp_path: Path):
    (tmp_path / "assets/javascripts").mkdir(parents=True)
    (tmp_path / "assets/javascripts/theme.js").write_text("contact@theme.example")  # the theme's own code
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


def test_disguised_personal_data_is_found_with_its_line_and_masked_as_written(tmp_path: Path):
    (tmp_path / "page.html").write_text(
        "<p>ok</p>\n<p>\u2026 ok \u00a0</p>\n<p>ring \uff10\uff17\uff17\uff10\uff10\uff19\uff10\uff10\uff11\uff12\uff13"
        "</p>\n<p>sw1a\u200b1aa</p>\n", encoding="utf-8")
    (tmp_path / "data.csv").write_text("key,label\nx,jo [at] example [dot] org\ny,AB.12.34.56.C\nz,943 476 5919\n")
    (tmp_path / "feed.xml").write_text("<item>\n<title>ring 0 7 7 0 0 9 0 0 1 2 3 or 44 7700 900123</title></item>")
    found = {(p.file, p.where, p.message, p.value) for p in scan_site(tmp_path, allowed="")}
    assert found == {
        ("site/page.html", "line 3", "a UK phone number would be published", "\uff10\uff17*******\uff12\uff13"),
        ("site/page.html", "line 4", "a UK postcode would be published", "sw**\u200b***"),
        ("site/data.csv", "line 2", "an e-mail address would be published", "jo [**] ******* [***] *rg"),
        ("site/data.csv", "line 3", "a National Insurance number would be published", "AB.**.**.*6.C"),
        ("site/data.csv", "line 4", "an NHS number would be published", "94* *** **19"),
        ("site/feed.xml", "line 2", "a UK phone number would be published", "0 7 * * * * * * * 2 3"),
        ("site/feed.xml", "line 2", "a UK phone number would be published", "44 **** ****23"),
    }


def test_dates_next_to_each_other_in_the_search_index_are_not_a_phone_number(tmp_path: Path):
    (tmp_path / "search").mkdir()
    (tmp_path / "search/search_index.json").write_text(
        '{"docs": [{"text": "Born 1975-05-06 1980-01-02 1990-07-08 on 05/10/2015 01/02/2016 at 01.02.2015"}]}')
    (tmp_path / "stats.csv").write_text("key,value\nq.yes,0.41009463722397477\nq.n,1642\nq.year,2015\nq.pct,41%\n")
    (tmp_path / "chart.svg").write_text(
        '<svg><path d="M0,0L12.5,33.75 L 0 10 20 30" fill="#1d70b8"/><text>0 1 2 3 4 5 6 7 8 9 10</text>'
        "<text>v1.2.3 2015-10-05T09:12:33Z</text></svg>")
    assert scan_site(tmp_path, allowed="") == []


def test_what_the_copy_typed_is_allowed_in_any_written_form(tmp_path: Path):
    (tmp_path / "page.html").write_text('<a href="tel:+442079460958">020 7946 0958</a> SW1A1AA PRESS@Example.org')
    assert scan_site(tmp_path, allowed="Call 020-7946-0958, visit sw1a 1aa, write to press@example.org") == []
    [left] = scan_site(tmp_path, allowed="Call 020-7946-0958, write to press@example.org")
    assert left.message == "a UK postcode would be published"
    (tmp_path / "page.html").write_text("\uff10\uff12\uff10 7946 0958, 44 20 7946 0958, press\uff20example.org")
    assert scan_site(tmp_path, allowed="Call 020-7946-0958 or write to press [at] example [dot] org") == []


def test_scan_skips_the_theme_assets_and_names_file_and_line_with_the_value_masked(tmp_path: Path):
    (tmp_path / "assets/javascripts").mkdir(parents=True)
    (tmp_path / "assets/javascripts/theme.js").write_text("contact@theme.example")  # the theme's own code
    (tmp_path / "page.html").write_text("<p>ok</p>\n<p>call 07700 900123</p>\n")
    [problem] = scan_site(tmp_path, allowed="")
    assert (problem.file, problem.where, problem.value) == ("site/page.html", "line 2", "07*** ****23")
    assert "900123" not in problem.describe()


def test_the_shipped_site_has_no_personal_data_not_even_typed(built_shipped_site: Path):
    assert scan_site(built_shipped_site / "site", allowed="") == []


MARKUP = '<script>alert("x")</script> {{ nope }} | *star* [link](http://evil.example)'


def test_markup_in_option_labels_is_literal_in_tables_charts_and_alt_text(mini_site: Path):
    book = mini_site / "surveys/mini-2020/survey.yml"
    # On "Yes", the answer every table publishes (the others are hidden to protect small counts).
    book.write_text(book.read_text().replace(
        '{key: "yes", label: "Yes"}\n      - {key: "no"', "{key: \"yes\", label: '" + MARKUP + "', value: \"Yes\"}\n"
        '      - {key: "no"', 1))
    result = run_here("build", cwd=mini_site)
    assert result.returncode == 0, result.stderr
    page = (mini_site / "site/data/mini-2020/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and 'href="http://evil.example"' not in page and "<em>star</em>" not in page
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td>(.*?)</td>", page, re.DOTALL)]
    assert MARKUP in cells  # the table shows the label exactly as written
    alts = [html.unescape(a) for a in re.findall(r'alt="([^"]*)"', page)]
    assert any(MARKUP in a for a in alts)
    svg = (mini_site / "site/data/charts/mini-2020.support-light.svg").read_text(encoding="utf-8")
    assert "<script" not in svg and "&lt;script&gt;" in svg


def test_every_published_text_file_is_scanned_whatever_its_name(tmp_path: Path):
    for name in ("notes.text", "README", "data.ndjson", "assets/notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("call 07700 900123\n")
    (tmp_path / "assets/javascripts").mkdir()
    (tmp_path / "assets/javascripts/bundle.js").write_text("contact@theme.example")  # the theme's own code
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\0\0 07700 900123")
    found = {problem.file for problem in scan_site(tmp_path, allowed="")}
    assert found == {"site/notes.text", "site/README", "site/data.ndjson", "site/assets/notes.txt"}
