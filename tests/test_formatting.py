"""House style for numbers, and text from the data kept literal through Jinja and Markdown."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import markdown
import numpy as np
import pytest

from build_scripts.editorial.formatting import (
    LOW_BASE, NOT_AVAILABLE, SUPPRESSED, count, date_words, interval, md_text, percent, shorthand, shorthand_note)


@pytest.mark.parametrize("estimate, shown", [
    (0.41, "41%"),
    (0.415, "42%"),  # halves round up, not to even
    (0.125, "13%"),
    (0.5, "50%"),
    (0.105, "11%"),
    (0.0, "0%"),  # a true zero is 0% (standards rule 6), never a dash, which screen readers skip
    (0, "0%"),
    (0.004, "<1%"),
    (0.0049, "<1%"),
    (0.005, "1%"),
    (0.0051, "1%"),
    (0.9949, "99%"),
    (0.995, ">99%"),
    (0.996, ">99%"),
    (0.99999, ">99%"),
    (1.0, "100%"),
    (1, "100%"),
    (np.float64(0.25), "25%"),
    (None, "[c]"),  # not published: the Government Statistical Service's shorthand, never "*"
    (float("nan"), "[c]"),
    (np.nan, "[c]"),
    (np.float64("nan"), "[c]"),
])
def test_percent_house_style(estimate, shown):
    assert percent(estimate) == shown


@pytest.mark.parametrize("symbol, heard", [(SUPPRESSED, "not published"), (LOW_BASE, "low base"),
                                           (NOT_AVAILABLE, "not available")])
def test_shorthand_is_seen_as_the_symbol_and_heard_as_words(symbol, heard):
    html = markdown.markdown(f"| Figure |\n| --- |\n| 45% {shorthand(symbol)} |", extensions=["tables"])
    seen = re.search(r'<span class="shorthand"><span aria-hidden="true">([^<]*)</span>', html).group(1)
    spoken = re.search(r'<span class="visually-hidden">([^<]*)</span>', html).group(1)
    assert (seen, spoken) == (symbol, heard)
    assert 'class="visually-hidden"' not in shorthand(symbol, spoken=False)  # for text that says the words itself


def test_the_note_under_a_table_explains_only_the_symbols_it_uses_in_a_fixed_order():
    note = shorthand_note({NOT_AVAILABLE, SUPPRESSED})
    assert note.startswith("[c] not published, to protect respondents") and "[x] not available" in note
    assert note.index("[c]") < note.index("[x]") and "[u]" not in note
    assert shorthand_note(set()) == ""


@pytest.mark.parametrize("estimate, shown", [(57 / 200, "29%"), (0.145, "15%"), (0.575, "58%"), (0.565, "57%")])
def test_percent_rounds_every_exact_half_up(estimate, shown):
    assert percent(estimate) == shown


@pytest.mark.parametrize("low, high, shown", [
    (0.37, 0.45, "37% to 45%"),
    (0.0, 0.071, "0% to 7%"),
    (0.001, 0.004, "<1% to <1%"),
    (0.93, 1.0, "93% to 100%"),
    (0.985, 0.996, "99% to >99%"),
    (None, 0.4, "[c]"),
    (0.3, None, "[c]"),
    (float("nan"), float("nan"), "[c]"),
    (np.float64("nan"), 0.5, "[c]"),
])
def test_interval(low, high, shown):
    assert interval(low, high) == shown


@pytest.mark.parametrize("value, shown", [
    (0, "0"),
    (7, "7"),
    (1234, "1,234"),
    (1234567, "1,234,567"),
    (np.int64(2064), "2,064"),
    (2064.0, "2,064"),
    (12.4, "12"),
    (None, "[c]"),
    (float("nan"), "[c]"),
    (np.nan, "[c]"),
])
def test_count(value, shown):
    assert count(value) == shown


@pytest.mark.parametrize("value, shown", [
    ("2015", "2015"),
    ("2015-03", "March 2015"),
    ("2015-03-04", "4 March 2015"),
    ("2015-12-31", "31 December 2015"),
    ("2020-01", "January 2020"),
    (2015, "2015"),
    (datetime.date(2015, 10, 2), "2 October 2015"),  # YAML reads an unquoted date as a date
])
def test_date_words(value, shown):
    assert date_words(value) == shown


# Text from the data: literal through the copy renderer (Jinja) and Python-Markdown.

class _Html(HTMLParser):
    """Collects the tags, attributes and text of rendered HTML, with entities decoded."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[dict] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append(dict(attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tags.append("/" + tag)

    def handle_data(self, data):
        self.text += data

    def handle_comment(self, data):
        self.tags.append("!--")


def _render(text: str) -> _Html:
    return _Html(markdown.markdown(text, extensions=["tables"]))


NASTY = [
    "<script>alert(1)</script>",
    '{{ stat("x") }}',
    "{% include 'secret' %} and {# a comment #}",
    "Yes | No",
    "*bold* and **strong** and _em_ and __strong__ and snake_case_word",
    "[link](x) and ![image](y.png) and <http://example.com>",
    "`code` and a back\\slash and 5 * 3 * 2",
    "# not a heading",
    "1. not a list",
    "- not a list",
    "+ not a list",
    "> not a quote",
    "***",
    "<!-- not a comment -->",
    "Tom & Jerry &amp; co &lt;",
    "Question #",
    'A "quoted" word, it\'s fine!',
    '<script>alert(1)</script> {{ stat("x") }} | *bold* [link](x)',
]
FORBIDDEN = {"script", "em", "strong", "a", "code", "img", "ul", "ol", "li", "hr", "h1", "h2", "blockquote", "!--"}


def _opening(tags: list[str]) -> set[str]:
    return {t for t in tags if not t.startswith("/")}


@pytest.mark.parametrize("text", NASTY)
def test_md_text_contains_no_jinja_syntax(text):
    out = md_text(text)
    assert "{" not in out and "}" not in out
    for marker in ["{{", "{%", "{#"]:
        assert marker not in out


@pytest.mark.parametrize("text", NASTY)
def test_md_text_renders_literally_in_a_paragraph(text):
    page = _render(md_text(text))
    assert _opening(page.tags) == {"p"}
    assert page.text == text


@pytest.mark.parametrize("context, own", [
    ("## {}", {"h2"}),
    ("> {}", {"blockquote", "p"}),
    ("Asked of {}. Base: 120 who answered.", {"p"}),
])
@pytest.mark.parametrize("text", NASTY)
def test_md_text_renders_literally_where_pages_put_it(text, context, own):
    page = _render(context.format(md_text(text)))
    assert _opening(page.tags) == own
    assert text in page.text


@pytest.mark.parametrize("text", NASTY)
def test_md_text_as_image_alt_text_stays_in_the_alt(text):
    page = _render(f"![{md_text(text)}](chart.svg)")
    assert _opening(page.tags) == {"p", "img"}
    [_, img] = page.attrs
    assert img["alt"] == text and img["src"] == "chart.svg"


def test_md_text_collapses_line_breaks_so_text_stays_one_paragraph():
    text = "first line\n\n# second\n    indented code\n- item"
    out = md_text(text)
    assert "\n" not in out
    page = _render(out)
    assert _opening(page.tags) == {"p"}
    assert page.text == "first line # second indented code - item"


def test_the_nasty_example_from_the_brief_shows_every_character():
    text = '<script>alert(1)</script> {{ stat("x") }} | *bold* [link](x)'
    html = markdown.markdown(md_text(text), extensions=["tables"])
    assert "<script" not in html and "<em>" not in html and "<strong>" not in html and "<a " not in html
    assert "{{" not in html
    assert _Html(html).text == text


@pytest.mark.parametrize("cells", [
    ["Yes | definitely", "41%"],
    ["a | b | c", "*"],
    ["back\\slash \\| pipe", "<1%"],
    ["|", "|"],
    ["*x* | [y](z)", "12%"],
])
def test_a_table_row_of_md_text_cells_keeps_its_cells(cells):
    rows = ["| Answer | Share |", "| --- | --- |", "| " + " | ".join(md_text(c) for c in cells) + " |"]
    page = _render("\n".join(rows))
    body = page.tags[page.tags.index("tbody"):]
    assert body.count("td") == 2
    assert page.tags.count("th") == 2
    assert "em" not in page.tags and "a" not in page.tags
    assert cells[0] in page.text and cells[1] in page.text