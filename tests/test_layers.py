"""The package's layers are kept by import-linter's contracts (pyproject.toml), and the cache knows every file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

from build_scripts import cache as cache_module


def test_no_module_imports_a_layer_above_its_own():
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--config", str(REPO / "pyproject.toml")], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path):
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "build_scripts", copy / "build_scripts", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "pyproject.toml", copy / "pyproject.toml")
    tally = copy / "build_scripts/statistics/tally.py"
    tally.write_text(tally.read_text(encoding="utf-8") + "\nfrom build_scripts.publish import charts  # noqa\n")
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--config", str(copy / "pyproject.toml")], cwd=copy, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1 and "build_scripts.statistics.tally -> build_scripts.publish.charts" in done.stdout


def test_an_edit_in_a_subpackage_changes_the_code_version(tmp_path: Path, monkeypatch):
    package = tmp_path / "build_scripts"
    shutil.copytree(REPO / "build_scripts", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_module, "PACKAGE_DIR", package)
    cache_module.code_version.cache_clear()
    before = cache_module.code_version()
    module = package / "statistics/estimates.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    cache_module.code_version.cache_clear()
    try:
        assert cache_module.code_version() != before
    finally:
        cache_module.code_version.cache_clear()
