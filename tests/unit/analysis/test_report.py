"""build_report: score, shares, ratings, trend, aspects, emotions, empty reasons and de-duplication."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from highpipe.analysis.report import NO_REVIEWS, NO_REVIEWS_IN_FILE, build_report
from highpipe.analysis.stats import polarity_score, rating_bucket
from highpipe.domain.models import AspectMention, Product, Review, ReviewAnalysis, SentimentResult
from highpipe.domain.vocab import Sentiment, aspect_label

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
Row = tuple[Review, ReviewAnalysis | None]


def row(
    uid: str,
    label: Sentiment | None,
    *,
    text: str = "좋아요",
    rating: float | None = None,
    date: datetime | None = None,
    aspects: list[tuple[str, Sentiment, str]] | None = None,
    emotions: list[str] | None = None,
) -> Row:
    review = Review(review_uid=uid, product_id="demo:1", site="demo", text=text, rating=rating, date=date)
    if label is None:
        return review, None
    mentions = [
        AspectMention(aspect_id=a, aspect=aspect_label(a), polarity=p, clause=c, score=0.9)
        for a, p, c in aspects or []
    ]
    result = ReviewAnalysis(
        review_uid=uid,
        sentiment=SentimentResult(label=label, score=0.9),
        aspects=mentions,
        emotions=emotions or [],
    )
    return review, result


def test_score_counts_and_shares() -> None:
    rows = [row("a", "positive"), row("b", "positive"), row("c", "positive"), row("d", "negative")]
    rows += [row("e", "neutral"), row("f", None)]
    report = build_report("job", None, rows, generated_at=NOW)
    assert report.total_reviews == 6 and report.analyzed_reviews == 5
    assert report.score == 75.0  # neutral excluded: 3 / (3 + 1)
    assert report.sentiment_counts == {"positive": 3, "negative": 1, "neutral": 1}
    assert report.sentiment_shares == {"positive": 0.6, "negative": 0.2, "neutral": 0.2}
    assert report.generated_at == NOW and report.job_id == "job" and report.empty_reason is None


def test_score_is_null_without_a_polar_review() -> None:
    report = build_report("job", None, [row("a", "neutral"), row("b", "neutral"), row("c", None)])
    assert report.score is None
    assert polarity_score(0, 0) is None and polarity_score(0, 4) == 0.0 and polarity_score(2, 1) == 66.7
    assert report.generated_at.tzinfo is not None


def test_rating_distribution_and_average() -> None:
    ratings: list[float | None] = [5, 4.5, 4.4, 2.5, 1, 1.2, None, 3]
    rows = [row(f"r{i}", "positive", rating=r) for i, r in enumerate(ratings)]
    report = build_report("job", None, rows)
    assert report.rating_distribution == {"1": 2, "2": 0, "3": 2, "4": 1, "5": 2, "none": 1}
    assert sum(report.rating_distribution.values()) == report.total_reviews
    assert report.average_rating == round((5 + 4.5 + 4.4 + 2.5 + 1 + 1.2 + 3) / 7, 2)
    assert build_report("job", None, [row("x", None)]).average_rating is None


@pytest.mark.parametrize(
    ("rating", "bucket"),
    [(None, "none"), (float("nan"), "none"), (0.2, "1"), (1.49, "1"), (3.5, "4"), (7.0, "5")],
)
def test_rating_bucket(rating: float | None, bucket: str) -> None:
    assert rating_bucket(rating) == bucket


def test_trend_by_month() -> None:
    rows = [
        row("a", "positive", rating=5, date=datetime(2025, 11, 30, 23, 0)),
        row("b", "negative", rating=2, date=datetime(2025, 11, 1)),
        row("c", "neutral", rating=3, date=datetime(2025, 9, 15)),
        row("d", None, rating=4, date=datetime(2025, 9, 16)),
        row("e", "positive", rating=5),  # no date: left out of the trend only
    ]
    report = build_report("job", None, rows)
    assert [t.month for t in report.trend] == ["2025-09", "2025-11"]
    sep, nov = report.trend
    assert (sep.reviews, sep.positive, sep.negative, sep.neutral, sep.score) == (2, 0, 0, 1, None)
    assert sep.average_rating == 3.5
    assert (nov.reviews, nov.positive, nov.negative, nov.score, nov.average_rating) == (2, 1, 1, 50.0, 3.5)
    assert sum(t.reviews for t in report.trend) == 4 and report.total_reviews == 5


def test_empty_reports_say_why() -> None:
    report = build_report("job", None, [])
    assert report.empty_reason == NO_REVIEWS and report.empty_reason.startswith("리뷰를 찾지 못했습니다")
    assert report.score is None and report.cards == [] and report.summary == [] and report.trend == []
    assert report.rating_distribution == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "none": 0}
    assert report.sentiment_shares == {"positive": 0.0, "negative": 0.0, "neutral": 0.0}
    upload = Product(product_id="upload:abc", site="upload")
    assert build_report("job", upload, []).empty_reason == NO_REVIEWS_IN_FILE
    unanalysed = build_report("job", None, [row("a", None), row("b", None)])
    assert unanalysed.empty_reason is not None and "2" in unanalysed.empty_reason


def test_rows_are_deduplicated_by_review_uid() -> None:
    delivery: list[tuple[str, Sentiment, str]] = [("delivery", "positive", "배송 빨라요")]
    rows = [
        row("a", "negative"),
        row("a", "positive", aspects=delivery),  # redelivered with its final analysis
        row("a", None),  # a later row without analysis does not erase it
        row("b", "positive", aspects=delivery),
        row("c", "positive", aspects=delivery),
    ]
    report = build_report("job", None, rows)
    assert report.total_reviews == 3 and report.analyzed_reviews == 3
    assert report.sentiment_counts["positive"] == 3 and report.sentiment_counts["negative"] == 0
    [card] = report.cards
    assert card.review_uids == ["a", "b", "c"]


def test_aspects_emotions_cards_and_summary() -> None:
    rows: list[Row] = []
    for i in range(5):
        rows.append(
            row(
                f"d{i}",
                "positive",
                text=f"배송이 {i + 1}일 만에 왔어요",
                aspects=[("delivery", "positive", f"배송이 {i + 1}일 만에 왔어요")],
                emotions=["satisfaction", "joy", "satisfaction"],
            )
        )
    for i in range(3):
        rows.append(
            row(
                f"s{i}",
                "negative",
                text=f"사이즈가 {i + 1}치수 작아요",
                aspects=[("size", "negative", f"사이즈가 {i + 1}치수 작아요")],
                emotions=["disappointment"],
            )
        )
    rows.append(row("t", "positive", aspects=[("topic:배터리", "positive", "좋아요")]))
    report = build_report("job", None, rows, skipped_rows=[{"line": 7, "reason": "empty"}], new_reviews=4)
    assert [(a.aspect_id, a.mentions) for a in report.aspects] == [
        ("delivery", 5),
        ("size", 3),
        ("topic:배터리", 1),
    ]
    assert report.aspects[1].aspect == "사이즈/핏" and report.aspects[1].negative == 3
    # Each review counts once per emotion; ties are ordered by id.
    assert list(report.emotions.items()) == [("joy", 5), ("satisfaction", 5), ("disappointment", 3)]
    assert [c.card_id for c in report.cards] == ["aspect:delivery", "aspect:size"]  # topic below threshold
    assert [c.card_id for c in build_report("job", None, rows, min_mentions=1).cards][-1] == "topic:배터리"
    assert report.skipped_rows == [{"line": 7, "reason": "empty"}] and report.new_reviews == 4
    card_ids = {c.card_id for c in report.cards}
    assert 3 <= len(report.summary) <= 6
    for sentence in report.summary:
        assert sentence.card_ids and set(sentence.card_ids) <= card_ids and sentence.review_uids
