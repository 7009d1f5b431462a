"""Nothing the site engine reads or copies may lead out of the project: links in docs/ and overrides/,
special files, and the folders mkdocs.yml names.

MkDocs copies every file under docs/ into the site and follows links as it goes, so a link committed
to docs/ (`docs/env.txt -> /proc/self/environ`) would publish the build machine's secrets.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from build_scripts.errors import Problem
from build_scripts.yaml_schema import DatesAsTextLoader

PUBLISHED_FOLDERS = ("docs", "overrides")
FIX_LINK = "replace the link with a copy of the file, inside the project"


class _ConfigLoader(DatesAsTextLoader):
    """mkdocs.yml read for its folder names only: tags such as !ENV are taken as empty."""


for _prefix in ("!", "tag:yaml.org,2002:python/"):
    _ConfigLoader.add_multi_constructor(_prefix, lambda loader, suffix, node: None)


def boundary_problems(root: Path) -> list[Problem]:
    """Links out of the project, special files in the published folders, and mkdocs.yml folders outside it."""
    root = root.resolve()
    problems = []
    for name in PUBLISHED_FOLDERS:
        folder = root / name
        if folder.is_symlink() or (folder.exists() and not _inside(folder, root)):
            problems.append(Problem(name, "", "the folder is a link out of the project", FIX_LINK))
            continue
        for path in _entries(folder):
            problems += _entry_problem(path, root)
    return problems + _config_problems(root)


def _entries(folder: Path) -> list[Path]:
    """Every file, folder and link under a folder, not descending into linked folders."""
    found = []
    for parent, folders, files in os.walk(folder, followlinks=False):
        found += [Path(parent) / name for name in [*folders, *files]]
    return sorted(found)


def _entry_problem(path: Path, root: Path) -> list[Problem]:
    shown = path.relative_to(root).as_posix()  # the link itself, not where it leads
    if path.is_symlink():
        if not path.exists() or not _inside(path, root):
            return [Problem(shown, "", "a link that leads out of the project (or nowhere) would be published",
                            FIX_LINK)]
        return []
    if not (path.is_file() or path.is_dir()):
        return [Problem(shown, "", "a special file (a device, pipe or socket) cannot be published",
                        "remove it: only ordinary files belong in docs/ and overrides/")]
    return []


def _config_problems(root: Path) -> list[Problem]:
    """The folders mkdocs.yml names (docs_dir, site_dir, theme.custom_dir) must lie inside the project."""
    try:
        config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, KeyError, TypeError, RecursionError):
        return []  # MkDocs reports a broken mkdocs.yml itself
    if not isinstance(config, dict):
        return []
    theme = config.get("theme") if isinstance(config.get("theme"), dict) else {}
    named = {"docs_dir": config.get("docs_dir"), "site_dir": config.get("site_dir"),
             "theme.custom_dir": theme.get("custom_dir")}
    return [Problem("mkdocs.yml", f"field {field}", "names a folder outside the project",
                    "give a folder inside the project, relative to mkdocs.yml (e.g. docs)", str(value))
            for field, value in named.items()
            if isinstance(value, str) and not _inside(root / value, root)]


def _inside(path: Path, root: Path) -> bool:
    resolved = path.resolve()
    return resolved == root or root in resolved.parents
