"""The pure arithmetic of targets: expected paths, shortfalls and the least-squares trend.

Dates enter as day numbers (``date.toordinal``) so that the maths is plain floats. Nothing here
touches the database; ``cityhub.programme.warnings`` turns the results into warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# A target counts as behind only when it lags by more than this share of its span
# |target − baseline|: measured figures are rounded and reported late, and a warning for a
# lag of a few tenths of a percent would be noise.
TOLERANCE_SHARE = 0.05
MIN_TREND_POINTS = 3


@dataclass(frozen=True)
class Path:
    """The straight or stepped way from ``baseline`` on ``start`` to ``target`` on ``end``."""

    baseline: float
    start: date
    target: float
    end: date
    direction: str  # 'up' or 'down'

    @property
    def span(self) -> float:
        return abs(self.target - self.baseline)

    @property
    def tolerance(self) -> float:
        return TOLERANCE_SHARE * self.span

    def reached(self, value: float) -> bool:
        """Whether ``value`` is at or beyond the target in the target's direction."""
        return value >= self.target if self.direction == "up" else value <= self.target

    def shortfall(self, expected: float, value: float) -> float:
        """How far ``value`` trails ``expected`` in the target's direction (negative: ahead)."""
        return expected - value if self.direction == "up" else value - expected


def linear_expected(path: Path, on: date) -> float:
    """Where the straight line from baseline to target stands on ``on``.

    Before the baseline date nothing is expected yet; from the deadline on, the target is.
    Identical start and end dates make a step at that date.
    """
    if on <= path.start:
        return path.target if on >= path.end else path.baseline
    if on >= path.end:
        return path.target
    share = (on.toordinal() - path.start.toordinal()) / (
        path.end.toordinal() - path.start.toordinal()
    )
    return path.baseline + (path.target - path.baseline) * share


def milestone_expected(path: Path, on: date, milestones: Sequence[date]) -> float:
    """The stepped path: an equal step at each milestone due date, the last at the deadline.

    Milestones outside (start, end) are ignored; with none, the whole step is at the deadline.
    """
    steps = sorted({d for d in milestones if path.start < d < path.end} | {path.end})
    passed = sum(1 for d in steps if d <= on)
    return path.baseline + (path.target - path.baseline) * passed / len(steps)


@dataclass(frozen=True)
class Trend:
    """A least-squares line ``value = intercept + slope × day``."""

    slope: float  # per day
    intercept: float
    points: int

    def at(self, on: date) -> float:
        return self.intercept + self.slope * on.toordinal()


def least_squares(points: Sequence[tuple[date, float]]) -> Trend | None:
    """The least-squares line through the points, or None with fewer than three points or
    all on one date (no slope can be told from them)."""
    if len(points) < MIN_TREND_POINTS:
        return None
    # Centre the day numbers: ordinals near 738 000 squared lose precision otherwise.
    origin = points[0][0].toordinal()
    xs = [d.toordinal() - origin for d, _ in points]
    ys = [v for _, v in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x - slope * origin
    return Trend(slope, intercept, n)


def fmt(value: float) -> str:
    """A number for a sentence: whole numbers without decimals, others with up to two.

    >>> fmt(10.0), fmt(12.345), fmt(-0.5)
    ('10', '12.35', '-0.5')
    """
    rounded = round(value, 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0")


def path_points(path: Path, kind: str, milestones: Sequence[date] = ()) -> list[tuple[date, float]]:
    """The corners of the expected path, for a chart: two for 'linear', a staircase for
    'milestones' (flat until each step's date, then up by one step)."""
    if kind != "milestones":
        return [(path.start, path.baseline), (path.end, path.target)]
    points = [(path.start, path.baseline)]
    steps = sorted({d for d in milestones if path.start < d < path.end} | {path.end})
    for day in steps:
        points.append((day, points[-1][1]))
        points.append((day, milestone_expected(path, day, milestones)))
    return points
