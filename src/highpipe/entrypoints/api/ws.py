"""WS /ws/analyses/{id}?after=<seq>: the job's events in order, stored ones first, then live, none twice.

The live subscription is opened before the stored events are read, so nothing published in between is
lost; anything live with seq <= the last sent is skipped, and a gap (a dropped live message) is refilled
from the store. The socket closes after a final event (completed, failed, cancelled). After 15 s without
a live message the store is re-checked anyway; every 2 s while the cache is degraded (Redis away).

PostgreSQL away: a socket that cannot read the job at connect time is closed with 1013 ("try again later")
and a reason; once streaming, a failed re-check or gap refill is logged and the live events keep flowing
(a refill that could not be done leaves a gap the client can close later with `after=`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from highpipe.adapters.store.base import StoreUnavailable
from highpipe.bootstrap import Container
from highpipe.domain.events import Envelope
from highpipe.entrypoints.api.deps import ws_token_ok
from highpipe.services.events import live_channel

log = logging.getLogger(__name__)
router = APIRouter()
FINAL_TYPES = {"completed", "failed", "cancelled"}
CLOSE_UNKNOWN = 4404
CLOSE_UNAUTHORIZED = 4401
CLOSE_BAD_REQUEST = 4400
CLOSE_TRY_AGAIN = 1013
STORE_DOWN_REASON = "database unavailable, retry shortly / 데이터베이스에 잠시 연결할 수 없습니다"
RECHECK_S = 15.0
DEGRADED_RECHECK_S = 2.0


@router.websocket("/ws/analyses/{job_id}")
async def job_events(websocket: WebSocket, job_id: str) -> None:
    container: Container = websocket.app.state.container
    await websocket.accept()
    if not ws_token_ok(websocket, container):
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason="unauthorized: token required")
        return
    raw_after = websocket.query_params.get("after", "0")
    if not raw_after.isdigit():
        await websocket.close(code=CLOSE_BAD_REQUEST, reason="after must be a non-negative integer")
        return
    try:
        job = await container.store.get_job(job_id)
    except StoreUnavailable:
        await websocket.close(code=CLOSE_TRY_AGAIN, reason=STORE_DOWN_REASON)
        return
    if job is None:
        await websocket.close(code=CLOSE_UNKNOWN, reason="unknown analysis id")
        return
    container.metrics.ws_connections.inc()
    subscription = await container.cache.subscribe(live_channel(job_id))
    try:
        await _stream(websocket, container, job_id, int(raw_after), subscription)
    except WebSocketDisconnect:
        pass
    finally:
        container.metrics.ws_connections.dec()
        await subscription.close()


async def _stream(
    websocket: WebSocket, container: Container, job_id: str, after: int, subscription: Any
) -> None:
    last = after

    async def send_stored() -> bool:
        nonlocal last
        for event in await container.store.events_after(job_id, last):
            await websocket.send_json(event.to_wire())
            last = event.seq
            if event.type in FINAL_TYPES:
                return True
        return False

    async def recheck() -> bool:
        """send_stored() that survives a database outage (the live events keep flowing meanwhile)."""
        try:
            return await send_stored()
        except StoreUnavailable as exc:
            log.warning("ws %s: store re-check failed, streaming live only: %s", job_id, exc)
            return False

    try:
        if await send_stored():
            await websocket.close(code=1000)
            return
    except StoreUnavailable:
        await websocket.close(code=CLOSE_TRY_AGAIN, reason=STORE_DOWN_REASON)
        return
    live = aiter(subscription)
    # A receive task notices a client that goes away while no events flow.
    receiver = asyncio.create_task(_drain_client(websocket))
    next_msg: asyncio.Task[bytes] | None = None
    try:
        while True:
            if next_msg is None:  # never cancelled while pending: that would end the subscription
                next_msg = asyncio.create_task(anext(live))
            # While the cache is degraded (Redis away) live messages are lost: re-check the store often.
            quiet = DEGRADED_RECHECK_S if getattr(container.cache, "degraded", False) else RECHECK_S
            done, _ = await asyncio.wait(
                {next_msg, receiver}, timeout=quiet, return_when=asyncio.FIRST_COMPLETED
            )
            if receiver in done:
                return
            if not done:  # quiet for a while: re-check the store (covers a lost live message)
                if await recheck():
                    break
                continue
            event = Envelope.model_validate(json.loads(next_msg.result()))
            next_msg = None
            if event.seq <= last:
                continue
            if event.seq > last + 1 and await recheck():
                break
            if event.seq > last:
                await websocket.send_json(event.to_wire())
                last = event.seq
                if event.type in FINAL_TYPES:
                    break
        await websocket.close(code=1000)
    finally:
        for task in (receiver, next_msg):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                    await task


async def _drain_client(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
