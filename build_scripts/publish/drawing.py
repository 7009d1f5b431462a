"""Turning chart specs into images: Vega-Lite to SVG by vl-convert, the dark twin by recolouring, PNG by resvg.

Kept free of Altair and pandas so a worker process can import it quickly: `DrawingPool` lays charts
out in another process while the build goes on computing pages (Vega's first chart in a process
costs a few tenths of a second to start its JavaScript engine, each later one tens of milliseconds).
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future

import vl_convert as vlc

# Accessible government palette (design.md); every mark has at least 3:1 contrast on its background, and text
# (`text`, and `muted` for subtitles, axes and the footer) at least 4.5:1.
THEMES = {
    "light": {"background": "#ffffff", "bar": "#12436D", "text": "#0b0c0c", "muted": "#505a5f", "grid": "#d9d9d9",
              "series": ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]},
    "dark": {"background": "#1e2129", "bar": "#28A197", "text": "#e8e8e8", "muted": "#b1b4b6", "grid": "#44474f",
             "series": ["#28A197", "#F46A25", "#A285D1", "#E8E8E8", "#6BAED6", "#F28AB3"]},
}
FONT = "Helvetica, Arial, sans-serif"  # system fonts only: the site requests no web fonts
PNG_SCALE = 2  # chart PNGs are sharp on high-density screens and in slides
WORKER_PATIENCE = 120  # seconds to wait for one chart from the worker before drawing it here
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def render_svg(spec: dict) -> str:
    """Render a Vega-Lite spec to a standalone SVG string, with no scripts and no network."""
    return vlc.vegalite_to_svg(spec)


def render_png(svg: str, scale: float = 1) -> bytes:
    """Rasterise an SVG to PNG (for downloads and share images), with no network."""
    return vlc.svg_to_png(svg, scale=scale)


def recolour(svg: str, source: str = "light", target: str = "dark") -> str:
    """The same drawing in another theme's colours: every colour of one palette swapped for its twin.

    Drawing the dark variant this way halves the charts Vega has to lay out, and keeps both variants
    identical in every position and label (a test checks it equals drawing the dark spec).
    """
    swaps = {}
    for name in ("background", "bar", "text", "muted", "grid"):
        swaps[THEMES[source][name].lower()] = THEMES[target][name]
    for old, new in zip(THEMES[source]["series"], THEMES[target]["series"], strict=True):
        swaps.setdefault(old.lower(), new)
    return _HEX.sub(lambda m: swaps.get(m.group(0).lower(), m.group(0)), svg)


class DrawingPool:
    """Lays charts out (specs to light SVGs) in a worker process, or in this one when `in_worker` is off.

    Only the layout goes to the worker: recolouring and rasterising need no JavaScript engine and are done
    here meanwhile, which keeps the two processes about as busy as each other (rasterising the PNGs in the
    worker too made the build wait for it). The worker is a plain `python -m build_scripts.publish.drawing`
    reading one JSON list of specs per line (a chart's widths, laid out in one call) and answering with one
    JSON list of SVGs per line, in order: it imports vl-convert alone, not the build.
    """

    def __init__(self, in_worker: bool = True):
        self.worker = None
        self.waiting: queue.SimpleQueue[Future] = queue.SimpleQueue()
        self.requests: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.reading = False
        if in_worker and (os.cpu_count() or 1) > 1:  # on one core a worker only adds its start-up
            try:
                self.worker = subprocess.Popen([sys.executable, "-m", "build_scripts.publish.drawing"], stdin=subprocess.PIPE,
                                               stdout=subprocess.PIPE, text=True, encoding="utf-8")
            except OSError:
                return  # charts are then drawn in this process
            self.reading = True
            threading.Thread(target=self._read_answers, daemon=True).start()
            # Requests are written by a thread of their own: a build submits faster than the worker reads, and a
            # full pipe must not hold the build up.
            self.writer = threading.Thread(target=self._write_requests, daemon=True)
            self.writer.start()

    def submit(self, light_specs: list[dict]) -> Future:
        """Lay a chart's specs out as SVGs, in the worker if there is one (a Future of the list, which may hold
        an error: `drawn` then draws here instead)."""
        done: Future = Future()
        if self.worker is not None and self.reading:
            self.waiting.put(done)  # answers come in the order requests are written
            self.requests.put(json.dumps(light_specs) + "\n")
            return done
        done.set_result([render_svg(spec) for spec in light_specs])
        return done

    def close(self) -> None:
        """Let the worker finish what it was given, then stop it."""
        if self.worker is None:
            return
        self.requests.put(None)
        self.writer.join(timeout=60)
        try:
            self.worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.worker.kill()

    def _write_requests(self) -> None:
        """Write each request to the worker in turn; at the end (None), close its input so that it stops."""
        try:
            while (request := self.requests.get()) is not None:
                self.worker.stdin.write(request)
                self.worker.stdin.flush()
        except (OSError, ValueError):  # the worker has gone: the reader fails what waits, `drawn` draws it here
            pass
        finally:
            try:
                self.worker.stdin.close()
            except OSError:
                pass

    def _read_answers(self) -> None:
        try:
            for line in self.worker.stdout:
                answer = json.loads(line)
                future = self.waiting.get()
                if "svgs" in answer:
                    future.set_result(answer["svgs"])
                else:
                    future.set_exception(RuntimeError(answer["error"]))
        except Exception:  # noqa: BLE001, S110 - a garbled answer: the waiting charts are drawn in the build
            pass
        finally:
            self.reading = False
            while not self.waiting.empty():
                self.waiting.get().set_exception(RuntimeError("the chart-drawing worker stopped"))


def drawn(future: Future, light_specs: Callable[[], list[dict]]) -> list[str]:
    """The SVGs a pool made, or, if the worker failed or went quiet, the chart drawn here instead."""
    try:
        return future.result(timeout=WORKER_PATIENCE)
    except Exception:  # noqa: BLE001 - drawing here either works or raises the real error
        return [render_svg(spec) for spec in light_specs()]


def _serve_drawings() -> None:
    """The worker: a list of specs per line on stdin, their SVGs (or the error) per line on stdout."""
    render_svg({"data": {"values": [{"x": 1}]}, "mark": "point",
                "encoding": {"x": {"field": "x", "type": "quantitative"}}})  # start Vega before the first chart
    for line in sys.stdin:
        try:
            answer = {"svgs": [render_svg(spec) for spec in json.loads(line)]}
        except Exception as exc:  # noqa: BLE001 - any failure goes back to the build, which stops with it
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve_drawings()
