"""Nothing the site engine reads or copies may lead out of its folders: links in the docs and theme folders,
special files, and the folders mkdocs.yml names. And its `nav` is whole: no entry names a missing page, and no
page is left out of it unsaid.

MkDocs copies every file under docs/ into the site and follows links as it goes, so a link committed
to docs/ would publish what it points at: the build machine's secrets (`/proc/self/environ`) or, inside
the project, the raw responses (`../surveys/<id>/responses.csv`). A link may only point within its folder.
"""

from __future__ import annotations

import fnmatch
import json
import os
import posixpath
import re
from pathlib import Path

import yaml

from build_scripts.editorial.copy_check import page_title
from build_scripts.editorial.copy_render import RenderedCopy
from build_scripts.editorial.pages import DATA_PAGE_TITLE
from build_scripts.errors import Problem
from build_scripts.ingest.load import resolves_inside
from build_scripts.project import GENERATED, REVISIONS_PAGE, generated_pages
from build_scripts.publish.feed import Blog
from build_scripts.statistics.survey_summary import SurveySummary

FIX_LINK = "replace the link with a copy of the file, inside the same folder"


def boundary_problems(root: Path, config: dict) -> list[Problem]:
    """Links out of the published folders, special files in them, and mkdocs.yml folders outside the project.

    `config` is mkdocs.yml as read by `read_site_config`.
    """
    root = root.resolve()
    problems = _config_problems(config, root)
    if problems:
        return problems
    for name in _published_folders(config):
        folder = root / name
        if folder.is_symlink():
            problems.append(Problem(name, "", "the folder is a link", FIX_LINK))
            continue
        for path in _entries(folder):
            problems += _entry_problem(path, folder, root)
    return problems


def _entries(folder: Path) -> list[Path]:
    """Every file, folder and link under a folder, not descending into linked folders."""
    found = []
    for parent, folders, files in os.walk(folder, followlinks=False):
        found += [Path(parent) / name for name in [*folders, *files]]
    return sorted(found)


def _entry_problem(path: Path, folder: Path, root: Path) -> list[Problem]:
    shown = path.relative_to(root).as_posix()  # the link itself, not where it leads
    if path.is_symlink():
        if not resolves_inside(path, folder, must_exist=True):
            return [Problem(shown, "", "a link that leads out of its folder (or nowhere) would publish what it "
                            "points at", FIX_LINK)]
        return []
    if not (path.is_file() or path.is_dir()):
        return [Problem(shown, "", "a special file (a device, pipe or socket) cannot be published",
                        "remove it: only ordinary files belong in docs/ and overrides/")]
    return []


def _named_folders(config: dict) -> dict[str, object]:
    theme = config.get("theme") if isinstance(config.get("theme"), dict) else {}
    return {"docs_dir": config.get("docs_dir", "docs"), "site_dir": config.get("site_dir", "site"),
            "theme.custom_dir": theme.get("custom_dir")}


def _published_folders(config: dict) -> list[str]:
    """The folders MkDocs copies or renders from: docs_dir and the theme's custom_dir."""
    named = _named_folders(config)
    return [str(value) for field, value in named.items() if field != "site_dir" and isinstance(value, str)]


def _config_problems(config: dict, root: Path) -> list[Problem]:
    """The folders mkdocs.yml names (docs_dir, site_dir, theme.custom_dir) must lie inside the project, and the
    copy is read from docs/ (the finished tree mirrors it, so another docs_dir would publish nothing)."""
    problems = [Problem("mkdocs.yml", f"field {field}", "names a folder outside the project",
                        "give a folder inside the project, relative to mkdocs.yml (e.g. docs)", str(value))
                for field, value in _named_folders(config).items()
                if value is not None and (not isinstance(value, str) or not resolves_inside(root / value, root))]
    docs_dir = config.get("docs_dir", "docs")
    if isinstance(docs_dir, str) and resolves_inside(root / docs_dir, root) and (root / docs_dir) != root / "docs":
        problems.append(Problem("mkdocs.yml", "field docs_dir", "campaign-site reads the copy from docs/",
                                "remove docs_dir (or set it to docs) and keep the pages in docs/", docs_dir))
    return problems


def nav_problems(config: dict, pages: set[str]) -> list[Problem]:
    """Entries of mkdocs.yml's `nav` naming a page that neither docs/ nor the build has (the engine refuses them)."""
    return [Problem("mkdocs.yml", "nav", "names a page that does not exist",
                    "correct the page's path under docs/, or remove the entry", entry)
            for entry in nav_pages(config.get("nav")) if entry not in pages]


def pages_not_in_nav(config_file: Path, config: dict, copy: RenderedCopy,
                     summaries: list[SurveySummary], releases: bool = False) -> list[Problem]:
    """Published pages that no `nav` entry leads to (only when mkdocs.yml has a nav), each with the line to add.

    The blog's posts (its own pages list them), drafts, and pages mkdocs.yml's `not_in_nav` names are left out;
    survey pages count, since the build makes them only to be read, and the Revisions page once there are
    `releases`.
    """
    nav = config.get("nav")
    if not isinstance(nav, list):
        return []
    listed = {posixpath.normpath(page) for page in nav_pages(nav)}
    blog = Blog.of(config)
    hidden = [line.strip() for line in str(config.get("not_in_nav") or "").splitlines() if line.strip()]
    pages = {name: (page_title(page.body, page.meta, Path(name)), f"docs/{name}", "") for name, page
             in copy.pages.items() if not page.draft and not (blog and blog.is_post(name))}
    pages |= {f"{GENERATED}/{s.id}.md": (s.title, f"the survey page {GENERATED}/{s.id}.md", f", made from "
                                                  f"surveys/{s.id}/") for s in summaries}
    pages[f"{GENERATED}/index.md"] = (DATA_PAGE_TITLE, f"the downloads page {GENERATED}/index.md", "")
    if releases:
        pages[REVISIONS_PAGE] = ("Revisions", f"the Revisions page {REVISIONS_PAGE}", "")
    lines: list[str] | None = None  # mkdocs.yml's lines, read only to suggest where a missing page goes
    warnings = []
    for name, (title, shown, made) in pages.items():
        if name in listed or any(_matches(name, pattern) for pattern in hidden):
            continue
        lines = lines if lines is not None else config_file.read_text(encoding="utf-8").splitlines()
        line, place = _nav_line(lines, name, title)
        warnings.append(Problem("mkdocs.yml", "nav", f"no menu leads to {shown} (\"{title}\"{made}): it is not in "
                                "`nav`", f"add this line to mkdocs.yml under `nav:`{place}: `{line}`"))
    return warnings


def nav_pages(entry) -> list[str]:
    """The pages (.md files, not addresses) a `nav` names, in order."""
    if isinstance(entry, list):
        return [page for item in entry for page in nav_pages(item)]
    if isinstance(entry, dict):
        return [page for value in entry.values() for page in nav_pages(value)]
    return [entry] if isinstance(entry, str) and entry.endswith(".md") and "://" not in entry else []


def _nav_line(lines: list[str], name: str, title: str) -> tuple[str, str]:
    """The line to add to mkdocs.yml for a page, indented as its neighbours are, and where to add it."""
    try:
        plain = yaml.safe_load(f"k: {title}") == {"k": title} and not title.startswith(("-", "?"))
    except yaml.YAMLError:
        plain = False
    entry = f"- {title if plain else json.dumps(title, ensure_ascii=False)}: {name}"
    if name.startswith(f"{GENERATED}/") and name != f"{GENERATED}/index.md":  # beside the other survey pages
        survey = re.compile(rf"^(\s*)-\s.*:\s*[\"']?{GENERATED}/(?!index\.md)[^\s/]+\.md[\"']?\s*(#.*)?$")
        beside = [(i, m.group(1)) for i, line in enumerate(lines) if (m := survey.match(line))]
        if beside:
            index, indent = beside[-1]
            return f"{indent}{entry}", f", after the line `{lines[index].strip()}`"
    start = next((i for i, line in enumerate(lines) if re.match(r"nav:\s*(#.*)?$", line)), len(lines))
    indent = next((m.group(1) for line in lines[start + 1:] if (m := re.match(r"(\s*)-\s", line))), "  ")
    return f"{indent}{entry}", ""


def _matches(name: str, pattern: str) -> bool:
    """Whether a page is one a `not_in_nav` line names (gitignore-style: /x.md from docs/, x.md anywhere)."""
    anchored, pattern = pattern.startswith("/"), pattern.strip("/")
    parts = name.split("/")
    candidates = [name] if anchored else ["/".join(parts[i:]) for i in range(len(parts))]
    return any(fnmatch.fnmatchcase(c, pattern) or fnmatch.fnmatchcase(c, pattern + "/*") for c in candidates)
