"""What the build adds to every published page: its own description, and at its end the actions and share links.

A page that sets `description:` in its front matter keeps it; otherwise its description is its opening
prose as plain text, so no two pages share the site's. Survey pages and updates end with the campaign's
actions; every page but the home page (which places its own) ends with links to share it.
"""

from __future__ import annotations

import posixpath
import re
from html import escape

from build_scripts.editorial.campaign import Campaign, actions_markdown, page_address, share_html
from build_scripts.publish.feed import plain_text

MAX_DESCRIPTION = 160  # what search results and link previews show before they cut
_SKIP = re.compile(r"^\s*(#|<!--|<|\||!!!|\?\?\?|===|\{|```|~~~|!\[|-{3,}\s*$)")


def page_description(body: str) -> str:
    """The page's opening prose (a paragraph or list item after its title) as plain text, at most 160 characters,
    escaped for HTML: both engines' base templates print `description` into an attribute as it is, and plain text
    can hold quotes and brackets (a code span, an entity) that the page shows as text."""
    if body.startswith("---\n"):  # front matter, on a generated page
        body = body.partition("\n---\n")[2]
    blocks = re.split(r"\n\s*\n", body)
    for block in blocks:
        if _SKIP.match(block) or not block.strip():
            continue
        first_item = re.split(r"\n\s*[-*+]\s+", block)[0]  # a list: its first item alone
        text = plain_text(re.sub(r"^\s*[-*+]\s+", "", first_item))
        if len(text) >= 20:
            return escape(shortened(text))
    return ""


def shortened(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """Text cut at a word before `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def page_ending(campaign: Campaign, site_url: str, page: str, title: str, address: str = "",
                actions: bool = False) -> str:
    """The Markdown a page ends with: the campaign's actions (if asked for) and links to share the page.

    `page` is its path under docs/ (links to other pages are made relative to it); `address` its published
    address when it is not where the path says (a blog post's).
    """
    here = posixpath.dirname(page)
    parts = []
    if actions:
        parts.append(actions_markdown(campaign, lambda target: posixpath.relpath(target, here or ".")))
    url = (site_url.rstrip("/") + "/" + address) if address and site_url else page_address(site_url, page)
    parts.append(share_html(url, title))
    text = "\n".join(part for part in parts if part)
    return f"\n\n{text}" if text else ""
