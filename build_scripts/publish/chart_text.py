"""Text in a drawn chart: how wide a line is, and words wrapped to a width, never cut.

A chart is an SVG whose words stay text, set in the reader's own "Helvetica, Arial, sans-serif", so a
line has to fit in whichever of those the reader has. Widths here are DejaVu Sans's (measured in
Chromium): the font that list falls back to on Linux, and wider than Helvetica or Arial, so a line that
fits here fits for every reader. Kept free of pandas and Altair, like the drawing.
"""

from __future__ import annotations

# Advance widths of the characters 32 (space) to 126 (~), in hundredths of an em.
_REGULAR = [int(w) for w in """
32 40 46 84 64 95 78 28 39 39 50 84 32 36 32 34 64 64 64 64 64 64 64 64 64 64 34 34 84 84 84 53 100 68 69 70 77
63 58 78 75 30 30 66 56 86 75 79 60 79 70 64 61 73 68 99 68 61 68 39 34 39 84 50 50 61 64 55 64 62 35 64 63 28 28
58 28 97 63 61 64 64 41 52 39 63 59 82 59 59 52 64 34 64 84""".split()]
_BOLD = [int(w) for w in """
35 46 52 84 70 100 87 31 46 46 52 84 38 42 38 36 70 70 70 70 70 70 70 70 70 70 40 40 84 84 84 58 100 77 76 73 83
68 68 82 84 37 37 78 64 100 84 85 73 85 77 72 68 81 77 110 77 72 72 46 36 46 84 50 50 68 72 59 72 68 44 72 71 34
34 66 34 104 71 69 72 72 49 60 48 71 65 92 64 65 58 71 36 71 84""".split()]
_OTHER = 80  # any other character (accents, curly quotes, dashes, other scripts): a generous guess
_WIDTHS = {bold: {chr(32 + i): w for i, w in enumerate(_BOLD if bold else _REGULAR)} for bold in (False, True)}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of one line of text in pixels at `size` px, in the widest font a reader may see it in."""
    widths = _WIDTHS[bold]
    return sum(widths.get(c, _OTHER) for c in text) * size / 100


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """The text in lines no wider than `width`, broken between words; a word longer than a line is broken
    inside it, so nothing is ever cut off or runs out of the image."""
    lines: list[str] = []
    line, used = "", 0.0
    space = text_width(" ", size, bold)
    for word in text.split():
        wide = text_width(word, size, bold)
        if line and used + space + wide <= width:
            line, used = f"{line} {word}", used + space + wide
            continue
        if line:
            lines.append(line)
        while len(word) > 1 and wide > width:  # a word wider than the whole line
            cut = 1
            while text_width(word[:cut + 1], size, bold) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
            wide = text_width(word, size, bold)
        line, used = word, wide
    if line:
        lines.append(line)
    return lines
