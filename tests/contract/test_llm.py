"""Contract tests of the LLM client against a real OpenAI-compatible server on loopback.

The server is the one of `make llm-up` (llama.cpp serving Gemma 3 270M, a tiny *base* model), found
through HIGHPIPE_TEST_LLM_URL. Its answers are meaningless, so only structure is asserted: text and
token counts, streamed chunks, schema-constrained JSON that parses and matches, the concurrency bound.
Skipped when the variable is unset, except under CI=true, where a missing server is a failure.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from highpipe.adapters.llm.openai import OpenAICompatibleLLM
from highpipe.adapters.llm.schema import validate
from highpipe.analysis.llm_summary import llm_extract_aspects, llm_summary
from highpipe.analysis.stats import share, wilson_interval
from highpipe.domain.models import AspectMention, EmotionCard, Quote, Report, SummarySentence
from highpipe.domain.vocab import ASPECT_BY_ID
from highpipe.observability import Metrics
from highpipe.ports.llm import ChatMessage, LLMError, json_token_budget

URL_ENV = "HIGHPIPE_TEST_LLM_URL"
HELLO: list[ChatMessage] = [
    {"role": "user", "content": "배송이 빠르고 포장도 꼼꼼해요. 한 줄로 요약해 주세요."}
]
# Longer than the test server's 2,048-token context: refused with 400 context_length_exceeded.
TOO_LONG: list[ChatMessage] = [{"role": "user", "content": "가 " * 3000}]


def llm_url(**options: str) -> str:
    url = os.environ.get(URL_ENV, "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{URL_ENV} is not set: start the test LLM server with `make llm-up` (make test does it)"
            )
        pytest.skip(f"{URL_ENV} is not set (run `make llm-up` and export it to run these tests)")
    parts = urlsplit(url)
    assert parts.hostname in ("127.0.0.1", "localhost", "::1"), "contract tests talk to loopback only"
    query = dict(parse_qsl(parts.query)) | options
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
async def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
async def llm(metrics: Metrics) -> AsyncIterator[OpenAICompatibleLLM]:
    client = OpenAICompatibleLLM(llm_url(), metrics=metrics, env={})
    await client.start()
    yield client
    await client.stop()


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    return float(metrics.registry.get_sample_value(name, labels) or 0.0)


async def test_server_is_healthy(llm: OpenAICompatibleLLM) -> None:
    assert await llm.healthy()


async def test_chat_returns_text_and_usage(llm: OpenAICompatibleLLM, metrics: Metrics) -> None:
    result = await llm.chat(HELLO, max_tokens=12, temperature=0.0)
    assert result.text.strip()
    assert result.prompt_tokens > 0 and 0 < result.completion_tokens <= 12 and result.usage_reported
    assert result.finish_reason in ("stop", "length") and result.latency_s > 0
    assert sample(metrics, "highpipe_llm_tokens_total", kind="prompt") == result.prompt_tokens
    assert sample(metrics, "highpipe_llm_tokens_total", kind="completion") == result.completion_tokens
    assert sample(metrics, "highpipe_llm_request_seconds_count") == 1


async def test_streaming_yields_chunks_that_add_up(llm: OpenAICompatibleLLM) -> None:
    seen: list[str] = []
    result = await llm.chat(HELLO, max_tokens=12, temperature=0.0, stream=True, on_delta=seen.append)
    assert len(seen) >= 2 and result.chunks == len(seen)
    assert result.text == "".join(seen) and result.text.strip()
    assert 0 < result.completion_tokens <= 12


SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["polarity", "stars", "keywords"],
    "properties": {
        "polarity": {"type": "string", "enum": ["positive", "negative", "neutral"]},
        "stars": {"type": "integer", "minimum": 1, "maximum": 5},
        "keywords": {"type": "array", "maxItems": 1, "items": {"type": "string", "maxLength": 6}},
    },
}


async def test_schema_constrained_json_parses_and_matches(llm: OpenAICompatibleLLM) -> None:
    result = await llm.chat(HELLO, max_tokens=json_token_budget(SCHEMA), temperature=0.0, json_schema=SCHEMA)
    assert isinstance(result.parsed, dict)
    validate(result.parsed, SCHEMA)  # the client checked it too; the grammar made it so
    assert result.finish_reason == "stop"


async def test_streamed_json_is_parsed_as_well(llm: OpenAICompatibleLLM) -> None:
    result = await llm.chat(
        HELLO, max_tokens=json_token_budget(SCHEMA), temperature=0.0, json_schema=SCHEMA, stream=True
    )
    assert result.chunks > 1
    validate(result.parsed, SCHEMA)


class Counting(httpx.AsyncHTTPTransport):
    """A real loopback transport that counts requests and the most in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = self.in_flight = self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await super().handle_async_request(request)
        finally:
            self.in_flight -= 1


async def test_concurrency_is_bounded_against_the_real_server() -> None:
    transport = Counting()
    client = OpenAICompatibleLLM(llm_url(concurrency="2"), transport=transport, env={})
    await client.start()
    try:
        results = await asyncio.gather(*(client.chat(HELLO, max_tokens=4, temperature=0.0) for _ in range(4)))
    finally:
        await client.stop()
    assert transport.peak == 2 and transport.requests == 4
    assert all(r.completion_tokens > 0 for r in results)


async def test_a_rejected_request_raises_without_retrying(metrics: Metrics) -> None:
    transport = Counting()
    client = OpenAICompatibleLLM(llm_url(retries="3"), metrics=metrics, transport=transport, env={})
    await client.start()
    try:
        with pytest.raises(LLMError) as caught:
            await client.chat(TOO_LONG, max_tokens=4, temperature=0.0)
    finally:
        await client.stop()
    assert caught.value.code == "http_400" and "context" in str(caught.value)
    assert transport.requests == 1
    assert sample(metrics, "highpipe_llm_errors_total", code=caught.value.code) == 1


def _card(aspect_id: str, positive: int, negative: int) -> EmotionCard:
    uids = [f"{aspect_id}-{i}" for i in range(positive + negative)]
    label = ASPECT_BY_ID[aspect_id].ko
    return EmotionCard(
        card_id=f"aspect:{aspect_id}",
        kind="aspect",
        aspect_id=aspect_id,
        label=label,
        mentions=len(uids),
        positive=positive,
        negative=negative,
        neutral=0,
        positive_share=share(positive, len(uids)),
        negative_share=share(negative, len(uids)),
        positive_ci=wilson_interval(positive, len(uids)),
        top_phrases=[f"{label} 좋음"],
        quotes=[Quote(review_uid=uids[0], text=f"{label} 마음에 들어요", polarity="positive")],
        review_uids=uids,
    )


async def test_summary_is_grounded_in_the_cards(llm: OpenAICompatibleLLM) -> None:
    cards = [_card("delivery", 8, 2), _card("size", 3, 4)]
    report = Report(
        job_id="j",
        product=None,
        generated_at=datetime.now(UTC),
        total_reviews=17,
        analyzed_reviews=17,
        score=64.7,
        sentiment_counts={"positive": 11, "negative": 6, "neutral": 0},
        sentiment_shares={"positive": 11 / 17, "negative": 6 / 17, "neutral": 0.0},
        rating_distribution={},
        average_rating=None,
        aspects=[],
        emotions={},
        trend=[],
        cards=cards,
        summary=[],
    )
    # Whether the tiny model's sentences survive the grounding checks or the extractive summary is
    # used instead, the result has the same guarantees.
    sentences = await llm_summary(llm, report, max_sentences=1)
    assert sentences and all(isinstance(s, SummarySentence) for s in sentences)
    by_id = {c.card_id: c for c in cards}
    for sentence in sentences:
        assert sentence.card_ids and set(sentence.card_ids) <= set(by_id)
        evidence = {uid for card_id in sentence.card_ids for uid in by_id[card_id].review_uids}
        assert sentence.review_uids and set(sentence.review_uids) <= evidence


async def test_extraction_returns_vocabulary_mentions_in_the_reviews_words(llm: OpenAICompatibleLLM) -> None:
    review = "배송은 빠른데 사이즈가 작아요"
    mentions = await llm_extract_aspects(llm, review, max_mentions=1)
    assert len(mentions) <= 1
    assert all(isinstance(m, AspectMention) and m.aspect_id in ASPECT_BY_ID for m in mentions)
    assert all("".join(m.clause.split()) in "".join(review.split()) for m in mentions)
