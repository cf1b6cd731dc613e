"""/api/watchlist and /api/analyses/{id}/fail through an in-process ASGI client on a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.conftest import make_settings
from tests.fakes import KeywordAnalyzer

from highpipe.bootstrap import Container, bootstrap
from highpipe.domain.models import Job, Report
from highpipe.entrypoints.api import watchlist
from highpipe.entrypoints.api.app import create_app

URL = "https://shop.example/products/1"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _app(container: Container) -> FastAPI:
    app = create_app(container, roles=())
    if not any(getattr(r, "path", "") == "/api/watchlist" for r in app.routes):  # until app.py includes it
        app.include_router(watchlist.router)
        app.include_router(watchlist.fail_router)
    return app


@pytest.fixture
async def api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    monkeypatch.setenv("HIGHPIPE_WEB_DIST", str(tmp_path / "no-web-build"))
    container = bootstrap(make_settings(tmp_path, 8000), analyzer=KeywordAnalyzer())
    app = _app(container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            yield client, container


def _report(job_id: str, positive: int, negative: int, neutral: int = 0) -> Report:
    total = positive + negative + neutral
    counts = {"positive": positive, "negative": negative, "neutral": neutral}
    return Report.model_validate(
        {
            "job_id": job_id,
            "product": None,
            "generated_at": T0,
            "total_reviews": total,
            "analyzed_reviews": total,
            "score": None,
            "sentiment_counts": counts,
            "sentiment_shares": {k: v / total if total else 0.0 for k, v in counts.items()},
            "rating_distribution": {},
            "average_rating": None,
            "aspects": [],
            "emotions": {},
            "trend": [],
            "cards": [],
            "summary": [],
        }
    )


@pytest.fixture
def finished_job(api: tuple[httpx.AsyncClient, Container]) -> Callable[..., Any]:
    """Store a URL job and, unless told otherwise, complete it with a report of the given sentiment counts."""
    _, container = api

    async def make(url: str, positive: int, negative: int, *, complete: bool = True) -> str:
        job = await container.jobs.start_url(url)
        if complete:
            assert await container.store.transition_job(job.job_id, "running")
            assert await container.store.transition_job(job.job_id, "completed")
            await container.store.save_report(_report(job.job_id, positive, negative))
        return job.job_id

    return make


async def test_add_list_get_and_remove(api: tuple[httpx.AsyncClient, Container]) -> None:
    client, _ = api
    created = await client.post("/api/watchlist", json={"url": URL, "label": " 이어폰 "})
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["url"] == URL and item["label"] == "이어폰" and item["last_job_id"] is None
    assert created.headers["location"] == f"/api/watchlist/{item['id']}"
    other = (await client.post("/api/watchlist", json={"url": "https://shop.example/products/2"})).json()

    listed = (await client.get("/api/watchlist")).json()
    assert [i["id"] for i in listed] == [item["id"], other["id"]]  # oldest first
    assert (await client.get(f"/api/watchlist/{item['id']}")).json() == item
    assert [i["id"] for i in (await client.get("/api/watchlist", params={"offset": 1})).json()] == [
        other["id"]
    ]

    assert (await client.delete(f"/api/watchlist/{item['id']}")).status_code == 204
    gone = await client.get(f"/api/watchlist/{item['id']}")
    assert gone.status_code == 404 and "관심 목록" in gone.json()["detail"]
    assert (await client.delete(f"/api/watchlist/{item['id']}")).status_code == 404
    assert [i["id"] for i in (await client.get("/api/watchlist")).json()] == [other["id"]]


async def test_the_same_product_url_is_tracked_once(api: tuple[httpx.AsyncClient, Container]) -> None:
    client, _ = api
    first = (await client.post("/api/watchlist", json={"url": URL})).json()
    # host case and the fragment do not make another product
    again = await client.post("/api/watchlist", json={"url": "https://SHOP.example/products/1#reviews"})
    assert again.status_code == 409
    assert again.json()["item"]["id"] == first["id"] and "이미" in again.json()["detail"]
    assert len((await client.get("/api/watchlist")).json()) == 1


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"not json", "JSON"),
        (b'{"label": "x"}', "url"),
        (b'{"url": "ftp://shop.example/p"}', "http"),
        (b'{"url": "https://shop.example/p", "label": "' + b"x" * 201 + b'"}', "label"),
        (b'{"url": "https://shop.example/p", "owner": "me"}', "owner"),
    ],
)
async def test_bad_bodies_get_a_clear_422(
    api: tuple[httpx.AsyncClient, Container], body: bytes, needle: str
) -> None:
    client, _ = api
    answer = await client.post("/api/watchlist", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and " / " in detail and needle in detail  # Korean / English sentence


async def test_refreshes_compare_with_the_previous_analysis_and_alert_on_a_sharp_rise(
    api: tuple[httpx.AsyncClient, Container], finished_job: Callable[..., Any]
) -> None:
    client, _ = api
    item = (await client.post("/api/watchlist", json={"url": URL, "label": "이어폰"})).json()
    path = f"/api/watchlist/{item['id']}/refreshes"

    first_job = await finished_job(URL, 45, 5)  # 10 % negative of 50
    first = (await client.post(path, json={"job_id": first_job})).json()
    assert first["alert"] is None and first["repeated"] is False
    assert first["negative_share"] == pytest.approx(0.10) and first["reviews"] == 50
    assert first["item"]["last_job_id"] == first_job and first["item"]["last_reviews"] == 50

    second_job = await finished_job(URL, 35, 15)  # 30 % negative: +20 percentage points
    second = await client.post(path, json={"job_id": second_job})
    assert second.status_code == 200, second.text
    alert = second.json()["alert"]
    assert alert["rise_pp"] == pytest.approx(20.0)
    assert (alert["previous_job_id"], alert["job_id"]) == (first_job, second_job)
    assert (alert["previous_share"], alert["share"], alert["label"]) == (0.1, 0.3, "이어폰")
    stored = (await client.get(f"/api/watchlist/{item['id']}")).json()
    assert stored["last_alert"] == alert and stored["last_negative_share"] == pytest.approx(0.3)

    # a retried task records nothing new and answers the same alert
    repeated = (await client.post(path, json={"job_id": second_job})).json()
    assert repeated["repeated"] is True and repeated["alert"] == alert
    assert (await client.get(f"/api/watchlist/{item['id']}")).json() == stored

    # a further small rise raises none, and clears the item's last alert
    third = (await client.post(path, json={"job_id": await finished_job(URL, 32, 18)})).json()
    assert third["alert"] is None and third["item"]["last_alert"] is None


async def test_no_alert_on_too_few_reviews(
    api: tuple[httpx.AsyncClient, Container], finished_job: Callable[..., Any]
) -> None:
    client, _ = api
    item = (await client.post("/api/watchlist", json={"url": URL})).json()
    path = f"/api/watchlist/{item['id']}/refreshes"
    await client.post(path, json={"job_id": await finished_job(URL, 10, 0)})
    # 0 % -> 100 % negative, but 19 reviews: too noisy to alert on
    result = (await client.post(path, json={"job_id": await finished_job(URL, 0, 19)})).json()
    assert result["negative_share"] == 1.0 and result["alert"] is None


async def test_a_refresh_may_bring_its_own_thresholds(
    api: tuple[httpx.AsyncClient, Container], finished_job: Callable[..., Any]
) -> None:
    client, _ = api
    item = (await client.post("/api/watchlist", json={"url": URL})).json()
    path = f"/api/watchlist/{item['id']}/refreshes"
    await client.post(path, json={"job_id": await finished_job(URL, 9, 1)})
    second = await finished_job(URL, 8, 2)  # +10 pp on 10 reviews: no alert by default ...
    body = {"job_id": second, "rise_pp": 10, "min_reviews": 10}
    alert = (await client.post(path, json=body)).json()["alert"]  # ... but by these thresholds
    assert alert is not None and alert["rise_pp"] == pytest.approx(10.0)
    bad = await client.post(path, json={"job_id": second, "rise_pp": 0})
    assert bad.status_code == 422 and "rise_pp" in bad.json()["detail"]


async def test_refreshes_refuse_what_is_not_a_completed_analysis_of_the_item(
    api: tuple[httpx.AsyncClient, Container], finished_job: Callable[..., Any]
) -> None:
    client, _ = api
    item = (await client.post("/api/watchlist", json={"url": URL})).json()
    path = f"/api/watchlist/{item['id']}/refreshes"
    running = await finished_job(URL, 0, 0, complete=False)
    answer = await client.post(path, json={"job_id": running})
    assert answer.status_code == 409 and "queued" in answer.json()["detail"]
    other = await finished_job("https://shop.example/products/2", 5, 5)
    assert (await client.post(path, json={"job_id": other})).status_code == 409
    assert (await client.post(path, json={"job_id": "no-such-job"})).status_code == 404
    assert (await client.post(path, json={})).status_code == 422
    done = await finished_job(URL, 5, 5)
    assert (await client.post("/api/watchlist/nope/refreshes", json={"job_id": done})).status_code == 404
    assert (await client.get(f"/api/watchlist/{item['id']}")).json()["last_job_id"] is None


async def test_fail_marks_a_running_analysis_failed_with_the_reason(
    api: tuple[httpx.AsyncClient, Container], finished_job: Callable[..., Any]
) -> None:
    client, container = api
    job_id = await finished_job(URL, 0, 0, complete=False)
    reason = "수집이 60초 안에 끝나지 않았습니다 / Collection did not finish within 60 s."
    answer = await client.post(f"/api/analyses/{job_id}/fail", json={"reason": reason, "code": "timeout"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "failed"
    job = Job.model_validate((await client.get(f"/api/analyses/{job_id}")).json()["job"])
    assert (job.status, job.failure_reason, job.failure_code) == ("failed", reason, "timeout")
    again = await client.post(f"/api/analyses/{job_id}/fail", json={"reason": reason})
    assert again.status_code == 409 and "failed" in again.json()["detail"]
    assert (await client.post("/api/analyses/nope/fail", json={"reason": reason})).status_code == 404
    bad = await client.post(f"/api/analyses/{job_id}/fail", json={"reason": reason, "code": "Time Out"})
    assert bad.status_code == 422
    assert (await container.store.get_job(job_id)) == job


async def test_a_token_guards_every_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIGHPIPE_WEB_DIST", str(tmp_path / "no-web-build"))
    container = bootstrap(make_settings(tmp_path, 8000, api_token="s3cret"), analyzer=KeywordAnalyzer())
    app = _app(container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            assert (await client.get("/api/watchlist")).status_code == 401
            assert (await client.post("/api/watchlist", json={"url": URL})).status_code == 401
            assert (await client.post("/api/analyses/x/fail", json={"reason": "r"})).status_code == 401
            auth = {"Authorization": "Bearer s3cret"}
            assert (await client.post("/api/watchlist", json={"url": URL}, headers=auth)).status_code == 201
