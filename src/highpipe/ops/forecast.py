"""Predictive scaling for the api Deployment: forecast the request rate, plan the HPA's minReplicas.

The model is a seasonal median with a level correction (numpy only):

- seasonal estimate of a future slot: the median of the same slot 1..`weeks` weeks earlier (weekly
  seasonality, which contains the daily one and tells weekends apart); with less than a week of history,
  the median of the same slot 1..7 days earlier (daily seasonality). Medians ignore one-off spikes and
  gaps (NaN) in the history;
- level correction: the ratio of the last `level_window_s` of real traffic to the seasonal estimate of
  those same slots (clipped to 0.5..2), so growth, a holiday or a campaign that lifts today carries into
  the forecast of the next hours.

The planner turns the forecast of the next `lookahead_s` into a floor for the HPA: the replicas the HPA
itself would want at the highest forecast rate (+ headroom), between the chart's own minReplicas and
maxReplicas. It only ever sets `spec.minReplicas`; the HPA keeps scaling on CPU above it, so the two never
fight: the forecast raises the floor ahead of a peak (pods are ready when the traffic comes) and lowers
it again once the forecast drops.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

DAY_S: Final = 86_400
WEEK_S: Final = 7 * DAY_S
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Series:
    """Evenly spaced samples: `values[i]` is the rate at `start + i * step_s` (NaN where unknown)."""

    start: float
    step_s: float
    values: FloatArray

    def __post_init__(self) -> None:
        if self.step_s <= 0 or DAY_S % self.step_s:
            raise ValueError(f"step must divide a day evenly, got {self.step_s} s")

    @property
    def end(self) -> float:
        """The time just after the last sample."""
        return self.start + len(self.values) * self.step_s

    @classmethod
    def from_points(
        cls, points: list[tuple[float, float]], start: float, end: float, step_s: float
    ) -> Series:
        """Samples at start, start+step, ... < end; points (unix time, value) off that grid are snapped."""
        n = max(math.ceil((end - start) / step_s), 0)
        values = np.full(n, np.nan)
        for t, v in points:
            i = round((t - start) / step_s)
            if 0 <= i < n and math.isfinite(v):
                values[i] = v
        return cls(start=start, step_s=step_s, values=values)


def _lagged_median(values: FloatArray, index: npt.NDArray[np.int64], lag: int, count: int) -> FloatArray:
    """For each position in `index`, the median of values[index - k*lag], k = 1..count (NaN if none)."""
    n = len(values)
    stack = np.full((count, len(index)), np.nan)
    for k in range(1, count + 1):
        source = index - k * lag
        ok = (source >= 0) & (source < n)
        stack[k - 1, ok] = values[source[ok]]
    with warnings.catch_warnings():  # an all-NaN column is an expected "no history here"
        warnings.simplefilter("ignore", category=RuntimeWarning)
        out: FloatArray = np.nanmedian(stack, axis=0)
    return out


def seasonal_estimate(series: Series, index: npt.NDArray[np.int64], weeks: int = 3) -> FloatArray:
    """The seasonal estimate (no level correction) of the slots `index` (may lie beyond the history)."""
    day = int(DAY_S // series.step_s)
    week = 7 * day
    weekly = _lagged_median(series.values, index, week, weeks)
    daily = _lagged_median(series.values, index, day, 7)
    return np.where(np.isnan(weekly), daily, weekly)


@dataclass(frozen=True)
class Forecast:
    start: float
    step_s: float
    values: FloatArray
    level: float  # the level correction applied


def forecast(
    series: Series, horizon_s: float, *, weeks: int = 3, level_window_s: float = 3 * 3600
) -> Forecast:
    """The rate over [series.end, series.end + horizon_s), one value per step."""
    n = len(series.values)
    steps = max(math.ceil(horizon_s / series.step_s), 1)
    future = np.arange(n, n + steps, dtype=np.int64)
    estimate = seasonal_estimate(series, future, weeks)
    recent = np.arange(max(n - int(level_window_s // series.step_s), 0), n, dtype=np.int64)
    actual = series.values[recent]
    fitted = seasonal_estimate(series, recent, weeks)
    both = ~np.isnan(actual) & ~np.isnan(fitted)
    level = 1.0
    if both.sum() >= max(len(recent) // 2, 1) and fitted[both].sum() > 0:
        level = float(np.clip(actual[both].sum() / fitted[both].sum(), 0.5, 2.0))
    if np.isnan(estimate).any():  # no seasonal history at all for some slot: the recent mean
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            fallback = float(np.nanmean(actual)) if len(actual) else 0.0
        estimate = np.where(np.isnan(estimate), fallback if math.isfinite(fallback) else 0.0, estimate)
        # The fallback is already at today's level.
    values = np.maximum(estimate * level, 0.0)
    return Forecast(start=series.end, step_s=series.step_s, values=values, level=level)


@dataclass(frozen=True)
class Capacity:
    """What one api replica serves, and the HPA's bounds (the chart's minReplicas and maxReplicas)."""

    replica_rps: float  # requests/s one replica serves at the HPA's CPU target (70 %)
    floor: int = 3
    ceiling: int = 20
    headroom: float = 0.2  # covers the 5-minute averaging of the rate and forecast error

    def __post_init__(self) -> None:
        if self.replica_rps <= 0 or not 1 <= self.floor <= self.ceiling or self.headroom < 0:
            raise ValueError("need replica_rps > 0, 1 <= floor <= ceiling and headroom >= 0")

    def replicas_for(self, rate: float) -> int:
        """The replicas the HPA would settle on at `rate` (with headroom), within floor..ceiling."""
        wanted = math.ceil(max(rate, 0.0) * (1 + self.headroom) / self.replica_rps - 1e-9)
        return min(max(wanted, self.floor), self.ceiling)


@dataclass(frozen=True)
class Plan:
    min_replicas: int
    peak_rate: float  # the highest forecast rate within the lookahead
    peak_at: float  # when it is expected (unix time)
    level: float
    lookahead_s: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "min_replicas": self.min_replicas,
            "peak_rate": round(self.peak_rate, 3),
            "peak_at": self.peak_at,
            "level": round(self.level, 3),
            "lookahead_s": self.lookahead_s,
        }


def plan(series: Series, capacity: Capacity, *, lookahead_s: float = 1800, weeks: int = 3) -> Plan:
    """The HPA floor for the next `lookahead_s` (which must cover the planner's own interval plus the time
    a new pod needs to become ready)."""
    predicted = forecast(series, lookahead_s, weeks=weeks)
    peak = int(np.argmax(predicted.values))
    rate = float(predicted.values[peak])
    return Plan(
        min_replicas=capacity.replicas_for(rate),
        peak_rate=rate,
        peak_at=predicted.start + peak * predicted.step_s,
        level=predicted.level,
        lookahead_s=lookahead_s,
    )
