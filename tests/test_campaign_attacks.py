"""Hostile campaign settings, pages and titles: nothing they hold runs, loads from elsewhere or stops the build badly.

Most attacks are run in-process on the functions that handle them (settings, actions, share links, descriptions,
table regions, share cards, the copy checks); two builds of the shipped project check what reaches the published
HTML and that a refused build leaves site/ as it was.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ElementTree
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import markdown
import pytest
from conftest import REPO, invoke, shipped_copy

from build_scripts.editorial.campaign import Campaign, actions_markdown, read_campaign, share_html
from build_scripts.editorial.copy_check import figure_led_sentences, typed_figures
from build_scripts.editorial.formatting import md_text
from build_scripts.editorial.table_regions import wrap_tables
from build_scripts.publish.page_endings import page_description, page_ending
from build_scripts.publish.share_images import Brand, ShareCard, card_svg, site_card

SCRIPT = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
HOSTILE_TEXT = [
    SCRIPT, "[x](javascript:alert(1))", "![x](//evil.example/x.png)", "<https://evil.example/x.png>",
    'Go {: onclick="alert(1)" }', "{{ 7 * 7 }} {% include 'x' %}", "&#106;avascript:x &lt;script&gt;",
    '??? note "Hidden"', '=== "Tab"',  # open before: a details block and a tab, where ask() starts a line
    "<!-- unclosed", "`code` *em* __b__ \\", "x" * 5000,
]
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc", "fenced_code", "pymdownx.details",
              "pymdownx.tabbed"]  # mkdocs.yml's, with the two MkDocs always adds


class _Markup(HTMLParser):
    """Every tag and attribute an HTML fragment holds, and the text inside any <script>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


def _settings(**campaign) -> dict:
    return {"extra": {"campaign": campaign}}


def _assert_inert(html: str, links: set[str] = frozenset()) -> None:
    """No script, no event handler, nothing loaded, and no link but the ones expected."""
    markup = _Markup(html)
    for tag, attrs in markup.tags:
        assert tag not in {"script", "img", "iframe", "object", "embed", "details", "input", "style"}, (tag, html)
        assert not any(name.startswith("on") or name == "style" for name in attrs), (tag, attrs)
        if "href" in attrs:
            assert attrs["href"] in links, attrs["href"]
        assert "src" not in attrs


# --- the campaign's settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("link", [
    # open before: an address ran on past its Markdown link into markup (the check matched its start only)
    "https://x.org/) <script>alert(1)</script> (", "https://x.org/\n<script>alert(1)</script>",
    "mailto:mp@x.org\n<img src=x onerror=alert(1)>", 'https://evil.example/"><script>alert(1)</script>',
    'https://x.org/ "title"', "https://x.org/{{ 7 * 7 }}", 'https://x.org/>{: onclick="alert(1)" }',
    "https://", "https://www.writetothem.com@evil.example/", "https://x.org/\u202e", "mailto:<script>",
    "briefing.md\n",
    # closed already
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/",
    "http://insecure.example/", "https:evil.example", 'briefing.md" onmouseover="alert(1)', "../../etc/passwd",
    "updates/../../x.md", "/etc/passwd", " briefing.md", "vbscript:x",
])
def test_an_action_link_that_is_not_one_plain_address_or_page_is_refused(link):
    campaign, problems = read_campaign(_settings(actions=[{"label": "Go", "link": link}]))
    assert [p.where for p in problems] == ["field extra.campaign.actions[0].link"]
    assert problems[0].file == "mkdocs.yml" and problems[0].fix and campaign == Campaign()


@pytest.mark.parametrize("link, href", [
    ("https://www.writetothem.com/", "https://www.writetothem.com/"),
    ("https://example.org:8443/a/b?x=1&y=%22two%22#part", "https://example.org:8443/a/b?x=1&y=%22two%22#part"),
    ("mailto:mp@example.org?subject=Early%20help&body=Please%20act", "mailto:mp@example.org?subject=Early%20help"
                                                                     "&body=Please%20act"),
    ("briefing.md#the-ask", "../briefing.md#the-ask"),
])
def test_an_allowed_action_link_is_the_one_link_its_button_has(link, href):
    campaign, problems = read_campaign(_settings(actions=[{"label": "Go", "link": link}]))
    assert problems == []
    html = _html(actions_markdown(campaign, lambda page: f"../{page}"))
    _assert_inert(html, {href})
    assert [attrs["href"] for tag, attrs in _Markup(html).tags if tag == "a"] == [href]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_labels_lines_and_asks_are_printed_as_text(text):
    campaign = Campaign.model_validate({"ask": text[:240], "actions": [
        {"label": text[:40], "link": "briefing.md", "text": text[:160]}]})
    for html in (_html(actions_markdown(campaign, lambda page: page)),
                 _html(f"{md_text(campaign.ask)}\n{{ .campaign-ask }}")):  # as the home page places ask()
        _assert_inert(html, {"briefing.md"})
        assert "tabbed" not in html and "49" not in html
    shown = unescape(re.sub(r"<[^>]+>", "", _html(md_text(text))))
    assert " ".join(shown.split()) == " ".join(text.split())  # every character shown as written


@pytest.mark.parametrize("field", ["name", "ask", "label", "text"])
@pytest.mark.parametrize("hidden", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u2066"])
def test_invisible_control_characters_in_campaign_text_are_refused(field, hidden):
    words = f"Write{hidden} to your MP"
    action = {"label": "Go", "link": "briefing.md"}
    settings = {field: words} if field in {"name", "ask"} else {"actions": [action | {field: words}]}
    campaign, problems = read_campaign(_settings(**settings))
    where = f"field extra.campaign.{field}" if field in {"name", "ask"} else f"field extra.campaign.actions[0].{field}"
    assert [p.where for p in problems] == [where]
    assert "control character" in problems[0].message and f"U+{ord(hidden):04X}" in problems[0].message


def test_a_campaign_name_longer_than_the_share_card_line_is_refused():
    _, problems = read_campaign(_settings(name="A" * 100_000))
    assert [p.where for p in problems] == ["field extra.campaign.name"]


@pytest.mark.parametrize("settings, where", [
    ({"colours": {"primary": "#12436d\n"}}, "colours.primary"),  # open before: $ let a trailing newline through
    ({"colours": {"primary": "#12436d; background:url(//evil.example/x)"}}, "colours.primary"),
    ({"colours": {"accent": "#28a197}body{background:url(//evil.example)"}}, "colours.accent"),
    ({"colours": {"primary": "var(--x)"}}, "colours.primary"),
    ({"logo": "images/logo.svg\n"}, "logo"),  # open before, as the colours
    ({"logo": "images/../../secret.svg"}, "logo"), ({"logo": "/etc/passwd.svg"}, "logo"),
    ({"logo": "https://evil.example/logo.svg"}, "logo"), ({"logo": "//evil.example/logo.svg"}, "logo"),
    ({"logo": 'x.svg" onerror="alert(1)'}, "logo"), ({"logo": "javascript:alert(1)//.svg"}, "logo"),
    ({"logo": "images/logo.svg.html"}, "logo"),
    ({"name": None}, "name"), ({"name": {"a": 1}}, "name"), ({"ask": "x" * 241}, "ask"),
    ({"actions": [{"label": "Go", "link": "briefing.md"}] * 7}, "actions"),
    ({"actions": [{"label": "Go", "link": "briefing.md", "onclick": "alert(1)"}]}, "actions[0].onclick"),
])
def test_bad_campaign_values_name_their_field(settings, where):
    _, problems = read_campaign(_settings(**settings))
    assert [p.where for p in problems] == [f"field extra.campaign.{where}"]


def test_a_bad_setting_is_reported_once_with_a_fix_that_fits_it():
    # open before: the fix for a number said 'put the value in quotes, e.g. "None"', and with any field wrong the
    # whole campaign fell back to defaults, so pages calling ask() and actions() were reported as well
    campaign, problems = read_campaign(_settings(name=2015, ask="Fund early help", actions=[
        {"label": "Go", "link": "javascript:alert(1)"}, {"label": "Read the briefing", "link": "briefing.md"}]))
    assert [(p.where, p.fix) for p in problems] == [
        ("field extra.campaign.name", 'put the value in quotes, e.g. "2015" (unquoted, YAML reads it as a number)'),
        ("field extra.campaign.actions[0].link", "give an https:// address, a mailto: address or a page of the site")]
    assert campaign.ask == "Fund early help" and [a.link for a in campaign.actions] == ["briefing.md"]


def test_yaml_tags_and_anchors_in_mkdocs_yml_are_refused_or_plain_data(tmp_path: Path):
    from build_scripts.yaml_schema import read_site_config

    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: x\nextra:\n  campaign:\n"
        "    name: !!python/object/apply:os.system ['touch hacked']\n"
        "    logo: !ENV [LOGO, images/logo.svg]\n"
        "    ask: &ask Fund early help\n"
        "    actions: [{label: *ask, link: briefing.md}]\n", encoding="utf-8")
    campaign, problems = read_campaign(read_site_config(config))
    assert {p.where for p in problems} == {"field extra.campaign.name", "field extra.campaign.logo"}
    assert not (Path.cwd() / "hacked").exists() and not (tmp_path / "hacked").exists()


def test_a_logo_that_is_a_link_out_of_docs_is_refused_unread(tmp_path: Path):
    from build_scripts.pipeline.compute import logo_problems
    from build_scripts.publish.project_bounds import boundary_problems

    secret = tmp_path / "secret.svg"
    secret.write_text("<svg>secret</svg>", encoding="utf-8")
    project = tmp_path / "project"
    (project / "docs" / "images").mkdir(parents=True)
    (project / "docs" / "images" / "logo.svg").symlink_to(secret)
    problems = boundary_problems(project, {"docs_dir": "docs"})
    assert [p.file for p in problems] == ["docs/images/logo.svg"] and "link" in problems[0].message
    missing = logo_problems(Campaign.model_validate({"logo": "images/missing.svg"}), project / "docs")
    assert [p.where for p in missing] == ["field extra.campaign.logo"]


# --- share links, descriptions and page endings ------------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://x.org/\"><script>alert(1)</script>", "https://x.org/a b/'c'/<d>"])
def test_share_links_keep_a_hostile_title_text_and_address_inside_their_attributes(url):
    html = share_html(url, SCRIPT, SCRIPT)
    markup = _Markup(html)
    assert [tag for tag, _ in markup.tags] == ["nav", "p", "a", "a", "a", "a", "a", "p", "label", "input"]
    assert {urlsplit(attrs["href"]).scheme for tag, attrs in markup.tags if tag == "a"} == {"mailto", "https"}
    assert [attrs["value"] for tag, attrs in markup.tags if tag == "input"] == [url]
    assert share_html("javascript:alert(1)//", SCRIPT) == "" and share_html("data:text/html,x", SCRIPT) == ""


def test_a_page_ending_with_a_hostile_title_holds_only_its_own_links():
    campaign = Campaign.model_validate({"actions": [{"label": SCRIPT[:40], "link": "briefing.md", "text": SCRIPT}]})
    ending = page_ending(campaign, "https://x.org/", "updates/posts/a.md", SCRIPT, "updates/2015/a/", actions=True)
    html = _html(ending)
    markup = _Markup(html)
    assert markup.scripts == [] and not any(n.startswith("on") for _, attrs in markup.tags for n in attrs)
    assert {tag for tag, _ in markup.tags} <= {"div", "h2", "ul", "li", "a", "nav", "p", "label", "input"}
    assert "../../briefing.md" in html and 'value="https://x.org/updates/2015/a/"' in html


@pytest.mark.parametrize("opening, shown", [
    # open before: the description is printed into <meta content="..."> as it is, by both engines
    ('Type `"><script>alert(1)</script>` in the "box" and press enter.',
     'Type "><script>alert(1)</script> in the "box" and press enter.'),
    ("Write &lt;img src=x onerror=alert(2)&gt; and &quot;quote&quot; it here.",
     'Write <img src=x onerror=alert(2)> and "quote" it here.'),
    # closed already: markup in the opening is left out, not passed on
    ("Hello <img src=x onerror=alert(3)> world <script>alert(4)</script> and more words here.",
     "Hello world and more words here."),
    ('A [link](javascript:alert(5)){: onclick="alert(6)" } in the opening sentence of the page.',
     "A link in the opening sentence of the page."),
])
def test_a_description_from_the_opening_is_safe_in_an_attribute_and_says_what_the_page_shows(opening, shown):
    description = page_description(f"# Title\n\n<p>an HTML block is skipped</p>\n\n{opening}\n\nMore.\n")
    assert not set(description) & set("<>\"'")
    assert unescape(description) == shown
    page = _Markup(f'<meta name="description" content="{description}">')  # as both engines' base.html prints it
    assert page.tags == [("meta", {"name": "description", "content": shown})]


def test_codebook_text_escaped_for_a_survey_page_stays_escaped_in_its_description():
    # open before: md_text's &lt; became < again in the plain text, and the engines printed it as it was
    finding = md_text('Social workers said "><script>alert(1)</script> & more')
    description = page_description(f"## Main points\n\n- **Powerless**: {finding}\n")
    assert "<" not in description and unescape(description) == (
        'Powerless: Social workers said "><script>alert(1)</script> & more')


def test_a_long_opening_is_cut_before_it_is_escaped():
    description = page_description("# T\n\n" + "&quot;word&quot; " * 100)
    assert len(unescape(description)) <= 160 and unescape(description).endswith("…")


def test_a_table_region_is_named_from_plain_words_and_front_matter_is_left_as_written():
    header = '| "><img src=x onerror=alert(1)> {: onclick=alert(2) } {{ 7*7 }} | b |'
    wrapped = wrap_tables(f"Intro\n\n{header}\n| --- | --- |\n| 1 | 2 |\n")
    label = re.search(r'aria-label="([^"]*)"', wrapped).group(1)
    assert label == "Table: onclickalert2   77"  # the tag dropped, then every character but words
    front = '---\ndescription: |\n  x\n\n  | a" b | c |\n  | --- | --- |\ntitle: T\n---\n\n# T\n'
    assert wrap_tables(front) == front  # open before: a region's <div> was written into the YAML's text


# --- share cards ----------------------------------------------------------------------------------------------------


def test_a_share_card_with_hostile_or_unprintable_text_is_well_formed_svg():
    brand = Brand("Act\x07 early ]]> <script>", "example.org/\"'<x>")
    for card in (site_card("Fund\x1b early help <!ENTITY x SYSTEM 'file:///etc/passwd'>&x; \x00", brand.address),
                 ShareCard("q", "41%", "of people said '<b>\x0c</b>'", 'Survey & "source" \x01')):
        svg = card_svg(card, brand)
        root = ElementTree.fromstring(svg)  # open before: a control character made the card fail to draw
        assert {element.tag.rsplit("}", 1)[-1] for element in root.iter()} <= {"svg", "rect", "g", "path", "text"}
        assert "<script" not in svg and "<!ENTITY" not in svg and "Act early ]]&gt; &lt;script&gt;" in svg


# --- the copy checks ------------------------------------------------------------------------------------------------


def test_the_copy_checks_take_time_in_proportion_to_a_page(tmp_path: Path):
    # open before: each unclosed "{{", "{%" or "<!--", or each "{{ stat(" on one line, searched to the end again
    page = tmp_path / "docs" / "long.md"
    page.parent.mkdir()
    for check, text in [(figure_led_sentences, "Intro " + '. {{ stat(' * 60_000 + ' form="words"\n'),
                        (typed_figures, "x " + "{{ " * 30_000 + "\n"), (typed_figures, "x " + "<!-- " * 30_000 + "\n"),
                        (typed_figures, "x " + "{% " * 30_000 + "\n")]:
        page.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        check([page], tmp_path)
        assert time.perf_counter() - start < 2, text[:20]


def test_the_copy_checks_still_find_what_they_look_for(tmp_path: Path):
    page = tmp_path / "docs" / "p.md"
    page.parent.mkdir()
    page.write_text('Words. {{ stat("a.b.c") }} said yes. Words. {{ stat("a.b.c", form="words") }} said no.\n\n'
                    '{{ stat("a.b.c") }} lead.\n\nTyped: 41% here {{ "51%" }} <!-- 61% -->\n', encoding="utf-8")
    assert [p.where for p in figure_led_sentences([page], tmp_path)] == ["line 1", "line 3"]
    assert [p.value for p in typed_figures([page], tmp_path)] == ["41%"]


# --- the theme's logo ---------------------------------------------------------------------------------------------


def test_the_logo_template_escapes_what_it_is_given():
    # The engines print the setting itself, not the checked copy (e.g. from a file mkdocs.yml INHERITs).
    template = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "overrides"))
    template.filters["url"] = lambda value: value
    logo = template.get_template("partials/logo.html").render(
        config={"extra": {"campaign": {"logo": 'x.svg" onerror="alert(1)'}}, "theme": {}})
    assert _Markup(logo).tags == [("img", {"src": 'x.svg" onerror="alert(1)', "alt": ""})]


# --- the published site (two builds) --------------------------------------------------------------------------------


class _Loads(HTMLParser):
    """What a page would run or fetch by itself: scripts, event handlers, and addresses it loads."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.handlers, self.loaded, self.inline = [], [], []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [(tag, name) for name in attrs if name.startswith("on")]
        loads = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src", "audio": "src",
                 "embed": "src", "object": "data"}
        if tag in loads and attrs.get(loads[tag]):
            self.loaded.append(attrs[loads[tag]])
        if tag == "link" and attrs.get("rel") in {"stylesheet", "preload", "icon", "modulepreload"}:
            self.loaded.append(attrs.get("href") or "")
        self._script = [] if tag == "script" and not attrs.get("src") else None
        if tag == "a" and (attrs.get("href") or "").lower().startswith(("javascript:", "data:", "vbscript:")):
            self.handlers.append((tag, attrs["href"]))

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.inline.append("".join(self._script))
            self._script = None


HOSTILE_PAGE = """---
title: 'A title with "quotes" & <b>markup</b>'
---

# A title with "quotes" & <b>markup</b>

Type `"><script>alert(1)</script>` in the "box", then &lt;img src=x onerror=alert(2)&gt; and carry on.

| Answer `"><img src=x onerror=alert(3)>` | b |
| --- | --- |
| 1 | 2 |
"""

HOSTILE_POST = """---
date: 2016-01-04
---

# An update about `<script>alert(4)</script>` &lt;img src=x onerror=alert(5)&gt;

The opening of the update, with `"><img src=x onerror=alert(6)>` in its words and more after.
"""


def test_hostile_pages_and_titles_publish_nothing_that_runs_or_loads_from_elsewhere(tmp_path: Path, monkeypatch):
    project = shipped_copy(tmp_path)
    (project / "docs" / "hostile.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    (project / "docs" / "updates" / "posts" / "2016-01-04-hostile.md").write_text(HOSTILE_POST, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - Sources: sources.md\n", "  - Sources: sources.md\n  - Hostile: hostile.md\n"), encoding="utf-8")
    monkeypatch.chdir(project)
    result = invoke("build")
    assert result.exit_code == 0, result.output
    site = project / "site"
    for path in sorted(site.rglob("*.html")):
        page = _Loads()
        page.feed(path.read_text(encoding="utf-8"))
        assert page.handlers == [], path
        assert not any("alert(" in script for script in page.inline), path
        for address in page.loaded:
            assert not urlsplit(address).netloc and not address.startswith("//"), (path, address)
    hostile = (site / "hostile" / "index.html").read_text(encoding="utf-8")
    description = re.search(r'<meta name="description" content="([^"]*)"', hostile).group(1)
    assert unescape(description) == ('Type "><script>alert(1)</script> in the "box", then <img src=x onerror=alert(2)> '
                                     "and carry on.")
    assert {"class": "table-region", "role": "region", "tabindex": "0", "aria-label": "Table: Answer"} in [
        attrs for tag, attrs in _Markup(hostile).tags if tag == "div"]
    descriptions = [unescape(re.search(r'<meta name="description" content="([^"]*)"', p.read_text(encoding="utf-8"))
                             .group(1)) for p in (site / "updates").rglob("index.html")]
    assert 'The opening of the update, with "><img src=x onerror=alert(6)> in its words and more after.' in descriptions


def test_hostile_campaign_settings_stop_the_build_with_their_fields_and_leave_the_site_as_it_was(
        tmp_path: Path, monkeypatch):
    project = shipped_copy(tmp_path)
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("the last good site", encoding="utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for written, instead in [
        ("name: Act early on child neglect", 'name: "Act early\\x07 on child neglect"'),
        ("link: https://www.writetothem.com/", 'link: "https://www.writetothem.com/) <script>alert(1)</script> ("'),
        ('primary: "#12436d"', 'primary: "#12436d\\n"'),
    ]:
        assert written in text
        text = text.replace(written, instead)
    config.write_text(text, encoding="utf-8")
    monkeypatch.chdir(project)
    result = invoke("build")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for where in ("name", "actions[0].link", "colours.primary"):
        assert f"mkdocs.yml, field extra.campaign.{where}" in result.output, result.output
    assert "U+0007" in result.output and "nothing to print" not in result.output
    assert [p.name for p in (project / "site").iterdir()] == ["index.html"]
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "the last good site"
