"""OpenAICompatibleLLM against a scripted server: protocol, retries, timeouts, streaming, accounting."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llm_fakes import FakeServer, NoSleep, completion, sse

from highpipe.adapters.llm.openai import OpenAICompatibleLLM
from highpipe.observability import Metrics
from highpipe.ports.llm import ChatMessage, LLMBadOutput, LLMError, LLMUnavailable

MESSAGES: list[ChatMessage] = [{"role": "user", "content": "안녕"}]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ok"],
    "properties": {"ok": {"type": "boolean"}, "note": {"type": "string", "maxLength": 10}},
}
MakeLLM = Callable[..., Any]


def ok(body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers=headers)


def metric(metrics: Metrics, name: str, labels: dict[str, str] | None = None) -> float:
    value = metrics.registry.get_sample_value(name, labels or {})
    return 0.0 if value is None else float(value)


async def test_chat_sends_openai_request_and_returns_text_and_usage(
    server: FakeServer, make_llm: MakeLLM
) -> None:
    server.replies = [ok(completion("네, 안녕하세요", prompt=11, completion_tokens=5))]
    llm = await make_llm()
    result = await llm.chat(MESSAGES, max_tokens=20, temperature=0.3)
    assert (result.text, result.prompt_tokens, result.completion_tokens) == ("네, 안녕하세요", 11, 5)
    assert result.finish_reason == "stop" and result.usage_reported and result.parsed is None
    assert result.latency_s >= 0
    request = server.requests[0]
    assert request.method == "POST" and request.url.path == "/v1/chat/completions"
    body = json.loads(request.content)
    assert body == {
        "model": "test-model",
        "messages": [{"role": "user", "content": "안녕"}],
        "max_tokens": 20,
        "temperature": 0.3,
        "stream": False,
    }
    assert "authorization" not in request.headers


async def test_api_key_comes_from_env_as_bearer_and_stays_out_of_repr(
    server: FakeServer, make_llm: MakeLLM
) -> None:
    server.replies = [ok(completion("x"))]
    llm = await make_llm(env={"HIGHPIPE_LLM_API_KEY": "sk-secret-123"})
    await llm.chat(MESSAGES, max_tokens=5, temperature=0)
    assert server.requests[0].headers["authorization"] == "Bearer sk-secret-123"
    assert "sk-secret" not in repr(llm) and "sk-secret" not in repr(llm.config)


async def test_metrics_count_tokens_latency_and_errors_once_per_registry(
    server: FakeServer, make_llm: MakeLLM
) -> None:
    metrics = Metrics()
    server.replies = [ok(completion("a", prompt=10, completion_tokens=4)), httpx.Response(400, json={})]
    first = await make_llm(metrics=metrics)
    second = await make_llm(metrics=metrics)  # same registry: no duplicate registration
    await first.chat(MESSAGES, max_tokens=5, temperature=0)
    with pytest.raises(LLMError):
        await second.chat(MESSAGES, max_tokens=5, temperature=0)
    assert metric(metrics, "highpipe_llm_tokens_total", {"kind": "prompt"}) == 10
    assert metric(metrics, "highpipe_llm_tokens_total", {"kind": "completion"}) == 4
    assert metric(metrics, "highpipe_llm_request_seconds_count") == 2
    assert metric(metrics, "highpipe_llm_errors_total", {"code": "http_400"}) == 1
    assert b"highpipe_llm_tokens_total" in metrics.render()


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried_with_backoff(
    server: FakeServer, make_llm: MakeLLM, no_sleep: NoSleep, status: int
) -> None:
    server.replies = [httpx.Response(status, json={"error": {"message": "busy"}}), ok(completion("done"))]
    llm = await make_llm("model=m&retries=2&backoff=0.5")
    result = await llm.chat(MESSAGES, max_tokens=5, temperature=0)
    assert result.text == "done" and len(server.requests) == 2
    assert len(no_sleep.delays) == 1 and 0.25 <= no_sleep.delays[0] <= 0.75


async def test_backoff_doubles_and_retry_after_is_honoured(
    server: FakeServer, make_llm: MakeLLM, no_sleep: NoSleep
) -> None:
    server.replies = [
        httpx.Response(503),
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "3"}),
        ok(completion("x")),
    ]
    llm = await make_llm("model=m&retries=3&backoff=1")
    await llm.chat(MESSAGES, max_tokens=5, temperature=0)
    assert 0.5 <= no_sleep.delays[0] <= 1.5 and 1.0 <= no_sleep.delays[1] <= 3.0
    assert no_sleep.delays[2] == 3.0


async def test_retries_exhausted_raise_unavailable_with_the_last_code(
    server: FakeServer, make_llm: MakeLLM
) -> None:
    metrics = Metrics()
    server.replies = [httpx.Response(503), httpx.Response(500, json={"error": {"message": "boom"}})]
    llm = await make_llm("model=m&retries=1", metrics=metrics)
    with pytest.raises(LLMUnavailable, match="500: boom") as caught:
        await llm.chat(MESSAGES, max_tokens=5, temperature=0)
    assert caught.value.code == "http_500" and len(server.requests) == 2
    assert metric(metrics, "highpipe_llm_errors_total", {"code": "http_500"}) == 1


async def test_client_errors_are_not_retried(server: FakeServer, make_llm: MakeLLM) -> None:
    server.replies = [httpx.Response(400, json={"error": {"message": "bad schema"}})]
    llm = await make_llm("model=m&retries=3")
    with pytest.raises(LLMError, match="bad schema") as caught:
        await llm.chat(MESSAGES, max_tokens=5, temperature=0)
    assert not isinstance(caught.value, LLMUnavailable) and len(server.requests) == 1


async def test_transport_timeouts_and_connect_errors_are_retried(
    server: FakeServer, make_llm: MakeLLM
) -> None:
    server.replies = [
        httpx.ReadTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed"),
        ok(completion("x")),
    ]
    llm = await make_llm("model=m&retries=3")
    assert (await llm.chat(MESSAGES, max_tokens=5, temperature=0)).text == "x"
    server.replies = [httpx.ConnectError("refused")] * 4
    with pytest.raises(LLMUnavailable) as caught:
        await llm.chat(MESSAGES, max_tokens=5, temperature=0)
    assert caught.value.code == "connect"


async def test_a_slow_server_hits_the_per_attempt_deadline(server: FakeServer, make_llm: MakeLLM) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        return ok(completion("late"))

    server.replies = [hang, hang]
    llm = await make_llm("model=m&timeout=0.05&retries=1")
    with pytest.raises(LLMUnavailable) as caught:
        await asyncio.wait_for(llm.chat(MESSAGES, max_tokens=5, temperature=0), 5)
    assert caught.value.code == "timeout" and len(server.requests) == 2


async def test_streaming_accumulates_deltas_and_reads_usage(server: FakeServer, make_llm: MakeLLM) -> None:
    body = sse(["배송", "이 ", "빨라요"], usage={"prompt_tokens": 9, "completion_tokens": 3})
    server.replies = [httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})]
    llm = await make_llm()
    seen: list[str] = []
    result = await llm.chat(MESSAGES, max_tokens=20, temperature=0, stream=True, on_delta=seen.append)
    assert seen == ["배송", "이 ", "빨라요"] and result.text == "배송이 빨라요"
    assert (result.chunks, result.prompt_tokens, result.completion_tokens) == (3, 9, 3)
    assert result.usage_reported and result.finish_reason == "stop"
    sent = server.bodies()[0]
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


async def test_streaming_without_usage_estimates_one_token_per_delta(
    server: FakeServer, make_llm: MakeLLM
) -> None:
    server.replies = [httpx.Response(200, content=sse(["a", "b", "c", "d"]))]
    llm = await make_llm()
    result = await llm.chat(MESSAGES, max_tokens=20, temperature=0, stream=True)
    assert result.text == "abcd" and result.completion_tokens == 4 and not result.usage_reported


async def test_stream_error_before_any_text_is_retried_but_not_after(
    server: FakeServer, make_llm: MakeLLM
) -> None:
    server.replies = [httpx.Response(503), httpx.Response(200, content=sse(["ok"]))]
    llm = await make_llm("model=m&retries=2")
    assert (await llm.chat(MESSAGES, max_tokens=5, temperature=0, stream=True)).text == "ok"

    broken = sse(["half"]).replace(b"data: [DONE]", b'data: {"error": {"message": "oom"}}')
    server.replies = [httpx.Response(200, content=broken), httpx.Response(200, content=sse(["again"]))]
    with pytest.raises(LLMError, match="oom"):
        await llm.chat(MESSAGES, max_tokens=5, temperature=0, stream=True, on_delta=lambda _: None)
    assert len(server.replies) == 1  # the text already reached the caller: no second attempt


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("llamacpp", {"type": "json_object", "schema": SCHEMA}),
        (
            "json_schema",
            {"type": "json_schema", "json_schema": {"name": "answer", "schema": SCHEMA, "strict": True}},
        ),
    ],
)
async def test_json_modes_send_the_schema_and_parse_the_answer(
    server: FakeServer, make_llm: MakeLLM, mode: str, expected: dict[str, Any]
) -> None:
    server.replies = [ok(completion('{"ok": true, "note": "좋음"}'))]
    llm = await make_llm(f"model=m&json_mode={mode}")
    result = await llm.chat(MESSAGES, max_tokens=40, temperature=0, json_schema=SCHEMA)
    assert result.parsed == {"ok": True, "note": "좋음"}
    assert server.bodies()[0]["response_format"] == expected


async def test_json_in_a_markdown_fence_is_accepted(server: FakeServer, make_llm: MakeLLM) -> None:
    server.replies = [ok(completion('```json\n{"ok": false}\n```'))]
    llm = await make_llm()
    assert (await llm.chat(MESSAGES, max_tokens=40, temperature=0, json_schema=SCHEMA)).parsed == {
        "ok": False
    }


@pytest.mark.parametrize(
    ("text", "finish", "code"),
    [
        ("not json at all", "stop", "bad_json"),
        ('{"ok": tr', "length", "length"),
        ('{"ok": "yes"}', "stop", "schema"),
        ('{"ok": true, "extra": 1}', "stop", "schema"),
        ('{"ok": true, "note": "far too long here"}', "stop", "schema"),
    ],
)
async def test_unusable_json_raises_bad_output(
    server: FakeServer, make_llm: MakeLLM, text: str, finish: str, code: str
) -> None:
    metrics = Metrics()
    server.replies = [ok(completion(text, finish=finish))]
    llm = await make_llm(metrics=metrics)
    with pytest.raises(LLMBadOutput) as caught:
        await llm.chat(MESSAGES, max_tokens=40, temperature=0, json_schema=SCHEMA)
    assert caught.value.code == code
    assert metric(metrics, "highpipe_llm_errors_total", {"code": code}) == 1


async def test_concurrency_is_bounded(server: FakeServer, make_llm: MakeLLM) -> None:
    in_flight = peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return ok(completion("x"))

    server.replies = [slow] * 7
    llm = await make_llm("model=m&concurrency=2")
    results = await asyncio.gather(*(llm.chat(MESSAGES, max_tokens=5, temperature=0) for _ in range(7)))
    assert len(results) == 7 and peak == 2


async def test_model_is_discovered_from_the_server_when_not_in_the_url(
    server: FakeServer, make_llm: MakeLLM
) -> None:
    server.replies = [ok({"object": "list", "data": [{"id": "served-model"}]}), ok(completion("x"))]
    llm = await make_llm("timeout=5")
    await llm.chat(MESSAGES, max_tokens=5, temperature=0)
    assert server.requests[0].url.path == "/v1/models"
    assert server.bodies()[0]["model"] == "served-model"


async def test_healthy_reflects_the_models_endpoint(server: FakeServer, make_llm: MakeLLM) -> None:
    server.replies = [ok({"data": []}), httpx.Response(503), httpx.ConnectError("down")]
    llm = await make_llm()
    assert [await llm.healthy() for _ in range(3)] == [True, False, False]


async def test_use_before_start_is_an_error() -> None:
    llm = OpenAICompatibleLLM("openai+http://127.0.0.1:9/v1?model=m", env={})
    with pytest.raises(RuntimeError, match="start"):
        await llm.chat(MESSAGES, max_tokens=5, temperature=0)


async def test_max_tokens_below_one_is_refused_before_any_request(
    server: FakeServer, make_llm: MakeLLM
) -> None:
    llm = await make_llm()
    with pytest.raises(ValueError, match="max_tokens"):
        await llm.chat(MESSAGES, max_tokens=0, temperature=0)
    assert server.requests == []


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(200, content=b"<html>proxy error</html>"),
        httpx.Response(200, json={"choices": []}),
        httpx.Response(200, content=b"data: {not json\n\n", headers={"content-type": "text/event-stream"}),
    ],
)
async def test_malformed_answers_are_protocol_errors_and_not_retried(
    server: FakeServer, make_llm: MakeLLM, reply: httpx.Response
) -> None:
    server.replies = [reply]
    llm = await make_llm("model=m&retries=2")
    stream = reply.headers.get("content-type") == "text/event-stream"
    with pytest.raises(LLMError) as caught:
        await llm.chat(MESSAGES, max_tokens=5, temperature=0, stream=stream)
    assert caught.value.code == "protocol" and len(server.requests) == 1
