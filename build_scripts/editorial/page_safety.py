"""Hand-written pages that would crash or escape the site engine: deep nesting, wrong front-matter types,
templates that read other files. Found by `check` with the page and line, before MkDocs runs."""

from __future__ import annotations

import datetime as dt
import re

from jinja2 import nodes

from build_scripts.errors import Problem
from build_scripts.yaml_schema import as_timestamp

MAX_NESTING = 50  # Python-Markdown's recursion gives out somewhere past 200 levels; no real page nests 50
_OPEN_TAG = re.compile(r"<(?:div|section|details|blockquote|ul|ol|li|table|span)\b[^>]*(?<!/)>", re.IGNORECASE)
_CLOSE_TAG = re.compile(r"</(?:div|section|details|blockquote|ul|ol|li|table|span)\s*>", re.IGNORECASE)
# Quote and list markers opening a line: each is a block inside the one before, even on one line ("- - - x").
_MARKER = r">|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])"
_MARKERS = re.compile(rf"(?:[ \t]*(?:{_MARKER}))*")

TEXT, TEXTS, FLAG, NUMBER = "text", "a list of texts", "true or false", "a whole number"
# The front-matter fields MkDocs, Material and its blog read, and what each must hold; others are left alone.
FIELD_TYPES = {
    "title": TEXT, "description": TEXT, "subtitle": TEXT, "template": TEXT, "icon": TEXT, "status": TEXT,
    "slug": TEXT, "hide": TEXTS, "tags": TEXTS, "authors": TEXTS, "categories": TEXTS, "links": TEXTS,
    "draft": FLAG, "pin": FLAG, "render_macros": FLAG, "readtime": NUMBER,
}


def nesting_problems(text: str, shown: str) -> list[Problem]:
    """Quotes, lists or HTML nested so deep that Markdown's parser would run out of stack (RecursionError)."""
    depth, line_of_deepest, open_tags = 0, 0, 0
    for number, line in enumerate(text.splitlines(), 1):
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        markers = len(re.findall(_MARKER, _MARKERS.match(line).group(0)))
        open_tags = max(0, open_tags + len(_OPEN_TAG.findall(line)) - len(_CLOSE_TAG.findall(line)))
        level = max(indent // 4 + markers, open_tags)
        if level > depth:
            depth, line_of_deepest = level, number
    if depth <= MAX_NESTING:
        return []
    return [Problem(shown, f"line {line_of_deepest}", f"quotes, lists or HTML are nested {depth} levels deep; "
                    f"pages may nest at most {MAX_NESTING}", "flatten the page: fewer blocks inside each other")]


def front_matter_problems(meta: dict, shown: str) -> list[Problem]:
    """Front-matter fields of the wrong type (`title: [a, b]`, `hide: 5`), which crash MkDocs or Material."""
    problems = []
    for field, expected in FIELD_TYPES.items():
        if field in meta and not _holds(meta[field], expected):
            problems.append(Problem(shown, f"front matter, field {field}", f"`{field}` must be {expected}",
                                    f"write `{field}:` as {expected}, or remove it", _shown(meta[field])))
    written_slug = meta.get("slug")
    if isinstance(written_slug, str) and (not written_slug.strip() or written_slug.strip() in (".", "..")
                                          or any(c in written_slug for c in "/\\") or not written_slug.isprintable()):
        problems.append(Problem(shown, "front matter, field slug", "`slug` must be one part of an address: words, "
                                "with no / or \\", "write it as plain words joined by hyphens, e.g. "
                                "`slug: ministers-respond`, or remove it", _shown(written_slug)))
    if "date" in meta and not _is_date(meta["date"]):
        problems.append(Problem(shown, "front matter, field date", "`date` is not a real date",
                                "use a real date as YYYY-MM-DD (or `created:` and `updated:` dates under it)",
                                _shown(meta["date"])))
    return problems


def include_problems(tree: nodes.Template, shown: str) -> list[Problem]:
    """Template statements that read other files ({% include %}, {% import %}, {% extends %}): copy may not."""
    reading = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
    return [Problem(shown, f"line {node.lineno}", "the page's template reads another file",
                    "remove the {% include %} / {% import %} / {% extends %}: pages use only the figure functions",
                    type(node).__name__.lower()) for node in tree.find_all(reading)]


def _shown(value) -> str:
    """A value for a message: text as written, a list or mapping by its kind (it may be an alias bomb)."""
    if isinstance(value, list | dict):
        return f"a {'list' if isinstance(value, list) else 'mapping'} of {len(value)}"
    return str(value)[:200]


def _holds(value, expected: str) -> bool:
    if expected == TEXT:
        return isinstance(value, str)
    if expected == TEXTS:
        return isinstance(value, list) and all(isinstance(v, str | dict) for v in value)
    if expected == FLAG:
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(value) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(_is_date(v) for v in value.values())
    try:
        return isinstance(value, dt.date) or (isinstance(value, str) and as_timestamp(value) is not None)
    except ValueError:  # a day that does not exist, such as 2015-11-31
        return False
