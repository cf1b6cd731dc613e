"""The Alertmanager webhook receiver and the alert list: validation, merge by fingerprint, expiry, the
shared-secret check, and that two api replicas sharing one cache show the same alerts."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from highpipe.adapters.cache.memory import MemoryCache
from highpipe.bootstrap import bootstrap
from highpipe.config import Settings
from highpipe.entrypoints.api import alerts
from highpipe.entrypoints.api.alerts import MAX_ALERTS, AlertOut, merge
from highpipe.ports.cache import Cache

HOOK = "/api/alerts/alertmanager"
T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


class WebhookSettings(Settings):
    """Settings with the webhook secret the lead adds to config.py (HIGHPIPE_ALERTS_WEBHOOK_TOKEN)."""

    alerts_webhook_token: str = ""


def am_alert(
    name: str, status: str = "firing", *, starts: datetime = T0, ends: datetime | None = None, fp: str = ""
) -> dict[str, Any]:
    """One alert as Alertmanager 0.25 writes it (endsAt is year 1 while it fires)."""
    return {
        "status": status,
        "labels": {"alertname": name, "severity": "warning", "team": "highpipe", "job": "highpipe-api"},
        "annotations": {
            "summary": f"{name} 요약 / {name} summary",
            "description": "what happened",
            "runbook": "docs/observability.md#highpipetargetdown",
        },
        "startsAt": starts.isoformat().replace("+00:00", "Z"),
        "endsAt": (ends.isoformat().replace("+00:00", "Z") if ends else "0001-01-01T00:00:00Z"),
        "generatorURL": "http://127.0.0.1:9090/graph?g0.expr=up",
        "fingerprint": fp or hashlib.sha256(name.encode()).hexdigest()[:16],
    }


def payload(*items: dict[str, Any], status: str = "firing") -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="x"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "highpipe",
        "groupLabels": {"alertname": "x"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://127.0.0.1:9093",
        "alerts": list(items),
    }


AppFactory = Callable[..., FastAPI]


@pytest.fixture
async def make_app() -> AsyncIterator[AppFactory]:
    caches: list[Cache] = []

    def make(settings: Settings | None = None, cache: Cache | None = None) -> FastAPI:
        container = bootstrap(
            settings or Settings(database_url="sqlite+aiosqlite://", lake_url=""),
            cache=cache or MemoryCache(),
        )
        caches.append(container.cache)
        app = FastAPI()
        app.state.container = container
        app.include_router(alerts.router)
        return app

    yield make
    for cache in caches:
        await cache.stop()


async def started(app: FastAPI) -> httpx.AsyncClient:
    await app.state.container.cache.start()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


async def test_firing_then_resolved(make_app: AppFactory) -> None:
    async with await started(make_app()) as client:
        sent = await client.post(
            HOOK, json=payload(am_alert("HighPipeTargetDown", fp="a1"), am_alert("B", fp="b2"))
        )
        assert sent.status_code == 200, sent.text
        assert sent.json() == {"accepted": 2, "firing": 2, "resolved": 0}
        listed = (await client.get("/api/alerts")).json()
        assert (listed["firing"], listed["resolved"]) == (2, 0)
        first = next(a for a in listed["alerts"] if a["fingerprint"] == "a1")
        assert first["name"] == "HighPipeTargetDown" and first["severity"] == "warning"
        assert first["summary"].endswith("HighPipeTargetDown summary")
        assert first["ends_at"] is None  # Alertmanager's year-1 "no end" is not a date to show

        ended = T0 + timedelta(minutes=5)
        resolved = am_alert("HighPipeTargetDown", "resolved", ends=ended, fp="a1")
        await client.post(HOOK, json=payload(resolved, status="resolved"))
        listed = (await client.get("/api/alerts")).json()
        assert (listed["firing"], listed["resolved"]) == (1, 1)
        assert [a["fingerprint"] for a in listed["alerts"]] == ["b2", "a1"]  # firing first
        assert listed["alerts"][1]["status"] == "resolved"
        assert listed["alerts"][1]["ends_at"].startswith("2026-11-26T10:05")
        only = (await client.get("/api/alerts", params={"status": "resolved"})).json()
        assert [a["fingerprint"] for a in only["alerts"]] == ["a1"]


async def test_a_late_firing_notification_does_not_undo_a_resolution(make_app: AppFactory) -> None:
    async with await started(make_app()) as client:
        resolved = am_alert("A", "resolved", ends=T0 + timedelta(minutes=1), fp="aa")
        await client.post(HOOK, json=payload(resolved, status="resolved"))
        await client.post(HOOK, json=payload(am_alert("A", fp="aa")))  # the retried older one
        assert (await client.get("/api/alerts")).json()["alerts"][0]["status"] == "resolved"
        # A new episode (a later startsAt) of the same alert fires again.
        await client.post(HOOK, json=payload(am_alert("A", starts=T0 + timedelta(hours=1), fp="aa")))
        assert (await client.get("/api/alerts")).json()["alerts"][0]["status"] == "firing"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**payload(am_alert("A")), "version": "3"}, "version"),
        ({k: v for k, v in payload().items() if k != "alerts"}, "alerts"),
        (payload({**am_alert("A"), "status": "pending"}), "status"),
        (payload({**am_alert("A"), "startsAt": "yesterday"}), "startsAt"),
        (payload({**am_alert("A"), "fingerprint": "../../x"}), "fingerprint"),
    ],
)
async def test_invalid_payloads_are_refused(make_app: AppFactory, body: dict[str, Any], field: str) -> None:
    async with await started(make_app()) as client:
        answer = await client.post(HOOK, json=body)
        assert answer.status_code == 422
        assert any(field in map(str, e["loc"]) for e in answer.json()["detail"]), answer.text
        assert (await client.get("/api/alerts")).json()["alerts"] == []


async def test_not_json_and_too_large(make_app: AppFactory) -> None:
    async with await started(make_app()) as client:
        assert (await client.post(HOOK, content=b"not json")).status_code == 422
        big = json.dumps(payload(am_alert("A"))).encode() + b" " * (1024 * 1024)
        assert (await client.post(HOOK, content=big)).status_code == 413


async def test_webhook_secret(make_app: AppFactory) -> None:
    settings = WebhookSettings(database_url="sqlite+aiosqlite://", lake_url="", alerts_webhook_token="s3cret")
    async with await started(make_app(settings)) as client:
        body = payload(am_alert("A"))
        assert (await client.post(HOOK, json=body)).status_code == 401
        wrong = {"authorization": "Bearer nope"}
        assert (await client.post(HOOK, json=body, headers=wrong)).status_code == 401
        right = {"authorization": "Bearer s3cret"}
        assert (await client.post(HOOK, json=body, headers=right)).status_code == 200
        assert (await client.get("/api/alerts")).json()["firing"] == 1  # no API token: reads are open


async def test_api_token_guards_both_when_no_webhook_secret(make_app: AppFactory) -> None:
    settings = Settings(database_url="sqlite+aiosqlite://", lake_url="", api_token="tok")
    async with await started(make_app(settings)) as client:
        assert (await client.post(HOOK, json=payload(am_alert("A")))).status_code == 401
        auth = {"authorization": "Bearer tok"}
        assert (await client.post(HOOK, json=payload(am_alert("A")), headers=auth)).status_code == 200
        assert (await client.get("/api/alerts")).status_code == 401
        assert (await client.get("/api/alerts", headers=auth)).json()["firing"] == 1


async def test_replicas_sharing_a_cache_show_the_same_alerts(make_app: AppFactory) -> None:
    shared = MemoryCache()
    receiving, showing = make_app(cache=shared), make_app(cache=shared)
    async with await started(receiving) as a, await started(showing) as b:
        await a.post(HOOK, json=payload(am_alert("HighPipeJobStuck", fp="cc")))
        assert [x["name"] for x in (await b.get("/api/alerts")).json()["alerts"]] == ["HighPipeJobStuck"]


def _alert(fp: str, status: str, received: datetime, ends: datetime | None = None) -> AlertOut:
    return AlertOut(
        fingerprint=fp,
        status=status,  # type: ignore[arg-type]
        name=fp,
        labels={"alertname": fp},
        annotations={},
        starts_at=received - timedelta(minutes=1),
        ends_at=ends,
        received_at=received,
    )


def test_merge_expires_old_alerts_and_keeps_firing_ones_under_the_cap() -> None:
    now = T0 + timedelta(days=2)
    current = {
        "old-resolved": _alert("old-resolved", "resolved", T0, ends=T0),
        "recent-resolved": _alert("recent-resolved", "resolved", now - timedelta(hours=1), ends=now),
        "stale-firing": _alert("stale-firing", "firing", now - timedelta(hours=25)),
        "live-firing": _alert("live-firing", "firing", now - timedelta(minutes=5)),
    }
    assert set(merge(current, [], now)) == {"recent-resolved", "live-firing"}

    many = {
        f"r{i}": _alert(f"r{i}", "resolved", now - timedelta(minutes=i), ends=now) for i in range(MAX_ALERTS)
    }
    firing = [_alert(f"f{i}", "firing", now) for i in range(10)]
    kept = merge(many, firing, now)
    assert len(kept) == MAX_ALERTS
    assert {f"f{i}" for i in range(10)} <= set(kept)
    # the oldest resolved ones made room
    assert f"r{MAX_ALERTS - 1}" not in kept and "r0" in kept


class _SlowReads(MemoryCache):
    """A shared cache whose reads of the alert document yield to other tasks, so that two replicas'
    read-modify-writes interleave (its `incr` stays atomic, as Redis's is)."""

    async def get(self, key: str) -> bytes | None:
        value = await super().get(key)
        if key == alerts.CACHE_KEY:
            await asyncio.sleep(0.01)
        return value


async def test_two_replicas_receiving_at_once_both_keep_their_alerts() -> None:
    shared = _SlowReads()
    await shared.start()
    try:
        # Two replicas: each has its own process lock; only the cache mutex orders them.
        replicas = [alerts.AlertStore(shared), alerts.AlertStore(shared)]
        batches = [[_alert(f"r{i}a{j}", "firing", T0) for j in range(3)] for i in range(2)]
        await asyncio.gather(*(r.receive(b, T0) for r, b in zip(replicas, batches, strict=True)))
        kept = await replicas[0].load()
        assert sorted(kept) == sorted(a.fingerprint for b in batches for a in b)
        assert await shared.get(alerts.MUTEX_KEY) is None  # released
    finally:
        await shared.stop()


async def test_a_mutex_left_by_a_dead_replica_delays_but_never_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(alerts, "MUTEX_WAIT_S", 0.2)
    cache = MemoryCache()
    await cache.start()
    try:
        await cache.incr(alerts.MUTEX_KEY, 60.0)  # held by a replica that died mid-write
        store = alerts.AlertStore(cache)
        await asyncio.wait_for(store.receive([_alert("late", "firing", T0)], T0), timeout=5)
        assert list(await store.load()) == ["late"]
    finally:
        await cache.stop()
