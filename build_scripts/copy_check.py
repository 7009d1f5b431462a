"""Check hand-written pages before MkDocs runs: valid template syntax, known macros, real figure keys."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import jinja2.meta
import pandas as pd
import yaml

from build_scripts.errors import Problem, relative

# The functions build_scripts.macros gives pages, and the names mkdocs-macros itself provides.
MACROS = {"stat", "source", "sources_list", "disclosure"}
MKDOCS_MACROS_NAMES = {
    "config", "page", "extra", "environment", "plugin", "git", "macros", "filters", "filters_builtin",
    "navigation", "files", "context", "macros_info", "now", "fix_url",
}
# Only calls inside a {{ ... }} expression count, so prose may mention stat("...") by name.
REFERENCE = re.compile(r"""\{\{[^}]*?\b(stat|source)\(\s*(["'])(?P<key>[^"']*)\2""")
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.DOTALL)


def copy_pages(docs_dir: Path, generated_dir: Path) -> list[Path]:
    """Hand-written Markdown pages: everything under docs/ except the generated folder."""
    return sorted(p for p in docs_dir.rglob("*.md") if generated_dir not in p.parents)


def check_copy(pages: list[Path], table: pd.DataFrame, source_keys: set[str], root: Path) -> list[Problem]:
    """Every template error, unknown macro, unknown key or suppressed figure in the copy."""
    rows = table.set_index("key")
    problems = []
    for page in pages:
        shown = relative(page, root)
        try:
            text = page.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(shown, f"byte {exc.start}", "the page is not UTF-8 text",
                                    "save it as UTF-8 in your editor"))
            continue
        problems += _check_template(text, shown)
        for number, line in enumerate(text.splitlines(), 1):
            for match in REFERENCE.finditer(line):
                problem = _check_reference(match.group(1), match.group("key"), rows, source_keys)
                if problem:
                    message, fix = problem
                    problems.append(Problem(shown, f"line {number}", message, fix, match.group("key")))
    return problems


def _check_template(text: str, shown: str) -> list[Problem]:
    """Jinja syntax errors and names that are neither our macros nor mkdocs-macros' own."""
    front = FRONT_MATTER.match(text)
    meta = (yaml.safe_load(front.group(1)) if front else None) or {}
    if not isinstance(meta, dict) or meta.get("render_macros") is False:
        return []
    try:
        tree = jinja2.Environment().parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return [Problem(shown, f"line {exc.lineno}", f"the page's {{{{ ... }}}} template is broken: {exc.message}",
                        "close every {{ with }} and every {% with %}, or write a literal {{ as {{ '{{' }}")]
    unknown = sorted(jinja2.meta.find_undeclared_variables(tree) - MACROS - MKDOCS_MACROS_NAMES - set(meta))
    return [Problem(shown, "", "the page calls a name that is not one of the site's macros",
                    f"use one of {', '.join(sorted(MACROS))}", name) for name in unknown]


def _check_reference(kind: str, key: str, rows: pd.DataFrame, source_keys: set[str]) -> tuple[str, str] | None:
    if kind == "source":
        if key in source_keys:
            return None
        return "no source in surveys/sources.yml has this key", "add the source to surveys/sources.yml or correct the key"
    if key not in rows.index:
        question = key.rsplit(".", 1)[0] + "."
        if "." in key and not any(k.startswith(question) for k in rows.index):
            message = (f"no figure has this key: the question {question[:-1]!r} has no figures "
                       "(it is not in the codebook, or nobody answered it)")
            return message, "check the survey and question keys"
        return "no figure in the statistics table has this key", f"use a key from site/data/stats.csv{_suggest(key, rows.index)}"
    if bool(rows.at[key, "suppressed"]):
        message = (f"this figure is suppressed ({rows.at[key, 'suppression']}, base {int(rows.at[key, 'base'])}) "
                   "and cannot be published")
        return message, "quote a figure with a larger base (e.g. the whole sample)"
    return None


def _suggest(key: str, keys) -> str:
    stem = key.rsplit(".", 1)[0]
    near = [k for k in keys if k.startswith(stem + ".") and "=" not in k][:4]
    return f", e.g. {', '.join(near)}" if near else ""
