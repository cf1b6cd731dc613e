"""Synthetic lake data for the batch jobs' benchmark and tests, written in the lake's Parquet contract.

`write_part(root, layer, dataset, source, dt, table)` writes one `part-<hex>.parquet` the way docs/lake.md
describes (hive folders, `source`/`dt` only in the path). `synthetic_day(root, day, reviews=…)` fills
raw/reviews, curated/review_analyses and curated/products for one ingest day with vectorised numpy (a
million reviews take seconds): review dates spread over `spread_days` before the ingest day (late data),
plus known shares of duplicates, empty / too-short / sponsored texts, invalid ratings and missing dates.
Everything is drawn from `seed`, so a run is reproducible.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np

from highpipe.domain.vocab import ASPECTS

SITES: Final = ("naver", "coupang", "elevenst")
CATEGORIES: Final = ("패션", "식품", "가전", "뷰티", "생활", "스포츠")
_TEXTS: Final = (
    "배송이 정말 빨라요 포장도 꼼꼼하고 만족합니다",
    "가격 대비 품질이 좋아요 재구매 의사 있어요",
    "사이즈가 작게 나왔어요 한 치수 크게 주문하세요",
    "디자인은 예쁜데 마감이 아쉽네요",
    "냄새가 너무 심해서 반품했어요 실망입니다",
    "성능이 기대 이상이에요 강력 추천합니다",
    "고객센터 응대가 느려서 짜증났어요",
    "맛있어요 아이들이 정말 좋아해요",
    "생각보다 내구성이 약해서 한 달 만에 고장났어요",
    "사용하기 편하고 가성비 최고입니다",
)
_SHORT: Final = ("굿", "ㅇㅇ", "!!", "좋")
_SPONSORED: Final = (
    "체험단으로 제품을 무상으로 제공받아 솔직하게 작성했습니다 배송 빨라요",
    "업체로부터 제품을 제공받아 작성한 후기입니다 품질 좋아요",
    "#광고 협찬 받은 제품인데 디자인이 예뻐요",
)


@dataclass(frozen=True)
class SyntheticStats:
    reviews: int
    unique_reviews: int
    analyses: int
    aspect_mentions: int
    products: int


def write_part(root: Path, layer: str, dataset: str, source: str, dt: date, table: Any) -> Path:
    """One Parquet part file in the lake layout; returns its path."""
    import pyarrow.parquet as pq

    folder = root / layer / dataset / f"source={source}" / f"dt={dt.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{uuid.uuid4().hex}.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


def review_table(rows: list[dict[str, Any]]) -> Any:
    """raw/reviews rows (dicts; missing columns null) -> a table with the lake's explicit schema."""
    import pyarrow as pa

    from highpipe.adapters.lake.schema import arrow_schema

    schema = arrow_schema("raw/reviews")
    now = datetime.now(UTC)
    filled = [{"ingested_at": now, "schema_version": 1, **r} for r in rows]
    return pa.Table.from_pylist(filled, schema=schema)


def analysis_table(rows: list[dict[str, Any]]) -> Any:
    """curated/review_analyses rows -> a table with the lake's explicit schema."""
    import pyarrow as pa

    from highpipe.adapters.lake.schema import arrow_schema

    schema = arrow_schema("curated/review_analyses")
    now = datetime.now(UTC)
    filled = [{"ingested_at": now, "schema_version": 1, **r} for r in rows]
    return pa.Table.from_pylist(filled, schema=schema)


def _pick(rng: np.random.Generator, options: tuple[str, ...], size: int) -> Any:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), size)]


def _fill(columns: dict[str, Any], schema: Any, count: int) -> Any:
    """A table with exactly `schema`'s columns: the given arrays, nulls for the rest."""
    import pyarrow as pa

    arrays = [columns.get(f.name, pa.nulls(count, f.type)) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _write_split(root: Path, layer: str, dataset: str, site: str, day: date, table: Any, files: int) -> None:
    step = max(1, -(-table.num_rows // files))
    for start in range(0, max(table.num_rows, 1), step):
        write_part(root, layer, dataset, site, day, table.slice(start, step))


def synthetic_day(
    root: Path,
    day: date,
    *,
    reviews: int,
    products: int = 2_000,
    spread_days: int = 90,
    seed: int = 7,
    files_per_source: int = 4,
) -> SyntheticStats:
    """Write one ingest day of synthetic reviews, their analyses and the product catalogue under `root`."""
    import pyarrow as pa

    from highpipe.adapters.lake.schema import arrow_schema

    rng = np.random.default_rng(seed)
    n = reviews
    unique = max(1, int(n * 0.97))  # 3% are a review collected again by another job
    ids = np.concatenate([np.arange(unique), rng.integers(0, unique, n - unique)])
    product_site = rng.integers(0, len(SITES), products)
    review_product = rng.integers(0, products, unique)
    review_site = product_site[review_product]
    review_day = rng.integers(0, spread_days, unique)  # days before the ingest day: late data

    kind = rng.random(n)
    text = _pick(rng, _TEXTS, n)
    text[kind < 0.01] = ""
    short = (kind >= 0.01) & (kind < 0.03)
    text[short] = _pick(rng, _SHORT, int(short.sum()))
    sponsored = (kind >= 0.03) & (kind < 0.05)
    text[sponsored] = _pick(rng, _SPONSORED, int(sponsored.sum()))
    rating = rng.integers(1, 6, n).astype(np.float64)
    rating[rng.random(n) < 0.01] = 9.0  # outside 1-5
    start = np.datetime64(day.isoformat(), "us")
    posted = (
        start - review_day[ids] * np.timedelta64(1, "D") + rng.integers(0, 86_400, n) * np.timedelta64(1, "s")
    )
    no_date = rng.random(n) < 0.02
    ingested = start + rng.integers(0, 86_400, n) * np.timedelta64(1, "s")
    jobs = np.asarray([f"job-{i}" for i in range(8)], dtype=object)[rng.integers(0, 8, n)]
    site_names = np.asarray(SITES, dtype=object)
    uid_of = np.asarray([f"{site_names[review_site[i]]}:r{i}" for i in range(unique)], dtype=object)
    product_names = np.asarray([f"{site_names[product_site[p]]}:p{p}" for p in range(products)], dtype=object)
    ts = pa.timestamp("us", tz="UTC")

    raw_schema = arrow_schema("raw/reviews")
    analysis_schema = arrow_schema("curated/review_analyses")
    mentions = 0
    for s, site in enumerate(SITES):
        rows = np.flatnonzero(review_site[ids] == s)
        columns = {
            "review_uid": pa.array(uid_of[ids[rows]], pa.string()),
            "product_id": pa.array(product_names[review_product[ids[rows]]], pa.string()),
            "site": pa.array(np.full(len(rows), site, dtype=object), pa.string()),
            "text": pa.array(text[rows], pa.string()),
            "rating": pa.array(rating[rows], pa.float64()),
            "date": pa.array(posted[rows], ts, mask=no_date[rows]),
            "job_id": pa.array(jobs[rows], pa.string()),
            "ingested_at": pa.array(ingested[rows], ts),
            "schema_version": pa.array(np.ones(len(rows), dtype=np.int32)),
        }
        _write_split(
            root, "raw", "reviews", site, day, _fill(columns, raw_schema, len(rows)), files_per_source
        )

        own = np.flatnonzero(review_site == s)
        table, count = _analyses(
            rng, own, uid_of, product_names[review_product[own]], ingested[0], analysis_schema
        )
        mentions += count
        _write_split(root, "curated", "review_analyses", site, day, table, files_per_source)

    for s, site in enumerate(SITES):
        mine = np.flatnonzero(product_site == s)
        catalogue = pa.table(
            {
                "product_id": pa.array(product_names[mine], pa.string()),
                "site": pa.array(np.full(len(mine), site, dtype=object), pa.string()),
                "title": pa.array([f"상품 {p}" for p in mine], pa.string()),
                "category": pa.array(_pick(rng, CATEGORIES, len(mine)), pa.string()),
                "ingested_at": pa.array(np.full(len(mine), start), ts),
            }
        )
        write_part(root, "curated", "products", site, day, catalogue)
    return SyntheticStats(n, unique, unique, mentions, products)


def _analyses(
    rng: np.random.Generator, own: Any, uid_of: Any, product_ids: Any, stamp: Any, schema: Any
) -> tuple[Any, int]:
    """curated/review_analyses for the reviews `own` (indexes into uid_of): 0-3 aspect mentions each."""
    import pyarrow as pa

    count = len(own)
    per_review = rng.integers(0, 4, count)
    offsets = np.concatenate([[0], np.cumsum(per_review)]).astype(np.int32)
    total = int(offsets[-1])
    which = rng.integers(0, len(ASPECTS), total)
    polarity = np.asarray(("positive", "negative", "neutral"), dtype=object)[
        rng.choice(3, total, p=[0.6, 0.3, 0.1])
    ]
    aspect_type = schema.field("aspects").type
    struct = pa.StructArray.from_arrays(
        [
            pa.array(np.asarray([a.id for a in ASPECTS], dtype=object)[which], pa.string()),
            pa.array(np.asarray([a.ko for a in ASPECTS], dtype=object)[which], pa.string()),
            pa.array(polarity, pa.string()),
            pa.array(np.full(total, "…", dtype=object), pa.string()),
            pa.array(rng.random(total), pa.float64()),
        ],
        fields=list(aspect_type.value_type),
    )
    labels = np.asarray(("positive", "negative", "neutral"), dtype=object)[
        rng.choice(3, count, p=[0.6, 0.3, 0.1])
    ]
    ts = pa.timestamp("us", tz="UTC")
    columns = {
        "review_uid": pa.array(uid_of[own], pa.string()),
        "product_id": pa.array(product_ids, pa.string()),
        "job_id": pa.array(np.full(count, "job-0", dtype=object), pa.string()),
        "sentiment_label": pa.array(labels, pa.string()),
        "sentiment_score": pa.array(rng.random(count), pa.float64()),
        "aspects": pa.ListArray.from_arrays(pa.array(offsets), struct, type=aspect_type),
        "language": pa.array(np.full(count, "ko", dtype=object), pa.string()),
        "model_version": pa.array(np.full(count, "synthetic-1", dtype=object), pa.string()),
        "ingested_at": pa.array(np.full(count, stamp), ts),
        "schema_version": pa.array(np.ones(count, dtype=np.int32)),
    }
    return _fill(columns, schema, count), total
