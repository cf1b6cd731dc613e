"""Fixtures of the LLM unit tests (the fakes themselves are in llm_fakes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from llm_fakes import FakeServer, NoSleep


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def no_sleep() -> NoSleep:
    return NoSleep()


@pytest.fixture
async def make_llm(server: FakeServer, no_sleep: NoSleep) -> AsyncIterator[Callable[..., Any]]:
    """Build started clients on the fake server (model given, no API key); closed after the test."""
    from highpipe.adapters.llm.openai import OpenAICompatibleLLM

    started: list[OpenAICompatibleLLM] = []

    async def make(query: str = "model=test-model", **kwargs: Any) -> OpenAICompatibleLLM:
        kwargs.setdefault("env", {})
        llm = OpenAICompatibleLLM(
            f"openai+http://127.0.0.1:9/v1?{query}", transport=server.transport(), sleep=no_sleep, **kwargs
        )
        await llm.start()
        started.append(llm)
        return llm

    yield make
    for llm in started:
        await llm.stop()
