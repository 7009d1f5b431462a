"""The updates feed, written by us: RSS 2.0 with every text escaped, published posts only, newest first, the same
bytes on every build, links to the addresses the engines publish, and a build that refuses a dead link."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import invoke

from build_scripts.editorial.copy_render import RenderedCopy, RenderedPage
from build_scripts.errors import DataError
from build_scripts.publish.feed import FEED, Blog, blog_posts, dead_links, plain_text, post_slugs, rss
from build_scripts.yaml_schema import read_site_config

SITE = "https://example.org/campaign/"
CONFIG = {"site_name": "Act early", "site_description": "What people told us.", "site_url": SITE,
          "theme": {"name": "material", "language": "en-GB"},
          "plugins": ["search", {"blog": {"blog_dir": "updates", "archive": False}}]}
BLOG = Blog.of(CONFIG)


def _copy(*posts: tuple[str, dict, str]) -> RenderedCopy:
    """Rendered copy holding these posts (name under updates/posts/, front matter, rendered body) and a plain page."""
    copy = RenderedCopy()
    copy.pages["index.md"] = RenderedPage("index.md", "", {}, "# Home\n")
    for name, meta, body in posts:
        path = f"updates/posts/{name}"
        copy.pages[path] = RenderedPage(path, "", meta, body, draft=bool(meta.get("draft")))
    return copy


def _feed(copy: RenderedCopy, config: dict = CONFIG) -> ET.Element:
    return ET.fromstring(rss(config, BLOG, blog_posts(copy, BLOG))).find("channel")


def test_the_channel_says_what_the_site_is_with_absolute_links_and_the_site_card():
    channel = _feed(_copy(("a.md", {"date": "2015-11-02"}, "# A\n\nOpening.\n")))
    assert channel.findtext("title") == "Act early" and channel.findtext("description") == "What people told us."
    assert channel.findtext("link") == SITE and channel.findtext("language") == "en-GB"
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link.attrib == {"href": f"{SITE}{FEED}", "rel": "self", "type": "application/rss+xml"}
    assert channel.findtext("image/url") == f"{SITE}data/share/site.png" and channel.findtext("image/link") == SITE
    item = channel.find("item")
    assert item.findtext("link") == item.findtext("guid") == f"{SITE}updates/2015/11/02/a/"
    assert item.find("guid").get("isPermaLink") == "true"
    assert item.findtext("pubDate") == "Mon, 02 Nov 2015 00:00:00 +0000"


HOSTILE = 'Tom & Jerry <b>bold</b> ]]> "quoted" \'single\' <!-- no --> \x00\x1b end'


def test_hostile_titles_and_descriptions_are_escaped_and_parse():
    copy = _copy(("a.md", {"date": "2016-01-01", "title": HOSTILE, "description": HOSTILE}, "Body.\n"),
                 ("b.md", {"date": "2016-01-02"}, "# Fish &amp; chips\n\nA <script>alert(1)</script> & a ]]> "
                                                  "[link](x.md){ .figure } & 5 < 6.\n\n<!-- more -->\n\nRest.\n"))
    text = rss(CONFIG, BLOG, blog_posts(copy, BLOG))
    assert "<script" not in text and "]]>" not in text and "\x00" not in text
    items = ET.fromstring(text).find("channel").findall("item")
    assert items[0].findtext("title") == "Fish & chips"
    # a description is HTML in RSS: plain text is escaped for HTML, then for XML
    assert items[0].findtext("description") == "A &amp; a ]]&gt; link &amp; 5 &lt; 6."
    assert items[1].findtext("title") == 'Tom & Jerry bold ]]> "quoted" \'single\' end'
    assert items[1].findtext("description") == html.escape(HOSTILE.replace("\x00", "").replace("\x1b", ""),
                                                           quote=False)
    site = _feed(_copy(), {**CONFIG, "site_name": "<Us> & ]]>", "site_description": "a < b"})
    assert site.findtext("title") == "<Us> & ]]>" and site.findtext("description") == "a < b"


def test_the_excerpt_is_plain_text_without_tooltips_and_cut_at_a_word():
    body = ("# Launch\n\nToday [41%<span class=\"figure-tip\" role=\"tooltip\"> (Base: 634)</span>](../../d.md#q)"
            "{ .figure } of **social workers** said so.\n\n<!-- more -->\n\nNot in the feed.\n")
    item = _feed(_copy(("a.md", {"date": "2016-01-01"}, body))).find("item")
    assert item.findtext("description") == "Today 41% of social workers said so."
    long = _feed(_copy(("b.md", {"date": "2016-01-01"}, "# Long\n\n" + "word " * 400))).findtext("item/description")
    assert len(long) <= 1001 and long.endswith("word…")
    assert plain_text("a\n\n- b\n- c") == "a b c"


def test_only_published_posts_newest_first_and_the_channel_dated_by_the_newest():
    copy = _copy(("old.md", {"date": "2015-01-01"}, "# Old\n"),
                 ("new.md", {"date": "2016-03-01 09:30:00"}, "# New\n"),
                 ("draft.md", {"date": "2017-01-01", "draft": True}, "# Draft\n"),
                 ("middle.md", {"date": {"created": "2015-06-01", "updated": "2018-01-01"}}, "# Middle\n"))
    copy.pages["updates/index.md"] = RenderedPage("updates/index.md", "", {}, "# Updates\n")  # not a post
    channel = _feed(copy)
    assert [i.findtext("title") for i in channel.findall("item")] == ["New", "Middle", "Old"]
    assert channel.findtext("pubDate") == channel.findtext("lastBuildDate") == "Tue, 01 Mar 2016 09:30:00 +0000"


def test_no_posts_is_a_valid_feed_with_no_dates():
    channel = _feed(_copy())
    assert channel.find("item") is None and channel.find("pubDate") is None and channel.find("lastBuildDate") is None
    assert channel.findtext("title") == "Act early"


def test_the_same_posts_give_the_same_bytes_in_any_order():
    posts = [("a.md", {"date": "2016-01-01"}, "# A\n\nOne.\n"), ("b.md", {"date": "2016-01-01"}, "# B\n\nTwo.\n"),
             ("c.md", {"date": "2015-01-01", "slug": "own"}, "# C\n")]
    first = rss(CONFIG, BLOG, blog_posts(_copy(*posts), BLOG))
    again = rss(CONFIG, BLOG, list(reversed(blog_posts(_copy(*reversed(posts)), BLOG))))
    assert first == again and first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"')
    assert first.index("<title>B</title>") < first.index("<title>A</title>")  # a tie: by page, newest first


def test_addresses_follow_the_slug_and_the_blog_settings():
    copy = _copy(("2016-01-02-x.md", {"date": "2016-01-02"}, "# Café & crèche: what next?\n"),
                 ("y.md", {"date": "2016-01-03", "slug": "Our own slug"}, "# Y\n"),
                 ("z.md", {"date": "2016-01-04", "draft": True}, "# A draft\n"))
    assert post_slugs(copy, BLOG) == {"updates/posts/2016-01-02-x.md": "cafe-creche-what-next",
                                      "updates/posts/z.md": "a-draft"}  # an author's slug is left as written
    links = [i.findtext("link") for i in _feed(copy).findall("item")]
    assert links == [f"{SITE}updates/2016/01/03/Our%20own%20slug/", f"{SITE}updates/2016/01/02/cafe-creche-what-next/"]
    flat = Blog.of({"use_directory_urls": False, "plugins": {"material/blog": {
        "blog_dir": "news/", "post_url_format": "{date}/{file}", "post_url_date_format": "yyyy-MM"}}})
    news = RenderedCopy(pages={"news/posts/p.md": RenderedPage("news/posts/p.md", "", {"date": "2016-01-02"}, "# P\n")})
    assert [flat.address(post) for post in blog_posts(news, flat)] == ["news/2016-01/p.html"]
    assert Blog.of({"plugins": ["search"]}) is None and Blog.of({"plugins": [{"blog": {"enabled": False}}]}) is None


@pytest.mark.parametrize("change, where", [({"site_url": None}, "site_url"),
                                           ({"plugins": [{"blog": {"post_url_format": "{categories}/{slug}"}}]},
                                            "post_url_format"),
                                           ({"plugins": [{"blog": {"post_url_date_format": "EEEE"}}]},
                                            "post_url_date_format")])
def test_what_the_feed_cannot_link_is_a_problem(change: dict, where: str):
    config = {**CONFIG, **change}
    with pytest.raises(DataError) as error:
        rss(config, Blog.of(config), [])
    assert where in error.value.problems[0].where


def test_mkdocs_yml_is_read_with_its_environment_variables(tmp_path: Path, monkeypatch):
    config = tmp_path / "mkdocs.yml"
    config.write_text('site_url: !ENV [SITE_URL, "http://127.0.0.1:8000/"]\nsite_name: !ENV NAME\n'
                      "theme:\n  language: !ENV [LANG_A, LANG_B, en]\n", encoding="utf-8")
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("LANG_A", raising=False)
    monkeypatch.setenv("LANG_B", "en-GB")
    assert read_site_config(config, environment=True) == {"site_url": "http://127.0.0.1:8000/", "site_name": None,
                                                          "theme": {"language": "en-GB"}}
    monkeypatch.setenv("SITE_URL", "https://example.org/")
    assert read_site_config(config, environment=True)["site_url"] == "https://example.org/"
    assert read_site_config(config)["site_url"] is None  # plain data, as before, for everything else


def test_dead_links_names_every_item_without_a_page(tmp_path: Path):
    copy = _copy(("a.md", {"date": "2016-01-01"}, "# There\n"), ("b.md", {"date": "2016-01-02"}, "# Missing\n"))
    (tmp_path / FEED).write_text(rss(CONFIG, BLOG, blog_posts(copy, BLOG)), encoding="utf-8")
    (tmp_path / "updates/2016/01/01/there").mkdir(parents=True)
    (tmp_path / "updates/2016/01/01/there/index.html").write_text("<p>x</p>")
    (tmp_path / "data/share").mkdir(parents=True)
    (tmp_path / "data/share/site.png").write_bytes(b"png")
    problems = dead_links(tmp_path)
    assert [(p.file, p.where, p.value) for p in problems] == [(f"site/{FEED}", "item 1", "Missing")]  # newest first
    assert "the update links to updates/2016/01/02/missing/, which is not a page" in problems[0].message
    (tmp_path / "data/share/site.png").unlink()
    assert [p.where for p in dead_links(tmp_path)] == ["item 1", "image"]
    assert dead_links(tmp_path / "no-feed") == []


def test_a_feed_item_the_engine_did_not_publish_fails_the_build(mini_site: Path):
    # Material and Zensical leave out a post dated in the future under draft_if_future_date; the feed (which reads
    # no clock) lists it, so the build must refuse to publish a dead link rather than publish it.
    config = mini_site / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n  - search\n", (
        "site_url: https://example.org/mini/\nplugins:\n  - search\n  - blog:\n      blog_dir: updates\n"
        "      draft_if_future_date: true\n")), encoding="utf-8")
    posts = mini_site / "docs/updates/posts"
    posts.mkdir(parents=True)
    (mini_site / "docs/updates/index.md").write_text("# Updates\n", encoding="utf-8")
    (posts / "now.md").write_text("---\ndate: 2020-03-01\n---\n\n# Published\n\nText.\n", encoding="utf-8")
    (posts / "later.md").write_text("---\ndate: 2090-01-01\n---\n\n# From the future\n\nText.\n", encoding="utf-8")
    result = invoke("build", "--project", str(mini_site))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"site/{FEED}, item 1: the update links to updates/2090/01/01/from-the-future/, which is not a page of " \
           "the site the engine built (found: 'From the future')" in result.output
    assert "draft_if_future_date" in result.output and not (mini_site / "site").exists()
    (posts / "later.md").unlink()
    result = invoke("build", "--project", str(mini_site))
    assert result.exit_code == 0, result.output
    feed = ET.parse(mini_site / "site" / FEED).getroot()
    assert [i.findtext("link") for i in feed.iter("item")] == ["https://example.org/mini/updates/2020/03/01/published/"]
    assert 'slug: "published"' in (mini_site / ".build/docs/updates/posts/now.md").read_text(encoding="utf-8")


def test_a_preview_showing_problems_is_written_even_when_the_feed_cannot_be(mini_site: Path):
    from build_scripts.editorial.campaign import Campaign
    from build_scripts.pipeline.finished_tree import write_preview_pages
    from build_scripts.project import Project

    config = mini_site / "mkdocs.yml"  # a blog, and no site_url to make the feed's links with
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n  - search\n", (
        "plugins:\n  - search\n  - blog:\n      blog_dir: updates\n")), encoding="utf-8")
    copy = _copy(("a.md", {"date": "2015-11-02"}, "# A\n"))
    write_preview_pages(Project(mini_site), copy, read_site_config(config), "a survey has a problem", Campaign())
    assert "a survey has a problem" in (mini_site / ".build/docs/index.md").read_text(encoding="utf-8")
    assert 'slug: "a"' in (mini_site / ".build/docs/updates/posts/a.md").read_text(encoding="utf-8")
    assert not (mini_site / ".build/docs" / FEED).exists()
    result = invoke("build", "--project", str(mini_site))  # a build says why there is no feed
    assert result.exit_code == 1 and "mkdocs.yml, site_url: the updates feed needs the address" in result.output


def test_an_empty_or_missing_description_gives_way_to_the_opening_in_the_feed_and_the_page_head():
    from build_scripts.publish.page_endings import page_description

    body = "# Ministers respond\n\nMinisters answered our survey today, and promised to look again.\n\n<!-- more -->\n"
    for meta in [{"date": "2016-01-05"}, {"date": "2016-01-05", "description": ""},
                 {"date": "2016-01-05", "description": "  "}]:
        item = _feed(_copy(("a.md", meta, body))).find("item")
        assert item.findtext("description") == "Ministers answered our survey today, and promised to look again."
    page = RenderedPage("updates/posts/a.md", 'date: 2016-01-05\ndescription: ""\n', {"date": "2016-01-05",
                                                                                   "description": ""}, body)
    finished = page.markdown({"description": page_description(body)})
    assert finished.startswith('---\ndate: 2016-01-05\ndescription: "Ministers answered our survey today, and '
                               'promised to look again."\n---\n')
    assert finished.count("description:") == 1
