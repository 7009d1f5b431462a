"""The campaign updates as an RSS 2.0 feed, written by us into the finished tree so that both engines publish the
same bytes: no clock (the dates are the posts'), newest first, every text escaped, every link absolute and known.

A post's address is not guessed: the build gives every post a `slug:` in its finished front matter (its author's,
else one made from its title), and Material's blog and Zensical both publish it at
`<blog_dir>/<post_url_format>/` with that slug. After the engine has built, `dead_links` checks that every item's
address is a page of the built site.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import posixpath
import re
import string
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import markdown

from build_scripts.editorial.copy_render import RenderedCopy
from build_scripts.editorial.updates import Post, post_of, post_slug, post_title
from build_scripts.errors import DataError, Problem
from build_scripts.project import GENERATED

FEED = "feed_rss_created.xml"  # the address subscribers have used since the feed came from mkdocs-rss-plugin
SITE_CARD = f"{GENERATED}/share/site.png"  # the site's share card: the feed's image
MAX_DESCRIPTION = 1000  # characters of a post's opening, when it has no description of its own
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML 1.0 refuses these
_DATE_TOKENS = {"yyyy": "%Y", "MM": "%m", "dd": "%d"}


@dataclass(frozen=True)
class Blog:
    """The settings of Material's blog plugin that fix where a post is published."""

    posts: str  # the folder of posts under docs/, e.g. updates/posts
    root: str  # blog_dir, e.g. updates
    url_format: str  # post_url_format, e.g. {date}/{slug}
    date_format: str  # post_url_date_format, e.g. yyyy/MM/dd
    directory_urls: bool  # use_directory_urls: updates/2015/11/02/launch/ or updates/2015/11/02/launch.html

    @classmethod
    def of(cls, config: dict) -> Blog | None:
        """The blog mkdocs.yml configures (plugins: - blog), or None for a site without one."""
        plugins = config.get("plugins") or []
        entries = plugins.items() if isinstance(plugins, dict) else [
            next(iter(p.items())) if isinstance(p, dict) and p else (p, None) for p in plugins]
        for name, settings in entries:
            if name in ("blog", "material/blog"):
                settings = settings if isinstance(settings, dict) else {}
                if settings.get("enabled") is False:
                    return None
                root = posixpath.normpath(str(settings.get("blog_dir") or "blog")).strip("/")
                posts = str(settings.get("post_dir") or "{blog}/posts").replace("{blog}", root)
                return cls(posixpath.normpath(posts).strip("/"), "" if root == "." else root,
                           str(settings.get("post_url_format") or "{date}/{slug}"),
                           str(settings.get("post_url_date_format") or "yyyy/MM/dd"),
                           config.get("use_directory_urls") is not False)
        return None

    def is_post(self, page: str) -> bool:
        """Whether a page under docs/ is one of the blog's posts."""
        return page.startswith(f"{self.posts}/") and page.endswith(".md")

    def address(self, post: Post) -> str:
        """The post's address in the site, relative to its root, as the engines publish it."""
        fields = {"date": _date_words(post.published, self.date_format), "slug": post.slug,
                  "file": posixpath.splitext(posixpath.basename(post.page))[0]}
        path = posixpath.normpath(self.url_format.format(**fields).strip("/"))
        path = posixpath.join(self.root, path) if self.root else path
        return f"{path}/" if self.directory_urls else f"{path}.html"

    def problems(self, config_name: str) -> list[Problem]:
        """Address settings the feed cannot follow (a category in the address, a date format of other fields)."""
        problems = []
        unknown = sorted({name for _, name, _, _ in string.Formatter().parse(self.url_format)
                          if name is not None and name not in ("date", "slug", "file")})
        if unknown:
            problems.append(Problem(config_name, "plugins: blog: post_url_format", "the updates feed cannot tell the "
                                    f"address of a post from {', '.join('{' + n + '}' for n in unknown)}",
                                    "use {date}, {slug} and {file} only, e.g. the default {date}/{slug}",
                                    self.url_format))
        if re.sub("yyyy|MM|dd", "", self.date_format).strip("/-_. "):
            problems.append(Problem(config_name, "plugins: blog: post_url_date_format", "the updates feed reads only "
                                    "yyyy, MM and dd in the date of a post's address",
                                    "use a format such as the default yyyy/MM/dd", self.date_format))
        return problems


def blog_posts(copy: RenderedCopy, blog: Blog, shown_docs: str = "docs") -> list[Post]:
    """Every post of the blog as the copy renderer rendered it, published or not; DataError for a bad date."""
    posts, problems = [], []
    for name, page in sorted(copy.pages.items()):
        if not blog.is_post(name):
            continue
        try:
            post = post_of(name, page.meta, page.body, f"{shown_docs}/{name}")
        except DataError as error:
            problems += error.problems
            continue
        if post is not None and not page.draft:
            posts.append(post)
    if problems:
        raise DataError(problems)
    return posts


def post_slugs(copy: RenderedCopy, blog: Blog) -> dict[str, str]:
    """For each post, drafts included (so a draft keeps its address when published), the slug to write into its
    finished front matter; an author's own `slug:` is left as written."""
    return {name: post_slug(page.meta, post_title(page.meta, page.body, name))
            for name, page in sorted(copy.pages.items()) if blog.is_post(name) and "slug" not in page.meta}


def rss(config: dict, blog: Blog, posts: list[Post]) -> str:
    """The feed as text: `config` is mkdocs.yml with !ENV resolved (site_url, site_name, site_description,
    theme.language). DataError when the site has no address to make the links absolute with."""
    site_url = str(config.get("site_url") or "")
    problems = blog.problems("mkdocs.yml")
    if not urlsplit(site_url).scheme or not urlsplit(site_url).netloc:
        problems.insert(0, Problem("mkdocs.yml", "site_url", "the updates feed needs the address the site is "
                                   "published at, for its links", "set site_url, e.g. "
                                   "`site_url: https://example.org/campaign/`", site_url or None))
    if problems:
        raise DataError(problems)
    site_url = site_url if site_url.endswith("/") else site_url + "/"  # as MkDocs reads it
    name = str(config.get("site_name") or "")
    theme = config.get("theme") if isinstance(config.get("theme"), dict) else {}
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom"})
    channel = ET.SubElement(root, "channel")
    _add(channel, "title", name)
    _add(channel, "link", site_url)
    _add(channel, "description", str(config.get("site_description") or name))
    ET.SubElement(channel, "atom:link", {"href": site_url + FEED, "rel": "self", "type": "application/rss+xml"})
    _add(channel, "language", str(theme.get("language") or "en"))
    newest_first = sorted(posts, key=lambda p: (p.published, p.page), reverse=True)
    if newest_first:
        _add(channel, "pubDate", _rfc822(newest_first[0].published))
        _add(channel, "lastBuildDate", _rfc822(newest_first[0].published))
    image = ET.SubElement(channel, "image")
    _add(image, "url", site_url + SITE_CARD)
    _add(image, "title", name)
    _add(image, "link", site_url)
    for post in newest_first:
        link = site_url + quote(blog.address(post), safe="/")
        item = ET.SubElement(channel, "item")
        _add(item, "title", plain_text(post.title))
        _add(item, "link", link)
        # RSS reads a description as HTML: the plain text is escaped for HTML, then (by ElementTree) for XML.
        _add(item, "description", html.escape(post.description or _shortened(plain_text(post.excerpt)), quote=False))
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = link
        _add(item, "pubDate", _rfc822(post.published))
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def dead_links(site_dir: Path) -> list[Problem]:
    """Items of the built site's feed whose address is not a page of the site (and a missing feed image): the
    engine published a post somewhere else than the feed says."""
    feed = site_dir / FEED
    if not feed.is_file():
        return []
    channel = ET.parse(feed).getroot().find("channel")
    site_url = channel.findtext("link") or ""
    fix = ("a post's address comes from its date, its `slug:` and the blog's post_url_format in mkdocs.yml; check "
           "that the engine publishes the post (not a draft, not dated in the future under draft_if_future_date)")
    problems = []
    links = [(f"item {n}", item.findtext("link") or "", item.findtext("title"))
             for n, item in enumerate(channel.iter("item"), 1)]
    links.append(("image", channel.findtext("image/url") or "", None))
    for where, link, title in links:
        path = unquote(link[len(site_url):]) if link.startswith(site_url) else ""
        page = path + "index.html" if path.endswith("/") else path
        if not path or ".." in path.split("/") or not (site_dir / page).is_file():
            what = "the update" if title is not None else "the feed's image (the site's share card)"
            problems.append(Problem(f"site/{FEED}", where, f"{what} links to {path or link}, which is not a page of "
                                    "the site the engine built", fix if title is not None else
                                    "check that the build drew the site's share card", title))
    return problems


def plain_text(text: str) -> str:
    """Markdown (with the HTML copy may hold) as one line of plain text: no markup, no tooltips, spaces collapsed."""
    reader = _Text()
    reader.feed(markdown.markdown(_NOT_XML.sub("", text), extensions=["attr_list", "md_in_html", "tables"]))
    reader.close()
    return " ".join("".join(reader.parts).split())


class _Text(HTMLParser):
    """The text an HTML fragment shows, without what a reader does not read in line (tooltips, scripts, styles)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[tuple[str, bool]] = []  # tags open, and whether each hides its text

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            self.parts.append(" ")
            return
        hidden = tag in ("script", "style", "template") or dict(attrs).get("role") == "tooltip"
        self.open.append((tag, hidden or any(h for _, h in self.open)))
        self.parts.append(" " if tag in ("p", "li", "td", "th", "div", "tr", "h1", "h2", "h3") else "")

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        if not (self.open and self.open[-1][1]):
            self.parts.append(data)


def _add(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = _NOT_XML.sub("", text)


def _shortened(text: str) -> str:
    if len(text) <= MAX_DESCRIPTION:
        return text
    return text[:MAX_DESCRIPTION].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _rfc822(moment: dt.datetime) -> str:
    """A date as RSS writes it, in UTC: Mon, 02 Nov 2015 00:00:00 +0000."""
    return email.utils.format_datetime(moment.astimezone(dt.UTC))


def _date_words(moment: dt.datetime, date_format: str) -> str:
    """The date of a post's address, written as post_url_date_format says (yyyy, MM and dd, as Babel reads them)."""
    return re.sub("yyyy|MM|dd", lambda m: moment.strftime(_DATE_TOKENS[m.group(0)]), date_format)
