"""A redelivered `reviews.analyzed` batch (at-least-once bus) stores its analyses again but counts them once:
the job's `analyzed` counter (which the progress events report) never exceeds the reviews analysed."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from tests.fakes import KeywordAnalyzer

from highpipe.bootstrap import bootstrap
from highpipe.domain.events import TOPIC_ANALYZED, ReviewsAnalyzed, utcnow
from highpipe.domain.models import Job, Review
from highpipe.ports.bus import Message
from highpipe.services.sink import SinkService


async def test_a_redelivered_analysed_batch_counts_once(tmp_path: Path) -> None:
    container = bootstrap(make_settings(tmp_path, 8000), analyzer=KeywordAnalyzer())
    await container.start(roles=())
    try:
        store = container.store
        now = utcnow()
        job = Job(
            job_id="job-redeliver",
            kind="url",
            source="https://shop.example/p/1",
            status="queued",
            created_at=now,
            updated_at=now,
        )
        await store.create_job(job)
        reviews = [
            Review(review_uid=f"demo:r{i}", product_id="demo:1", site="demo", text=t)
            for i, t in enumerate(["배송 빨라요", "사이즈가 작아요", "가격이 좋아요"])
        ]
        await store.upsert_reviews(job.job_id, reviews)
        sink = SinkService(store, container.cache, None, container.emitter, "http://127.0.0.1:8000")
        batch = ReviewsAnalyzed(job_id=job.job_id, batch=0, analyses=KeywordAnalyzer().analyze(reviews[:2]))
        message = Message(topic=TOPIC_ANALYZED, key=job.job_id, value=batch.model_dump(mode="json"))
        await sink.handle_analyzed(message)
        await sink.handle_analyzed(message)  # the bus delivers it again after a crash before the commit
        stored = await store.get_job(job.job_id)
        assert stored is not None and stored.analyzed == 2
        rest = ReviewsAnalyzed(job_id=job.job_id, batch=1, analyses=KeywordAnalyzer().analyze(reviews[2:]))
        await sink.handle_analyzed(Message(TOPIC_ANALYZED, job.job_id, rest.model_dump(mode="json")))
        stored = await store.get_job(job.job_id)
        assert stored is not None and stored.analyzed == 3
    finally:
        await container.stop()
