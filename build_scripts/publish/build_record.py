"""The record of the last good build: a no-op rebuild is recognised before anything is loaded.

A build's output depends only on its inputs: the surveys, the copy, the theme folder, mkdocs.yml,
the environment variables mkdocs.yml reads, the engine and this package with its libraries. When
none of them changed since the last build that succeeded, and site/ is still exactly what that build
published, building again would write the same bytes; `build` says so and stops. Standard library
only, so the check costs milliseconds rather than the import of the data stack.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from build_scripts.cache import code_version, folder_digest
from build_scripts.project import Project

RECORD = "last-build.json"
_ENV_TAG = re.compile(r"!ENV\s*\[?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)")


def inputs_digest(project: Project, engine: str, strict: bool) -> str:
    """A hash of everything a build reads: input folders, mkdocs.yml and the variables it names, engine, code."""
    digest = hashlib.sha256()
    config = project.config_file.read_bytes()
    digest.update(config + b"\0" + engine.encode() + (b"strict" if strict else b"") + b"\0")
    for name in sorted(set(_ENV_TAG.findall(config.decode("utf-8", errors="replace")))) + ["SOURCE_DATE_EPOCH"]:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    for folder in sorted(p for p in project.root.iterdir() if p.is_dir() and p.name in _INPUT_FOLDERS | _theme(config)):
        digest.update(folder.name.encode() + b"\0" + folder_digest(folder).encode() + b"\0")
    digest.update(code_version().encode())
    return digest.hexdigest()


_INPUT_FOLDERS = {"surveys", "docs"}


def _theme(config: bytes) -> set[str]:
    """The theme's custom_dir named in mkdocs.yml (found in the text: this check must not load YAML tags)."""
    found = re.search(rb"^\s+custom_dir:\s*['\"]?([^'\"\s#]+)", config, re.MULTILINE)
    return {found.group(1).decode("utf-8", errors="replace").strip("/")} if found else set()


def unchanged(project: Project, inputs: str) -> bool:
    """Whether the last good build had these inputs and site/ is still what it published."""
    try:
        record = json.loads((project.cache_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(record, dict) and record.get("inputs") == inputs and project.site_dir.is_dir()
            and record.get("site") == folder_digest(project.site_dir))


def remember(project: Project, inputs: str) -> None:
    """Record a good build's inputs and the site it published (a failure to write only costs a rebuild)."""
    try:
        project.cache_dir.mkdir(parents=True, exist_ok=True)
        record = {"inputs": inputs, "site": folder_digest(project.site_dir)}
        (project.cache_dir / RECORD).write_text(json.dumps(record) + "\n", encoding="utf-8")
    except OSError:
        pass


def forget(project: Project) -> None:
    """Drop the record, so the next build runs in full."""
    (project.cache_dir / RECORD).unlink(missing_ok=True)
