"""The LLM port: chat completions from an OpenAI-compatible server, optionally schema-constrained.

The LLM is optional everywhere in HighPipe: every caller must have a local fallback and treat any
`LLMError` (including bad or unparsable output) as "no answer". Messages are plain dicts with
`role` ("system" | "user" | "assistant") and `content`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class ChatResult:
    text: str
    parsed: Any = None
    """The decoded JSON value when a `json_schema` was given (validated against it), else None."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    model: str = ""
    finish_reason: str | None = None
    chunks: int = 0
    """Content deltas received when streaming (0 for a non-streamed call)."""
    usage_reported: bool = True
    """False when the server sent no usage block and the token counts are estimates."""


class LLMError(Exception):
    """Any failure of an LLM call; `code` is a short machine label (also the metric label)."""

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class LLMUnavailable(LLMError):
    """The server could not be reached or kept failing (timeouts, 429, 5xx) after the retries."""


class LLMBadOutput(LLMError):
    """The server answered, but the answer is not usable (not JSON, does not match the schema, cut off)."""


class LLM(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
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
        """One completion. With `json_schema`, the output is constrained to it and parsed into
        `ChatResult.parsed`, or `LLMBadOutput` is raised. With `stream`, deltas are accumulated
        (and passed to `on_delta` as they arrive); the result is the same shape."""

    async def healthy(self) -> bool:
        return True


def json_char_budget(schema: Mapping[str, Any]) -> int:
    """Worst-case length in characters of a JSON value matching a *bounded* schema.

    Used to set `max_tokens` so that schema-constrained output always closes. Raises ValueError for
    an unbounded schema (a string without maxLength or enum, an array without maxItems), because
    such a schema cannot guarantee that the JSON closes within any token budget.
    """
    if "enum" in schema:
        return max(len(_dump(v)) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if "maxLength" not in schema:
            raise ValueError("unbounded schema: string without maxLength")
        # Escapes can double a character; quotes add two.
        return 2 * int(schema["maxLength"]) + 2
    if kind in ("integer", "number"):
        return 24
    if kind == "boolean":
        return 5
    if kind == "null":
        return 4
    if kind == "array":
        if "maxItems" not in schema:
            raise ValueError("unbounded schema: array without maxItems")
        item = json_char_budget(schema.get("items", {"type": "null"}))
        return 2 + int(schema["maxItems"]) * (item + 2)
    if kind == "object":
        props: Mapping[str, Mapping[str, Any]] = schema.get("properties", {})
        if schema.get("additionalProperties", True) is not False:
            raise ValueError("unbounded schema: object without additionalProperties: false")
        return 2 + sum(len(name) + 4 + json_char_budget(sub) for name, sub in props.items())
    raise ValueError(f"unsupported schema type {kind!r}")


def json_token_budget(schema: Mapping[str, Any], *, chars_per_token: float = 1.0, slack: int = 32) -> int:
    """`max_tokens` for a bounded schema: its worst-case characters / `chars_per_token`, plus slack
    for whitespace the grammar allows. 1 char per token is pessimistic for English and about right
    for Korean syllables in the usual multilingual vocabularies."""
    return int(json_char_budget(schema) / chars_per_token) + slack


def _dump(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
