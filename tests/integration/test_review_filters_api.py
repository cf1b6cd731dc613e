"""GET /api/analyses/{id}/reviews with the click-through filters `emotion` and `review_ids`, in-process.

The reviews and analyses are written through the store (no crawl), so every expected count is known.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from highpipe.bootstrap import Container, bootstrap
from highpipe.domain.models import Job, Review, ReviewAnalysis, SentimentResult
from highpipe.entrypoints.api.analyses import MAX_REVIEW_IDS
from highpipe.entrypoints.api.app import create_app
from tests.conftest import make_settings
from tests.fakes import KeywordAnalyzer

T0 = datetime(2026, 3, 1, tzinfo=UTC)
# uid -> emotions of its analysis; the later the letter, the newer the review.
EMOTIONS: dict[str, tuple[str, ...]] = {
    "demo:r1": ("joy",),
    "demo:r2": ("joy", "satisfaction"),
    "demo:r3": ("anger",),
    "demo:r4": (),
}


@pytest.fixture
async def api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    monkeypatch.setenv("HIGHPIPE_WEB_DIST", str(tmp_path / "no-web-build"))
    container = bootstrap(make_settings(tmp_path, 8000), analyzer=KeywordAnalyzer())
    app = create_app(container, roles=(), mount_demo=False)
    async with app.router.lifespan_context(app):
        job_id = await _seed(container)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            yield client, job_id


async def _seed(container: Container) -> str:
    store = container.store
    job = Job(
        job_id=str(uuid.uuid4()), kind="url", source="https://shop.example/p/1", status="queued",
        created_at=T0, updated_at=T0,
    )  # fmt: skip
    await store.create_job(job)
    reviews = [
        Review(
            review_uid=uid, product_id="demo:1", site="demo", text=f"리뷰 {uid}", date=T0 + timedelta(days=i)
        )
        for i, uid in enumerate(EMOTIONS)
    ]
    await store.upsert_reviews(job.job_id, reviews)
    await store.upsert_analyses(
        [
            ReviewAnalysis(
                review_uid=uid,
                sentiment=SentimentResult(label="negative" if "anger" in emo else "positive", score=0.9),
                emotions=list(emo),
            )
            for uid, emo in EMOTIONS.items()
        ]
    )
    return job.job_id


def _uids(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    body = page.json()
    uids = [item["review"]["review_uid"] for item in body["items"]]
    assert body["total"] == len(uids)
    return uids


async def test_emotion_filter_lists_the_reviews_with_that_emotion(api: tuple[httpx.AsyncClient, str]) -> None:
    client, job_id = api
    url = f"/api/analyses/{job_id}/reviews"
    assert _uids(await client.get(url, params={"emotion": "joy"})) == ["demo:r2", "demo:r1"]
    assert _uids(await client.get(url, params={"emotion": "anger"})) == ["demo:r3"]
    assert _uids(await client.get(url, params={"emotion": "worry"})) == []
    assert _uids(await client.get(url, params={"emotion": "joy", "sentiment": "negative"})) == []
    bad = await client.get(url, params={"emotion": "happy"})
    assert bad.status_code == 422 and "joy" in bad.json()["detail"]  # lists the known ids
    assert (await client.get(url, params={"emotion": "x" * 65})).status_code == 422


async def test_review_ids_filter_takes_a_comma_separated_list(api: tuple[httpx.AsyncClient, str]) -> None:
    client, job_id = api
    url = f"/api/analyses/{job_id}/reviews"
    got = await client.get(url, params={"review_ids": " demo:r1,demo:r3,,demo:r1 ,demo:elsewhere"})
    assert _uids(got) == ["demo:r3", "demo:r1"]  # newest first, blanks and repeats dropped
    both = await client.get(url, params={"review_ids": "demo:r1,demo:r2,demo:r3", "emotion": "joy"})
    assert _uids(both) == ["demo:r2", "demo:r1"]
    for raw in ("", " , ,"):
        empty = await client.get(url, params={"review_ids": raw})
        assert empty.status_code == 422 and "review_ids" in empty.json()["detail"], raw
    at_most = ",".join(f"demo:r{i}" for i in range(MAX_REVIEW_IDS))
    assert len(_uids(await client.get(url, params={"review_ids": at_most}))) == 4
    too_many = await client.get(url, params={"review_ids": at_most + ",demo:extra"})
    assert too_many.status_code == 422 and str(MAX_REVIEW_IDS) in too_many.json()["detail"]
    unknown = await client.get("/api/analyses/nope/reviews", params={"review_ids": "demo:r1"})
    assert unknown.status_code == 404


async def test_the_new_parameters_are_in_the_openapi_document(api: tuple[httpx.AsyncClient, str]) -> None:
    client, _ = api
    doc = (await client.get("/openapi.json")).json()
    params = {p["name"] for p in doc["paths"]["/api/analyses/{job_id}/reviews"]["get"]["parameters"]}
    assert {"emotion", "review_ids"} <= params
