"""Colours by WCAG 2.2's arithmetic: contrast ratios, and the nearest darker or lighter shade that passes."""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE, BLACK = "#ffffff", "#000000"
TEXT_AA = 4.5  # WCAG 1.4.3: normal text
NON_TEXT_AA = 3.0  # WCAG 1.4.11: borders, focus rings, large text


def _channels(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def luminance(colour: str) -> float:
    """Relative luminance of a #rrggbb colour, from 0 (black) to 1 (white)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _channels(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(colour: str, other: str, share: float) -> str:
    """`colour` moved `share` of the way (0 to 1) towards `other`, as #rrggbb."""
    mixed = [round((a + (b - a) * share) * 255) for a, b in zip(_channels(colour), _channels(other), strict=True)]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def readable_on(colour: str, background: str, ratio: float = TEXT_AA) -> str:
    """The colour itself if it reaches `ratio` against the background, else the nearest shade towards white
    or black that does (or, when no shade can, black or white, whichever contrasts more)."""
    if contrast(colour, background) >= ratio:
        return colour
    for step in range(1, 101):
        for target in (WHITE, BLACK):
            shade = mix(colour, target, step / 100)
            if contrast(shade, background) >= ratio:
                return shade
    return max((WHITE, BLACK), key=lambda end: contrast(end, background))
