"""Charts: Vega-Lite specs laid out here, drawn to SVG at build time by vl-convert, with text alternatives.

Three kinds: a question's answers, one answer broken down by a segment, and a trend across waves. Each
is laid out at two widths: `WIDE`, the text column of a desktop page, and `NARROW`, a phone's, where
labels sit above their bars and a trend's labels become a key under it. Every image carries its
`Frame`: the finding as its title, the question and base under it, and at the foot any note, the source
line and the site's name and address, so a chart saved or shared on its own says what it shows and
where it comes from.

Everything is placed in pixels here (Vega-Lite's `scale: null`), with words wrapped to the widest font
a reader may see them in (`chart_text`), so no label is ever cut and both widths are exact. Bars and
lines are labelled directly; suppressed figures are gaps labelled with the suppression mark, never zero
bars. The specs are plain dicts (no Altair at build time); the tests validate them against the schema.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from build_scripts.editorial.formatting import SUPPRESSED, lower_first, percent
from build_scripts.publish.chart_text import text_width, wrap
from build_scripts.publish.drawing import FONT, THEMES

WIDE = 688  # px: the text column of a survey page in a 1280 px wide window (Material, measured in Chromium)
NARROW = 340  # px: a phone's text column is 328 px at 360 wide and 358 px at 390
PAD = 12  # px around everything, in the background colour
LINE = 1.3  # line height, in font sizes
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]  # colour is never the only cue


@dataclass(frozen=True)
class Frame:
    """What an image carries around its figures, and its width: title, subtitle and footer lines."""

    title: str = ""
    subtitle: str = ""
    footer: tuple[str, ...] = ()  # at the foot, in order: a note on gaps, the source line, the site
    width: int = WIDE

    @property
    def narrow(self) -> bool:
        return self.width < 480


@dataclass(frozen=True)
class Sizes:
    """Font sizes in px, chosen so that text is at least 14 px as shown (a wide chart fills a 688 px column)."""

    title: int
    text: int
    small: int


def sizes(frame: Frame) -> Sizes:
    return Sizes(19, 15, 14) if frame.narrow else Sizes(22, 16, 14)


def as_frame(frame: Frame | str) -> Frame:
    """A frame, or a bare title (wide, no subtitle or footer)."""
    return frame if isinstance(frame, Frame) else Frame(title=frame)


class Canvas:
    """Marks placed in pixels from the top down, in one colour theme; `spec` makes their Vega-Lite."""

    def __init__(self, frame: Frame, theme: str):
        self.frame, self.colours, self.size = frame, THEMES[theme], sizes(frame)
        self.width = frame.width - 2 * PAD
        self.y = 0.0
        self.texts: list[dict] = []
        self.rects: list[dict] = []
        self.lines: list[dict] = []
        self.points: list[dict] = []
        self.grid: list[dict] = []  # decoration (gridlines), drawn faint on purpose

    def text(self, x: float, y: float, text: str, size: float, colour: str = "text", bold: bool = False,
             align: str = "left", baseline: str = "top") -> None:
        self.texts.append({"x": _px(x), "y": _px(y), "text": text, "size": size, "colour": self.colours[colour],
                           "weight": "bold" if bold else "normal", "align": align, "baseline": baseline})

    def block(self, x: float, y: float, lines: list[str], size: float, colour: str = "text", bold: bool = False) -> float:
        """Lines of text from (x, y) down; returns their height."""
        for i, line in enumerate(lines):
            self.text(x, y + i * size * LINE, line, size, colour, bold)
        return len(lines) * size * LINE

    def paragraph(self, text: str, size: float, colour: str = "text", bold: bool = False, x: float = 0) -> None:
        """Text wrapped to the width left after x, at the current height, which moves down past it."""
        self.y += self.block(x, self.y, wrap(text, self.width - x, size, bold), size, colour, bold)

    def bar(self, x: float, y: float, height: float, share: float | None, label: str, room: float) -> None:
        """A bar `share` of `room` long, labelled at its end; a suppressed figure is its label alone, never a bar."""
        end = x
        if share is not None and not math.isnan(share):
            end = x + share * room
            self.rects.append({"x": _px(x), "x2": _px(end), "y": _px(y), "y2": _px(y + height),
                               "colour": self.colours["bar"]})
        self.text(end + 6, y + height / 2, label, self.size.text, bold=True, baseline="middle")

    def heading(self) -> None:
        """The title (the finding) and the subtitle (the question and base)."""
        if self.frame.title:
            self.paragraph(self.frame.title, self.size.title, bold=True)
        if self.frame.subtitle:
            self.y += 4
            self.paragraph(self.frame.subtitle, self.size.text, colour="muted")
        if self.frame.title or self.frame.subtitle:
            self.y += 16

    def footer(self) -> None:
        """The note, the source line and the site, small, at the foot."""
        if self.frame.footer:
            self.y += 18
        for item in self.frame.footer:
            self.paragraph(item, self.size.small, colour="muted")
            self.y += 3

    def spec(self) -> dict:
        layers = []
        if self.grid:
            layers.append({"name": "grid", "data": {"values": self.grid}, "mark": {"type": "rule", "strokeWidth": 1},
                           "encoding": {**_xy(), "x2": {"field": "x2"}, "color": _raw("colour")}})
        if self.rects:
            layers.append({"data": {"values": self.rects}, "mark": {"type": "rect"},
                           "encoding": {**_xy(), "x2": {"field": "x2"}, "y2": {"field": "y2"}, "color": _raw("colour")}})
        if self.lines:
            layers.append({"data": {"values": self.lines}, "mark": {"type": "line", "strokeWidth": 2.5},
                           "encoding": {**_xy(), "color": _raw("colour"), "detail": {"field": "series", "type": "nominal"}}})
        if self.points:
            layers.append({"data": {"values": self.points}, "mark": {"type": "point", "filled": True, "opacity": 1},
                           "encoding": {**_xy(), "color": _raw("colour"), "shape": _raw("shape"),
                                        "size": _raw("area", "quantitative")}})
        styles = dict.fromkeys((t["weight"], t["align"], t["baseline"]) for t in self.texts)
        for weight, align, baseline in styles:
            rows = [{k: t[k] for k in ("x", "y", "text", "size", "colour")} for t in self.texts
                    if (t["weight"], t["align"], t["baseline"]) == (weight, align, baseline)]
            layers.append({"data": {"values": rows},
                           "mark": {"type": "text", "align": align, "baseline": baseline, "fontWeight": weight},
                           "encoding": {**_xy(), "text": {"field": "text", "type": "nominal"},
                                        "size": _raw("size", "quantitative"), "color": _raw("colour")}})
        # No autosizing: the image is exactly the frame's width, and its height is known before it is drawn.
        return {"width": self.width, "height": math.ceil(self.y), "padding": PAD, "autosize": {"type": "none"},
                "background": self.colours["background"],
                "config": {"view": {"stroke": None}, "font": FONT, "aria": False}, "layer": layers}


def _px(value: float) -> float:
    return round(float(value), 1)


def _raw(field: str, kind: str = "nominal") -> dict:
    """A channel whose values are used as they are (a colour, a shape, a size in px): no scale, no legend."""
    return {"field": field, "type": kind, "scale": None}


def _xy() -> dict:
    return {"x": {"field": "x", "type": "quantitative", "scale": None},
            "y": {"field": "y", "type": "quantitative", "scale": None}}


def bar_frame(labels: list[str], estimates: list[float | None]) -> pd.DataFrame:
    """A bar chart's data: a row per bar, suppressed ones with no share and the suppression mark as label."""
    shares = [None if v is None or pd.isna(v) else round(float(v), 6) for v in estimates]
    return pd.DataFrame({
        "answer": list(labels),
        "share": shares,
        "label": [SUPPRESSED if v is None else percent(v) for v in shares],
    })


def bar_spec(data: pd.DataFrame, theme: str, frame: Frame | str = "") -> dict:
    """Horizontal bars, each labelled directly: labels left of the bars when wide, above them when narrow."""
    canvas = Canvas(as_frame(frame), theme)
    size = canvas.size
    canvas.heading()
    rows = [(str(a), None if s is None or pd.isna(s) else float(s), str(label))
            for a, s, label in zip(data["answer"], data["share"], data["label"], strict=True)]
    value_room = max(text_width(label, size.text, bold=True) for *_, label in [("", 0, "100%"), *rows]) + 10
    if canvas.frame.narrow:
        for answer, share, label in rows:
            canvas.paragraph(answer, size.text)
            canvas.y += 3
            canvas.bar(0, canvas.y, 22, share, label, canvas.width - value_room)
            canvas.y += 22 + 14
        canvas.y -= 14
    else:
        label_width = round(canvas.width * 0.36)
        bar_x = label_width + 14
        for answer, share, label in rows:
            lines = wrap(answer, label_width, size.text)
            block = len(lines) * size.text * LINE
            row = max(block, 28)
            canvas.block(0, canvas.y + (row - block) / 2, lines, size.text)
            canvas.bar(bar_x, canvas.y + (row - 28) / 2, 28, share, label, canvas.width - bar_x - value_room)
            canvas.y += row + 10
        canvas.y -= 10
    canvas.footer()
    return canvas.spec()


def chart_spec(rows: pd.DataFrame, theme: str, frame: Frame | str = "") -> dict:
    """One question's whole-sample answers (the options, not the nets)."""
    return bar_spec(bar_frame(rows["option_label"].to_list(), rows["estimate"].to_list()), theme, frame)


def trend_spec(data: pd.DataFrame, theme: str, frame: Frame | str = "") -> dict:
    """Each answer's share across waves (columns wave, answer, share): labelled at its latest point when wide,
    by a key under the chart when narrow; each line has its own colour and marker shape."""
    canvas = Canvas(as_frame(frame), theme)
    size, narrow = canvas.size, canvas.frame.narrow
    canvas.heading()
    waves = list(dict.fromkeys(data["wave"]))
    answers = list(dict.fromkeys(data["answer"]))
    series = canvas.colours["series"]
    key_width = 0 if narrow else round(canvas.width * 0.3)
    left = text_width("100%", size.small) + 8
    right = canvas.width - (key_width + 12 if key_width else 4)
    top = canvas.y + size.small / 2
    height = 200 if narrow else 240
    bottom = top + height
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = bottom - tick * height
        canvas.grid.append({"x": _px(left), "x2": _px(right), "y": _px(y), "colour": canvas.colours["grid"]})
        canvas.text(left - 6, y, f"{round(tick * 100)}%", size.small, "muted", align="right", baseline="middle")
    inset = 18
    step = (right - left - 2 * inset) / max(len(waves) - 1, 1)
    x_of = {wave: left + inset + i * step for i, wave in enumerate(waves)}
    for wave in waves:
        canvas.text(x_of[wave], bottom + 6, str(wave), size.small, "muted", align="center")
    canvas.y = bottom + 6 + size.small * LINE
    ends = []
    for i, answer in enumerate(answers):
        rows = data[data["answer"] == answer]
        colour, shape = series[i % len(series)], SHAPES[i % len(SHAPES)]
        for wave, share in zip(rows["wave"], rows["share"], strict=True):
            point = {"x": _px(x_of[wave]), "y": _px(bottom - float(share) * height), "series": answer,
                     "colour": colour}
            canvas.lines.append(point)
            canvas.points.append({**point, "shape": shape, "area": 70})
        ends.append((answer, rows["wave"].iloc[-1], float(rows["share"].iloc[-1]), colour, shape))
    if narrow:  # a key under the chart: each line's marker, its answer and its latest share
        canvas.y += 10
        for answer, wave, share, colour, shape in ends:
            canvas.points.append({"x": 6, "y": _px(canvas.y + size.text * LINE / 2), "series": answer,
                                  "colour": colour, "shape": shape, "area": 70})
            canvas.paragraph(f"{answer}: {percent(share)} in {wave}", size.text, x=18)
            canvas.y += 4
    else:  # labels beside the latest points, moved apart where they would overlap
        lines = [wrap(f"{answer} {percent(share)}", key_width, size.text) for answer, _, share, _, _ in ends]
        wanted = [(bottom - share * height, len(text) * size.text * LINE) for text, (_, _, share, _, _)
                  in zip(lines, ends, strict=True)]
        for text, y in zip(lines, _apart(wanted, low=top - size.small / 2), strict=True):
            canvas.block(right + 12, y, text, size.text)
            canvas.y = max(canvas.y, y + len(text) * size.text * LINE)
    canvas.footer()
    return canvas.spec()


def _apart(blocks: list[tuple[float, float]], low: float, gap: float = 4) -> list[float]:
    """Tops for blocks (centre wanted, height), each as near its centre as it can be with none overlapping
    and none above `low`."""
    tops = [0.0] * len(blocks)
    floor = low
    for i in sorted(range(len(blocks)), key=lambda i: blocks[i][0]):
        centre, height = blocks[i]
        tops[i] = max(centre - height / 2, floor)
        floor = tops[i] + height + gap
    return tops


def describe(question_title: str, rows: pd.DataFrame, respondents: str) -> str:
    """A text alternative for a question's chart, generated from its numbers, the largest share first."""
    shown = rows[~rows["suppressed"]]
    if shown.empty:
        return f"{question_title}: no figures are shown because the base is under the publication threshold."
    ordered = shown.assign(value=shown["estimate"].astype(float)).sort_values("value", ascending=False, kind="stable")
    top, rest = ordered.iloc[0], ordered.iloc[1:]
    base = int(shown["base"].iloc[0])
    text = (f"Bar chart: {question_title}. {percent(top['value'])} of the {base:,} {respondents} answered "
            f"'{top['option_label']}', the largest share")
    text += "".join(f"; {percent(row.value)} '{row.option_label}'" for row in rest.itertuples())
    hidden = len(rows) - len(shown)
    if hidden:
        text += f"; {hidden} {'answer is' if hidden == 1 else 'answers are'} not published (too few people)"
    return text + "."


def describe_breakdown(answer: str, question_title: str, segment: str, data: pd.DataFrame) -> str:
    """A text alternative for a breakdown chart: each group's share, unpublished ones said so."""
    parts = [f"{g}: {'not published' if s is None or pd.isna(s) else percent(s)}"
             for g, s in zip(data["answer"].str.replace("\n", " "), data["share"], strict=True)]
    return f"Bar chart: the share answering '{answer}' to '{question_title}', by {lower_first(segment)}. " + \
        "; ".join(parts) + "."


def describe_trend(question_title: str, data: pd.DataFrame) -> str:
    """A text alternative for a trend chart: each answer's share in each wave."""
    parts = []
    for answer, rows in data.groupby("answer", sort=False):
        steps = ", ".join(f"{percent(s)} in {w}" for w, s in zip(rows["wave"], rows["share"], strict=True))
        parts.append(f"{answer}: {steps}")
    return f"Line chart: answers to '{question_title}' across survey waves. " + "; ".join(parts) + "."
