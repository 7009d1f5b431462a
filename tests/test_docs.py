"""Keep the documentation true: every statistics column explained, every codebook field in the README."""

from __future__ import annotations

import re

from conftest import REPO
from pydantic import BaseModel

from build_scripts.ingest.codebook import Codebook
from build_scripts.editorial.pages import data_page
from build_scripts.statistics.statistics_table import COLUMNS, SCHEMA


def _fields(model: type[BaseModel], seen=None) -> set[str]:
    seen = set() if seen is None else seen
    for name, info in model.model_fields.items():
        seen.add(name)
        for arg in [info.annotation, *getattr(info.annotation, "__args__", ())]:
            for inner in [arg, *getattr(arg, "__args__", ())]:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    _fields(inner, seen)
    return seen


def test_every_statistics_column_is_explained_on_the_data_page():
    page = data_page([])
    assert [c.name for c in SCHEMA] == COLUMNS and all(c.meaning for c in SCHEMA)
    assert re.findall(r"^\| `([a-z_]+)` \|", page, re.MULTILINE) == COLUMNS


def test_every_codebook_field_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Codebook fields", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", section))
    assert _fields(Codebook) - documented == set()


def test_the_readme_lists_the_statistics_columns_as_the_code_writes_them():
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    listed = re.search(r"`site/data/stats\.csv` with the columns `([^`]+)`", text).group(1)
    assert listed.split(", ") == COLUMNS


def test_the_readme_names_every_module():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    package = REPO / "build_scripts"
    modules = {p.relative_to(package).as_posix() for p in package.rglob("*.py") if p.stem not in {"__init__", "__main__"}}
    assert {m for m in modules if f"`{m}`" not in text} == set()


def test_every_copy_function_is_documented_for_staff():
    from build_scripts.editorial.copy_functions import FUNCTIONS

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Writing copy with figures", 1)[1].split("\n## ", 1)[0]
    assert [name for name in FUNCTIONS if f"{{{{ {name}(" not in section] == []


def test_the_documented_campaign_settings_are_the_ones_the_build_reads():
    import yaml

    from build_scripts.editorial.campaign import Campaign

    text = (REPO / "README.md").read_text(encoding="utf-8")
    example = text.split("## The campaign's settings", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    Campaign.model_validate(yaml.safe_load(example)["extra"]["campaign"])  # every field there is real


def test_the_readmes_first_screen_sends_staff_to_the_guide_and_says_how_to_activate():
    first_screen = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:45])
    assert "(guide/README.md)" in first_screen and (REPO / "guide" / "README.md").is_file()
    assert "source .venv/bin/activate" in first_screen


def test_every_command_and_make_target_the_readme_names_exists():
    from build_scripts.cli.commands import main

    text = (REPO / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`campaign-site ([a-z][a-z-]*)", text))
    assert named - set(main.commands) == set(), "the README names commands that do not exist"
    assert {"build", "check", "serve", "new-survey", "new-update", "diff", "figures"} <= named
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    assert set(re.findall(r"`make ([a-z][a-z-]*)", text)) - targets == set()
