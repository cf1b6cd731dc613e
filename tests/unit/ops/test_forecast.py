"""The seasonal forecaster and the HPA floor it plans, on synthetic traffic: accuracy against naive
baselines, and under-provisioned minutes against the reactive HPA alone (the same HPA model, without and
with the forecaster's minReplicas)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from highpipe.ops.forecast import DAY_S, Capacity, Series, forecast, plan
from highpipe.ops.simulate import HpaModel, planned_floors, simulate, synthetic_load, to_steps

STEP = 300
PER_DAY = DAY_S // STEP
HISTORY_DAYS = 21


@pytest.fixture(scope="module")
def load() -> np.ndarray:
    """Four weeks of per-minute traffic: three of history, one to evaluate on."""
    return synthetic_load(HISTORY_DAYS + 7)


def _series(per_minute: np.ndarray) -> Series:
    return Series(start=0.0, step_s=STEP, values=to_steps(per_minute, STEP))


def _mape(predicted: np.ndarray, actual: np.ndarray) -> float:
    return float(np.mean(np.abs(predicted - actual) / actual))


def test_day_ahead_forecast_beats_naive_baselines(load: np.ndarray) -> None:
    cut = HISTORY_DAYS * 1440
    history = _series(load[:cut])
    actual = to_steps(load[cut : cut + 1440], STEP)
    predicted = forecast(history, DAY_S).values
    assert predicted.shape == actual.shape
    ours = _mape(predicted, actual)
    yesterday = _mape(history.values[-PER_DAY:], actual)  # daily seasonal naive
    flat = _mape(np.full_like(actual, history.values[-1]), actual)  # "like right now"
    assert ours < 0.08
    assert ours < yesterday and ours < flat / 4


def test_a_sunday_is_forecast_from_sundays(load: np.ndarray) -> None:
    """Weekly seasonality: the day after a Saturday (weekend x1.3) is another weekend day, while a
    daily-only model would copy Saturday into Monday."""
    monday = HISTORY_DAYS * 1440  # day 21 is a Monday, day 20 a Sunday
    history = _series(load[:monday])
    predicted = forecast(history, DAY_S).values
    actual = to_steps(load[monday : monday + 1440], STEP)
    assert _mape(predicted, actual) < 0.08
    assert _mape(history.values[-PER_DAY:], actual) > 0.2  # Sunday is not a good guess for Monday


def test_level_correction_follows_a_busier_day(load: np.ndarray) -> None:
    cut = HISTORY_DAYS * 1440 + 12 * 60  # Monday noon
    boosted = load[:cut].copy()
    boosted[-6 * 60 :] *= 1.5  # a campaign lifted this morning by half
    predicted = forecast(_series(boosted), 3600)
    assert predicted.level == pytest.approx(1.5, abs=0.12)
    plain = forecast(_series(load[:cut]), 3600)
    assert plain.level == pytest.approx(1.0, abs=0.1)
    assert predicted.values.mean() > 1.35 * plain.values.mean()


def test_gaps_and_short_histories(load: np.ndarray) -> None:
    cut = HISTORY_DAYS * 1440
    actual = to_steps(load[cut : cut + 1440], STEP)
    holey = _series(load[:cut])
    values = holey.values.copy()
    values[-8 * PER_DAY : -7 * PER_DAY] = np.nan  # Prometheus lost last Monday entirely
    values[::7] = np.nan  # and some scattered samples
    predicted = forecast(Series(0.0, STEP, values), DAY_S).values
    assert not np.isnan(predicted).any()
    assert _mape(predicted, actual) < 0.1
    # Four weekdays of history (Monday..Thursday of week 3): no week to compare with, so Friday is
    # forecast from the daily profile.
    friday = (HISTORY_DAYS - 3) * 1440
    short = forecast(_series(load[friday - 4 * 1440 : friday]), DAY_S).values
    assert _mape(short, to_steps(load[friday : friday + 1440], STEP)) < 0.1
    # Nothing seasonal at all (an hour of history): the recent mean, never NaN.
    tiny = forecast(_series(load[cut - 60 : cut]), 1800).values
    assert np.allclose(tiny, to_steps(load[cut - 60 : cut], STEP).mean())


def test_capacity_bounds() -> None:
    capacity = Capacity(replica_rps=10, floor=3, ceiling=20, headroom=0.2)
    assert capacity.replicas_for(0) == 3
    assert capacity.replicas_for(50) == 6  # 50 * 1.2 / 10
    assert capacity.replicas_for(51) == 7
    assert capacity.replicas_for(10_000) == 20
    with pytest.raises(ValueError):
        Capacity(replica_rps=0)
    with pytest.raises(ValueError):
        Capacity(replica_rps=1, floor=5, ceiling=4)
    with pytest.raises(ValueError):
        Series(0.0, 7 * 60, np.zeros(3))  # 7 minutes does not divide a day


def test_the_floor_rises_before_the_evening_show_and_falls_at_night(load: np.ndarray) -> None:
    hpa = HpaModel(capacity_rps=20.0)
    capacity = Capacity(replica_rps=hpa.replica_rps, floor=hpa.floor, ceiling=hpa.ceiling)
    day = HISTORY_DAYS * 1440
    before_show = plan(_series(load[: day + 19 * 60 + 40]), capacity)  # 19:40, show at 20:00
    show_peak = load[day + 20 * 60 : day + 20 * 60 + 10].max()
    assert before_show.min_replicas >= math.ceil(show_peak / hpa.replica_rps)
    assert 20 * 3600 <= before_show.peak_at % DAY_S < 20 * 3600 + 900
    night = plan(_series(load[: day + 4 * 60]), capacity)
    assert night.min_replicas == hpa.floor


def test_predictive_floor_avoids_under_provisioning_of_the_reactive_hpa(load: np.ndarray) -> None:
    hpa = HpaModel(capacity_rps=20.0)
    start = HISTORY_DAYS * 1440
    days = 3
    floors = planned_floors(load[: start + days * 1440], start, hpa)
    evaluation = load[start : start + days * 1440]
    reactive = simulate(evaluation, hpa)
    predictive = simulate(evaluation, hpa, floors)
    # The reactive HPA lags every evening jump by the metric delay plus pod start-up.
    assert reactive.under_minutes >= days * hpa.startup_min
    assert predictive.under_minutes <= reactive.under_minutes // 5
    # ...for a bounded amount of extra replica-minutes.
    assert predictive.replica_minutes <= 1.25 * reactive.replica_minutes
    assert predictive.peak_replicas <= hpa.ceiling


def test_an_unforeseen_spike_is_no_worse_than_reactive(load: np.ndarray) -> None:
    hpa = HpaModel(capacity_rps=20.0)
    start = HISTORY_DAYS * 1440
    spiked = load[: start + 1440].copy()
    spiked[start + 3 * 60 : start + 3 * 60 + 30] += 150  # 03:00, nothing in the history predicts it
    floors = planned_floors(spiked, start, hpa)
    evaluation = spiked[start:]
    assert simulate(evaluation, hpa, floors).under_minutes <= simulate(evaluation, hpa).under_minutes


def test_simulated_hpa_basics() -> None:
    hpa = HpaModel(capacity_rps=10.0, floor=2, startup_min=3, metric_lag_min=1)
    calm = np.full(120, 5.0)
    assert simulate(calm, hpa).under_minutes == 0
    step = np.concatenate([np.full(30, 5.0), np.full(60, 60.0)])  # needs 9 pods at 70 %
    outcome = simulate(step, hpa)
    # Seen one minute late, ready three minutes after that.
    assert outcome.under_minutes == 1 + 3
    assert outcome.peak_replicas == math.ceil(60 / 7)
    floors = np.full(len(step), 9.0)
    assert simulate(step, hpa, floors).under_minutes == 0


def test_series_from_points_snaps_to_the_grid() -> None:
    series = Series.from_points([(0.0, 1.0), (301.0, 2.0), (900.0, float("nan"))], 0.0, 1200.0, 300)
    assert len(series.values) == 4
    assert series.values[:2].tolist() == [1.0, 2.0]
    assert np.isnan(series.values[2:]).all()
    assert series.end == 1200.0
