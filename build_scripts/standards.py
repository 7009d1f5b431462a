"""Publication thresholds from the project's standards, as settings with their defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Thresholds:
    """When a figure is suppressed or flagged, and how wide its interval is."""

    suppress_below: int = 50  # standards rule 4: percentages on a base under 50 are not published
    low_base_below: int = 100  # standards rule 4: bases of 50 to 99 carry a warning
    small_count_below: int = 10  # standards rule 5: counts of 1 to 9 in breakdowns are hidden
    confidence: float = 0.95  # standards rule 7
    significance: float = 0.05  # standards rule 8: only p below this is a rise or a fall
    raking_tolerance: float = 0.005  # raked margins must land this close to their targets
    weight_cap: float = 5.0  # the default cap on a raked weight, as a multiple of the mean
    weight_warning_above: float = 10.0  # `check` warns about a weight above this multiple of the mean


DEFAULT = Thresholds()
PERCENT_SETTINGS = {"confidence"}
POINT_SETTINGS = {"raking_tolerance"}


def describe_setting(thresholds: Thresholds, name: str) -> str:
    """A setting as copy should show it: 50, 95%, 0.05, 0.5 percentage points."""
    if name not in {f.name for f in fields(thresholds)}:
        raise KeyError(name)
    value = getattr(thresholds, name)
    if name in PERCENT_SETTINGS:
        return f"{value * 100:g}%"
    if name in POINT_SETTINGS:
        return f"{value * 100:g} percentage points"
    return f"{value:g}"
