"""The one renderer of the copy: every hand-written page's {{ ... }} run in a sandbox, with its problems.

`check`, `build`, `serve` and `diff` all render through `render_copy`, so a page the build refuses is a
page `check` refuses, with the same message. The figure functions' calls are found in each page's syntax
tree (never by pattern matching), and each call is told its line so problems can name it.
"""

from __future__ import annotations

import dataclasses
import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.meta
from jinja2 import nodes
from jinja2.exceptions import SecurityError

from build_scripts.editorial.copy_check import FRONT_MATTER, Reference, page_title, prose, read_front_matter
from build_scripts.editorial.copy_exceptions import Exemption, copy_rule_problems
from build_scripts.editorial.copy_functions import FUNCTIONS, CopyData, PageFunctions
from build_scripts.editorial import copy_sandbox
from build_scripts.editorial.copy_sandbox import MAX_OUTPUT, CopySandbox, LoopBudget, RenderTimeout, copy_environment, limits
from build_scripts.editorial.page_safety import front_matter_problems, include_problems, nesting_problems
from build_scripts.editorial.updates import excerpt_of, is_draft_meta
from build_scripts.errors import Problem, relative
from build_scripts.project import GENERATED, REVISIONS_PAGE, generated_pages

# ](page.md) or ](../page.md#part): a link to a page of the site (not a URL, not an absolute path)
_IMAGE = re.compile(r"!\[[^\]]*\]\((?![a-z][a-z0-9+.-]*:|/|#)([^)\s#?]+)")  # ![alt](photo.png)
_PAGE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|/|#)([^)\s#?]+\.md)(?:#[^)\s]*)?(?:\s+\"[^\"]*\"|\s+'[^']*')?\)"
                        r"|^ {0,3}\[[^\]]+\]:\s*<?(?![a-z][a-z0-9+.-]*:|/|#)([^\s>#?]+\.md)", re.MULTILINE)
LINE_ARGUMENT = "_line"


@dataclass
class RenderedPage:
    """One hand-written page after its template ran: front matter as written, and the rendered body."""

    path: str  # under docs/, e.g. index.md
    front_matter: str  # the YAML between the --- lines, as written ("" if none)
    meta: dict
    body: str
    draft: bool = False
    written: str = ""  # the page as its author wrote it, template and all

    def markdown(self, extra_meta: dict[str, str] | None = None, banner: str = "") -> str:
        """The finished page: front matter (with any fields the build adds that the page has not set) and body."""
        # A field left empty (`description: ""`) is the build's to fill: its line gives way to the build's.
        empty = {k for k in extra_meta or {} if isinstance(self.meta.get(k), str) and not self.meta[k].strip()}
        added = {k: v for k, v in (extra_meta or {}).items() if k not in self.meta or k in empty}
        if "share_image" in self.meta:  # the author chose the card: its text alternative is theirs to give too
            added.pop("share_alt", None)
        front = "".join(line for line in self.front_matter.splitlines(keepends=True)
                        if line.split(":", 1)[0] not in empty) + yaml_fields(added)
        head = f"---\n{front}---\n" if front.strip() else ""
        return with_banner(head + self.body, banner)


@dataclass
class RenderedCopy:
    """Every hand-written page rendered, the figures they quote, and every problem found."""

    pages: dict[str, RenderedPage] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)  # quoted figures, drafts left out
    problems: list[Problem] = field(default_factory=list)  # pages that cannot be read or run
    figure_problems: list[Problem] = field(default_factory=list)  # unknown keys, suppressed figures, false claims
    rule_problems: list[Problem] = field(default_factory=list)  # figures typed by hand, sentences led by a figure
    exemptions: list[Exemption] = field(default_factory=list)  # the copy rules' exceptions pages mark, with reasons

    def uses(self) -> dict[str, list[dict]]:
        """For each figure or source key, the pages that quote it (for the sources page and for diffs)."""
        return uses_of(self.references)


def uses_of(references: list[Reference]) -> dict[str, list[dict]]:
    """For each quoted key, the pages quoting it, each once, in order."""
    found: dict[str, dict[str, dict]] = {}
    for ref in references:
        found.setdefault(ref.key, {})[ref.page] = {"page": ref.page, "title": ref.title}
    return {key: list(by_page.values()) for key, by_page in sorted(found.items())}


def copy_pages(docs_dir: Path) -> list[Path]:
    """Hand-written Markdown pages: every .md file under docs/ except docs/data/, where generated pages go."""
    reserved = docs_dir / GENERATED
    return sorted(p for p in docs_dir.rglob("*.md") if p.is_file() and reserved not in p.parents)


def render_copy(docs_dir: Path, root: Path, data: CopyData) -> RenderedCopy:
    """Render every page under docs/ with the figure functions, collecting the figures quoted and the problems."""
    environment = copy_environment()
    out = RenderedCopy()
    calls_sources_list = []
    post = data.latest_post
    if post is not None and (docs_dir / post.page).is_file():
        # latest_update() shows the newest post's opening as the post itself renders it (its own front matter,
        # its own render_macros); its problems are the post's, reported once, with the post.
        rendered = _render_page(environment, docs_dir / post.page, docs_dir, root, data)[0]
        data = dataclasses.replace(data, latest_post=dataclasses.replace(post, excerpt=excerpt_of(rendered.body)))
    for path in copy_pages(docs_dir):
        rendered, functions, problems, parsed = _render_page(environment, path, docs_dir, root, data)
        out.pages[rendered.path] = rendered
        out.problems += problems
        out.figure_problems += functions.problems
        if parsed is not None and _calls(parsed, "sources_list"):
            calls_sources_list.append(path)
        if not rendered.draft:
            out.references += functions.references
    out.problems += _broken_links(out, data, docs_dir)
    out.rule_problems, out.exemptions = copy_rule_problems(copy_pages(docs_dir), root)
    # The sources page lists the pages quoting each source, which is known only once every page has rendered.
    if calls_sources_list:
        complete = dataclasses.replace(data, uses=uses_of(out.references))
        for path in calls_sources_list:
            rendered, _, _, _ = _render_page(environment, path, docs_dir, root, complete)
            out.pages[rendered.path] = rendered
    return out


def _render_page(environment: CopySandbox, path: Path, docs_dir: Path, root: Path, data: CopyData):
    """One page rendered: (page, its functions, its problems, its syntax tree or None)."""
    shown = relative(path, root)
    name = path.relative_to(docs_dir).as_posix()
    try:
        text = path.read_text(encoding="utf-8-sig")  # as MkDocs reads it: a byte-order mark is not text
    except UnicodeDecodeError as exc:
        problem = Problem(shown, f"byte {exc.start}", "the page is not UTF-8 text", "save it as UTF-8 in your editor")
        return RenderedPage(name, "", {}, ""), PageFunctions(data, name, name, shown), [problem], None
    meta, front_problems = read_front_matter(text, shown)
    # As MkDocs reads it: lines between --- that are not a mapping are the page's own text.
    front = FRONT_MATTER.match(text) if meta is not None else None
    meta = meta or {}
    front_text, body = (front.group(1), text[front.end():]) if front else ("", text)
    problems = front_problems + front_matter_problems(meta, shown) + nesting_problems(text, shown)
    if front_text.lstrip().startswith("{"):
        problems.append(Problem(shown, "front matter", "the front matter is written as one {...} mapping",
                                "write it one field a line (title: ..., then description: ...)"))
    title = page_title(body, meta, path)  # a `# comment` in the front matter is not the page's heading
    functions = PageFunctions(data, name, title, shown)
    page = RenderedPage(name, front_text, meta, body, draft=is_draft_meta(meta), written=text)
    if meta.get("render_macros") is False:  # the page asks to be published as written
        return page, functions, problems, None
    # The body is parsed after as many empty lines as the front matter takes, so the tree's line numbers
    # are the page's; the leading newlines this renders are dropped when the page is finished.
    padded = "\n" * (text.count("\n", 0, front.end()) if front else 0) + body
    try:
        tree = environment.parse(padded)
    except jinja2.TemplateSyntaxError as exc:
        return page, functions, problems + [Problem(
            shown, f"line {exc.lineno or 1}", f"the page's {{{{ ... }}}} template is broken: {exc.message}",
            "close every {{ with }} and every {% with %}, or write a literal {{ as {{ '{{' }}")], None
    except RecursionError:
        return page, functions, problems + [Problem(shown, "", "the page's {{ ... }} template nests too deeply to read",
                                                    "write simpler expressions: one function call in each {{ ... }}")], None
    reading = include_problems(tree, shown) + _unknown_names(tree, meta, shown)
    if reading:
        return page, functions, problems + reading, tree
    _tell_lines(tree)
    rendered = _render_tree(environment, tree, functions, meta, shown, problems, padded)
    padding = padded[:len(padded) - len(body)]
    page.body = rendered[len(padding):] if rendered.startswith(padding) else rendered.lstrip("\n")
    return page, functions, problems, tree


def _render_tree(environment: CopySandbox, tree: nodes.Template, functions: PageFunctions, meta: dict, shown: str,
                 problems: list[Problem], fallback: str) -> str:
    context = {name: value for name, value in meta.items() if isinstance(name, str)}
    context |= {"page": {"title": functions.title, "meta": meta}}
    context |= functions.functions() | {"range": LoopBudget()}
    try:
        template = environment.template_class.from_code(
            environment, environment.compile(tree, filename=shown), environment.make_globals(None))
        pieces, size = [], 0
        with limits():
            for piece in template.generate(context):
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise OverflowError
                pieces.append(piece)
        return "".join(pieces)
    except jinja2.TemplateSyntaxError as exc:  # found while compiling: a filter or test copy may not use
        problems.append(_not_offered(exc, shown))
    except jinja2.UndefinedError as exc:
        problems.append(Problem(shown, _template_line(exc, shown), f"the page uses a name that is not one of the site's "
                                f"functions ({exc.message})", f"use one of {', '.join(FUNCTIONS)}"))
    except SecurityError as exc:
        problems.append(Problem(shown, _template_line(exc, shown), f"the page's template does something copy may not ({exc})",
                                "call only the figure functions, e.g. {{ stat(\"<key>\") }}"))
    except RenderTimeout:
        problems.append(Problem(shown, "", f"the page's template ran for more than {copy_sandbox.MAX_SECONDS:g} seconds",
                                "remove the loop that runs so long: copy needs only the figure functions"))
    except OverflowError:
        problems.append(Problem(shown, "", f"the page's template writes more than {MAX_OUTPUT:,} characters",
                                "remove the loop that repeats text"))
    except MemoryError:
        problems.append(Problem(shown, "", "the page's template needs more memory than a page may use",
                                "remove what builds so much text: copy needs only the figure functions"))
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        problems.append(Problem(shown, _template_line(exc, shown), f"a {{{{ ... }}}} expression failed: "
                                f"{type(exc).__name__}: {str(exc)[:160]}",
                                "check the function's arguments, e.g. {{ stat(\"<key>\", form=\"words\") }}"))
    return fallback


def _template_line(exc: BaseException, shown: str) -> str:
    """The page line an error happened on, from the traceback Jinja rewrites to point into the template."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == shown:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"line {line}" if line else ""


def _tell_lines(tree: nodes.Template) -> None:
    """Give every call of a figure function its line in the page, as the `_line` argument."""
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in FUNCTIONS:
            call.kwargs = [k for k in call.kwargs if k.key != LINE_ARGUMENT]
            call.kwargs.append(nodes.Keyword(LINE_ARGUMENT, nodes.Const(call.lineno), lineno=call.lineno))


def _broken_links(copy: RenderedCopy, data: CopyData, docs_dir: Path) -> list[Problem]:
    """Links to a page (.md) and images that neither docs/ nor the build has: the engines refuse such a link
    (MkDocs refuses a missing image, Zensical publishes it broken), so `check` refuses it first. Inline links
    (with or without a title) and reference definitions are read; links to headings are left to the engine."""
    published = {name for name, page in copy.pages.items() if not page.draft}  # a draft is not on the site
    pages = published | generated_pages(data.surveys)
    drawn = {f"{GENERATED}/charts/{name}{end}" for name in data.charts
             for end in ("-light.svg", "-dark.svg", ".png", ".csv", ".zip")}
    problems = []
    for name, page in copy.pages.items():
        if page.meta.get("render_macros") is False:
            continue
        for number, line in enumerate(prose(page.written).splitlines(), 1):  # code and comments left out
            targets = [("page", m.group(1) or m.group(2)) for m in _PAGE_LINK.finditer(line)]
            targets += [("image", m.group(1)) for m in _IMAGE.finditer(line)]
            for kind, link in targets:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), link))
                if target in pages or (kind == "image" and (target in drawn or target.startswith(f"{GENERATED}/share/")
                                                            or (docs_dir / target).is_file())):
                    continue
                what = "a page" if kind == "page" else "an image"
                if target in copy.pages:
                    if page.draft:
                        continue  # a draft may link to another draft: neither is published
                    message, fix = "links to a draft, which is not published", "publish the draft first, or remove the link"
                else:
                    message, fix = f"links to {what} that does not exist", "correct the link, or add the file to docs/"
                problems.append(Problem(f"docs/{name}", f"line {number}", message, fix, link))
    return problems


def _unknown_names(tree: nodes.Template, meta: dict, shown: str) -> list[Problem]:
    """Names the page uses that are neither figure functions, `page`, nor its own front-matter fields."""
    known = set(FUNCTIONS) | {"page"} | {name for name in meta if isinstance(name, str)}
    try:
        unknown = sorted(jinja2.meta.find_undeclared_variables(tree) - known)
    except jinja2.TemplateSyntaxError as exc:  # a filter or test the sandbox does not offer
        return [_not_offered(exc, shown)]
    return [Problem(shown, _first_line(tree, name), "the page calls a name that is not one of the site's functions",
                    f"use one of {', '.join(FUNCTIONS)}", name) for name in unknown]


def _not_offered(exc: jinja2.TemplateSyntaxError, shown: str) -> Problem:
    """A filter or test the sandbox does not offer, found when the template is compiled."""
    return Problem(shown, f"line {exc.lineno}" if exc.lineno else "", f"the page's template uses what copy may not: "
                   f"{exc.message}", "use only the figure functions and simple filters such as lower, upper or round")


def _first_line(tree: nodes.Template, name: str) -> str:
    lines = [node.lineno for node in tree.find_all(nodes.Name) if node.name == name and node.ctx == "load"]
    return f"line {min(lines)}" if lines else ""


def _calls(tree: nodes.Template, name: str) -> bool:
    return any(isinstance(c.node, nodes.Name) and c.node.name == name for c in tree.find_all(nodes.Call))


BANNER_START = '<div class="admonition failure" role="alert">'


def problems_banner(text: str) -> str:
    """A warning box with the build's problems, for the preview: one raw HTML line Markdown leaves alone.

    The problems quote survey answers, which respondents typed, so they are escaped; newlines become
    character references so no blank line ends the block.
    """
    body = html.escape(text.rstrip("\n")).replace("\n", "&#10;")
    return (f'{BANNER_START}<p class="admonition-title">This preview has problems: the pages show the last '
            f"figures that built</p><pre style=\"white-space: pre-wrap\"><code>{body}</code></pre></div>\n\n")


def with_banner(markdown: str, banner: str) -> str:
    """A finished page with the problems banner (or none) at the top of its body, replacing any it had."""
    front = FRONT_MATTER.match(markdown)
    head, body = (markdown[:front.end()], markdown[front.end():]) if front else ("", markdown)
    body = body.lstrip("\n")
    if body.startswith(BANNER_START):
        body = body.split("\n", 1)[1].lstrip("\n") if "\n" in body else ""
    return head + ("\n" if head else "") + banner + body


def yaml_fields(fields: dict[str, str]) -> str:
    """Front-matter lines for fields the build adds, each text double-quoted (JSON's string syntax is valid YAML)."""
    return "".join(f"{name}: {json.dumps(str(value), ensure_ascii=False)}\n" for name, value in fields.items())
