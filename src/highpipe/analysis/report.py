"""The final report of a job, built from its reviews and their analyses in one pass.

Rules (shared with the cards through `highpipe.analysis.stats`):
  - rows are de-duplicated by `review_uid` (the last row wins, but an analysis is never replaced by
    a missing one), so at-least-once delivery cannot inflate a report;
  - `total_reviews` counts every distinct review, `analyzed_reviews` those with an analysis; sentiment
    counts, score, aspects, emotions and cards are over analysed reviews, the rating histogram and
    average over every review;
  - trend months are the calendar month of each review's date as stored (no time-zone conversion:
    sites publish local dates); reviews without a date are left out of the trend only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from highpipe.analysis.cards import CardBuilder
from highpipe.analysis.stats import RATING_BUCKETS, mean, polarity_score, rating_bucket, share
from highpipe.analysis.summary import extractive_summary
from highpipe.domain.models import MonthTrend, Product, Report, Review, ReviewAnalysis
from highpipe.domain.vocab import SENTIMENTS

NO_REVIEWS = "리뷰를 찾지 못했습니다 / No reviews were found on this page."
NO_REVIEWS_IN_FILE = "파일에서 리뷰를 찾지 못했습니다 / No reviews were found in the uploaded file."


def _not_analyzed(total: int) -> str:
    return (
        f"리뷰 {total:,}건을 수집했지만 분석된 리뷰가 없습니다 / "
        f"{total:,} reviews were collected, but none could be analysed."
    )


@dataclass(slots=True)
class _Month:
    reviews: int = 0
    sentiments: Counter[str] = field(default_factory=Counter)
    ratings: list[float] = field(default_factory=list)

    def to_trend(self, month: str) -> MonthTrend:
        return MonthTrend(
            month=month,
            reviews=self.reviews,
            positive=self.sentiments["positive"],
            negative=self.sentiments["negative"],
            neutral=self.sentiments["neutral"],
            score=polarity_score(self.sentiments["positive"], self.sentiments["negative"]),
            average_rating=mean(self.ratings),
        )


def dedupe_rows(
    rows: Sequence[tuple[Review, ReviewAnalysis | None]],
) -> list[tuple[Review, ReviewAnalysis | None]]:
    """One row per review_uid, in first-seen order; later rows win unless they lack the analysis."""
    merged: dict[str, tuple[Review, ReviewAnalysis | None]] = {}
    for review, analysis in rows:
        previous = merged.get(review.review_uid)
        if analysis is None and previous is not None:
            analysis = previous[1]
        merged[review.review_uid] = (review, analysis)
    return list(merged.values())


def _usable_rating(rating: float | None) -> float | None:
    return None if rating is None or math.isnan(rating) else rating


def build_report(
    job_id: str,
    product: Product | None,
    rows: Sequence[tuple[Review, ReviewAnalysis | None]],
    *,
    min_mentions: int = 3,
    generated_at: datetime | None = None,
    skipped_rows: list[dict[str, object]] | None = None,
    new_reviews: int | None = None,
) -> Report:
    """Aggregate one job's reviews into its `Report` (see the module docstring for the rules)."""
    unique = dedupe_rows(rows)
    builder = CardBuilder(min_mentions)
    sentiments: Counter[str] = Counter()
    emotions: Counter[str] = Counter()
    buckets: Counter[str] = Counter({bucket: 0 for bucket in RATING_BUCKETS})
    ratings: list[float] = []
    months: dict[str, _Month] = {}
    analyzed = 0

    for review, analysis in unique:
        rating = _usable_rating(review.rating)
        buckets[rating_bucket(rating)] += 1
        if rating is not None:
            ratings.append(rating)
        month = months.setdefault(review.date.strftime("%Y-%m"), _Month()) if review.date else None
        if month is not None:
            month.reviews += 1
            if rating is not None:
                month.ratings.append(rating)
        if analysis is None:
            continue
        analyzed += 1
        label = analysis.sentiment.label
        sentiments[label] += 1
        emotions.update(dict.fromkeys(analysis.emotions, 1))
        if month is not None:
            month.sentiments[label] += 1
        builder.add(review, analysis)

    total = len(unique)
    positive, negative = sentiments["positive"], sentiments["negative"]
    score = polarity_score(positive, negative)
    cards = builder.cards()
    if total == 0:
        empty_reason: str | None = NO_REVIEWS_IN_FILE if product and product.site == "upload" else NO_REVIEWS
    elif analyzed == 0:
        empty_reason = _not_analyzed(total)
    else:
        empty_reason = None

    return Report(
        job_id=job_id,
        product=product,
        generated_at=generated_at or datetime.now(UTC),
        total_reviews=total,
        analyzed_reviews=analyzed,
        new_reviews=new_reviews,
        score=score,
        sentiment_counts={s: sentiments[s] for s in SENTIMENTS},
        sentiment_shares={s: share(sentiments[s], analyzed) for s in SENTIMENTS},
        rating_distribution={bucket: buckets[bucket] for bucket in RATING_BUCKETS},
        average_rating=mean(ratings),
        aspects=builder.aspect_summaries(),
        emotions=dict(sorted(emotions.items(), key=lambda kv: (-kv[1], kv[0]))),
        trend=[months[m].to_trend(m) for m in sorted(months)],
        cards=cards,
        summary=extractive_summary(cards, score, analyzed),
        empty_reason=empty_reason,
        skipped_rows=list(skipped_rows or []),
    )
