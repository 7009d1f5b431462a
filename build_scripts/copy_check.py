"""Check hand-written pages: every stat("...") and source("...") they use must exist and be publishable."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from build_scripts.errors import Problem, relative

# Only calls inside a {{ ... }} expression count, so prose may mention stat("...") by name.
REFERENCE = re.compile(r"""\{\{[^}]*?\b(stat|source)\(\s*(["'])(?P<key>[^"']*)\2""")


def copy_pages(docs_dir: Path, generated_dir: Path) -> list[Path]:
    """Hand-written Markdown pages: everything under docs/ except the generated folder."""
    return sorted(p for p in docs_dir.rglob("*.md") if generated_dir not in p.parents)


def check_copy(pages: list[Path], table: pd.DataFrame, source_keys: set[str], root: Path) -> list[Problem]:
    """Every figure reference in copy that names an unknown key or a suppressed figure."""
    rows = table.set_index("key")
    problems = []
    for page in pages:
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for match in REFERENCE.finditer(line):
                kind, key = match.group(1), match.group("key")
                where = f"line {number}"
                shown = relative(page, root)
                if kind == "source" and key not in source_keys:
                    problems.append(Problem(shown, where, "no source in surveys/sources.yml has this key",
                                            "add the source to surveys/sources.yml or correct the key", key))
                elif kind == "stat" and key not in rows.index:
                    problems.append(Problem(shown, where, "no figure in the statistics table has this key",
                                            f"use a key from site/data/stats.csv{_suggest(key, rows.index)}", key))
                elif kind == "stat" and bool(rows.at[key, "suppressed"]):
                    problems.append(Problem(shown, where, f"this figure is suppressed ({rows.at[key, 'suppression']}, "
                                            f"base {int(rows.at[key, 'base'])}) and cannot be published",
                                            "quote a figure with a larger base (e.g. the whole sample)", key))
    return problems


def _suggest(key: str, keys) -> str:
    stem = key.rsplit(".", 1)[0]
    near = [k for k in keys if k.startswith(stem + ".") and "=" not in k][:4]
    return f", e.g. {', '.join(near)}" if near else ""
