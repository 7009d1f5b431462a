"""Shared fixtures: a copy of the mini fixture site, and a way to run the real command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def mini_site(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/mini-site."""
    target = tmp_path / "mini-site"
    shutil.copytree(FIXTURES / "mini-site", target)
    return target


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run `campaign-site ARGS` in a fresh process, as a user would, capturing its output."""
    return subprocess.run([sys.executable, "-m", "build_scripts", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="session")
def built_mini_site(tmp_path_factory) -> Path:
    """The mini site built once for the tests that only read its output."""
    target = tmp_path_factory.mktemp("built") / "mini-site"
    shutil.copytree(FIXTURES / "mini-site", target)
    result = run_cli("build", cwd=target)
    assert result.returncode == 0, result.stderr
    return target
