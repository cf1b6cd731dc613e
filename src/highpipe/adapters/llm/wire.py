"""The OpenAI chat-completions wire format: request bodies, responses and the SSE stream.

Pure functions (no I/O) shared by the client, so the parsing is testable on its own.
Streaming: the server sends `data: {json}` lines separated by blank lines and ends with
`data: [DONE]`; each chunk's `choices[0].delta.content` is a piece of the text, and a final chunk
may carry `usage` (OpenAI and vLLM send it when asked with `stream_options.include_usage`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from highpipe.adapters.llm.url import JsonMode
from highpipe.ports.llm import ChatMessage, LLMBadOutput, LLMError

DONE = object()
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def request_body(
    model: str,
    messages: Sequence[ChatMessage],
    *,
    max_tokens: int,
    temperature: float,
    json_schema: Mapping[str, Any] | None,
    json_mode: JsonMode,
    stream: bool,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
        "max_tokens": max_tokens,
        "temperature": temperature,
        "stream": stream,
    }
    if stream:
        body["stream_options"] = {"include_usage": True}
    if json_schema is not None:
        if json_mode == "llamacpp":
            body["response_format"] = {"type": "json_object", "schema": dict(json_schema)}
        else:
            name = str(json_schema.get("title") or "answer")
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64],
                    "schema": dict(json_schema),
                    "strict": True,
                },
            }
    return body


@dataclass(slots=True)
class Completion:
    """What a response (or an accumulated stream) said."""

    text: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    model: str = ""
    chunks: int = 0
    pieces: list[str] = field(default_factory=list)


def parse_response(data: Any) -> Completion:
    """A non-streamed chat completion."""
    try:
        choice = data["choices"][0]
        content = choice["message"].get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError):
        raise LLMError("malformed chat completion (no choices[0].message)", code="protocol") from None
    done = Completion(
        text=str(content), finish_reason=choice.get("finish_reason"), model=str(data.get("model", ""))
    )
    _read_usage(done, data.get("usage"))
    return done


def parse_sse_line(line: str) -> Any:
    """The JSON payload of one SSE line, DONE at the end marker, None for lines to skip."""
    if not line.startswith("data:"):
        return None  # blank separators, `: keep-alive` comments, event:/id: fields
    payload = line[5:].strip()
    if not payload:
        return None
    if payload == "[DONE]":
        return DONE
    try:
        return json.loads(payload)
    except json.JSONDecodeError:
        raise LLMError("malformed SSE chunk (not JSON)", code="protocol") from None


def add_chunk(done: Completion, chunk: Any) -> str:
    """Fold one stream chunk into `done`; the text delta it carried ("" if none)."""
    if not isinstance(chunk, dict):
        raise LLMError("malformed SSE chunk", code="protocol")
    if "error" in chunk:
        raise LLMError(f"server error in stream: {_error_message(chunk)}", code="stream_error")
    done.model = done.model or str(chunk.get("model", ""))
    _read_usage(done, chunk.get("usage"))
    choices = chunk.get("choices") or []
    if not choices:
        return ""
    choice = choices[0]
    if choice.get("finish_reason"):
        done.finish_reason = choice["finish_reason"]
    delta = (choice.get("delta") or {}).get("content") or ""
    if delta:
        done.pieces.append(delta)
        done.chunks += 1
    return str(delta)


def decode_json(text: str, finish_reason: str | None) -> Any:
    """The JSON value in a completion; tolerates a markdown fence around it (some servers add one)."""
    fenced = _FENCE.match(text)
    candidate = fenced.group(1) if fenced else text.strip()
    try:
        return json.loads(candidate)
    except json.JSONDecodeError as exc:
        if finish_reason == "length":
            raise LLMBadOutput("JSON cut off by max_tokens", code="length") from None
        raise LLMBadOutput(f"output is not JSON ({exc.msg} at {exc.pos})", code="bad_json") from None


def _read_usage(done: Completion, usage: Any) -> None:
    if isinstance(usage, dict):
        if isinstance(usage.get("prompt_tokens"), int):
            done.prompt_tokens = usage["prompt_tokens"]
        if isinstance(usage.get("completion_tokens"), int):
            done.completion_tokens = usage["completion_tokens"]


def _error_message(data: Any) -> str:
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", error))[:300]
    return str(error or data)[:300]


def error_message(body: bytes) -> str:
    """A short reason from an error response body (JSON `error.message`, else the text)."""
    try:
        return _error_message(json.loads(body))
    except (ValueError, UnicodeDecodeError):
        return body[:300].decode("utf-8", "replace")
