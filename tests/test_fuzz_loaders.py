"""Any bytes as a responses file give either figures or a clear error: never a traceback, never a hang."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts.errors import DataError
from build_scripts.ingest.exports import read_export
from build_scripts.pipeline.compute import Project, compute

HEADER = b"id,region,q1,q2,q3,weight\n"
ROWS = st.lists(st.sampled_from([b"R1,North,Yes,,Online,1", b"R2,South,No,,,0.5", b"\xef\xbb\xbf", b'"', b";",
                                 b",", b"\r\n", b"\n", b"\x00", b"\xff\xfe", b"Don\x92t know", b"1,2,3"]),
                 max_size=30).map(b"".join)
FUZZ = settings(max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


# A workbook or an SPSS file is read in a fenced child process, the costliest examples here; random bytes and rows
# of text are almost never a workbook or an SPSS file, so past 100 examples those two only repeat the same refusals.
# CSV, read in this process and by far the likeliest to parse, keeps the full 150.
EXAMPLES = {".csv": 150, ".xlsx": 100, ".sav": 100}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav"])
def test_read_export_returns_an_export_or_problems_for_any_bytes(tmp_path_factory, suffix):
    @settings(FUZZ, max_examples=EXAMPLES[suffix])
    @given(data=st.binary(max_size=2000) | ROWS | ROWS.map(lambda rows: HEADER + rows))
    def read_any_bytes(data):
        path = tmp_path_factory.mktemp("fuzz") / f"responses{suffix}"
        path.write_bytes(data)
        export, problems = read_export(path, "surveys/x/responses" + suffix)
        assert (export is None) == bool(problems)
        for problem in problems:
            assert problem.file.endswith(suffix) and problem.message and problem.fix
        if export is not None:
            assert all(isinstance(value, str) for c in export.frame.columns for value in export.frame[c])

    read_any_bytes()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-site") / "site"
    shutil.copytree(FIXTURES / "mini-site", root)
    return root


@FUZZ
@given(data=st.binary(max_size=2000) | ROWS.map(lambda rows: b"id,region,q1,q2,q3,weight\n" + rows))
def test_the_whole_pipeline_gives_figures_or_listed_problems_for_any_bytes(project, data):
    (project / "surveys/mini-2020/responses.csv").write_bytes(data)
    try:
        results = compute(Project(project))
    except DataError as error:
        assert error.problems and all(p.file and p.message and p.fix for p in error.problems)
        assert error.describe().startswith("Found")
    else:
        assert len(results.table) > 0
