"""Predictive scaling benchmark: under-provisioned minutes of the api HPA with and without the forecaster.

Synthetic traffic (highpipe.ops.simulate.synthetic_load: daily and weekly seasonality, a nightly
live-commerce jump at 20:00, growth, noise), 21 days of history, then 7 days replayed minute by minute
against the same HPA model twice: reactive only, and with the CronJob's minReplicas (planned every 10
minutes from the 5-minute history known at that moment). Several seeds; also the day-ahead forecast
error. Writes bench/results/forecast.json.

    uv run python bench/forecast.py [--seeds 3] [--days 7]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from highpipe.ops.forecast import DAY_S, Series, forecast  # noqa: E402
from highpipe.ops.simulate import HpaModel, planned_floors, simulate, synthetic_load, to_steps  # noqa: E402

HISTORY_DAYS = 21
STEP_S = 300


def one_seed(seed: int, days: int, hpa: HpaModel) -> dict[str, Any]:
    load = synthetic_load(HISTORY_DAYS + days, seed=seed)
    start = HISTORY_DAYS * 1440
    began = time.perf_counter()
    floors = planned_floors(load, start, hpa, step_s=STEP_S)
    planning_s = time.perf_counter() - began
    evaluation = load[start:]
    reactive = simulate(evaluation, hpa)
    predictive = simulate(evaluation, hpa, floors)
    history = Series(0.0, STEP_S, to_steps(load[:start], STEP_S))
    actual = to_steps(load[start : start + 1440], STEP_S)
    predicted = forecast(history, DAY_S).values
    return {
        "seed": seed,
        "reactive_under_minutes": reactive.under_minutes,
        "predictive_under_minutes": predictive.under_minutes,
        "minutes_avoided": reactive.under_minutes - predictive.under_minutes,
        "reactive_replica_minutes": reactive.replica_minutes,
        "predictive_replica_minutes": predictive.replica_minutes,
        "extra_replica_minutes_pct": round(
            100 * (predictive.replica_minutes / reactive.replica_minutes - 1), 2
        ),
        "peak_replicas": {"reactive": reactive.peak_replicas, "predictive": predictive.peak_replicas},
        "day_ahead_mape_pct": round(100 * float(np.mean(np.abs(predicted - actual) / actual)), 2),
        "planning_runs": len(range(start, len(load), 10)),
        "planning_ms_per_run": round(1000 * planning_s / len(range(start, len(load), 10)), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    hpa = HpaModel(capacity_rps=20.0)
    runs = [one_seed(seed, args.days, hpa) for seed in range(1, args.seeds + 1)]
    result = {
        "benchmark": "forecast",
        "what": "api HPA replayed on synthetic traffic: reactive only vs reactive + forecast minReplicas",
        "setup": {
            "history_days": HISTORY_DAYS,
            "evaluated_days": args.days,
            "step_s": STEP_S,
            "plan_every_min": 10,
            "lookahead_s": 1800,
            "headroom": 0.2,
            "hpa": {
                "capacity_rps_per_replica": hpa.capacity_rps,
                "cpu_target": hpa.target,
                "min": hpa.floor,
                "max": hpa.ceiling,
                "pod_startup_min": hpa.startup_min,
                "metric_lag_min": hpa.metric_lag_min,
                "scale_down_window_min": hpa.down_window_min,
            },
        },
        "median": {
            key: statistics.median(r[key] for r in runs)
            for key in (
                "reactive_under_minutes",
                "predictive_under_minutes",
                "minutes_avoided",
                "extra_replica_minutes_pct",
                "day_ahead_mape_pct",
                "planning_ms_per_run",
            )
        },
        "runs": runs,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }
    out = ROOT / "bench" / "results" / "forecast.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["median"], indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
