"""The metrics read from live objects or job events: stage durations, the SQL pool, dead letters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from highpipe.adapters.bus.kafka import KafkaBus
from highpipe.adapters.bus.memory import MemoryBus
from highpipe.adapters.store.sql import SqlStore
from highpipe.domain.events import TOPIC_DEAD_LETTER, Envelope
from highpipe.observability import Metrics, StageTimer
from highpipe.ports.bus import Message

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition text, by (name, sorted labels)."""
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def stage(job: str, name: str, state: str, at: datetime) -> Envelope:
    return Envelope(type="stage", job_id=job, ts=at, data={"stage": name, "state": state})


def test_stage_durations_from_started_and_finished_events() -> None:
    metrics = Metrics()
    events = [
        stage("j1", "collect", "started", T0),
        stage("j1", "analyze", "started", T0 + timedelta(seconds=2)),  # stages overlap
        Envelope(type="progress", job_id="j1", ts=T0, data={"pages": 1}),
        stage("j1", "collect", "finished", T0 + timedelta(seconds=30)),
        stage("j1", "analyze", "finished", T0 + timedelta(seconds=45)),
        stage("j2", "report", "finished", T0),  # its start went to another sink: not observed
    ]
    for event in events:
        metrics.observe_event(event)
    got = samples(metrics)
    count = "highpipe_job_stage_duration_seconds_count"
    total = "highpipe_job_stage_duration_seconds_sum"
    assert got[(count, (("stage", "collect"),))] == 1 and got[(total, (("stage", "collect"),))] == 30
    assert got[(total, (("stage", "analyze"),))] == 43
    assert (count, (("stage", "report"),)) not in got
    assert got[("highpipe_job_stage_duration_seconds_bucket", (("le", "30.0"), ("stage", "collect")))] == 1
    assert len(metrics.stages) == 0


def test_stage_timer_forgets_ended_jobs_and_stays_bounded() -> None:
    metrics = Metrics()
    timer = StageTimer(metrics.stage_duration)
    timer.observe(stage("j1", "collect", "started", T0))
    timer.observe(stage("j1", "analyze", "started", T0))
    timer.observe(Envelope(type="failed", job_id="j1", ts=T0, data={"reason": "x", "code": "y"}))
    assert len(timer) == 0
    assert timer.observe(stage("j1", "collect", "finished", T0 + timedelta(seconds=5))) is None
    for i in range(StageTimer.MAX_OPEN + 5):
        timer.observe(stage(f"job-{i}", "collect", "started", T0))
    assert len(timer) == StageTimer.MAX_OPEN
    assert timer.observe(stage("job-0", "collect", "finished", T0)) is None  # the oldest went first
    assert timer.observe(stage("job-9", "collect", "finished", T0 + timedelta(seconds=1))) == 1.0


async def test_memory_bus_counts_dead_letters_per_topic_and_group() -> None:
    bus = MemoryBus("memory://?partitions=2", max_attempts=2, backoff_s=0.001)
    metrics = Metrics()
    metrics.watch(bus=bus)
    await bus.start()
    try:

        async def broken(_: Message) -> None:
            raise ValueError("cannot handle this")

        async def fine(_: Message) -> None:
            return None

        await bus.subscribe("reviews.collected", "analyze", broken)
        await bus.subscribe("reviews.collected", "sink-lake", fine)
        for key in ("a", "b", "c"):
            await bus.publish("reviews.collected", key, {"job_id": key})
        await bus.drain(5)
    finally:
        await bus.stop()
    assert len(bus.topic_messages(TOPIC_DEAD_LETTER)) == 3
    got = samples(metrics)
    assert (
        got[("highpipe_bus_dead_letters_total", (("group", "analyze"), ("topic", "reviews.collected")))] == 3
    )
    assert (
        "highpipe_bus_dead_letters_total",
        (("group", "sink-lake"), ("topic", "reviews.collected")),
    ) not in got


async def test_kafka_bus_counts_what_it_parked() -> None:
    bus = KafkaBus("kafka://127.0.0.1:1")  # never started: only the counting wrapper runs
    parked: list[Message] = []

    async def dead_letter(msg: Message, exc: BaseException, attempts: int) -> None:
        parked.append(msg)

    bus._dead_letter = dead_letter  # type: ignore[method-assign]
    park = bus._counted_dead_letter("job.events", "sink-events")
    await park(Message("job.events", "k", {}), ValueError("x"), 3)
    await park(Message("job.events", "k", {}), ValueError("x"), 3)
    assert len(parked) == 2 and bus.dead_letters == {("job.events", "sink-events"): 2}

    async def refused(msg: Message, exc: BaseException, attempts: int) -> None:
        raise ConnectionError("broker away")

    bus._dead_letter = refused  # type: ignore[method-assign]
    try:
        await park(Message("job.events", "k", {}), ValueError("x"), 3)
    except ConnectionError:
        pass
    assert bus.dead_letters[("job.events", "sink-events")] == 2  # counted only once it is published


async def test_pool_gauges_follow_the_sql_pool(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite+aiosqlite:///{tmp_path}/pool.db", pool_size=4)
    metrics = Metrics()
    metrics.watch(store=store)
    assert ("highpipe_db_pool_max", ()) not in samples(metrics)  # not started: no figures, no error
    await store.start()
    try:
        async with store.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")
            during = samples(metrics)
        after = samples(metrics)
    finally:
        await store.stop()
    assert during[("highpipe_db_pool_connections", (("state", "in_use"),))] == 1
    assert during[("highpipe_db_pool_size", ())] == 4
    assert during[("highpipe_db_pool_max", ())] == 4 + 10  # SQLAlchemy's default max_overflow
    assert during[("highpipe_db_pool_overflow", ())] == 0
    assert after[("highpipe_db_pool_connections", (("state", "in_use"),))] == 0
    assert after[("highpipe_db_pool_connections", (("state", "idle"),))] >= 1
    assert ("highpipe_db_pool_max", ()) not in samples(metrics)  # stopped again


async def test_in_memory_store_has_no_pool_but_the_families_are_described() -> None:
    store = SqlStore("sqlite+aiosqlite://")
    metrics = Metrics()
    metrics.watch(store=store)
    await store.start()
    try:
        text = metrics.render().decode()
        got = samples(metrics)
    finally:
        await store.stop()
    assert "# TYPE highpipe_db_pool_connections gauge" in text
    assert "# TYPE highpipe_bus_dead_letters_total counter" in text
    assert not [name for name, _ in got if name.startswith(("highpipe_db_pool", "highpipe_bus_dead"))]
