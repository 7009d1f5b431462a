"""Cite this figure (issue 16): each question and each headline figure on a survey page has a permalink and a
"Cite this question" block, APA text and BibTeX, readable and copyable with no JavaScript, dated by the release."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import pytest
import yaml
from conftest import make_survey, run_cli, shipped_copy, table_for
from test_survey_page import QUESTIONS, ROWS

from build_scripts.editorial.citation import Citation, bibtex_key
from build_scripts.editorial.revisions import PublicRecord, ReleaseRecord
from build_scripts.ingest.releases import Release
from build_scripts.publish.chart_figure import ChartSite, published_by
from build_scripts.publish.survey_page import survey_page
from build_scripts.statistics.statistics_table import StatisticsTable
from build_scripts.statistics.survey_figures import SurveyFigures
from build_scripts.statistics.survey_summary import summarise

DAY = dt.date(2026, 12, 1)
SPECIALS = "&%$#_{}~^\\"
HOSTILE = "Support {{ 1 + 1 }} <script>alert(1)</script> | } " + SPECIALS + " end"
SITE = ChartSite("Act early", "https://example.org/campaign/")
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "pymdownx.details", "pymdownx.tabbed", "toc"]
# The only markup a cite block has: everything else in it is text.
TAGS = {'<details class="cite">', "</details>", "<summary>", "</summary>", '<p class="cite-what">',
        '<p class="cite-apa">', "</p>", "<strong>", "</strong>", '<pre class="cite-bibtex">', "<code>", "</code>",
        "</pre>"}


def _citation(**changes) -> Citation:
    fields = {"author": "The campaign", "released": DAY, "title": "Survey 2015: Feeling powerless",
              "publisher": "Act early", "url": "https://example.org/campaign/data/s/#powerless",
              "key": bibtex_key("s-2015", "powerless")} | changes
    return Citation(**fields)


def _balanced(text: str) -> bool:
    """Whether braces pair up as BibTeX counts them: every brace, escaped or not."""
    depth = 0
    for character in text:
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


# --- The citation itself ---


def test_apa_names_who_when_what_where_and_the_address():
    assert _citation().apa() == ("The campaign. (2026, December 1). Survey 2015: Feeling powerless [Data set]. "
                                 "Act early. https://example.org/campaign/data/s/#powerless")
    # no address without the site's, no empty sentence without its name; a title's own full stop is not doubled
    assert _citation(url="", publisher="", title="A finding.").apa() == (
        "The campaign. (2026, December 1). A finding [Data set].")
    assert _citation(title="Two\nlines   here").apa().count("Two lines here [Data set].") == 1


def test_bibtex_is_a_misc_entry_with_its_key_date_and_address():
    entry = _citation().bibtex()
    assert entry == ("@misc{s2015powerless,\n"
                     "  author = {{The campaign}},\n"  # double braces: an organisation, not people's names
                     "  title = {{Survey 2015: Feeling powerless}},\n"
                     "  year = 2026,\n  month = dec,\n  date = {2026-12-01},\n"
                     "  publisher = {Act early},\n"
                     "  howpublished = {\\url{https://example.org/campaign/data/s/\\#powerless}},\n"
                     "  note = {Data set}\n}")
    assert _balanced(entry)


def test_bibtex_escapes_every_special_character_and_keeps_braces_balanced():
    entry = _citation(title=HOSTILE, author="A & B {Ltd", publisher="Site }", url="https://x.org/a%20b/{c}#d").bibtex()
    title = next(line for line in entry.splitlines() if line.startswith("  title"))
    assert title == ("  title = {{Support \\textbraceleft{}\\textbraceleft{} 1 + 1 "
                     "\\textbraceright{}\\textbraceright{} <script>alert(1)</script> | \\textbraceright{} \\&\\%\\$\\#\\_\\textbraceleft{}\\textbraceright{}"
                     "\\textasciitilde{}\\textasciicircum{}\\textbackslash{} end}},")
    assert "  author = {{A \\& B \\textbraceleft{}Ltd}}," in entry
    assert "  howpublished = {\\url{https://x.org/a\\%20b/\\%7Bc\\%7D\\#d}}," in entry
    assert _balanced(entry)
    for line in entry.splitlines()[1:-1]:  # each field closes what it opens, on its own line
        assert _balanced(line.split(" = ", 1)[1]), line


@pytest.mark.parametrize("parts, key", [(("professionals-2015", "powerless"), "professionals2015powerless"),
                                        (("s", "time_resources", "headline"), "stimeresourcesheadline"),
                                        (("{}", "%"), "figure")])
def test_a_bibtex_key_is_letters_and_digits(parts, key):
    assert bibtex_key(*parts) == key


# --- On a survey page ---


def _page(title: str = "Support", record: PublicRecord | None = None, site: ChartSite = SITE) -> str:
    questions = [dict(QUESTIONS[0], title=title), *QUESTIONS[1:]]
    survey = make_survey(ROWS, questions)
    frame = table_for([survey])
    figures = SurveyFigures(survey.codebook, frame, len(ROWS), None)
    with published_by(site):
        return survey_page(summarise(figures, [figures]), StatisticsTable(frame), methodology=True,
                           record=record).markdown


def _blocks(text: str) -> list[str]:
    return re.findall(r'<details class="cite">.*?</details>', text, re.DOTALL)


def _entries(block: str) -> list[tuple[str, str]]:
    """Each (APA text, BibTeX) a rendered cite block holds, as a reader sees and copies them."""
    apa = [html.unescape(text) for text in re.findall(r'<p class="cite-apa">(.*?)</p>', block, re.DOTALL)]
    bib = [html.unescape(text) for text in re.findall(r"<code>(.*?)</code>", block, re.DOTALL)]
    assert len(apa) == len(bib)
    return list(zip(apa, bib, strict=True))


def _render(text: str, in_tab: bool = False) -> str:
    if in_tab:
        text = '=== "Tab"\n\n' + "\n".join(f"    {line}" if line else "" for line in text.splitlines()) + "\n"
    return markdown.markdown(text, extensions=EXTENSIONS, extension_configs={"pymdownx.tabbed": {
        "alternate_style": True}})


def test_each_question_has_one_closed_cite_block_after_its_share_links():
    page = _page()
    blocks = _blocks(page)
    assert len(blocks) == 3  # q1, q2 and q3 (not published: the question is still cited, its figure is not)
    for key, block in zip(("q1", "q2", "q3"), blocks, strict=True):
        section = page.split(f"{{ #{key} }}", 1)[1].split("\n## ", 1)[0]
        assert block in section and "<details class=\"cite\" open" not in section
    q1 = page.split("{ #q1 }", 1)[1]
    assert q1.index('aria-label="Share this finding"') < q1.index('<details class="cite">') < q1.index("### Breakdowns")
    assert ["This question" in b and "Its headline figure" in b for b in blocks] == [True, True, False]


def test_the_headline_figure_has_its_own_anchor_on_its_main_point():
    page = _page()
    points = page.split("## Main points", 1)[1].split("\n## ", 1)[0]
    assert "- [Support](#q1){ #q1.headline }: 40% of people support it" in points
    assert "(#q3){" not in points  # a figure not published has no permalink
    rendered = _render(page)
    assert '<a href="#q1" id="q1.headline">Support</a>' in rendered
    ids = re.findall(r' id="([^"]+)"', rendered)
    assert len(ids) == len(set(ids))  # no anchor collides with a question's or a heading's
    q1_question, q1_figure = _entries(_blocks(rendered)[0])
    assert q1_question[0].endswith(" https://example.org/campaign/data/t/#q1")
    assert q1_figure[0] == ("c. (2020, January 2). 40% of people support it: T [Data set]. Act early. "
                            "https://example.org/campaign/data/t/#q1.headline")
    assert "@misc{tq1headline," in q1_figure[1] and "@misc{tq1," in q1_question[1]


def test_codebook_text_in_a_cite_block_is_only_text_at_the_top_of_a_page_and_in_a_tab():
    page = _page(HOSTILE)
    block = _blocks(page)[0]
    # no brace for Jinja to evaluate, no pipe for a table, no tag, no Markdown character: entities only
    assert not set("{}|<>[]_*`\\~!") & set(re.sub(r"<[^>]+>", "", block))
    assert set(re.findall(r"<[^>]+>", block)) <= TAGS
    expected = Citation("c", dt.date(2020, 1, 2), f"T: {HOSTILE}", SITE.name,
                        "https://example.org/campaign/data/t/#q1", "tq1")
    for in_tab in (False, True):
        rendered = _blocks(_render(block, in_tab))
        assert len(rendered) == 1 and set(re.findall(r"<[^>]+>", rendered[0])) <= TAGS  # nothing became markup
        (apa, bib), _figure = _entries(rendered[0])
        assert (apa, bib) == (expected.apa(), expected.bibtex())  # the same words, character for character
        assert "{{ 1 + 1 }}" in apa and "<script>alert(1)</script> | }" in apa and SPECIALS in apa
        assert _balanced(bib)


def test_a_cite_block_is_dated_by_the_latest_release_else_by_the_end_of_fieldwork():
    assert "(2020, January 2)" in _blocks(_page())[0]
    release = Release("2026-12-01", DAY, "First release", Path("releases/2026-12-01/stats.csv"))
    block = _blocks(_page(record=PublicRecord([ReleaseRecord(release, (), 0, 0)])))[0]
    assert "(2026, December 1)" in block and "year = 2026," in block and "month = dec," in block


def test_without_the_sites_address_a_cite_block_has_no_address():
    entries = _entries(_blocks(_render(_page(site=ChartSite())))[0])
    assert [apa for apa, _ in entries] == ["c. (2020, January 2). T: Support [Data set].",
                                           "c. (2020, January 2). 40% of people support it: T [Data set]."]
    assert all("howpublished" not in bib and "publisher" not in bib for _, bib in entries)


# --- In the built site ---


def _questions(project: Path) -> dict[str, list[str]]:
    """Each survey's question keys, in codebook order."""
    return {path.parent.name: [q["key"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]
            for path in sorted((project / "surveys").glob("*/survey.yml"))}


def _dated(project: Path, survey: str) -> dt.date:
    """The date a survey's citations carry: the project's latest release's, else the end of its fieldwork."""
    releases = [yaml.safe_load(path.read_text(encoding="utf-8"))["date"]
                for path in (project / "releases").glob("*/release.yml")]
    codebook = yaml.safe_load((project / "surveys" / survey / "survey.yml").read_text(encoding="utf-8"))
    return max(releases) if releases else codebook["fieldwork"]["end"]


def _apa_date(day: dt.date) -> str:
    return f" ({day.year}, {day:%B} {day.day}). "


def _cited(project: Path, survey: str) -> tuple[str, list[list[tuple[str, str]]]]:
    page = (project / "site" / "data" / survey / "index.html").read_text(encoding="utf-8")
    return page, [_entries(block) for block in _blocks(page)]


def _fragment(apa: str, survey: str) -> str:
    address = urlsplit(apa.rsplit(" ", 1)[1])
    assert address.scheme in ("http", "https") and address.path.endswith(f"/data/{survey}/"), apa
    return address.fragment


def test_built_survey_pages_cite_each_question_at_its_permalink(built_shipped_site: Path):
    for survey, keys in _questions(built_shipped_site).items():
        page, blocks = _cited(built_shipped_site, survey)
        assert len(blocks) == len(keys), survey  # one block per question, in order
        for key, entries in zip(keys, blocks, strict=True):
            assert _fragment(entries[0][0], survey) == key and f'<h2 id="{key}"' in page
            assert f"@misc{{{bibtex_key(survey, key)},\n" in entries[0][1] and _balanced(entries[0][1])
            if len(entries) == 2:  # its headline figure, at the anchor its main point holds
                assert _fragment(entries[1][0], survey) == f"{key}.headline"
                assert f'<a href="#{key}" id="{key}.headline">' in page
        assert all(_apa_date(_dated(built_shipped_site, survey)) in apa for block in blocks for apa, _ in block)


RELEASED = dt.date(2027, 3, 15)  # not the shipped release's date, so the citations can only have it from this one


@pytest.fixture(scope="module")
def released_site(tmp_path_factory, built_shipped_site: Path) -> Path:
    """The shipped project copied without its releases, released on RELEASED, and built once (its charts from
    the shipped build's cache: a release does not change how they are drawn)."""
    project = shipped_copy(tmp_path_factory.mktemp("cite"))
    shutil.rmtree(project / "releases", ignore_errors=True)
    shutil.copytree(built_shipped_site / ".cache", project / ".cache")
    for args in (("release", "--note", "First release", "--date", RELEASED.isoformat()), ("build",)):
        result = run_cli(*args, cwd=project)
        assert result.returncode == 0, result.stderr
    return project


def test_after_a_release_every_citation_carries_its_date(released_site: Path):
    for survey, keys in _questions(released_site).items():
        _page_html, blocks = _cited(released_site, survey)
        entries = [entry for block in blocks for entry in block]
        assert len(blocks) == len(keys) and len(entries) > len(keys)  # headline figures are cited too
        for apa, bib in entries:
            assert _apa_date(RELEASED) in apa
            assert "  year = 2027,\n  month = mar,\n  date = {2027-03-15}," in bib
