"""Helpers for the integration tests: submit, watch the WebSocket, wait for a final state."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from websockets.asyncio.client import connect

FINAL = {"completed", "failed", "cancelled"}


async def demo_url(client: httpx.AsyncClient, product_id: str) -> str:
    resp = await client.get("/api/demo/products")
    resp.raise_for_status()
    for product in resp.json():
        if product["id"] == product_id:
            return str(product["url"])
    return str(client.base_url).rstrip("/") + f"/demo/products/{product_id}"


async def submit(client: httpx.AsyncClient, url: str, **extra: Any) -> str:
    resp = await client.post("/api/analyses", json={"url": url, **extra})
    assert resp.status_code == 202, resp.text
    return str(resp.json()["id"])


async def watch(
    ws_base: str, job_id: str, after: int = 0, limit: int | None = None, timeout: float = 120
) -> list[dict[str, Any]]:
    """Events from the WebSocket until a final one (or `limit` events)."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout), connect(f"{ws_base}/ws/analyses/{job_id}?after={after}") as ws:
        async for raw in ws:
            event = json.loads(raw)
            events.append(event)
            if event["type"] in FINAL or (limit is not None and len(events) >= limit):
                break
    return events


async def wait_final(client: httpx.AsyncClient, job_id: str, timeout: float = 120) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            resp = await client.get(f"/api/analyses/{job_id}")
            body: dict[str, Any] = resp.json()
            if body["job"]["status"] in FINAL:
                return body
            await asyncio.sleep(0.1)
