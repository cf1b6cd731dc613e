"""The negative-share alert rule and the URL identity of watch items (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from highpipe.domain.models import Report
from highpipe.services.watchlist import ALERT_MIN_REVIEWS, ALERT_RISE_PP, negative_share, sharp_rise, url_key


@pytest.mark.parametrize(
    ("previous", "previous_n", "share", "n", "expected"),
    [
        (None, None, 0.9, 100, None),  # a first analysis has nothing to compare with
        (0.10, 50, 0.25, 50, 15.0),  # exactly the threshold alerts
        (0.10, 50, 0.2499, 50, None),  # just under does not
        (0.10, 50, 0.50, 50, 40.0),
        (0.50, 50, 0.10, 50, None),  # a fall is good news
        (0.10, ALERT_MIN_REVIEWS - 1, 0.90, 500, None),  # the previous sample is too small
        (0.10, 500, 0.90, ALERT_MIN_REVIEWS - 1, None),  # this sample is too small
        (0.0, ALERT_MIN_REVIEWS, 0.2, ALERT_MIN_REVIEWS, 20.0),  # the minimum counts
    ],
)
def test_sharp_rise(
    previous: float | None, previous_n: int | None, share: float, n: int, expected: float | None
) -> None:
    got = sharp_rise(previous, previous_n, share, n)
    assert got == (None if expected is None else pytest.approx(expected))


def test_thresholds_are_configurable() -> None:
    assert ALERT_RISE_PP == 15.0 and ALERT_MIN_REVIEWS == 20
    assert sharp_rise(0.1, 5, 0.16, 5, rise_pp=5, min_reviews=5) == pytest.approx(6.0)


def test_negative_share_counts_neutral_reviews_in_the_whole() -> None:
    report = Report.model_validate(
        {
            "job_id": "j",
            "product": None,
            "generated_at": datetime(2026, 1, 1, tzinfo=UTC),
            "total_reviews": 10,
            "analyzed_reviews": 10,
            "score": None,
            "sentiment_counts": {"positive": 5, "negative": 3, "neutral": 2},
            "sentiment_shares": {},
            "rating_distribution": {},
            "average_rating": None,
            "aspects": [],
            "emotions": {},
            "trend": [],
            "cards": [],
            "summary": [],
        }
    )
    assert negative_share(report) == (pytest.approx(0.3), 10)
    empty = report.model_copy(update={"sentiment_counts": {"positive": 0, "negative": 0, "neutral": 0}})
    assert negative_share(empty) == (0.0, 0)


def test_url_key_ignores_host_case_and_fragment_but_not_the_query() -> None:
    base = url_key("https://shop.example/p?id=1")
    assert url_key("HTTPS://Shop.Example/p?id=1#top") == base
    assert url_key("https://shop.example/p?id=2") != base
    assert url_key("https://shop.example") == url_key("https://shop.example/")
