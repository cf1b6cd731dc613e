"""Replaying traffic against a model of the api HPA, with and without the forecaster's floor.

Used by tests/unit/ops/test_forecast.py and bench/forecast.py to measure what predictive scaling buys:
minutes in which the ready replicas could not serve the traffic (under-provisioned), and what it costs
(replica-minutes).

The HPA model follows Kubernetes' algorithm at one-minute resolution: the desired count is what brings
the observed utilisation (the rate seen `metric_lag_min` ago over the ready pods' capacity) to the
target; scale-up is immediate (the chart allows +100 % per 30 s), scale-down takes the highest
recommendation of the last `down_window_min` minutes and removes one pod per minute (the chart's
behaviour); a new pod serves `startup_min` minutes after it is created (scheduling, image, probes).

`synthetic_load` makes a deterministic traffic history in the shape of a Korean shopping site: quiet
nights, a lunch bump, an evening peak with a live-commerce show at 20:00 that triples traffic within
minutes, busier weekends, slow growth and noise.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from highpipe.ops.forecast import DAY_S, Capacity, FloatArray, Series, plan

MINUTE_S = 60


@dataclass(frozen=True)
class HpaModel:
    capacity_rps: float  # requests/s one ready replica serves before latency breaks (100 % CPU)
    target: float = 0.7  # the HPA's CPU target
    floor: int = 3
    ceiling: int = 20
    startup_min: int = 3
    metric_lag_min: int = 1
    down_window_min: int = 5

    @property
    def replica_rps(self) -> float:
        """The rate one replica serves at the CPU target: what the forecaster plans with."""
        return self.capacity_rps * self.target


@dataclass(frozen=True)
class Outcome:
    under_minutes: int  # minutes in which the traffic exceeded the ready replicas' capacity
    replica_minutes: int  # the cost: pods that existed (ready or starting), summed over minutes
    peak_replicas: int


def simulate(load: FloatArray, hpa: HpaModel, floors: FloatArray | None = None) -> Outcome:
    """Run the HPA over `load` (requests/s per minute); `floors[t]` is minReplicas at minute t."""
    starting: deque[int] = deque()  # minute each not-yet-ready pod becomes ready
    ready = hpa.floor
    recent: deque[int] = deque(maxlen=hpa.down_window_min)
    under = cost = peak = 0
    for t, rate in enumerate(load):
        while starting and starting[0] <= t:
            starting.popleft()
            ready += 1
        seen = load[max(t - hpa.metric_lag_min, 0)]
        raw = math.ceil(seen / (hpa.capacity_rps * hpa.target) - 1e-9)
        floor = int(floors[t]) if floors is not None else hpa.floor
        desired = min(max(raw, floor, hpa.floor), hpa.ceiling)
        recent.append(desired)
        current = ready + len(starting)
        if desired > current:
            for _ in range(desired - current):
                starting.append(t + hpa.startup_min)
        else:
            # Scale-down stabilisation, one pod per minute; a raised floor applies at once.
            target = max(max(recent), floor)
            if target < current:
                if starting:
                    starting.pop()
                else:
                    ready -= 1
        total = ready + len(starting)
        cost += total
        peak = max(peak, total)
        if rate > ready * hpa.capacity_rps:
            under += 1
    return Outcome(under_minutes=under, replica_minutes=cost, peak_replicas=peak)


def to_steps(load: FloatArray, step_s: int) -> FloatArray:
    """Per-minute rates averaged into `step_s` buckets (what a rate[5m] query_range returns)."""
    per = step_s // MINUTE_S
    usable = len(load) // per * per
    out: FloatArray = load[:usable].reshape(-1, per).mean(axis=1)
    return out


def planned_floors(
    load: FloatArray,
    start_min: int,
    hpa: HpaModel,
    *,
    step_s: int = 300,
    every_min: int = 10,
    lookahead_s: float = 1800,
    headroom: float = 0.2,
) -> FloatArray:
    """minReplicas per minute from `start_min` on, as the CronJob would set it every `every_min`
    minutes, each time from the history known then (complete `step_s` buckets only)."""
    capacity = Capacity(replica_rps=hpa.replica_rps, floor=hpa.floor, ceiling=hpa.ceiling, headroom=headroom)
    per = step_s // MINUTE_S
    floors = np.full(len(load) - start_min, float(hpa.floor))
    for t in range(start_min, len(load), every_min):
        known = (t // per) * per
        series = Series(start=0.0, step_s=step_s, values=to_steps(load[:known], step_s))
        chosen = plan(series, capacity, lookahead_s=lookahead_s + (t - known) * MINUTE_S)
        floors[t - start_min : t - start_min + every_min] = chosen.min_replicas
    return floors


def synthetic_load(days: int, *, peak_rps: float = 120.0, seed: int = 7) -> FloatArray:
    """Requests/s per minute for `days` days starting on a Monday 00:00 (Asia/Seoul)."""
    rng = np.random.default_rng(seed)
    minutes = np.arange(days * DAY_S // MINUTE_S)
    hour = (minutes % (24 * 60)) / 60.0
    weekday = (minutes // (24 * 60)) % 7
    base = 0.08 + 0.25 * _bump(hour, 9.5, 2.0) + 0.35 * _bump(hour, 12.5, 1.0) + 0.55 * _bump(hour, 21.5, 2.5)
    # The nightly live-commerce show: traffic jumps at 20:00 sharp and fades by 21:30.
    show = np.where((hour >= 20.0) & (hour < 21.5), 0.9 * np.exp(-(hour - 20.0) / 0.8), 0.0)
    weekend = np.where(weekday >= 5, 1.3, 1.0)
    growth = 1.0 + 0.03 * minutes / (7 * 24 * 60)  # +3 % a week
    noise = rng.lognormal(mean=0.0, sigma=0.06, size=len(minutes))
    shape = (base + show) * weekend * growth * noise
    out: FloatArray = peak_rps * shape / 1.6
    return out


def _bump(hour: FloatArray, centre: float, width: float) -> FloatArray:
    out: FloatArray = np.exp(-0.5 * ((hour - centre) / width) ** 2)
    return out
