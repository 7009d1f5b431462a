"""Shared fixtures: a copy of the mini fixture site, and a way to run the real command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from build_scripts.ingest.codebook import Codebook
from build_scripts.ingest.load import Survey
from build_scripts.statistics.table import statistics_table
from build_scripts.statistics.weighting import survey_weights

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


def run_here(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run `campaign-site ARGS` from `cwd` in this process (click's runner), returned as run_cli returns it.

    A second faster than run_cli (no interpreter to start, no data stack to import), for the tests that are about
    what a command does rather than about the command line itself. What a fresh process would print is kept:
    what its child processes write to stderr, and the traceback of an exception the command did not handle.
    """
    import os
    import tempfile
    import traceback

    from click.testing import CliRunner

    from build_scripts.cli.commands import main

    previous = Path.cwd()
    with tempfile.TemporaryFile() as children:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(children.fileno(), 2)
        try:
            os.chdir(cwd)
            result = CliRunner().invoke(main, list(args), prog_name="campaign-site")
        finally:
            os.chdir(previous)
            os.dup2(saved, 2)
            os.close(saved)
        children.seek(0)
        stderr = result.stderr + children.read().decode("utf-8", errors="replace")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return subprocess.CompletedProcess(["campaign-site", *args], result.exit_code, result.stdout, stderr)


def built_copy(fixture: str, parent: Path) -> Path:
    """A copy of tests/fixtures/<fixture> in `parent`, built with the real command; returns the copy."""
    target = parent / fixture
    shutil.copytree(FIXTURES / fixture, target)
    result = run_cli("build", cwd=target)
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture(scope="session")
def built_mini_site(tmp_path_factory) -> Path:
    """The mini site built once for the tests that only read its output."""
    return built_copy("mini-site", tmp_path_factory.mktemp("built"))


@pytest.fixture(scope="session")
def built_waves_site(tmp_path_factory) -> Path:
    """The waves site built once: for the tests that only read its output, and for those that start from a copy
    of it (its cache warm) rather than building it again themselves. Never change it: copy it."""
    return built_copy("waves-site", tmp_path_factory.mktemp("built-waves"))


def shipped_copy(parent: Path) -> Path:
    """A copy of the shipped project (mkdocs.yml, docs without docs/data, surveys, theme overrides, releases) in
    `parent`."""
    project = parent / "campaign"
    project.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "docs", project / "docs", ignore=lambda folder, names: (
        ["data"] if Path(folder) == REPO / "docs" else []))
    for folder in ("surveys", "overrides", "releases"):
        shutil.copytree(REPO / folder, project / folder)
    return project


def invoke(*args: str):
    """Run `campaign-site ARGS` in this process (click's runner): faster than run_cli, for most command tests."""
    from click.testing import CliRunner

    from build_scripts.cli.commands import main

    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="session")
def built_shipped_site(tmp_path_factory) -> Path:
    """The shipped project copied and built once; returns the project folder."""
    project = shipped_copy(tmp_path_factory.mktemp("shipped"))
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


def report_module():
    """.ci/zensical_report.py, the comparison of two engines' builds, loaded as a module."""
    import importlib.util

    if "zensical_report" not in sys.modules:
        spec = importlib.util.spec_from_file_location("zensical_report", REPO / ".ci" / "zensical_report.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["zensical_report"] = module  # dataclasses look their module up while it loads
        spec.loader.exec_module(module)
    return sys.modules["zensical_report"]


def make_survey(rows: list[dict], questions: list[dict], weighted: bool = False, segments=None,
                design: dict | None = None) -> Survey:
    """A small survey built in memory: segment g (groups A, B) unless others are given, weights in column w, and
    the sample design given (its columns in the rows)."""
    book = Codebook.model_validate({
        "id": "t", "title": "T", "commissioned_by": "c", "conducted_by": "c",
        "fieldwork": {"start": "2020-01-01", "end": "2020-01-02"}, "method": "online", "population": "p",
        "coverage": "UK", "id_column": "id",
        "weighting": {"column": "w", "variables": ["x"], "targets_source": "s"} if weighted else None,
        "segments": segments or [{"key": "g", "label": "G", "column": "g",
                                  "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}]}],
        "questions": questions, "design": design,
    })
    return Survey(book, pd.DataFrame(rows).astype(str), "t/responses.csv")


def table_for(surveys: list[Survey]) -> pd.DataFrame:
    """The statistics table of in-memory surveys, their weights computed as the pipeline does."""
    weights = {}
    for survey in surveys:
        weights[survey.id], problems = survey_weights(survey.codebook, survey.responses, survey.responses_file)
        assert problems == []
    return statistics_table(surveys, weights).frame


def rscript() -> str:
    """The path of Rscript, for the tests that check our statistics against R's survey package; they skip
    without it, unless CI is set, when they fail: the figures' claim is agreeing with R."""
    found = shutil.which("Rscript")
    if found is None:
        reason = "Rscript (R with the survey package) is not installed: the statistics are checked against it"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so R must be there", pytrace=False)
        pytest.skip(reason)
    return found


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)
