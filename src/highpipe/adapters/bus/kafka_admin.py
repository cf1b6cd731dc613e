"""Kafka housekeeping for tests and benchmarks: drop the topics a run created under its own prefix.

Runs against the `kafka://` bus namespace a run used (`?prefix=...`), so that repeated benchmark and
cluster-test runs do not pile topics up on the broker. `bootstrap` is `host:port`.
"""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient  # type: ignore[import-untyped,unused-ignore]


async def delete_topics(bootstrap: str, prefix: str) -> list[str]:
    """Delete every topic whose name starts with `prefix`; the names deleted."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if ours:
            await admin.delete_topics(ours, timeout_ms=15_000)
        return ours
    finally:
        await admin.close()
