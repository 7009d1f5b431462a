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

from build_scripts.cache import code_version, folder_digest, package_versions
from build_scripts.project import Project

RECORD = "last-build.json"
_ENV_TAG = re.compile(r"!ENV\s+(\[[^\]]*\]|\S+)")


ENGINE_PACKAGES = ["mkdocs", "mkdocs-material", "zensical", "pymdown-extensions", "markdown"]


def inputs_digest(project: Project, config: dict, engine: str, strict: bool) -> str:
    """A hash of everything a build reads: input folders, mkdocs.yml (`config`: as plain data) and the variables
    it names, engine, code."""
    digest = hashlib.sha256()
    written = project.config_file.read_bytes()
    digest.update(written + b"\0" + engine.encode() + (b"strict" if strict else b"") + b"\0")
    for name in sorted(_env_names(written.decode("utf-8", errors="replace"))) + ["SOURCE_DATE_EPOCH"]:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    for folder in project.input_folders(config):
        digest.update(folder.as_posix().encode() + b"\0" + folder_digest(folder).encode() + b"\0")
    digest.update(package_versions(ENGINE_PACKAGES).encode())  # an upgraded engine publishes differently
    digest.update(code_version().encode())
    return digest.hexdigest()


def _env_names(config: str) -> set[str]:
    """Every variable an !ENV tag names: `!ENV NAME` or each name in `!ENV [A, B, "default"]` (all but the last)."""
    names = set()
    for match in _ENV_TAG.finditer(config):
        value = match.group(1).strip()
        if value.startswith("["):
            items = [item.strip().strip("'\"") for item in value.strip("[]").split(",")]
            names.update(item for item in items[:-1] if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", item))
        else:
            names.add(value.strip("'\""))
    return names


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
