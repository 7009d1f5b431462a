"""Survey pages findings first: main points in plain sentences, charts titled with the finding, public tables in
plain words with the rest "For statisticians", and the Government Statistical Service's shorthand, never "*"."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, make_survey, table_for

from build_scripts.editorial.formatting import SHORTHAND
from build_scripts.ingest.codebook import Codebook
from build_scripts.ingest.draft_codebook import to_yaml
from build_scripts.publish.survey_page import survey_page
from build_scripts.statistics.statistics_table import StatisticsTable
from build_scripts.statistics.survey_figures import SurveyFigures
from build_scripts.statistics.survey_summary import summarise

# 100 respondents: 70 in group A (a low base when asked alone), 30 in group B (under 50: not published).
ROWS = [{"id": str(i), "g": "A" if i < 70 else "B", "q1": "Yes" if i % 5 < 2 else "No",
         "q2": ("Yes" if i % 2 else "No") if i < 70 else "", "q3": ("Yes" if i % 2 else "No") if i >= 70 else ""}
        for i in range(100)]
YES_NO = [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]
QUESTIONS = [
    {"key": "q1", "title": "Support", "text": "Do you support it?", "type": "single", "column": "q1",
     "options": YES_NO, "finding": "of people support it"},
    {"key": "q2", "title": "In A", "text": "Have you been to A?", "type": "single", "column": "q2",
     "options": YES_NO, "asked": {"segment": "g", "values": ["a"], "description": "people in A"}},
    {"key": "q3", "title": "In B", "text": "Have you been to B?", "type": "single", "column": "q3",
     "options": YES_NO, "asked": {"segment": "g", "values": ["b"], "description": "people in B"}},
]


def _cell(symbol: str, heard: str) -> str:
    """A shorthand symbol as a table cell holds it: seen, and heard as words."""
    return (f'<span class="shorthand"><span aria-hidden="true">{symbol}</span>'
            f'<span class="visually-hidden">{heard}</span></span>')


def _page(drop_key: str = "", glossary: bool = True):
    survey = make_survey(ROWS, QUESTIONS)
    frame = table_for([survey])
    if drop_key:  # a figure the table does not hold: a group not asked about an answer, say
        frame = frame[frame["key"] != drop_key]
    figures = SurveyFigures(survey.codebook, frame, len(ROWS), None)
    return survey_page(summarise(figures, [figures]), StatisticsTable(frame), methodology=True, glossary=glossary)


def _section(markdown: str, heading: str) -> str:
    return markdown.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]


def test_the_page_opens_with_main_points_and_ends_with_about_this_survey():
    markdown = _page().markdown
    headings = re.findall(r"^## (.+?)(?: \{.*\})?$", markdown, re.MULTILINE)
    assert headings == ["Main points", "Support", "In A", "In B", "About this survey"]
    about = _section(markdown, "About this survey")
    for field in ("Commissioned by", "Carried out by", "Fieldwork", "Method", "Population", "Geographic coverage",
                  "Respondents", "Weighting"):  # standards rule 1, all still on the page
        assert f"| {field} |" in about


def test_a_main_point_is_the_finding_in_a_sentence_linking_to_its_question():
    points = _section(_page().markdown, "Main points")
    # the codebook's finding after the figure, led by the question's title (standards rule 12)
    # its link holds the headline figure's own anchor, which "Cite this question" gives as the figure's permalink
    assert re.search(r"^- \[[^\]]+\]\(#q1\)\{ #q1\.headline \}: 40% of people support it", points, re.MULTILINE)


def test_a_low_base_main_point_says_so_and_one_without_a_finding_is_plain():
    points = _section(_page().markdown, "Main points")
    line = next(p for p in points.splitlines() if "(#q2)" in p)
    assert re.match(r"- \[[^\]]+\]\(#q2\)\{ #q2\.headline \}: 50% of people in A answered 'Yes' when asked: "
                    r"Have you been to A\?", line)
    assert "low base" in line and ">[u]</span></span>" in line and "70 people in A, so treat it with caution" in line


def test_a_suppressed_main_point_says_it_is_not_published_and_why():
    points = _section(_page().markdown, "Main points")
    line = next(p for p in points.splitlines() if "(#q3)" in p)
    assert line.startswith("- [In B](#q3): ") and ">[c]</span></span> not published, to protect respondents" in line
    assert "Fewer than 50 people answered." in line and "%" not in line


def test_charts_are_titled_with_the_finding_and_carry_the_question_base_and_source():
    charts = {chart.name: chart for chart in _page().charts}
    chart = charts["t.q1"]
    assert chart.title == "40% of people support it"
    assert chart.subtitle == 'Asked: "Do you support it?" Base: 100 respondents.'
    assert chart.source == "T; fieldwork 1 to 2 January 2020; base 100"
    assert charts["t.q2"].title == "50% of people in A answered 'Yes'"  # no finding: the answer, in words
    assert "[u] low base" in charts["t.q2"].subtitle
    breakdown = charts["t.q1.by.g"]  # A is 70 (low base), B is 30 (not published): one group shown
    assert breakdown.title == "Support: share answering 'Yes', by G"
    assert breakdown.note == "[c] not published; [u] low base."  # drawn on the image too
    assert "40% of all respondents" in breakdown.subtitle and breakdown.source.endswith("base 100")


def test_tables_use_the_shorthand_seen_heard_and_explained_and_never_an_asterisk():
    markdown = _page().markdown
    tab = markdown.split('=== "By G"', 1)[1]
    assert f"| A | 70 | 40% {_cell('[u]', 'low base')} |" in tab
    assert _cell("[c]", "not published") in tab
    assert "\\[c\\] not published, to protect respondents" in tab and "\\[u\\] low base: fewer than 100" in tab
    assert "*" not in markdown.replace("**Net:", "")


def test_a_figure_the_table_does_not_hold_is_x_with_its_note():
    markdown = _page(drop_key="t.q1.no.g=a").markdown
    tab = markdown.split('=== "By G"', 1)[1]
    assert _cell("[x]", "not available") in tab
    assert "\\[x\\] not available" in tab
    assert "\\[x\\] a figure [not available](../glossary.md#not-available)" in _section(markdown, "Main points")


def test_terms_link_to_the_glossary_once_and_not_at_all_without_one():
    markdown = _page().markdown
    for anchor in ("fieldwork", "percentage", "base", "confidence-interval", "low-base", "not-published"):
        assert markdown.count(f"(../glossary.md#{anchor})") == 1, anchor
    assert "../glossary.md" not in _page(glossary=False).markdown


def test_a_codebook_finding_is_refused_on_a_text_question_or_with_a_typed_figure():
    base = {"id": "t", "title": "T", "commissioned_by": "c", "conducted_by": "c", "method": "m", "population": "p",
            "fieldwork": {"start": "2020-01-01", "end": "2020-01-02"}, "coverage": "UK", "id_column": "id"}
    with pytest.raises(ValueError, match="text question has no figure"):
        Codebook.model_validate(base | {"questions": [
            {"key": "q", "title": "Q", "text": "Why?", "type": "text", "column": "q", "finding": "of people say so"}]})
    with pytest.raises(ValueError, match="without a percentage"):
        Codebook.model_validate(base | {"questions": [QUESTIONS[0] | {"finding": "of people (40%) support it"}]})


def test_a_drafted_codebook_hints_at_finding():
    assert "`finding:`" in to_yaml({"id": "x", "questions": []}, "export.csv")


def test_every_shipped_question_with_figures_has_a_finding():
    books = sorted((REPO / "surveys").glob("*/survey.yml"))
    assert books
    for book in books:
        for question in yaml.safe_load(book.read_text(encoding="utf-8"))["questions"]:
            assert question["type"] == "text" or question.get("finding"), (book.parent.name, question["key"])


# --- the shipped site, built once for the session -----------------------------------------------------------------

def _survey_pages(site: Path) -> list[Path]:
    return sorted(p for p in (site / "data").glob("*/index.html"))


def _article(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[text.index("<article"):text.index("</article>")]


def test_shipped_survey_pages_open_with_main_points_from_the_table(built_shipped_site: Path):
    page = built_shipped_site / "site/data/professionals-2015/index.html"
    article = _article(page)
    headings = re.findall(r'<h2 id="([^"]+)"', article)
    questions = ["powerless", "time_resources", "funding_impact", "neglect_trend"]
    assert headings[:5] == ["main-points", *questions]  # findings first, then the questions
    assert headings.index("about-this-survey") == 5  # the disclosure after them (only the actions may follow)
    points = article.split('id="main-points"', 1)[1].split("<h2", 1)[0]
    assert ('<a href="#powerless" id="powerless.headline">Feeling powerless to intervene</a>: 41% of social workers '
            'have felt powerless') in points
    assert ('<a href="#time_resources" id="time_resources.headline">Time and resources to intervene</a>: 32% of '
            'social workers say they lack') in points
    assert len(re.findall(r"<li>", points)) == 4


def test_no_published_survey_page_or_chart_label_shows_an_asterisk(built_shipped_site: Path, built_mini_site: Path):
    offenders = []
    for site in (built_shipped_site / "site", built_mini_site / "site"):
        for page in _survey_pages(site) + [site / "data/index.html"]:
            words = html_lib.unescape(re.sub(r"<[^>]+>", " ", _article(page)))
            offenders += [f"{page}: {m.group(0)}" for m in re.finditer(r".{0,30}\*.{0,30}", words)]
        for svg in (site / "data/charts").glob("*.svg"):
            labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg.read_text(encoding="utf-8"))
            offenders += [f"{svg.name}: {label}" for label in labels if "*" in label]
    assert offenders == []
    mini = (built_mini_site / "site/data/mini-2020/index.html").read_text(encoding="utf-8")
    assert _cell("[c]", "not published") in mini and _cell("[u]", "low base") in mini
    for symbol, (_, note) in SHORTHAND.items():
        if f">{symbol}<" in mini:
            assert html_lib.escape(f"{symbol} {note}.", quote=False) in mini, symbol
    css = (built_mini_site / "site" / "stylesheets" / "site.css")
    assert not css.exists() or ".visually-hidden" in css.read_text(encoding="utf-8")


def test_for_statisticians_holds_weighted_counts_and_effective_bases_and_the_public_tables_do_not(
        built_mini_site: Path):
    article = _article(built_mini_site / "site/data/mini-2020/index.html")
    blocks = re.findall(r'<details class="note">\s*<summary>For statisticians</summary>(.*?)</details>', article,
                        re.DOTALL)
    assert blocks and "<details open" not in article  # closed until a reader opens one
    inside = " ".join(blocks)
    assert "Weighted count" in inside and "effective base 107 (Kish)" in inside and "Wilson" in inside
    outside = re.sub(r"<details.*?</details>", "", article, flags=re.DOTALL)
    for word in ("Weighted count", "Weighted base", "(Kish)", "Wilson", "p-value"):
        assert word not in outside, word
    assert not re.search(r"effective base \d", outside)
    assert "Effective sample size" in outside  # standards rule 3, in the disclosure block


def test_glossary_links_on_survey_pages_reach_its_headings(built_shipped_site: Path):
    site = built_shipped_site / "site"
    anchors = set(re.findall(r'id="([^"]+)"', (site / "glossary/index.html").read_text(encoding="utf-8")))
    linked = set()
    for page in _survey_pages(site):
        linked |= set(re.findall(r'href="\.\./\.\./glossary/#([^"]+)"', _article(page)))
    assert {"percentage", "base", "confidence-interval", "fieldwork"} <= linked
    assert linked - anchors == set()
