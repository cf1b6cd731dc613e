"""Contract tests of the Store port, parametrised over its backends.

SQLite in memory and in a file always run; PostgreSQL runs against HIGHPIPE_TEST_POSTGRES_URL, which
`make services-up` provides (postgresql+asyncpg://highpipe:highpipe@127.0.0.1:16432/highpipe_test, through
PgBouncer in transaction mode). Without it the PostgreSQL cases are skipped locally and fail under CI=true.
The PostgreSQL case drops the store's tables first: point it at a throw-away database.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import ColumnElement, Connection, func, inspect, select, text

from highpipe.adapters.store.engine import alembic_config, make_engine
from highpipe.adapters.store.sql import SqlStore
from highpipe.adapters.store.tables import analyses, metadata, review_emotions, reviews
from highpipe.domain.events import Envelope, ProgressData, StageData
from highpipe.domain.models import (
    AspectMention,
    EmotionCard,
    Job,
    Product,
    Quote,
    Report,
    Review,
    ReviewAnalysis,
    SentimentResult,
)
from highpipe.domain.vocab import ASPECT_BY_ID
from highpipe.ports.store import ReviewFilter, Store

KST = timezone(timedelta(hours=9))
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _real_url(env: str) -> str:
    """The URL of a real server for the contract; skipped locally without it, a failure under CI."""
    url = os.environ.get(env)
    if url:
        return url
    message = f"{env} is not set: run `make services-up` first (`make test` does)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _store_params() -> list[object]:
    return [
        pytest.param("sqlite+aiosqlite://", id="sqlite-memory"),
        pytest.param("sqlite-file", id="sqlite-file"),
        pytest.param("postgres", id="postgres"),
    ]


async def _drop_store_tables(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
            await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        await engine.dispose()


@pytest.fixture(params=_store_params())
async def sql_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = str(request.param)
    if url == "sqlite-file":
        return f"sqlite+aiosqlite:///{tmp_path}/not/yet/there/highpipe.db"  # the folder is created
    if url == "postgres":
        url = _real_url("HIGHPIPE_TEST_POSTGRES_URL")
        await _drop_store_tables(url)
    return url


@pytest.fixture
async def sql_store(sql_store_url: str) -> AsyncIterator[SqlStore]:
    store = SqlStore(sql_store_url)
    await store.start()
    yield store
    await store.stop()


def _job(source: str = "https://shop.example/p/1", created_at: datetime = T0) -> Job:
    return Job(
        job_id=str(uuid.uuid4()),
        kind="url",
        source=source,
        status="queued",
        created_at=created_at,
        updated_at=created_at,
    )


def _review(uid: str, text: str = "좋아요", *, product: str = "demo:1", **kw: object) -> Review:
    return Review.model_validate(
        {"review_uid": uid, "product_id": product, "site": "demo", "text": text, **kw}
    )


def _analysis(
    uid: str,
    label: str = "positive",
    aspects: tuple[tuple[str, str], ...] = (),
    emotions: tuple[str, ...] = (),
) -> ReviewAnalysis:
    return ReviewAnalysis.model_validate(
        {
            "review_uid": uid,
            "sentiment": SentimentResult.model_validate({"label": label, "score": 0.9}),
            "aspects": [
                AspectMention.model_validate(
                    {"aspect_id": a, "aspect": ASPECT_BY_ID[a].ko, "polarity": p, "clause": f"{a} {p}"}
                )
                for a, p in aspects
            ],
            "emotions": list(emotions),
            "model_version": "test-1",
        }
    )


async def _count(store: SqlStore, column: ColumnElement[Any]) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(select(func.count(column)))).scalar_one())


# schema and lifecycle


async def test_migrations_create_the_schema_of_the_tables_module(sql_store: SqlStore) -> None:
    def check(conn: Connection) -> tuple[set[str], list[object], str | None]:
        names = set(inspect(conn).get_table_names())
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        return names, diff, MigrationContext.configure(conn).get_current_revision()

    async with sql_store.engine.connect() as conn:
        names, diff, revision = await conn.run_sync(check)
    assert set(metadata.tables) | {"alembic_version"} <= names
    assert diff == []  # the migrations build exactly what tables.py declares
    assert revision == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_restart_keeps_data_and_migrating_again_is_a_no_op(sql_store_url: str) -> None:
    if sql_store_url == "sqlite+aiosqlite://":
        pytest.skip("an in-memory database does not outlive its store")
    first = SqlStore(sql_store_url)
    await first.start()
    job = _job()
    await first.create_job(job)
    await first.stop()
    second = SqlStore(sql_store_url)
    await second.start()
    try:
        assert await second.get_job(job.job_id) == job
    finally:
        await second.stop()


async def test_stores_starting_together_migrate_once(sql_store_url: str) -> None:
    if sql_store_url == "sqlite+aiosqlite://":
        pytest.skip("each in-memory store has its own database")
    stores = [SqlStore(sql_store_url) for _ in range(3)]
    await asyncio.gather(*(s.start() for s in stores))
    try:
        assert [await s.healthy() for s in stores] == [True, True, True]
    finally:
        await asyncio.gather(*(s.stop() for s in stores))


_START_AND_CREATE = """
import asyncio, sys, uuid
from datetime import UTC, datetime
from highpipe.adapters.store.sql import SqlStore
from highpipe.domain.models import Job

async def main() -> None:
    store = SqlStore(sys.argv[1])
    await store.start()
    now = datetime.now(UTC)
    job = Job(job_id=str(uuid.uuid4()), kind="url", source="x", status="queued", created_at=now, updated_at=now)
    await store.create_job(job)
    await store.stop()

asyncio.run(main())
"""


async def test_processes_starting_together_on_a_new_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/shared.db"
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", _START_AND_CREATE, url, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(3)
    ]
    errors = [(await p.communicate())[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    store = SqlStore(url)
    await store.start()
    try:
        assert len(await store.list_jobs()) == 3
    finally:
        await store.stop()


async def test_unusable_url_and_use_before_start_fail_clearly() -> None:
    with pytest.raises(ValueError, match="sqlite\\+aiosqlite"):
        SqlStore("mysql://u@127.0.0.1/db")
    store = SqlStore("sqlite+aiosqlite://")
    assert await store.healthy() is False
    with pytest.raises(RuntimeError, match="start"):
        await store.get_job("x")
    await store.start()
    assert await store.healthy() is True
    await store.stop()
    with pytest.raises(RuntimeError):
        await store.list_jobs()


# jobs


async def test_job_lifecycle_follows_the_state_machine(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    await sql_store.create_job(job)  # redelivered: no error, no second row
    assert await sql_store.get_job(job.job_id) == job
    assert await sql_store.get_job("missing") is None
    assert await sql_store.transition_job(job.job_id, "completed") is None  # queued -> completed: no
    running = await sql_store.transition_job(job.job_id, "running")
    assert running is not None and running.status == "running" and running.finished_at is None
    assert await sql_store.transition_job(job.job_id, "running") is None
    assert await sql_store.transition_job(job.job_id, "bogus") is None
    failed = await sql_store.transition_job(
        job.job_id, "failed", reason="사이트가 403으로 막았습니다", code="blocked"
    )
    assert failed is not None and failed.status == "failed"
    assert (failed.failure_reason, failed.failure_code) == ("사이트가 403으로 막았습니다", "blocked")
    assert failed.finished_at is not None and failed.finished_at.tzinfo is not None
    assert await sql_store.transition_job(job.job_id, "running") is None  # final states are final
    assert await sql_store.transition_job("missing", "running") is None
    assert await sql_store.get_job(job.job_id) == failed


async def test_racing_transitions_let_exactly_one_win(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    await sql_store.transition_job(job.job_id, "running")
    results = await asyncio.gather(
        *(sql_store.transition_job(job.job_id, s) for s in ("completed", "failed", "cancelled") * 4)
    )
    assert len([r for r in results if r is not None]) == 1


async def test_update_job_sets_plain_fields_only(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    updated = await sql_store.update_job(
        job.job_id, product_id="demo:1", total_estimate=120, options={"max_reviews": 50, "tags": ["a"]}
    )
    assert (updated.product_id, updated.total_estimate) == ("demo:1", 120)
    assert updated.options == {"max_reviews": 50, "tags": ["a"]}
    assert updated.updated_at >= job.updated_at
    assert await sql_store.get_job(job.job_id) == updated
    with pytest.raises(ValueError, match="transition_job"):
        await sql_store.update_job(job.job_id, status="completed")
    with pytest.raises(KeyError):
        await sql_store.update_job("missing", total_estimate=1)


async def test_counters_add_atomically(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    await sql_store.add_job_counters(job.job_id, pages=1, collected=10)
    await asyncio.gather(
        *(sql_store.add_job_counters(job.job_id, collected=1, analyzed=2) for _ in range(20))
    )
    final = await sql_store.add_job_counters(job.job_id, pages=2)
    assert (final.pages, final.collected, final.analyzed) == (3, 30, 40)
    with pytest.raises(KeyError):
        await sql_store.add_job_counters("missing", pages=1)


async def test_mark_analyzed_counts_each_review_of_a_job_once(sql_store: SqlStore) -> None:
    a, b = _job(), _job("https://shop.example/p/2")
    await sql_store.create_job(a)
    await sql_store.create_job(b)
    await sql_store.upsert_reviews(a.job_id, [_review("demo:r1"), _review("demo:r2"), _review("demo:r3")])
    await sql_store.upsert_reviews(b.job_id, [_review("demo:r2")])
    assert (await sql_store.mark_analyzed(a.job_id, ["demo:r1", "demo:r2", "demo:r2"])).analyzed == 2
    # The same batch redelivered, twice at once: nothing more.
    again = await asyncio.gather(
        *(sql_store.mark_analyzed(a.job_id, ["demo:r1", "demo:r2"]) for _ in range(2))
    )
    assert [j.analyzed for j in again] == [2, 2]
    # A uid the job does not link counts nothing; the next batch counts its own reviews.
    assert (await sql_store.mark_analyzed(a.job_id, ["demo:r3", "demo:unlinked"])).analyzed == 3
    # Another job's count is its own, although it shares a review.
    assert (await sql_store.mark_analyzed(b.job_id, ["demo:r2"])).analyzed == 1
    assert (await sql_store.mark_analyzed(b.job_id, [])).analyzed == 1
    with pytest.raises(KeyError):
        await sql_store.mark_analyzed("missing", ["demo:r1"])


async def test_list_jobs_newest_first_with_literal_search(sql_store: SqlStore) -> None:
    sources = [
        "https://a.example/100%_off",
        "https://b.example/1000off",
        "https://c.example/x_y",
        "upload.csv",
    ]
    made = [_job(src, T0 + timedelta(minutes=i)) for i, src in enumerate(sources)]
    for job in made:
        await sql_store.create_job(job)
    assert [j.source for j in await sql_store.list_jobs()] == sources[::-1]
    assert [j.source for j in await sql_store.list_jobs(limit=2, offset=1)] == sources[2:0:-1]
    assert [j.source for j in await sql_store.list_jobs(q="100%")] == [sources[0]]
    assert {j.source for j in await sql_store.list_jobs(q="_")} == {sources[0], sources[2]}
    assert [j.source for j in await sql_store.list_jobs(q="UPLOAD")] == [sources[3]]


# products and reviews


async def test_products_upsert_keeps_known_fields(sql_store: SqlStore) -> None:
    await sql_store.upsert_product(
        Product(product_id="demo:1", site="demo", title="무선 이어폰", price=39000)
    )
    await sql_store.upsert_product(Product(product_id="demo:1", site="demo", review_count=812))
    product = await sql_store.get_product("demo:1")
    assert product == Product(
        product_id="demo:1", site="demo", title="무선 이어폰", price=39000, review_count=812
    )
    assert await sql_store.get_product("demo:2") is None


async def test_reviews_are_stored_once_and_linked_per_job(sql_store: SqlStore) -> None:
    a, b = _job(), _job()
    await sql_store.create_job(a)
    await sql_store.create_job(b)
    r1, r2, r3, r4 = (_review(f"demo:r{i}", f"리뷰 {i}") for i in range(1, 5))
    assert await sql_store.upsert_reviews(a.job_id, [r1, r2, r3, r3]) == 3
    assert await sql_store.upsert_reviews(a.job_id, [r1, r2, r3]) == 0  # redelivered batch
    assert await sql_store.upsert_reviews(b.job_id, [r2, r3, r4]) == 3
    assert await sql_store.upsert_reviews(b.job_id, []) == 0
    assert await _count(sql_store, reviews.c.review_uid) == 4
    assert await sql_store.known_review_uids("demo:1") == {"demo:r1", "demo:r2", "demo:r3", "demo:r4"}
    assert await sql_store.known_review_uids("demo:2") == set()
    assert [row.review for row in await sql_store.job_rows(b.job_id)] == sorted(
        [r2, r3, r4], key=lambda r: r.review_uid
    )
    with pytest.raises(KeyError):
        await sql_store.upsert_reviews("missing", [r1])


async def test_large_batches_are_upserted_whole(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    batch = [_review(f"demo:bulk{i:05d}", f"리뷰 {i}", rating=1 + i % 5) for i in range(6_000)]
    assert await sql_store.upsert_reviews(job.job_id, batch) == 6_000
    assert await sql_store.upsert_reviews(job.job_id, batch[::2]) == 0
    await sql_store.upsert_analyses(
        [_analysis(r.review_uid, aspects=(("price", "positive"),)) for r in batch]
    )
    rows, total = await sql_store.query_reviews(job.job_id, ReviewFilter(aspect="price"), page_size=5)
    assert total == 6_000 and len(rows) == 5


async def test_analyses_upsert_replaces_sentiment_and_aspects(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    await sql_store.upsert_reviews(job.job_id, [_review("demo:r1"), _review("demo:r2")])
    await sql_store.upsert_analyses([_analysis("demo:r1", "positive", (("delivery", "positive"),))])
    rows = {r.review.review_uid: r.analysis for r in await sql_store.job_rows(job.job_id)}
    assert rows["demo:r2"] is None
    assert rows["demo:r1"] == _analysis("demo:r1", "positive", (("delivery", "positive"),))
    replacement = _analysis("demo:r1", "negative", (("price", "negative"), ("price", "negative")))
    await sql_store.upsert_analyses([_analysis("demo:r1"), replacement])  # last one in a batch wins
    (row,) = (await sql_store.query_reviews(job.job_id, ReviewFilter(aspect="price")))[0]
    assert row.analysis == replacement
    assert (await sql_store.query_reviews(job.job_id, ReviewFilter(aspect="delivery")))[1] == 0
    assert (await sql_store.query_reviews(job.job_id, ReviewFilter(sentiment="positive")))[1] == 0
    # An analysis may arrive before its review (separate topics): stored, and joined once it lands.
    await sql_store.upsert_analyses([_analysis("demo:late", "neutral")])
    await sql_store.upsert_reviews(job.job_id, [_review("demo:late")])
    late = [r for r in await sql_store.job_rows(job.job_id) if r.review.review_uid == "demo:late"]
    assert late[0].analysis == _analysis("demo:late", "neutral")


async def _filter_fixture(store: SqlStore) -> str:
    job = _job()
    await store.create_job(job)
    day = datetime(2026, 2, 1, tzinfo=KST)
    data = [
        ("demo:a", "배송이 빨라요 Great BATTERY", 5.0, day, "positive", (("delivery", "positive"),)),
        ("demo:b", "가격 대비 별로", 2.0, day + timedelta(days=1), "negative", (("price", "negative"),)),
        (
            "demo:c",
            "100% 만족, 배송 느림",
            4.4,
            day + timedelta(days=2),
            "positive",
            (("delivery", "negative"),),
        ),
        ("demo:d", "'; DROP TABLE reviews; --", 3.5, day + timedelta(days=3), "neutral", ()),
        (
            "demo:e",
            "snake_case 리뷰",
            4.5,
            None,
            "positive",
            (("delivery", "positive"), ("price", "positive")),
        ),
        ("demo:f", "아직 분석 전", 1.0, day - timedelta(days=1), None, ()),
    ]
    await store.upsert_reviews(job.job_id, [_review(u, t, rating=r, date=d) for u, t, r, d, _, _ in data])
    await store.upsert_analyses(
        [_analysis(u, s, a, _EMOTIONS.get(u, ())) for u, _, _, _, s, a in data if s is not None]
    )
    # Another job's review, with every emotion: filters never reach outside the job.
    other = _job()
    await store.create_job(other)
    await store.upsert_reviews(other.job_id, [_review("demo:other", "배송 빨라요", rating=5.0, date=day)])
    await store.upsert_analyses([_analysis("demo:other", "positive", (), ("joy", "satisfaction", "anger"))])
    return job.job_id


# Emotions of the filter fixture's analyses (a repeated id is stored once).
_EMOTIONS: dict[str, tuple[str, ...]] = {
    "demo:a": ("joy", "satisfaction", "joy"),
    "demo:b": ("anger",),
    "demo:c": ("satisfaction",),
    "demo:e": ("joy",),
}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (ReviewFilter(), ["demo:d", "demo:c", "demo:b", "demo:a", "demo:f", "demo:e"]),
        (ReviewFilter(sentiment="positive"), ["demo:c", "demo:a", "demo:e"]),
        (ReviewFilter(aspect="delivery"), ["demo:c", "demo:a", "demo:e"]),
        (ReviewFilter(aspect="delivery", aspect_polarity="negative"), ["demo:c"]),
        (ReviewFilter(aspect="price", aspect_polarity="positive"), ["demo:e"]),
        (ReviewFilter(aspect="topic:none"), []),
        (ReviewFilter(rating=4), ["demo:d", "demo:c"]),  # 3.5 and 4.4, not 4.5
        (ReviewFilter(rating=5), ["demo:a", "demo:e"]),
        (ReviewFilter(q="battery"), ["demo:a"]),
        (ReviewFilter(q="100%"), ["demo:c"]),
        (ReviewFilter(q="%"), ["demo:c"]),
        (ReviewFilter(q="_"), ["demo:e"]),
        (ReviewFilter(q="'; DROP TABLE reviews; --"), ["demo:d"]),
        (ReviewFilter(q="배송"), ["demo:c", "demo:a"]),
        (ReviewFilter(date_from=datetime(2026, 2, 2, tzinfo=KST)), ["demo:d", "demo:c", "demo:b"]),
        (ReviewFilter(date_to=datetime(2026, 1, 31, 15, 0, tzinfo=UTC)), ["demo:a", "demo:f"]),  # = 2/1 KST
        (ReviewFilter(sentiment="positive", rating=4, q="배송"), ["demo:c"]),
        (ReviewFilter(emotion="joy"), ["demo:a", "demo:e"]),
        (ReviewFilter(emotion="satisfaction"), ["demo:c", "demo:a"]),
        (ReviewFilter(emotion="anger"), ["demo:b"]),
        (ReviewFilter(emotion="fear"), []),
        (ReviewFilter(emotion="joy", rating=5, aspect="price"), ["demo:e"]),
        (ReviewFilter(review_ids=("demo:e", "demo:a", "demo:missing")), ["demo:a", "demo:e"]),
        (ReviewFilter(review_ids=("demo:other",)), []),  # another job's review
        (ReviewFilter(review_ids=("demo:f",)), ["demo:f"]),  # not analysed yet: still listed
        (ReviewFilter(review_ids=()), []),
        (ReviewFilter(review_ids=("demo:a", "demo:b", "demo:c"), sentiment="positive"), ["demo:c", "demo:a"]),
        (
            ReviewFilter(review_ids=("demo:a", "demo:b", "demo:c"), emotion="satisfaction"),
            ["demo:c", "demo:a"],
        ),
    ],
)
async def test_every_review_filter(sql_store: SqlStore, flt: ReviewFilter, expected: list[str]) -> None:
    job_id = await _filter_fixture(sql_store)
    rows, total = await sql_store.query_reviews(job_id, flt)
    assert [row.review.review_uid for row in rows] == expected
    assert total == len(expected)
    assert await _count(sql_store, reviews.c.review_uid) == 7  # the injection-looking text stayed text


async def _emotion_rows(store: SqlStore) -> set[tuple[str, str]]:
    async with store.engine.connect() as conn:
        result = await conn.execute(select(review_emotions.c.review_uid, review_emotions.c.emotion))
        return {(uid, emotion) for uid, emotion in result}


async def test_emotions_are_replaced_with_their_analysis_and_go_with_it(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    await sql_store.upsert_reviews(job.job_id, [_review("demo:m1"), _review("demo:m2")])
    await sql_store.upsert_analyses(
        [_analysis("demo:m1", emotions=("joy", "trust")), _analysis("demo:m2", emotions=("joy",))]
    )
    joy = await sql_store.query_reviews(job.job_id, ReviewFilter(emotion="joy"))
    assert sorted(r.review.review_uid for r in joy[0]) == ["demo:m1", "demo:m2"] and joy[1] == 2
    # A re-analysis replaces the emotions (last one in a batch wins), an empty list clears them.
    await sql_store.upsert_analyses(
        [_analysis("demo:m1", emotions=("joy",)), _analysis("demo:m1", emotions=("anger",))]
    )
    await sql_store.upsert_analyses([_analysis("demo:m2")])
    assert await _emotion_rows(sql_store) == {("demo:m1", "anger")}
    assert (await sql_store.query_reviews(job.job_id, ReviewFilter(emotion="joy")))[1] == 0
    assert (await sql_store.query_reviews(job.job_id, ReviewFilter(emotion="anger")))[1] == 1
    assert await sql_store.delete_job(job.job_id) is True
    assert await _emotion_rows(sql_store) == set()


async def test_migration_0002_backfills_emotions_of_earlier_analyses(sql_store: SqlStore) -> None:
    job_id = await _filter_fixture(sql_store)
    before = await _emotion_rows(sql_store)
    assert ("demo:a", "joy") in before and len(before) == 8

    def migrate(conn: Connection, target: str) -> None:
        cfg = alembic_config(conn)
        if target == "head":
            command.upgrade(cfg, target)
        else:
            command.downgrade(cfg, target)

    # Back to the schema without the table (analyses stay), then forward again: the rows come back
    # from the stored analysis payloads alone.
    for target in ("0001", "head"):
        async with sql_store.engine.begin() as conn:
            await conn.run_sync(migrate, target)
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert ("review_emotions" in names) is (target == "head")
    assert await _emotion_rows(sql_store) == before
    rows, total = await sql_store.query_reviews(job_id, ReviewFilter(emotion="joy"))
    assert [r.review.review_uid for r in rows] == ["demo:a", "demo:e"] and total == 2


async def test_pagination_pages_and_totals(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    batch = [_review(f"demo:p{i:02d}", date=T0 - timedelta(hours=i % 7)) for i in range(23)]
    await sql_store.upsert_reviews(job.job_id, batch)
    pages = [
        await sql_store.query_reviews(job.job_id, ReviewFilter(), page=p, page_size=10) for p in (1, 2, 3, 4)
    ]
    assert [len(rows) for rows, _ in pages] == [10, 10, 3, 0]
    assert {total for _, total in pages} == {23}
    seen = [row.review for rows, _ in pages for row in rows]
    assert seen == sorted(batch, key=lambda r: (-r.date.timestamp() if r.date else 0, r.review_uid))
    with pytest.raises(ValueError):
        await sql_store.query_reviews(job.job_id, ReviewFilter(), page=0)


# events


def _progress(job_id: str, collected: int) -> Envelope:
    data = ProgressData(pages=1, collected=collected, analyzed=0, total_estimate=None, rate_per_s=1.5)
    return Envelope.make(job_id, data)


async def test_events_get_gapless_seqs_and_duplicates_are_ignored(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    stored = [await sql_store.append_event(_progress(job.job_id, n)) for n in range(5)]
    assert [e.seq for e in stored if e is not None] == [1, 2, 3, 4, 5]
    again = stored[2]
    assert again is not None
    assert await sql_store.append_event(again.model_copy(update={"seq": 0})) is None
    reordered = again.model_copy(update={"data": dict(reversed(list(again.data.items())))})
    assert await sql_store.append_event(reordered) is None  # same JSON, other key order
    stage = await sql_store.append_event(
        Envelope.make(job.job_id, StageData(stage="collect", state="started"))
    )
    assert stage is not None and stage.seq == 6
    after = await sql_store.events_after(job.job_id, after=2)
    assert [e.seq for e in after] == [3, 4, 5, 6]
    assert after[0] == stored[2] and after[-1] == stage
    assert after[0].ts.tzinfo is not None
    assert [e.seq for e in await sql_store.events_after(job.job_id, after=0, limit=2)] == [1, 2]
    assert await sql_store.events_after(job.job_id, after=6) == []
    with pytest.raises(KeyError):
        await sql_store.append_event(_progress("missing", 1))


async def test_events_of_type_finds_stage_events_beyond_the_first_page(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    await sql_store.append_event(Envelope.make(job.job_id, StageData(stage="collect", state="started")))
    for n in range(3):
        await sql_store.append_event(_progress(job.job_id, n))
    await sql_store.append_event(Envelope.make(job.job_id, StageData(stage="collect", state="finished")))
    found = await sql_store.events_of_type(job.job_id, ["stage"])
    assert [(e.seq, e.data["state"]) for e in found] == [(1, "started"), (5, "finished")]
    # The port's default (used by fakes) pages through events_after and agrees with the SQL filter.
    assert await Store.events_of_type(sql_store, job.job_id, ["stage"]) == found
    assert await sql_store.events_of_type(job.job_id, ["completed"]) == []


async def test_concurrent_appenders_get_unique_gapless_seqs(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    results = await asyncio.gather(*(sql_store.append_event(_progress(job.job_id, n)) for n in range(40)))
    assert sorted(e.seq for e in results if e is not None) == list(range(1, 41))
    twin = _progress(job.job_id, 999)
    dupes = await asyncio.gather(*(sql_store.append_event(twin) for _ in range(6)))
    assert [e.seq for e in dupes if e is not None] == [41]
    assert [e.seq for e in await sql_store.events_after(job.job_id)] == list(range(1, 42))


# deletion, reports, time


def _report(job_id: str, score: float | None) -> Report:
    card = EmotionCard(
        card_id="aspect:delivery",
        kind="aspect",
        aspect_id="delivery",
        label="배송",
        mentions=2,
        positive=2,
        negative=0,
        neutral=0,
        positive_share=1.0,
        negative_share=0.0,
        positive_ci=(0.34, 1.0),
        top_phrases=["빠른 배송"],
        quotes=[Quote(review_uid="demo:r1", text="배송이 빨라요", polarity="positive")],
        review_uids=["demo:r1", "demo:r2"],
    )
    return Report.model_validate(
        {
            "job_id": job_id,
            "product": Product(product_id="demo:1", site="demo"),
            "generated_at": datetime(2026, 3, 1, 21, 0, tzinfo=KST),
            "total_reviews": 2,
            "analyzed_reviews": 2,
            "score": score,
            "sentiment_counts": {"positive": 2},
            "sentiment_shares": {"positive": 1.0},
            "rating_distribution": {"5": 2, "none": 0},
            "average_rating": 5.0,
            "aspects": [],
            "emotions": {"satisfaction": 1},
            "trend": [],
            "cards": [card],
            "summary": [],
        }
    )


async def test_delete_job_cascades_but_keeps_shared_reviews(sql_store: SqlStore) -> None:
    a, b = _job(), _job()
    for job in (a, b):
        await sql_store.create_job(job)
    await sql_store.upsert_reviews(a.job_id, [_review("demo:only-a"), _review("demo:shared")])
    await sql_store.upsert_reviews(b.job_id, [_review("demo:shared"), _review("demo:only-b")])
    await sql_store.upsert_analyses(
        [
            _analysis(u, aspects=(("quality", "positive"),))
            for u in ("demo:only-a", "demo:shared", "demo:only-b")
        ]
    )
    await sql_store.append_event(_progress(a.job_id, 2))
    await sql_store.save_report(_report(a.job_id, 100.0))
    assert await sql_store.delete_job(a.job_id) is True
    assert await sql_store.get_job(a.job_id) is None
    assert await sql_store.events_after(a.job_id) == []
    assert await sql_store.get_report(a.job_id) is None
    assert await sql_store.known_review_uids("demo:1") == {"demo:shared", "demo:only-b"}
    assert await _count(sql_store, analyses.c.review_uid) == 2
    rows = await sql_store.job_rows(b.job_id)
    assert {r.review.review_uid: r.analysis is not None for r in rows} == {
        "demo:shared": True,
        "demo:only-b": True,
    }
    assert (await sql_store.query_reviews(b.job_id, ReviewFilter(aspect="quality")))[1] == 2
    assert await sql_store.delete_job(a.job_id) is False


async def test_reports_round_trip_and_replace(sql_store: SqlStore) -> None:
    job = _job()
    await sql_store.create_job(job)
    assert await sql_store.get_report(job.job_id) is None
    await sql_store.save_report(_report(job.job_id, None))
    await sql_store.save_report(_report(job.job_id, 87.5))
    assert await sql_store.get_report(job.job_id) == _report(job.job_id, 87.5)
    with pytest.raises(KeyError):
        await sql_store.save_report(_report("missing", 1.0))


async def test_datetimes_come_back_aware_and_in_utc(sql_store: SqlStore) -> None:
    created = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=KST)
    job = _job(created_at=created)
    await sql_store.create_job(job)
    stored = await sql_store.get_job(job.job_id)
    assert stored is not None and stored.created_at == created
    assert stored.created_at.utcoffset() == timedelta(0)
    naive = datetime(2025, 12, 24, 23, 59)  # taken as UTC
    await sql_store.upsert_reviews(job.job_id, [_review("demo:t", date=naive)])
    (row,) = await sql_store.job_rows(job.job_id)
    assert row.review.date == naive.replace(tzinfo=UTC)
