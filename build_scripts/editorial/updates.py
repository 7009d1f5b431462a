"""Campaign updates (Material's blog posts in docs/updates/posts/): a post read from its front matter (title,
date, the slug of its address), the newest one, and drafting a new one."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from build_scripts.errors import DataError, Problem
from build_scripts.yaml_schema import as_timestamp, parse_yaml

POSTS = Path("updates") / "posts"  # under docs/, where Material's blog plugin (blog_dir: updates) reads posts
MORE = "<!-- more -->"
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


@dataclass(frozen=True)
class Post:
    """One update: its source path under docs/, date, title and the excerpt before `<!-- more -->`; the last part
    of its address (`slug`), its front matter's description, and its date and time as written (midnight, UTC,
    when it gives only a day)."""

    page: str
    date: dt.date
    title: str
    excerpt: str
    slug: str = ""
    description: str = ""
    published: dt.datetime | None = None


def read_post(path: Path, docs_dir: Path) -> Post | None:
    """A published post, or None for a draft or a file with no date; DataError for one that cannot be read."""
    shown = f"{docs_dir.name}/{path.relative_to(docs_dir).as_posix()}"
    text, meta = _read_front_matter(path, shown)
    front = _FRONT.match(text)
    return post_of(path.relative_to(docs_dir).as_posix(), meta, text[front.end():] if front else text, shown)


def post_of(page: str, meta: dict, body: str, shown: str) -> Post | None:
    """A post from its front matter and body (as written, or as the copy renderer rendered it), or None for a
    draft or a post with no date; DataError for a date that is not a real one."""
    when = meta.get("date")
    if isinstance(when, dict):  # Material also accepts `date: {created: ..., updated: ...}`
        when = when.get("created")
    if meta.get("draft") or when is None:
        return None
    published = _post_moment(when, shown)
    title = post_title(meta, body, page)
    description = meta.get("description")
    return Post(page, published.date(), title, excerpt_of(body), post_slug(meta, title),
                description.strip() if isinstance(description, str) else "", published)


def post_title(meta: dict, body: str, page: str) -> str:
    """A post's title as Material's blog reads it: the front matter's, else the page's top heading, else its name."""
    heading = re.search(r"^# (.+)$", body, re.MULTILINE)
    return str(meta.get("title") or (heading.group(1).strip() if heading else Path(page).stem))


def post_slug(meta: dict, title: str) -> str:
    """The last part of a post's address: the `slug:` its author wrote, else one made from its title. The build
    writes it into the finished post, so both engines publish the post where the feed says it is."""
    written = meta.get("slug")
    return written if isinstance(written, str) and written.strip() else slug(title)


def excerpt_of(body: str) -> str:
    """A post's opening, as the home page shows it: the text before <!-- more -->, without its top heading."""
    excerpt = body.split(MORE)[0]
    heading = re.search(r"^# (.+)$", excerpt, re.MULTILINE)
    if heading:
        excerpt = excerpt.replace(heading.group(0), "", 1)
    return excerpt.strip()


def _read_front_matter(path: Path, shown: str) -> tuple[str, dict]:
    """The post's text and its front matter (dates kept as text), or DataError saying why they cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(shown, f"byte {exc.start}", "the post is not UTF-8 text",
                                 "save it as UTF-8 in your editor")]) from None
    except OSError as exc:
        raise DataError([Problem(shown, "", f"the post cannot be read: {exc.strerror or exc}",
                                 "check the file is a readable Markdown file")]) from None
    front = _FRONT.match(text)
    try:
        meta = (parse_yaml(front.group(1)) if front else None) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError([Problem(shown, f"front matter line {mark.line + 2}" if mark else "front matter",
                                 f"the front matter is not valid YAML: {getattr(exc, 'problem', exc)}",
                                 "correct the YAML between the --- lines (indentation, quotes, colons)")]) from None
    if not isinstance(meta, dict):
        raise DataError([Problem(shown, "front matter", "the front matter must be a mapping of fields (name: value)",
                                 "write it as `date: YYYY-MM-DD` and other fields, one per line, between --- lines")])
    return text, meta


def _post_moment(when, shown: str) -> dt.datetime:
    """A post's date as written (text, as the front matter keeps it) as a moment (midnight UTC for a day, UTC for a
    time with no zone), or DataError for one that is not a real date."""
    try:
        parsed = as_timestamp(when)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise DataError([Problem(shown, "front matter date", "the post's date is not a real date",
                                 "use a real date as YYYY-MM-DD, e.g. 2015-11-02",
                                 None if isinstance(when, (dict, list)) else str(when))])
    if not isinstance(parsed, dt.datetime):
        parsed = dt.datetime.combine(parsed, dt.time())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def is_draft_meta(meta: dict) -> bool:
    """Whether a page's front matter says `draft: true` (a draft post is checked but not published)."""
    return bool(meta.get("draft"))


def latest_post(docs_dir: Path) -> Post | None:
    """The newest published update, or None when there is none; DataError listing every post that cannot be read."""
    posts, problems = [], []
    for path in sorted((docs_dir / POSTS).glob("**/*.md")):
        try:
            post = read_post(path, docs_dir)
        except DataError as error:
            problems += error.problems
            continue
        if post is not None:
            posts.append(post)
    if problems:
        raise DataError(problems)
    return max(posts, key=lambda p: (p.date, p.page), default=None)


def slug(title: str) -> str:
    """A title as a file name: lower-case ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-") or "update"


def new_update(docs_dir: Path, title: str, on: dt.date, description: str = "") -> Path:
    """Write a dated draft post with its front matter filled in; refuse to overwrite one.

    With no `description`, none is written: link previews and the feed then show the opening paragraph, which
    says more than the title they would otherwise repeat.
    """
    path = docs_dir / POSTS / f"{on.isoformat()}-{slug(title)}.md"
    if path.exists():
        raise FileExistsError(path)
    front = {"date": on, "draft": True} | ({"description": description.strip()} if description.strip() else {})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n"
        f"# {title}\n\n"
        "The opening paragraph: it appears on the home page, in the updates list, in the feed and in link "
        "previews.\n\n"
        f"{MORE}\n\n"
        "The rest of the update. Quote figures with the stat function, never by typing them: "
        "`campaign-site figures WORD` lists each figure's key, and guide/writing-copy.md says how.\n",
        encoding="utf-8")
    return path
