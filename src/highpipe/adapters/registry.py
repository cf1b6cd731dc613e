"""Backend registries: each port maps a URL scheme to "module:Class", imported only when chosen.

Drivers are optional: an unknown scheme fails with a message that lists the known ones.
"""

from __future__ import annotations

import importlib
from typing import Any, Final
from urllib.parse import urlsplit

BUS: Final[dict[str, str]] = {
    "memory": "highpipe.adapters.bus.memory:MemoryBus",
    "kafka": "highpipe.adapters.bus.kafka:KafkaBus",
}
STORE: Final[dict[str, str]] = {
    "sqlite+aiosqlite": "highpipe.adapters.store.sql:SqlStore",
    "postgresql+asyncpg": "highpipe.adapters.store.sql:SqlStore",
}
CACHE: Final[dict[str, str]] = {
    "memory": "highpipe.adapters.cache.memory:MemoryCache",
    "redis": "highpipe.adapters.cache.redis:RedisCache",
}
LAKE: Final[dict[str, str]] = {
    "file": "highpipe.adapters.lake.parquet:FileLake",
    "s3": "highpipe.adapters.lake.s3:S3Lake",
}

LLM: Final[dict[str, str]] = {
    "openai+http": "highpipe.adapters.llm.openai:OpenAICompatibleLLM",
    "openai+https": "highpipe.adapters.llm.openai:OpenAICompatibleLLM",
}

PORTS: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "bus": ("HIGHPIPE_BUS_URL", BUS),
    "store": ("HIGHPIPE_DATABASE_URL", STORE),
    "cache": ("HIGHPIPE_CACHE_URL", CACHE),
    "lake": ("HIGHPIPE_LAKE_URL", LAKE),
    "llm": ("HIGHPIPE_LLM_URL", LLM),
}


class UnknownBackend(ValueError):
    pass


def scheme_of(url: str, *, default: str | None = None) -> str:
    if "://" not in url:
        if default is None:
            raise UnknownBackend(f"{url!r} is not a URL (expected scheme://...)")
        return default
    return urlsplit(url).scheme.lower()


def load_class(port: str, url: str) -> type[Any]:
    """The backend class for `url` on `port` (bus, store, cache, lake)."""
    env, registry = PORTS[port]
    scheme = scheme_of(url, default="file" if port == "lake" else None)
    target = registry.get(scheme)
    if target is None:
        known = ", ".join(f"{s}://" for s in sorted(registry))
        raise UnknownBackend(f"{env}: unknown scheme {scheme!r} in {url!r}; known schemes: {known}")
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:  # a driver extra that is not installed
        raise UnknownBackend(
            f"{env}: the {scheme}:// backend needs a driver that is not installed ({exc})"
        ) from exc
    cls: type[Any] = getattr(module, class_name)
    return cls


def create(port: str, url: str, **kwargs: Any) -> Any:
    return load_class(port, url)(url, **kwargs)
