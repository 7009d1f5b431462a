"""Nothing the site engine reads or copies may lead out of its folders: links in the docs and theme folders,
special files, and the folders mkdocs.yml names.

MkDocs copies every file under docs/ into the site and follows links as it goes, so a link committed
to docs/ would publish what it points at: the build machine's secrets (`/proc/self/environ`) or, inside
the project, the raw responses (`../surveys/<id>/responses.csv`). A link may only point within its folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from build_scripts.errors import Problem
from build_scripts.ingest.load import resolves_inside

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
    problems = []

    def walk(entry) -> None:
        if isinstance(entry, list):
            for item in entry:
                walk(item)
        elif isinstance(entry, dict):
            for value in entry.values():
                walk(value)
        elif isinstance(entry, str) and entry.endswith(".md") and "://" not in entry and entry not in pages:
            problems.append(Problem("mkdocs.yml", "nav", "names a page that does not exist",
                                    "correct the page's path under docs/, or remove the entry", entry))

    walk(config.get("nav"))
    return problems
