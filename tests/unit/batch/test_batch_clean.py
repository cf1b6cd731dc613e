"""clean_reviews on small DataFrames: flags, normalisation, de-duplication, dates, and the quality counts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from highpipe.batch.clean import CLEAN_COLUMNS, CleanRules, clean_reviews, normalise_text, quality_metrics
from highpipe.batch.lake import REVIEW_FIELDS

DT = "2026-11-01"
INGESTED = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def raw(spark: SparkSession, rows: list[dict[str, Any]]) -> DataFrame:
    base = {
        "product_id": "demo:p1",
        "site": "demo",
        "rating": 5.0,
        "date": datetime(2026, 10, 30, 1, tzinfo=UTC),
    }
    full = [{**base, "ingested_at": INGESTED, "source": "demo", "dt": DT, "job_id": "j1", **r} for r in rows]
    schema = T.StructType([T.StructField(n, t) for n, t in REVIEW_FIELDS])
    return spark.createDataFrame([tuple(r.get(n) for n, _ in REVIEW_FIELDS) for r in full], schema)


def by_uid(df: DataFrame) -> dict[str, dict[str, Any]]:
    return {r["review_uid"]: r.asDict() for r in df.collect()}


@pytest.fixture(scope="module")
def cleaned(spark: SparkSession) -> dict[str, dict[str, Any]]:
    rows = [
        {"review_uid": "ok", "text": "배송이 빨라요 품질도 좋아요"},
        {"review_uid": "empty", "text": "  \u200b "},
        {"review_uid": "none", "text": None},
        {"review_uid": "short", "text": "굿!!"},
        {"review_uid": "trial", "text": "체험단으로 제품을 제공받아 작성했어요. 배송 빨라요"},
        {"review_uid": "gift", "text": "업체로부터 제품을 무상으로 제공받아 솔직하게 씁니다"},
        {"review_uid": "tag", "text": "예뻐요 #광고"},
        {"review_uid": "en", "text": "I received this product for free in exchange for an honest review"},
        {"review_uid": "adlike", "text": "광고에서 본 것과 똑같아요 제공되는 사은품도 좋아요"},
        {"review_uid": "rating9", "text": "사이즈 잘 맞아요", "rating": 9.0},
        {"review_uid": "nan", "text": "사이즈 잘 맞아요", "rating": float("nan")},
        {"review_uid": "norating", "text": "사이즈 잘 맞아요", "rating": None},
        {"review_uid": "old", "text": "오래된 날짜 리뷰", "date": datetime(1999, 1, 1, tzinfo=UTC)},
        {"review_uid": "future", "text": "미래 날짜 리뷰", "date": datetime(2026, 11, 5, tzinfo=UTC)},
        {"review_uid": "nodate", "text": "날짜 없는 리뷰", "date": None},
        {
            "review_uid": "seoul",
            "text": "한국 시간으로 11월 1일",
            "date": datetime(2026, 10, 31, 16, 30, tzinfo=UTC),
        },
        {"review_uid": "noproduct", "text": "상품 정보 없음", "product_id": " "},
        {"review_uid": "messy", "text": "  배송\u200b  빨라요ㅋㅋㅋㅋㅋㅋ\n\n\tＡＢＣ！\u3000끝 "},
        {
            "review_uid": "dup",
            "text": "처음 수집",
            "job_id": "j1",
            "ingested_at": datetime(2026, 11, 1, 1, tzinfo=UTC),
        },
        {
            "review_uid": "dup",
            "text": "다시 수집 (최신)",
            "job_id": "j2",
            "ingested_at": datetime(2026, 11, 1, 5, tzinfo=UTC),
        },
        {
            "review_uid": "dup",
            "text": "그 사이 수집",
            "job_id": "j3",
            "ingested_at": datetime(2026, 11, 1, 2, tzinfo=UTC),
        },
        {"review_uid": None, "text": "키 없는 리뷰 하나"},
        {"review_uid": None, "text": "키 없는 리뷰 둘"},
    ]
    df = clean_reviews(raw(spark, rows), CleanRules())
    assert tuple(df.columns) == CLEAN_COLUMNS
    out = df.collect()
    keyed = {r["review_uid"]: r.asDict() for r in out if r["review_uid"] is not None}
    keyed["<none>"] = {
        "count": sum(1 for r in out if r["review_uid"] is None),
        **next(r.asDict() for r in out if r["review_uid"] is None),
    }
    return keyed


def test_hard_flags_make_a_review_invalid(cleaned: dict[str, dict[str, Any]]) -> None:
    assert cleaned["ok"]["is_valid"] and cleaned["ok"]["invalid_reason"] is None
    expected = {
        "empty": "empty",
        "none": "empty",
        "short": "too_short",
        "trial": "sponsored",
        "gift": "sponsored",
        "tag": "sponsored",
        "en": "sponsored",
        "noproduct": "missing_product",
        "<none>": "missing_key",
    }
    for uid, reason in expected.items():
        assert not cleaned[uid]["is_valid"], uid
        assert cleaned[uid]["invalid_reason"] == reason, uid


def test_advert_words_alone_are_not_a_disclosure(cleaned: dict[str, dict[str, Any]]) -> None:
    assert not cleaned["adlike"]["is_sponsored"] and cleaned["adlike"]["is_valid"]


def test_soft_flags_drop_the_value_and_keep_the_review(cleaned: dict[str, dict[str, Any]]) -> None:
    for uid in ("rating9", "nan"):
        row = cleaned[uid]
        assert row["invalid_rating"] and row["rating"] is None and row["is_valid"], uid
    assert not cleaned["norating"]["invalid_rating"] and cleaned["norating"]["null_rating"]
    for uid in ("old", "future"):
        row = cleaned[uid]
        assert row["invalid_date"] and row["date_imputed"] and row["is_valid"], uid
        assert row["review_date"] == date(2026, 11, 1) and row["review_ts"] is None
    nodate = cleaned["nodate"]
    assert nodate["null_date"] and nodate["date_imputed"] and not nodate["invalid_date"]


def test_review_day_is_the_korean_calendar_day_and_late_reviews_are_marked(
    cleaned: dict[str, dict[str, Any]],
) -> None:
    assert cleaned["seoul"]["review_date"] == date(2026, 11, 1)
    assert not cleaned["seoul"]["is_late"]
    assert cleaned["ok"]["review_date"] == date(2026, 10, 30) and cleaned["ok"]["is_late"]
    assert not cleaned["nodate"]["is_late"]  # an imputed date is the ingest day itself


def test_normalisation(cleaned: dict[str, dict[str, Any]], spark: SparkSession) -> None:
    assert cleaned["messy"]["text"] == "배송 빨라요ㅋㅋㅋ ABC! 끝"
    assert cleaned["empty"]["text"] is None
    texts = spark.createDataFrame([("ｈｉ\u00ad there\r\n",), (None,)], "t string")
    assert [r[0] for r in texts.select(normalise_text(texts["t"])).collect()] == ["hi there", None]


def test_duplicates_keep_the_latest_collection(cleaned: dict[str, dict[str, Any]]) -> None:
    dup = cleaned["dup"]
    assert (dup["text"], dup["job_id"], dup["copies"]) == ("다시 수집 (최신)", "j2", 3)
    assert cleaned["<none>"]["count"] == 2  # rows without a key are never merged


def test_quality_metrics_count_what_clean_decided(spark: SparkSession) -> None:
    rows = [
        {"review_uid": "a", "text": "좋아요 좋아요"},
        {"review_uid": "a", "text": "좋아요 좋아요", "job_id": "j2"},
        {"review_uid": "b", "text": ""},
        {"review_uid": "c", "text": "체험단 후기입니다 좋아요", "rating": 0.0},
        {"review_uid": "d", "text": "날짜 없음 좋아요", "date": None, "rating": None},
        {"review_uid": "e", "text": "다른 출처 리뷰", "source": "naver"},
    ]
    cleaned = clean_reviews(raw(spark, rows))
    got = {r["source"]: r.asDict() for r in quality_metrics(cleaned).collect()}
    demo = got["demo"]
    assert (demo["rows_raw"], demo["rows_unique"], demo["duplicates"]) == (5, 4, 1)
    assert (demo["empty"], demo["sponsored"], demo["invalid_rating"], demo["valid"]) == (1, 1, 1, 2)
    assert (demo["null_rating"], demo["null_date"]) == (1, 1)
    assert demo["late"] == 3  # a, b and c are dated two days before their ingest day; d has no date
    assert (got["naver"]["rows_raw"], got["naver"]["valid"]) == (1, 1)
    assert all(r["ingest_date"] == date(2026, 11, 1) for r in got.values())
