"""daily_aggregates on small DataFrames: touched days (late data), latest versions, measures, categories.

The expected numbers come from a plain-Python oracle over the same input rows, not from the job itself.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from highpipe.batch.aggregates import UNKNOWN_CATEGORY, daily_aggregates, date_rows
from highpipe.batch.clean import clean_reviews
from highpipe.batch.lake import ANALYSIS_FIELDS, PRODUCT_FIELDS, REVIEW_FIELDS

D1, D2 = date(2026, 11, 1), date(2026, 11, 2)


def at(day: str, hour: int = 3) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00").astimezone(UTC)


# (uid, product, review day, rating, text, ingest day, ingest hour)
REVIEWS = [
    ("r1", "demo:a", "2026-10-30", 5.0, "배송 빠르고 가격도 좋아요", D1, 1),
    ("r2", "demo:a", "2026-10-30", 3.0, "배송이 늦었어요", D1, 1),
    ("r3", "demo:b", "2026-10-31", 4.0, "사이즈 딱 맞아요 색감 좋아요", D1, 1),
    ("r4", "demo:a", "2026-10-30", 5.0, "체험단으로 제공받아 작성한 리뷰", D1, 1),
    ("r5", "demo:a", "2026-10-31", None, "그냥 그래요 평범합니다", D1, 1),
    ("r6", "demo:a", "2026-10-25", 2.0, "품질이 별로예요 실망", D2, 4),
    ("r3", "demo:b", "2026-11-02", 4.0, "사이즈 딱 맞아요 색감 좋아요 (수정)", D2, 4),
]
# (uid, analysis dt, [(aspect_id, label, polarity)])
ANALYSES = [
    (
        "r1",
        D1,
        [
            ("delivery", "배송", "positive"),
            ("delivery", "배송", "negative"),
            ("price", "가격/가성비", "positive"),
        ],
    ),
    ("r2", D1, [("delivery", "배송", "negative")]),
    ("r3", D1, [("size", "사이즈/핏", "POSITIVE"), ("topic:색감", "색감", "mixed")]),
    ("r4", D1, [("delivery", "배송", "positive")]),
    ("r6", D2, [("quality", "품질/마감", "negative")]),
    ("r2", D2, [("delivery", "배송", "positive")]),  # re-analysed the next day
]
CATEGORIES = {"demo:a": "식품"}  # demo:b has none


def frame(
    spark: SparkSession, fields: tuple[tuple[str, T.DataType], ...], rows: list[dict[str, Any]]
) -> DataFrame:
    schema = T.StructType([T.StructField(n, t) for n, t in fields])
    return spark.createDataFrame([tuple(r.get(n) for n, _ in fields) for r in rows], schema)


def lake_state(spark: SparkSession, upto: date) -> tuple[DataFrame, DataFrame, DataFrame]:
    reviews = [
        {
            "review_uid": uid,
            "product_id": product,
            "site": "demo",
            "text": text,
            "rating": rating,
            "date": at(day, 1),
            "job_id": f"job-{dt}",
            "ingested_at": at(dt.isoformat(), hour),
            "source": "demo",
            "dt": dt.isoformat(),
        }
        for uid, product, day, rating, text, dt, hour in REVIEWS
        if dt <= upto
    ]
    clean = clean_reviews(frame(spark, REVIEW_FIELDS, reviews))
    analyses = [
        {
            "review_uid": uid,
            "sentiment_label": "positive",
            "aspects": [
                {"aspect_id": a, "aspect": label, "polarity": p, "clause": "…", "score": 0.9}
                for a, label, p in aspects
            ],
            "ingested_at": at(dt.isoformat(), 6),
            "source": "demo",
            "dt": dt.isoformat(),
        }
        for uid, dt, aspects in ANALYSES
        if dt <= upto
    ]
    products = [
        {"product_id": p, "site": "demo", "title": f"상품 {p}", "category": c, "dt": D1.isoformat()}
        for p, c in CATEGORIES.items()
    ]
    return clean, frame(spark, ANALYSIS_FIELDS, analyses), frame(spark, PRODUCT_FIELDS, products)


def oracle(
    upto: date, days: list[date]
) -> dict[tuple[int, str, str], tuple[int, int, int, int, int, float | None]]:
    """Expected product x day x aspect measures, straight from REVIEWS / ANALYSES."""
    latest: dict[str, tuple[Any, ...]] = {}
    for row in sorted((r for r in REVIEWS if r[5] <= upto), key=lambda r: (r[5], r[6])):
        latest[row[0]] = row
    analysis: dict[str, list[tuple[str, str, str]]] = {}
    for uid, _dt, aspects in sorted((a for a in ANALYSES if a[1] <= upto), key=lambda a: a[1]):
        analysis[uid] = aspects
    cells: dict[tuple[int, str, str], list[Any]] = defaultdict(lambda: [0, set(), 0, 0, 0, {}])
    for uid, product, day, rating, text, _, _ in latest.values():
        if "체험단" in text or date.fromisoformat(day) not in days:
            continue
        key_day = int(day.replace("-", ""))
        for aspect, _, polarity in analysis.get(uid, []):
            cell = cells[(key_day, product, aspect)]
            cell[0] += 1
            cell[1].add(uid)
            p = polarity.lower() if polarity.lower() in ("positive", "negative") else "neutral"
            cell[{"positive": 2, "negative": 3, "neutral": 4}[p]] += 1
            cell[5][uid] = rating
    result = {}
    for key, (mentions, uids, pos, neg, neu, ratings) in cells.items():
        values = [r for r in ratings.values() if r is not None]
        result[key] = (mentions, len(uids), pos, neg, neu, sum(values) / len(values) if values else None)
    return result


def product_cells(df: DataFrame) -> dict[tuple[int, str, str], tuple[Any, ...]]:
    return {
        (r["date_key"], r["product_id"], r["aspect_id"]): (
            r["mentions"],
            r["reviews"],
            r["positive"],
            r["negative"],
            r["neutral"],
            r["avg_rating"],
        )
        for r in df.collect()
    }


@pytest.mark.parametrize("upto", [D1, D2])
def test_product_aggregates_match_the_oracle(spark: SparkSession, upto: date) -> None:
    clean, analyses, products = lake_state(spark, upto)
    out = daily_aggregates(clean, analyses, products, upto)
    try:
        expected_days = (
            [date(2026, 10, 30), date(2026, 10, 31)]
            if upto == D1
            else [
                date(2026, 10, 25),
                date(2026, 10, 30),
                date(2026, 10, 31),
                date(2026, 11, 2),
            ]
        )
        assert out.dates == expected_days
        assert product_cells(out.agg_product_day_aspect) == oracle(upto, expected_days)
        mentions = sum(m[0] for m in oracle(upto, expected_days).values())
        assert out.fact_review_aspect.count() == mentions
    finally:
        out.release()


def test_late_data_moves_reviews_between_days(spark: SparkSession) -> None:
    clean, analyses, products = lake_state(spark, D2)
    out = daily_aggregates(clean, analyses, products, D2)
    facts = {(r["review_uid"], r["date_key"]) for r in out.fact_review.collect()}
    out.release()
    assert ("r3", 20261102) in facts and ("r3", 20261031) not in facts  # its latest version moved it
    assert ("r6", 20261025) in facts  # a late review reopens its own day
    assert ("r5", 20261031) in facts  # no analysis: a review without aspects, still a fact
    assert not any(uid == "r4" for uid, _ in facts)  # sponsored


def test_fact_review_columns_and_categories(spark: SparkSession) -> None:
    clean, analyses, products = lake_state(spark, D1)
    out = daily_aggregates(clean, analyses, products, D1)
    try:
        r1 = next(r for r in out.fact_review.collect() if r["review_uid"] == "r1")
        assert (r1["aspect_mentions"], r1["rating"], r1["sentiment_label"], r1["date_imputed"]) == (
            3,
            5.0,
            "positive",
            False,
        )
        assert r1["ingest_date"] == D1
        r5 = next(r for r in out.fact_review.collect() if r["review_uid"] == "r5")
        assert (r5["aspect_mentions"], r5["sentiment_label"]) == (0, None)
        dims = {r["product_id"]: r["category"] for r in out.dim_product.collect()}
        assert dims == {"demo:a": "식품", "demo:b": UNKNOWN_CATEGORY}
        cats = {
            (r["date_key"], r["category"], r["aspect_id"]): r.asDict()
            for r in out.agg_category_day_aspect.collect()
        }
        delivery = cats[(20261030, "식품", "delivery")]
        assert (delivery["mentions"], delivery["reviews"], delivery["products"], delivery["avg_rating"]) == (
            3,
            2,
            1,
            4.0,
        )
        assert (20261031, UNKNOWN_CATEGORY, "size") in cats
        aspects = {r["aspect_id"]: (r["label_ko"], r["kind"]) for r in out.dim_aspect.collect()}
        assert aspects["topic:색감"] == ("색감", "topic") and aspects["size"] == ("사이즈/핏", "aspect")
    finally:
        out.release()


def test_a_day_without_data_touches_nothing(spark: SparkSession) -> None:
    clean, analyses, _ = lake_state(spark, D1)
    out = daily_aggregates(clean, analyses, None, date(2026, 12, 1))
    assert out.dates == [] and out.fact_review.count() == 0
    out.release()


def test_date_rows() -> None:
    rows = date_rows([date(2026, 11, 1), date(2026, 11, 1), date(2026, 12, 31)])
    assert rows[0] == (20261101, date(2026, 11, 1), 2026, 4, 11, 1, 44, 7, True)
    assert rows[1][:3] == (20261231, date(2026, 12, 31), 2026) and rows[1][-1] is False
    assert len(rows) == 2
