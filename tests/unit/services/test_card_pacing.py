"""Live card pacing: card updates go out every `card_interval_s` early in a job and less often as it grows,
so a big job does not store thousands of card events; the final batch always sends every changed card."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from tests.fakes import KeywordAnalyzer

from highpipe.adapters.store.sql import SqlStore
from highpipe.domain.events import TOPIC_EVENTS, ReviewsCollected, utcnow
from highpipe.domain.models import Job, Review
from highpipe.ports.bus import Message
from highpipe.services import analyze as analyze_module
from highpipe.services.analyze import AnalyzeService
from highpipe.services.events import Emitter


class RecordingBus:
    """Just what AnalyzeService and the Emitter use of a bus: publish, recorded."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any]]] = []

    async def publish(self, topic: str, key: str, value: dict[str, Any]) -> None:
        self.published.append((topic, value))

    def card_events(self) -> int:
        return sum(1 for topic, v in self.published if topic == TOPIC_EVENTS and v["type"] == "card")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _run(batches: int, per_batch: int, step_s: float, monkeypatch: pytest.MonkeyPatch) -> int:
    clock = Clock()
    monkeypatch.setattr(analyze_module.time, "monotonic", clock)
    store = SqlStore("sqlite+aiosqlite://")
    await store.start()
    bus = RecordingBus()
    service = AnalyzeService(
        store,
        bus,
        Emitter(bus),
        KeywordAnalyzer(),
        card_interval_s=0.3,
        card_reviews_per_s=1_000,  # type: ignore[arg-type]
    )
    now = utcnow()
    job = Job(job_id=str(uuid.uuid4()), kind="url", source="https://shop.example/p/1", status="queued",
              created_at=now, updated_at=now)  # fmt: skip
    await store.create_job(job)
    await store.transition_job(job.job_id, "running")
    texts = ["배송 빨라요", "사이즈 작아요", "가격 좋아요", "배송 늦어요, 가격 최고"]
    for b in range(batches):
        reviews = [
            Review(review_uid=f"r{b}-{i}", product_id="demo:1", site="demo", text=texts[(b + i) % len(texts)])
            for i in range(per_batch)
        ]
        msg = ReviewsCollected(job_id=job.job_id, batch=b, reviews=reviews, final=b == batches - 1)
        await service.handle(
            Message(topic="reviews.collected", key=job.job_id, value=msg.model_dump(mode="json"))
        )
        clock.now += step_s
    await store.stop()
    return bus.card_events()


async def test_card_updates_thin_out_as_the_job_grows(monkeypatch: pytest.MonkeyPatch) -> None:
    # 40 batches of 100 reviews, 0.5 s apart: at a fixed 0.3 s every batch would send its changed cards
    # (3 aspect cards x 40). With the interval growing 1 s per 1,000 reviews, far fewer updates go out.
    paced = await _run(batches=40, per_batch=100, step_s=0.5, monkeypatch=monkeypatch)
    assert 3 * 6 <= paced <= 3 * 16, paced


async def test_small_jobs_keep_the_fast_cadence_and_the_final_cards(monkeypatch: pytest.MonkeyPatch) -> None:
    # 10 batches of 20 reviews (200 seen at most: the interval stays 0.3 s), 0.5 s apart: every batch sends.
    small = await _run(batches=10, per_batch=20, step_s=0.5, monkeypatch=monkeypatch)
    assert small == 3 * 10
