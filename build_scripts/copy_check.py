"""Check hand-written pages before MkDocs runs: template syntax, known macros, real keys, true claims, typed figures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.meta
import pandas as pd
import yaml

from build_scripts.claims import claim_problem
from build_scripts.errors import Problem, relative
from build_scripts.page_safety import front_matter_problems, include_problems, nesting_problems, parse_template
from build_scripts.yaml_schema import parse_yaml

# The functions build_scripts.macros gives pages, and the names mkdocs-macros itself provides.
MACROS = {"stat", "claim", "source", "sources_list", "disclosure", "standard", "chart", "latest_update"}
MKDOCS_MACROS_NAMES = {"page", "extra", "now", "fix_url"}  # the live objects (config, plugin...) are withdrawn
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.DOTALL)
EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
CALL = re.compile(r"""\b(stat|source|claim)\(\s*(["'])(?P<first>[^"']*)\2(?:\s*,\s*(["'])(?P<second>[^"']*)\4)?""")
# Figures typed by hand: percentages, "N in M", and fraction words in a claim about a number.
TYPED = re.compile(
    r"\b\d+(?:\.\d+)?\s?(?:%|per ?cent\b|percentage points?\b)"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+) in (?:two|three|four|five|six|seven|eight|nine|ten|"
    r"\d+)\b"
    r"|\b(?:nearly|almost|more than|over|around|about|at least|under|fewer than|less than|just under)\s+"
    r"(?:a|an|one|two|three)\s+(?:half|third|thirds|quarter|quarters|fifth|fifths)\b"
    r"|\b(?:a|one|two) (?:third|thirds|quarter|quarters) of\b|\b(?:a majority|half) of (?:all |the )?\w+",
    re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """One figure a page quotes: stat("key"), claim("phrase", "key") or source("key")."""

    page: str  # relative to docs/, e.g. early-help.md
    title: str
    line: int
    kind: str
    key: str
    phrase: str = ""


def copy_pages(docs_dir: Path, generated_dir: Path) -> list[Path]:
    """Hand-written Markdown pages: everything under docs/ except the generated folder."""
    return sorted(p for p in docs_dir.rglob("*.md") if generated_dir not in p.parents)


def scan_copy(pages: list[Path], docs_dir: Path, root: Path) -> tuple[list[Reference], list[Problem]]:
    """Every figure reference in the copy, and every page that cannot be read or parsed."""
    references, problems = [], []
    for page in pages:
        shown = relative(page, root)
        try:
            text = page.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(shown, f"byte {exc.start}", "the page is not UTF-8 text",
                                    "save it as UTF-8 in your editor"))
            continue
        meta, unreadable = _front_matter(text, shown)
        problems += unreadable + _check_template(text, meta, shown) + nesting_problems(text, shown)
        title = _title(text, meta, page)
        name = page.relative_to(docs_dir).as_posix()
        for match in EXPRESSION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            for call in CALL.finditer(match.group(0)):
                kind, first, second = call.group(1), call.group("first"), call.group("second")
                if kind == "claim":
                    references.append(Reference(name, title, line, kind, second or "", first))
                else:
                    references.append(Reference(name, title, line, kind, first))
    return references, problems


def check_references(references: list[Reference], table: pd.DataFrame, sources: dict[str, dict],
                     docs_label: str = "docs") -> list[Problem]:
    """Unknown keys, suppressed figures and false claims, each with its page and line."""
    rows = {row["key"]: row for row in table.to_dict("records")}
    problems = []
    for ref in references:
        where, shown = f"line {ref.line}", f"{docs_label}/{ref.page}"
        if ref.kind == "source":
            if ref.key not in sources:
                problems.append(Problem(shown, where, "no source in surveys/sources.yml has this key",
                                        "add the source to surveys/sources.yml or correct the key", ref.key))
        elif ref.kind == "claim":
            problem = claim_problem(ref.phrase, rows.get(ref.key), sources.get(ref.key))
            if problem:
                problems.append(Problem(shown, where, f'claim("{ref.phrase}", "{ref.key}"): {problem}',
                                        "change the words to what the figure supports, or quote another figure",
                                        ref.key))
        elif ref.key not in rows:
            problems.append(Problem(shown, where, _unknown(ref.key, rows), _suggest(ref.key, rows), ref.key))
        elif bool(rows[ref.key]["suppressed"]):
            row = rows[ref.key]
            problems.append(Problem(shown, where, f"this figure is suppressed ({row['suppression']}) and cannot be "
                                    "published", "quote a figure with a larger base (e.g. the whole sample)", ref.key))
    return problems


def typed_figures(pages: list[Path], root: Path) -> list[Problem]:
    """Figures typed by hand rather than quoted with stat, claim or source, with file and line."""
    problems = []
    for page in pages:
        text = _prose(page.read_text(encoding="utf-8", errors="replace"))
        for number, line in enumerate(text.splitlines(), 1):
            for match in TYPED.finditer(line):
                problems.append(Problem(relative(page, root), f"line {number}", "a figure is typed by hand",
                                        'quote it with {{ stat("<key>") }}, {{ claim("<words>", "<key>") }} or '
                                        '{{ source("<key>") }}, so it is computed and checked', match.group(0)))
    return problems


def _prose(text: str) -> str:
    """The page with front matter, template expressions, code and comments blanked (line numbers kept)."""
    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = FRONT_MATTER.sub(blank, text)
    for pattern in [r"```.*?```", r"`[^`\n]*`", r"<!--.*?-->", r"\{\{.*?\}\}", r"\{%.*?%\}"]:
        text = re.sub(pattern, blank, text, flags=re.DOTALL)
    return text


def _check_template(text: str, meta: dict, shown: str) -> list[Problem]:
    """Front-matter fields of the wrong type, Jinja syntax errors and names that are neither our macros nor
    mkdocs-macros' own."""
    problems = front_matter_problems(meta, shown)
    if meta.get("render_macros") is False:
        return problems
    try:
        tree = parse_template(text)
    except jinja2.TemplateSyntaxError as exc:
        return problems + [Problem(shown, f"line {exc.lineno}", f"the page's {{{{ ... }}}} template is broken: "
                                   f"{exc.message}", "close every {{ with }} and every {% with %}, or write a literal "
                                   "{{ as {{ '{{' }}")]
    except RecursionError:
        return problems + [Problem(shown, "", "the page's {{ ... }} template nests too deeply to read",
                                   "write simpler expressions: one function call in each {{ ... }}")]
    unknown = sorted(jinja2.meta.find_undeclared_variables(tree) - MACROS - MKDOCS_MACROS_NAMES - set(meta))
    problems += include_problems(tree, shown)
    return problems + [Problem(shown, "", "the page calls a name that is not one of the site's macros",
                               f"use one of {', '.join(sorted(MACROS))}", name) for name in unknown]


def _front_matter(text: str, shown: str) -> tuple[dict, list[Problem]]:
    """The page's front matter as a mapping ({} if it has none), and the problem of one that is not valid YAML."""
    front = FRONT_MATTER.match(text)
    try:
        meta = parse_yaml(front.group(1)) if front else None
    except yaml.YAMLError as exc:
        return {}, [Problem(shown, "front matter", f"the front matter is not valid YAML: {str(exc)[:160]}",
                            "correct the lines between the two --- lines (indentation, quotes, colons)")]
    return (meta if isinstance(meta, dict) else {}), []


def _title(text: str, meta: dict, page: Path) -> str:
    if meta.get("title"):
        return str(meta["title"])
    heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return heading.group(1).strip() if heading else page.stem.replace("-", " ").capitalize()


def _unknown(key: str, rows: dict) -> str:
    question = key.rsplit(".", 1)[0] + "."
    if "." in key and not any(k.startswith(question) for k in rows):
        return (f"no figure has this key: the question {question[:-1]!r} has no figures "
                "(it is not in the codebook, or nobody answered it)")
    return "no figure in the statistics table has this key"


def _suggest(key: str, rows: dict) -> str:
    stem = key.rsplit(".", 1)[0]
    near = [k for k in rows if k.startswith(stem + ".") and "=" not in k][:4]
    return "use a key from site/data/stats.csv" + (f", e.g. {', '.join(near)}" if near else "")
