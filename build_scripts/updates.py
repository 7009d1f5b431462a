"""Campaign updates (Material's blog posts in docs/updates/posts/): the newest one, and drafting a new one."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

POSTS = Path("updates") / "posts"  # under docs/, where Material's blog plugin (blog_dir: updates) reads posts
MORE = "<!-- more -->"
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


@dataclass(frozen=True)
class Post:
    """One update: its source path under docs/, date, title and the excerpt before `<!-- more -->`."""

    page: str
    date: dt.date
    title: str
    excerpt: str


def read_post(path: Path, docs_dir: Path) -> Post | None:
    """A published post, or None for a draft or a file with no date."""
    text = path.read_text(encoding="utf-8")
    front = _FRONT.match(text)
    meta = (yaml.safe_load(front.group(1)) if front else None) or {}
    when = meta.get("date")
    if isinstance(when, dict):  # Material also accepts `date: {created: ..., updated: ...}`
        when = when.get("created")
    if meta.get("draft") or not isinstance(when, dt.date):
        return None
    body = text[front.end():] if front else text
    heading = re.search(r"^# (.+)$", body, re.MULTILINE)
    title = meta.get("title") or (heading.group(1).strip() if heading else path.stem)
    excerpt = body.split(MORE)[0]
    if heading:
        excerpt = excerpt.replace(heading.group(0), "", 1)
    when = when.date() if isinstance(when, dt.datetime) else when
    return Post(path.relative_to(docs_dir).as_posix(), when, str(title), excerpt.strip())


def is_draft(path: Path) -> bool:
    """Whether a page's front matter says `draft: true` (a draft post is checked but not published)."""
    try:
        front = _FRONT.match(path.read_text(encoding="utf-8"))
        return bool(front and (yaml.safe_load(front.group(1)) or {}).get("draft"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
        return False


def latest_post(docs_dir: Path) -> Post | None:
    """The newest published update, or None when there is none."""
    posts = [p for p in (read_post(f, docs_dir) for f in sorted((docs_dir / POSTS).glob("**/*.md"))) if p]
    return max(posts, key=lambda p: (p.date, p.page), default=None)


def slug(title: str) -> str:
    """A title as a file name: lower-case ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-") or "update"


def new_update(docs_dir: Path, title: str, on: dt.date, description: str = "") -> Path:
    """Write a dated draft post with its front matter filled in; refuse to overwrite one."""
    path = docs_dir / POSTS / f"{on.isoformat()}-{slug(title)}.md"
    if path.exists():
        raise FileExistsError(path)
    front = {"date": on, "draft": True, "description": description or title}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n"
        f"# {title}\n\n"
        "The opening paragraph: it appears on the home page, in the updates list and in the feed.\n\n"
        f"{MORE}\n\n"
        "The rest of the update. Quote figures with the stat macro, never by typing them: see "
        "'Writing copy with figures' in the README.\n",
        encoding="utf-8")
    return path
