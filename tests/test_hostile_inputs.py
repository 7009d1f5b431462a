"""Hostile inputs get a clear problem, never a traceback, a crash or a file read from outside the project:
responses paths that leave the survey's folder, workbook bombs, impossible dates, readers that die."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES

from build_scripts.ingest import load
from build_scripts.errors import DataError
from build_scripts.ingest.exports import read_export
from build_scripts.ingest.fenced import FenceBroken, run_fenced
from build_scripts.ingest.load import load_survey
from build_scripts.ingest.sources import load_sources
from build_scripts.editorial.updates import latest_post

SECRET = "root-secret-line-never-to-be-echoed"
CAMPAIGN = Path(sys.executable).parent / "campaign-site"  # the command as installed beside this Python


# Workbooks written by hand: the smallest .xlsx that Excel and calamine open.

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_START = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _workbook(path: Path, sheet: str | None = None, bomb_bytes: int = 0) -> Path:
    """A one-sheet .xlsx; with bomb_bytes, its sheet unpacks to that many bytes of repeated cells."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", PACKAGE_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if not bomb_bytes:
            book.writestr("xl/worksheets/sheet1.xml", sheet)
            return path
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((SHEET_START + '<sheetData><row r="1">').encode())
            chunk = b"<c><v>1</v></c>" * (1 << 16)
            for _ in range(bomb_bytes // len(chunk)):
                part.write(chunk)
            part.write(b"</row></sheetData></worksheet>")
    return path


def _far_cell_sheet(dimension: bool) -> str:
    """A sheet whose only data cell is the last one Excel allows, XFD1048576, declared as such or not."""
    declared = '<dimension ref="A1:XFD1048576"/>' if dimension else ""
    return (f'{SHEET_START}{declared}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')


def _peak_memory() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def test_a_workbook_declaring_the_last_cell_of_the_sheet_is_refused_before_it_is_opened(tmp_path):
    path = _workbook(tmp_path / "responses.xlsx", _far_cell_sheet(dimension=True))
    assert path.stat().st_size < 9 * 1024
    export, [problem] = read_export(path, "surveys/x/responses.xlsx")
    assert export is None and "cells" in problem.message and "XFD1048576" in problem.value
    assert "CSV UTF-8" in problem.fix


def test_a_workbook_hiding_the_last_cell_costs_the_child_not_the_parent(tmp_path):
    # No <dimension>: calamine asks for 512 GB for the cell at XFD1048576 and aborts; only the fenced child dies.
    path = _workbook(tmp_path / "responses.xlsx", _far_cell_sheet(dimension=False))
    export, [problem] = read_export(path, "surveys/x/responses.xlsx")
    assert export is None and "more memory" in problem.message and "CSV UTF-8" in problem.fix


def test_a_zip_bomb_is_refused_quickly_without_the_parent_unpacking_it(tmp_path):
    path = _workbook(tmp_path / "responses.xlsx", bomb_bytes=256 << 20)
    assert path.stat().st_size < 2 << 20
    before, started = _peak_memory(), time.monotonic()
    export, [problem] = read_export(path, "surveys/x/responses.xlsx")
    assert export is None and "decompression bomb" in problem.message
    assert time.monotonic() - started < 5
    assert _peak_memory() - before < 64 * 1024  # kB: the parent unpacked none of it


def test_a_damaged_workbook_is_one_problem(tmp_path):
    path = _workbook(tmp_path / "responses.xlsx", SHEET_START + "<sheetData><row><c><v>1</v></c>")
    export, problems = read_export(path, "surveys/x/responses.xlsx")
    assert export is None and len(problems) == 1 and problems[0].file == "surveys/x/responses.xlsx"


def _sleep_long() -> None:
    time.sleep(30)


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _allocate_too_much() -> bytes:
    return bytes(3 << 30)


def _fail() -> None:
    raise ValueError("the reader's own words")


@pytest.mark.parametrize("task, kind, detail", [
    (_sleep_long, "time", "stopped after 0.5 s"),
    (_kill_self, "crash", "SIGKILL"),
    (_allocate_too_much, "memory", ""),
    (_fail, "error", "ValueError: the reader's own words"),
])
def test_a_fenced_reader_that_gives_no_answer_is_reported_with_why(task, kind, detail):
    started = time.monotonic()
    with pytest.raises(FenceBroken) as broken:
        run_fenced(task, seconds=0.5, memory=256 << 20)
    assert broken.value.kind == kind and detail in broken.value.detail
    assert time.monotonic() - started < 5


def test_fenced_reading_works_while_the_parent_runs_threads():
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            read_export(FIXTURES / "exports/plain-utf8.csv", "plain.csv")  # pyarrow's own threads too

    workers = [threading.Thread(target=busy) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        with ThreadPoolExecutor(2) as pool:  # and fenced reads started from threads other than the main one
            results = list(pool.map(lambda _: read_export(FIXTURES / "exports/workbook.xlsx", "w.xlsx", "Responses"),
                                    range(4)))
        results.append(read_export(FIXTURES / "exports/spss.sav", "spss.sav"))
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert all(export is not None and not problems for export, problems in results)


# Paths out of the survey's folder: refused without reading the file.

def _survey_folder(root: Path, responses: str) -> Path:
    folder = root / "surveys" / "mini-2020"
    shutil.copytree(FIXTURES / "mini-site/surveys/mini-2020", folder)
    book = folder / "survey.yml"
    book.write_text(book.read_text(encoding="utf-8").replace("responses: responses.csv", f"responses: {responses}"),
                    encoding="utf-8")
    return folder


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside the project whose contents must never be read or quoted."""
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_text(f"id,region\n{SECRET},North\n", encoding="utf-8")
    return path


@pytest.fixture
def never_read(monkeypatch):
    def refuse(path, *args, **kwargs):
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(load, "read_export", refuse)


@pytest.mark.parametrize("named", ["../../../outside/passwd", "ABSOLUTE", "../../../../../../../../etc/passwd",
                                   "./../mini-2020/../../../outside/passwd"])
def test_a_responses_path_out_of_the_survey_folder_is_refused_unread(tmp_path, secret, never_read, named):
    root = tmp_path / "site"
    folder = _survey_folder(root, str(secret) if named == "ABSOLUTE" else named)
    survey, [problem] = load_survey(folder, root)
    assert survey is None
    assert (problem.file, problem.where) == ("surveys/mini-2020/survey.yml", "field responses")
    assert "inside the survey's folder" in problem.message and "responses: responses.csv" in problem.fix
    assert SECRET not in problem.describe()


def test_a_link_out_of_the_survey_folder_is_refused_unread(tmp_path, secret, never_read):
    root = tmp_path / "site"
    folder = _survey_folder(root, "linked.csv")
    (folder / "linked.csv").symlink_to(secret)
    survey, [problem] = load_survey(folder, root)
    assert survey is None and problem.where == "field responses" and problem.value == "linked.csv"


def test_a_codebook_linked_from_outside_the_project_is_refused(tmp_path, secret):
    root = tmp_path / "site"
    folder = _survey_folder(root, "responses.csv")
    outside = tmp_path / "outside" / "survey.yml"
    shutil.move(folder / "survey.yml", outside)
    (folder / "survey.yml").symlink_to(outside)
    survey, [problem] = load_survey(folder, root)
    assert survey is None and problem.file == "surveys/mini-2020/survey.yml"
    assert "outside the project" in problem.message
    assert str(tmp_path / "outside") not in problem.describe()


@pytest.mark.parametrize("named", ["sub/../responses.csv", "linked.csv", "./responses.csv"])
def test_paths_and_links_that_stay_in_the_folder_are_read(tmp_path, named):
    root = tmp_path / "site"
    folder = _survey_folder(root, named)
    (folder / "linked.csv").symlink_to(folder / "responses.csv")
    (folder / "sub").mkdir()
    survey, problems = load_survey(folder, root)
    assert problems == [] and len(survey.responses) == 120


# Impossible dates: a problem naming the file, the field and the value, never a ValueError from the parser.

@pytest.mark.parametrize("written", ["2015-02-30", "!!timestamp 2015-02-30", "2015-02-30 10:00:00"])
def test_an_impossible_fieldwork_date_is_a_problem(tmp_path, written):
    root = tmp_path / "site"
    folder = _survey_folder(root, "responses.csv")
    book = folder / "survey.yml"
    book.write_text(book.read_text(encoding="utf-8").replace("start: 2020-03-02", f"start: {written}"),
                    encoding="utf-8")
    survey, [problem] = load_survey(folder, root)
    assert survey is None and problem.where == "field fieldwork.start" and "2015-02-30" in problem.value
    assert problem.fix.startswith("use a real date as YYYY-MM-DD")


@pytest.mark.parametrize("written", ["!!int abc", "!!bool maybe", "!!float x", "[" * 5000])
def test_a_value_the_parser_cannot_build_is_a_yaml_problem(tmp_path, written):
    root = tmp_path / "site"
    folder = _survey_folder(root, "responses.csv")
    book = folder / "survey.yml"
    book.write_text(book.read_text(encoding="utf-8").replace("method: Online", f"method: {written}"),
                    encoding="utf-8")
    survey, [problem] = load_survey(folder, root)
    assert survey is None and "not valid YAML" in problem.message and problem.fix


@pytest.mark.parametrize("written, good", [("2015-13-45", False), ("2015-13", False), ("2015-02-29", False),
                                           ("2016-02-29", True), ("2015", True), ("2015-06", True)])
def test_a_source_dated_on_a_day_that_does_not_exist_is_a_problem(tmp_path, written, good):
    path = tmp_path / "sources.yml"
    text = (FIXTURES / "mini-site/surveys/sources.yml").read_text(encoding="utf-8")
    path.write_text(text.replace("date: 2019-06", f"date: {written}"), encoding="utf-8")
    sources, problems = load_sources(path, "surveys/sources.yml")
    if good:
        assert problems == [] and sources.sources[0].date == written
    else:
        [problem] = problems
        assert (problem.file, problem.where, problem.value) == ("surveys/sources.yml", "field sources[0].date", written)
        assert "date" in problem.message and "YYYY-MM-DD" in problem.fix


def _post(docs: Path, front: str, name: str = "post.md") -> Path:
    path = docs / "updates/posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}\n---\n\n# Title\n\nOpening.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("front, where, value", [
    ("date: 2015-11-31", "front matter date", "2015-11-31"),
    ("date:\n  created: 2015-02-30", "front matter date", "2015-02-30"),
    ("date: soon", "front matter date", "soon"),
    ("date: [2015", "front matter line 2", None),
    ("- a list", "front matter", None),
])
def test_a_post_with_an_impossible_date_or_broken_front_matter_is_a_problem(tmp_path, front, where, value):
    docs = tmp_path / "docs"
    _post(docs, "date: 2015-11-02", "good.md")
    _post(docs, front)
    with pytest.raises(DataError) as error:
        latest_post(docs)
    [problem] = error.value.problems
    assert (problem.file, problem.where, problem.value) == ("docs/updates/posts/post.md", where, value)
    assert problem.message and problem.fix


def test_a_post_that_is_not_utf8_is_a_problem(tmp_path):
    path = _post(tmp_path / "docs", "date: 2015-11-02")
    path.write_bytes(path.read_bytes() + b"\xff\xfe caf\xe9")
    with pytest.raises(DataError) as error:
        latest_post(tmp_path / "docs")
    assert "not UTF-8" in error.value.problems[0].message


# The command line, as CI runs it on a pull request from outside.

def _check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CAMPAIGN), "check", "--project", str(root)], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("hostile", ["passwd", "bomb", "date"])
def test_check_reports_a_hostile_input_as_a_problem_and_exits_1(tmp_path, hostile):
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "mini-site", root)
    book = root / "surveys/mini-2020/survey.yml"
    text = book.read_text(encoding="utf-8")
    if hostile == "passwd":
        text = text.replace("responses: responses.csv", "responses: ../../../../../../../../../etc/passwd")
    elif hostile == "bomb":
        _workbook(book.parent / "responses.xlsx", _far_cell_sheet(dimension=False))
        text = text.replace("responses: responses.csv", "responses: responses.xlsx")
    else:
        text = text.replace("start: 2020-03-02", "start: 2015-02-30")
    book.write_text(text, encoding="utf-8")
    result = _check(root)
    assert result.returncode == 1, result.stderr  # a clean exit: not killed by a signal, not a crash
    assert "Traceback" not in result.stderr and "memory allocation" not in result.stderr
    assert "surveys/mini-2020/survey.yml" in result.stderr or "responses.xlsx" in result.stderr
    assert "root:" not in result.stderr and "fix:" in result.stderr


def test_check_is_not_fooled_by_yaml_that_names_python_objects(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "mini-site", root)
    sources = root / "surveys/sources.yml"
    marker = tmp_path / "pwned"
    sources.write_text(yaml.safe_dump({"sources": []}) + f"x: !!python/object/apply:os.system ['touch {marker}']\n")
    result = _check(root)
    assert result.returncode == 1 and "Traceback" not in result.stderr and not marker.exists()
