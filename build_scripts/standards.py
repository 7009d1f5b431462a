"""Publication thresholds from the project's standards, as settings with their defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """When a figure is suppressed or flagged, and how wide its interval is."""

    suppress_below: int = 50  # standards rule 4: percentages on a base under 50 are not published
    low_base_below: int = 100  # standards rule 4: bases of 50 to 99 carry a warning
    small_count_below: int = 10  # standards rule 5: counts of 1 to 9 in breakdowns are hidden
    confidence: float = 0.95  # standards rule 7
    significance: float = 0.05  # standards rule 8: only p below this is a rise or a fall


DEFAULT = Thresholds()
