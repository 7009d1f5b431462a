"""Live preview: a real server on localhost picks up a changed responses file and keeps running on bad data."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import FIXTURES


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, text: str, seconds: float = 60) -> str:
    deadline, page = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        try:
            page = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
            if text in page:
                return page
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never appeared at {url}; last page had {len(page)} characters")


def test_serve_recomputes_figures_when_a_responses_file_changes(mini_site: Path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "build_scripts", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=mini_site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = _wait_for(url, ">55%<")
        assert "Key (shown in the preview only): mini-2020.support.yes" in page  # on hover, in the preview only
        responses = mini_site / "surveys/mini-2020/responses.csv"
        # R001 (North, weight 0.75) changes Yes to No: (33 - 0.75 + 33) / 120 = 54.4%
        responses.write_text(responses.read_text().replace("R001,North,Yes,", "R001,North,No,", 1))
        _wait_for(url, ">54%<")
        responses.write_text(responses.read_text().replace("R002,North,Yes,", "R002,North,Maybe,", 1))
        _wait_for(url, "This preview has problems")  # the bad answer was read (rather than a fixed wait for it)
        assert server.poll() is None, "the server stopped on a data error"
        assert ">54%<" in urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "'Maybe'" in output and "Traceback" not in output


def _wait_until_gone(url: str, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while text in urllib.request.urlopen(url, timeout=5).read().decode("utf-8"):
        assert time.monotonic() < deadline, f"{text!r} stayed at {url} after the cause was fixed"
        time.sleep(0.5)


class _Server:
    """`campaign-site serve` in a child process, its output collected line by line as it comes."""

    def __init__(self, project: Path, *options: str):
        import threading

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "build_scripts", "serve", *options, "--dev-addr", f"127.0.0.1:{self.port}"],
            cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(iter(self.process.stdout.readline, "")), daemon=True).start()

    def wait_for_line(self, text: str, after: int = 0, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines[after:]):
                return
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared in the output:\n{''.join(self.lines)}")

    def builds(self) -> int:
        return sum("Building documentation" in line for line in self.lines)

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        return "".join(self.lines)


def test_serve_recomputes_only_the_changed_survey_shows_problems_on_the_page_and_does_not_loop(tmp_path: Path,
                                                                                              built_waves_site: Path):
    project = tmp_path / "waves"
    shutil.copytree(FIXTURES / "waves-site", project)
    # the cache an earlier build left (conftest's, of the same inputs): the preview starts warm, as after a build
    shutil.copytree(built_waves_site / ".cache", project / ".cache")
    server = _Server(project)
    try:
        _wait_for(server.url, "tracker")
        seen = len(server.lines)
        responses = project / "surveys/tracker-2020/responses.csv"
        lines = responses.read_text(encoding="utf-8").splitlines(keepends=True)
        responses.write_text("".join(lines[:-3]), encoding="utf-8")
        server.wait_for_line("(1 read, 1 unchanged from the cache)", after=seen)
        server.wait_for_line("Reloading browsers", after=seen)
        time.sleep(4)  # let every rebuild the change caused finish
        settled = server.builds()
        time.sleep(4)
        assert server.builds() == settled, "the server kept rebuilding with nothing changed"

        codebook = project / "surveys/tracker-2020/survey.yml"
        good = codebook.read_text(encoding="utf-8")
        codebook.write_text(good + "\nnot: [valid\n", encoding="utf-8")
        page = _wait_for(server.url, "This preview has problems")
        assert "survey.yml" in page and "not valid YAML" in page
        assert server.process.poll() is None, "the server stopped on a data error"
        codebook.write_text(good, encoding="utf-8")
        _wait_until_gone(server.url, "This preview has problems")

        # a broken figure key in a page is a problem too, and fixing the page clears it
        page_file = project / "docs/index.md"
        copy = page_file.read_text(encoding="utf-8")
        page_file.write_text(copy + '\n{{ stat("tracker-2020.no.such.key") }}\n', encoding="utf-8")
        _wait_for(server.url, "no.such.key")
        page_file.write_text(copy, encoding="utf-8")
        _wait_until_gone(server.url, "This preview has problems")
    finally:
        output = server.stop()
    assert "Traceback" not in output


HOSTILE_ANSWERS = ["{% endraw %}{{ 7*7 }}", "<b id=x>bold</b>", "```\n</pre><i>x", "{{ 1/0 }}{% include 'x' %}"]


def test_hostile_answers_in_the_preview_banner_are_literal_text_and_the_server_keeps_serving(mini_site: Path):
    import csv
    import html
    import io

    server = _Server(mini_site)
    try:
        _wait_for(server.url, ">55%<")
        responses = mini_site / "surveys/mini-2020/responses.csv"
        rows = list(csv.reader(io.StringIO(responses.read_text(encoding="utf-8"))))
        for row, answer in enumerate(HOSTILE_ANSWERS, 1):
            rows[row][2] = answer  # typed into a form's "Other" box by a respondent
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        responses.write_text(out.getvalue(), encoding="utf-8")
        page = _wait_for(server.url, "This preview has problems")
        assert "{% endraw %}{{ 7*7 }}" in page and ">49<" not in page  # shown, never evaluated
        assert html.escape("<b id=x>bold</b>") in page and "<b id=x>" not in page
        assert "</pre><i>x" not in page and "{{ 1/0 }}{% include" in page
        assert server.process.poll() is None, "a hostile answer stopped the server"
        assert ">55%<" in urllib.request.urlopen(server.url, timeout=5).read().decode("utf-8")
        other = urllib.request.urlopen(server.url + "data/mini-2020/", timeout=5).read().decode("utf-8")
        assert "This preview has problems" in other and "<b id=x>" not in other
    finally:
        output = server.stop()
    assert "Traceback" not in output
