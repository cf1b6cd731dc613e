"""OpenAI-compatible chat client over httpx (vLLM, llama.cpp, Ollama, OpenAI; no SDK).

URL: openai+http://HOST:PORT/v1?model=NAME&timeout=30&concurrency=4&retries=2&json_mode=json_schema
(`openai+https://` for hosted APIs; every option in `highpipe.adapters.llm.url`). The API key comes
from HIGHPIPE_LLM_API_KEY only and is never logged.

Limits and behaviour:
  - at most `concurrency` requests in flight from one client (an asyncio semaphore); the latency
    metric starts once a slot is taken, so queueing does not count as server time;
  - each attempt must finish within `timeout` seconds, streaming included;
  - timeouts, connection errors, 429 and 5xx are retried `retries` times with exponential backoff
    and jitter (a Retry-After header is honoured, up to 30 s), except a stream that already passed
    text to `on_delta` (the caller has seen it; a retry would repeat it);
  - other 4xx and unusable output raise at once (`LLMError` / `LLMBadOutput`);
  - with a JSON schema the answer is parsed and validated; a failure raises `LLMBadOutput`, so the
    caller falls back to the local engine.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from highpipe.adapters.llm.metrics import LLMMetrics, llm_metrics
from highpipe.adapters.llm.schema import SchemaError, validate
from highpipe.adapters.llm.url import LLMConfig, parse_llm_url
from highpipe.adapters.llm.wire import (
    DONE,
    Completion,
    add_chunk,
    decode_json,
    error_message,
    parse_response,
    parse_sse_line,
    request_body,
)
from highpipe.observability import Metrics
from highpipe.ports.llm import LLM, ChatMessage, ChatResult, LLMBadOutput, LLMError, LLMUnavailable

log = logging.getLogger("highpipe.llm")
MAX_RETRY_AFTER_S = 30.0
MAX_BACKOFF_S = 10.0
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class OpenAICompatibleLLM(LLM):
    def __init__(
        self,
        url: str,
        *,
        metrics: Metrics | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        env: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config: LLMConfig = parse_llm_url(url, env)
        self._metrics: LLMMetrics | None = llm_metrics(metrics.registry) if metrics else None
        self._transport = transport
        self._sleep = sleep
        self._client: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None
        self._model = self.config.model

    def __repr__(self) -> str:  # the key stays out of reprs and logs
        return f"OpenAICompatibleLLM({self.config.base_url!r}, model={self._model!r})"

    async def start(self) -> None:
        if self._client is not None:
            return
        headers = {"Accept": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        self._client = httpx.AsyncClient(
            base_url=self.config.base_url + "/",
            headers=headers,
            timeout=httpx.Timeout(self.config.timeout_s, connect=self.config.connect_timeout_s),
            transport=self._transport,
            trust_env=False,  # no proxy from the environment: the URL says where the model is
        )
        self._slots = asyncio.Semaphore(self.config.concurrency)

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def healthy(self) -> bool:
        try:
            response = await self._http().get("models", timeout=min(5.0, self.config.timeout_s))
        except (httpx.HTTPError, RuntimeError):
            return False
        return response.status_code == 200

    async def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        json_schema: Mapping[str, Any] | None = None,
        stream: bool = False,
        on_delta: Callable[[str], None] | None = None,
    ) -> ChatResult:
        if max_tokens < 1:  # some servers read 0 or less as "no limit" and fill the whole context
            raise ValueError("max_tokens must be at least 1")
        client = self._http()
        assert self._slots is not None
        async with self._slots:
            started = time.monotonic()
            try:
                model = await self._resolve_model(client)
                body = request_body(
                    model,
                    messages,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    json_schema=json_schema,
                    json_mode=self.config.json_mode,
                    stream=stream,
                )
                done = await self._with_retries(client, body, on_delta)
                parsed = _check_json(done, json_schema) if json_schema is not None else None
            except LLMError as exc:
                self._record_error(exc.code, time.monotonic() - started)
                raise
            latency = time.monotonic() - started
        return self._result(done, parsed, latency, model)

    # -- internals --------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("OpenAICompatibleLLM used before start()")
        return self._client

    async def _resolve_model(self, client: httpx.AsyncClient) -> str:
        """The URL's model, else the server's first (single-model servers need no name)."""
        if self._model:
            return self._model
        data = await self._with_retries(client, None, None)
        self._model = data.model
        return self._model

    async def _with_retries(
        self, client: httpx.AsyncClient, body: dict[str, Any] | None, on_delta: Callable[[str], None] | None
    ) -> Completion:
        sent: list[str] = []  # deltas already handed to on_delta (no retry after the first)

        def forward(delta: str) -> None:
            sent.append(delta)
            if on_delta is not None:
                on_delta(delta)

        attempt = 0
        while True:
            try:
                async with asyncio.timeout(self.config.timeout_s):
                    if body is None:
                        return await self._list_models(client)
                    if body["stream"]:
                        return await self._stream(client, body, forward)
                    return await self._post(client, body)
            except TimeoutError:
                error: LLMError = LLMUnavailable(
                    f"no complete answer within {self.config.timeout_s:g} s", code="timeout"
                )
                delay = None
            except httpx.TimeoutException:
                error, delay = LLMUnavailable("LLM request timed out", code="timeout"), None
            except httpx.ConnectError as exc:
                error, delay = LLMUnavailable(f"cannot reach the LLM ({exc})", code="connect"), None
            except httpx.TransportError as exc:  # the connection broke mid-request
                error, delay = (
                    LLMUnavailable(f"the LLM connection failed ({type(exc).__name__})", code="transport"),
                    None,
                )
            except _RetryableStatus as exc:
                error, delay = exc.error, exc.retry_after
            if attempt >= self.config.retries or sent:
                raise error
            attempt += 1
            wait = delay if delay is not None else self._backoff(attempt)
            log.warning("llm: %s; retry %d/%d in %.2fs", error.code, attempt, self.config.retries, wait)
            await self._sleep(wait)

    def _backoff(self, attempt: int) -> float:
        base = self.config.backoff_s * 2 ** (attempt - 1)
        return float(min(MAX_BACKOFF_S, base * (0.5 + random.random())))

    async def _post(self, client: httpx.AsyncClient, body: dict[str, Any]) -> Completion:
        response = await client.post("chat/completions", json=body)
        _raise_for_status(response.status_code, response.headers, response.content)
        try:
            data = response.json()
        except ValueError:
            raise LLMError("chat completion is not JSON", code="protocol") from None
        return parse_response(data)

    async def _stream(
        self, client: httpx.AsyncClient, body: dict[str, Any], forward: Callable[[str], None]
    ) -> Completion:
        done = Completion()
        async with client.stream("POST", "chat/completions", json=body) as response:
            if response.status_code != 200:
                _raise_for_status(response.status_code, response.headers, await response.aread())
            async for line in response.aiter_lines():
                chunk = parse_sse_line(line)
                if chunk is DONE:
                    break
                if chunk is not None and (delta := add_chunk(done, chunk)):
                    forward(delta)
        done.text = "".join(done.pieces)
        return done

    async def _list_models(self, client: httpx.AsyncClient) -> Completion:
        response = await client.get("models")
        _raise_for_status(response.status_code, response.headers, response.content)
        try:
            first = response.json()["data"][0]["id"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError("no model in the URL and GET /models lists none", code="no_model") from None
        return Completion(model=str(first))

    def _result(self, done: Completion, parsed: Any, latency: float, model: str) -> ChatResult:
        reported = done.prompt_tokens is not None and done.completion_tokens is not None
        # Without a usage block, one streamed delta is about one token (llama.cpp, vLLM stream per token).
        prompt = done.prompt_tokens or 0
        completion = done.completion_tokens if done.completion_tokens is not None else done.chunks
        if self._metrics is not None:
            self._metrics.tokens.labels(kind="prompt").inc(prompt)
            self._metrics.tokens.labels(kind="completion").inc(completion)
            self._metrics.seconds.observe(latency)
        log.debug("llm: %s %d+%d tokens in %.2fs", model, prompt, completion, latency)
        return ChatResult(
            text=done.text,
            parsed=parsed,
            prompt_tokens=prompt,
            completion_tokens=completion,
            latency_s=latency,
            model=done.model or model,
            finish_reason=done.finish_reason,
            chunks=done.chunks,
            usage_reported=reported,
        )

    def _record_error(self, code: str, latency: float) -> None:
        log.warning("llm: call failed (%s)", code)
        if self._metrics is not None:
            self._metrics.errors.labels(code=code).inc()
            self._metrics.seconds.observe(latency)


class _RetryableStatus(Exception):
    def __init__(self, error: LLMError, retry_after: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _raise_for_status(status: int, headers: httpx.Headers, body: bytes) -> None:
    if status == 200:
        return
    message = f"LLM server answered {status}: {error_message(body)}"
    if status in _RETRY_STATUS:
        raise _RetryableStatus(LLMUnavailable(message, code=f"http_{status}"), _retry_after(headers))
    raise LLMError(message, code=f"http_{status}")


def _retry_after(headers: httpx.Headers) -> float | None:
    try:
        value = float(headers.get("retry-after", ""))
    except ValueError:
        return None  # absent, or an HTTP date: use the normal backoff
    return max(0.0, min(MAX_RETRY_AFTER_S, value))


def _check_json(done: Completion, schema: Mapping[str, Any]) -> Any:
    value = decode_json(done.text, done.finish_reason)
    try:
        validate(value, schema)
    except SchemaError as exc:
        raise LLMBadOutput(f"output does not match the schema: {exc}", code="schema") from None
    return value
