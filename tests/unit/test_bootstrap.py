"""The composition root: backends chosen by URL scheme, unknown schemes named clearly, nothing built eagerly."""

from __future__ import annotations

import pytest

from highpipe.adapters import registry
from highpipe.adapters.bus.memory import MemoryBus
from highpipe.adapters.cache.memory import MemoryCache
from highpipe.adapters.lake.buffered import BufferedLake
from highpipe.adapters.lake.parquet import FileLake
from highpipe.adapters.store.sql import SqlStore
from highpipe.bootstrap import bootstrap
from highpipe.config import Settings


def test_embedded_defaults() -> None:
    container = bootstrap(Settings(database_url="sqlite+aiosqlite://", lake_url="lake"))
    assert isinstance(container.bus, MemoryBus)
    assert isinstance(container.store, SqlStore)
    assert isinstance(container.cache, MemoryCache)
    assert isinstance(container.lake, BufferedLake) and isinstance(container.lake.inner, FileLake)
    assert container.llm is None
    assert container._analyzer is None, "the analyzer loads lazily, on first use"


def test_lake_batching_can_be_turned_off_and_s3_is_a_lake_scheme() -> None:
    plain = bootstrap(Settings(database_url="sqlite+aiosqlite://", lake_url="lake", lake_flush_rows=0))
    assert isinstance(plain.lake, FileLake)
    from highpipe.adapters import registry
    from highpipe.adapters.lake.s3 import S3Lake

    assert registry.load_class("lake", "s3://bucket/prefix?endpoint=http://127.0.0.1:1") is S3Lake


def test_llm_is_built_from_its_url() -> None:
    from highpipe.adapters.llm.openai import OpenAICompatibleLLM

    container = bootstrap(
        Settings(
            database_url="sqlite+aiosqlite://", lake_url="", llm_url="openai+http://127.0.0.1:9/v1?model=m"
        )
    )
    assert isinstance(container.llm, OpenAICompatibleLLM)
    assert container.lake is None


def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(registry.UnknownBackend) as err:
        bootstrap(Settings(bus_url="rabbitmq://x"))
    assert (
        "HIGHPIPE_BUS_URL" in str(err.value)
        and "kafka://" in str(err.value)
        and "memory://" in str(err.value)
    )
    with pytest.raises(registry.UnknownBackend):
        registry.load_class("cache", "not-a-url")


def test_settings_validate_with_a_message() -> None:
    with pytest.raises(ValueError, match="HIGHPIPE_DATABASE_URL"):
        Settings(database_url="highpipe.db")
    assert Settings(allow_hosts="a.example, 127.0.0.1:8001").allow_hosts == ["a.example", "127.0.0.1:8001"]  # type: ignore[arg-type]
