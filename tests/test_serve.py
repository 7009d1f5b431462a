"""Live preview: a real server on localhost picks up a changed responses file and keeps running on bad data."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


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
        _wait_for(url, ">55%<")
        responses = mini_site / "surveys/mini-2020/responses.csv"
        # R001 (North, weight 0.75) changes Yes to No: (33 - 0.75 + 33) / 120 = 54.4%
        responses.write_text(responses.read_text().replace("R001,North,Yes,", "R001,North,No,", 1))
        _wait_for(url, ">54%<")
        responses.write_text(responses.read_text().replace("R002,North,Yes,", "R002,North,Maybe,", 1))
        time.sleep(3)
        assert server.poll() is None, "the server stopped on a data error"
        assert ">54%<" in urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "'Maybe'" in output and "Traceback" not in output
