"""Emitting job events: every event goes through the `job.events` topic, keyed by job id.

The sink's recorder makes each event durable (assigning `seq`) and fans it out to live viewers,
so events emitted by any worker of any process reach the browser in one order, none twice.
"""

from __future__ import annotations

from pydantic import BaseModel

from highpipe.domain.events import TOPIC_EVENTS, Envelope
from highpipe.ports.bus import Bus


def live_channel(job_id: str) -> str:
    return f"job-events:{job_id}"


class Emitter:
    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def emit(self, job_id: str, data: BaseModel) -> Envelope:
        envelope = Envelope.make(job_id, data)
        await self._bus.publish(TOPIC_EVENTS, job_id, envelope.model_dump(mode="json"))
        return envelope
