"""WS /ws/analyses/{id}?after=<seq>: the job's events in order, stored ones first, then live, none twice.

The live subscription is opened before the stored events are read, so nothing published in between is
lost; anything live with seq <= the last sent is skipped, and a gap (a dropped live message) is refilled
from the store. The socket closes after a final event (completed, failed, cancelled). After 15 s without
a live message the store is re-checked anyway; every 2 s while the cache is degraded (Redis away).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from highpipe.bootstrap import Container
from highpipe.domain.events import Envelope
from highpipe.entrypoints.api.deps import ws_token_ok
from highpipe.services.events import live_channel

router = APIRouter()
FINAL_TYPES = {"completed", "failed", "cancelled"}
CLOSE_UNKNOWN = 4404
CLOSE_UNAUTHORIZED = 4401
CLOSE_BAD_REQUEST = 4400
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
    if await container.store.get_job(job_id) is None:
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

    if await send_stored():
        await websocket.close(code=1000)
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
                if await send_stored():
                    break
                continue
            event = Envelope.model_validate(json.loads(next_msg.result()))
            next_msg = None
            if event.seq <= last:
                continue
            if event.seq > last + 1 and await send_stored():
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
