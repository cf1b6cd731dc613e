"""Fakes for the LLM unit tests: a scripted OpenAI-compatible server on httpx.MockTransport.

No socket is opened: every request goes to the handler, which records it and answers from a script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


def completion(
    text: str, *, prompt: int = 7, completion_tokens: int = 3, finish: str = "stop", usage: bool = True
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "c1",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
    }
    if usage:
        body["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        }
    return body


def sse(pieces: list[str], *, usage: dict[str, int] | None = None, finish: str = "stop") -> bytes:
    """An SSE body as servers send it: role chunk, one chunk per piece, finish chunk, usage, [DONE]."""
    lines = [": keep-alive", ""]
    first = {"model": "test-model", "choices": [{"index": 0, "delta": {"role": "assistant"}}]}
    lines += [f"data: {json.dumps(first)}", ""]
    for piece in pieces:
        chunk = {"model": "test-model", "choices": [{"index": 0, "delta": {"content": piece}}]}
        lines += [f"data: {json.dumps(chunk, ensure_ascii=False)}", ""]
    end = {"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
    lines += [f"data: {json.dumps(end)}", ""]
    if usage is not None:
        lines += [f"data: {json.dumps({'choices': [], 'usage': usage})}", ""]
    lines += ["data: [DONE]", ""]
    return "\n".join(lines).encode()


@dataclass
class FakeServer:
    """Answers each request with the next scripted reply (a Response, an exception, or a callable)."""

    replies: list[Any] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.method == "POST"]

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.host == "127.0.0.1", "unit tests talk to the mock only"
        if not self.replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        reply = self.replies.pop(0)
        if callable(reply):
            reply = await reply(request)
        if isinstance(reply, Exception):
            raise reply
        assert isinstance(reply, httpx.Response)
        return reply

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


class NoSleep:
    """Records backoff delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
