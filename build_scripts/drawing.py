"""Turning chart specs into images: Vega-Lite to SVG by vl-convert, the dark twin by recolouring, PNG by resvg.

Kept free of Altair and pandas so a worker process can import it quickly: `DrawingPool` lays charts
out in another process while the build goes on computing pages (Vega's first chart in a process
costs a few tenths of a second to start its JavaScript engine, each later one tens of milliseconds).
"""

from __future__ import annotations

import multiprocessing
import os
import re
from concurrent.futures import Future, ProcessPoolExecutor

import vl_convert as vlc

# Accessible government palette (design.md); every mark has at least 3:1 contrast on its background.
THEMES = {
    "light": {"background": "#ffffff", "bar": "#12436D", "text": "#0b0c0c", "grid": "#d9d9d9",
              "series": ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]},
    "dark": {"background": "#1e2129", "bar": "#28A197", "text": "#e8e8e8", "grid": "#44474f",
             "series": ["#28A197", "#F46A25", "#A285D1", "#E8E8E8", "#6BAED6", "#F28AB3"]},
}
FONT = "Helvetica, Arial, sans-serif"  # system fonts only: the site requests no web fonts
PNG_SCALE = 2  # chart PNGs are sharp on high-density screens and in slides
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
    for name in ("background", "bar", "text", "grid"):
        swaps[THEMES[source][name].lower()] = THEMES[target][name]
    for old, new in zip(THEMES[source]["series"], THEMES[target]["series"], strict=True):
        swaps.setdefault(old.lower(), new)
    return _HEX.sub(lambda m: swaps.get(m.group(0).lower(), m.group(0)), svg)


def variants(light: str) -> tuple[str, str, bytes]:
    """A chart's light SVG, its dark twin and its PNG, from the light drawing."""
    return light, recolour(light, "light", "dark"), render_png(light, PNG_SCALE)


class DrawingPool:
    """Lays charts out (spec to light SVG) in a worker process, or in this one with workers=0.

    Only the layout goes to the worker: recolouring and rasterising need no JavaScript engine and
    are quick here, which keeps the worker, the slower of the two, as short as it can be.
    """

    def __init__(self, workers: int | None = None):
        workers = max(1, min(3, (os.cpu_count() or 2) - 1)) if workers is None else workers
        # spawn, not fork: the parent may already run threads (BLAS, Arrow) that fork would copy half-held
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_warm_up) if workers else None
        if self.pool is not None:
            self.pool.submit(_warm_up)  # start the worker now, so its engine is ready by the first chart

    def submit(self, light_spec: dict) -> Future:
        """Lay a chart out as SVG, in the worker if there is one."""
        if self.pool is not None:
            return self.pool.submit(render_svg, light_spec)
        done: Future = Future()
        done.set_result(render_svg(light_spec))
        return done

    def close(self) -> None:
        """Stop the worker (after the work submitted so far)."""
        if self.pool is not None:
            self.pool.shutdown()


def _warm_up() -> None:
    render_svg({"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x", "type": "quantitative"}}})
