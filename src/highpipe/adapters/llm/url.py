"""Parse an LLM URL into client settings.

Format: openai+http://HOST:PORT/PATH?model=NAME&timeout=30&concurrency=4&retries=2&json_mode=json_schema
        openai+https://... for hosted APIs.
  PATH         the API root that holds /chat/completions (usually /v1)
  model        model name sent with each request; if absent, the first id of GET /models
  timeout      seconds per attempt, whole response included (default 30; streaming too)
  connect_timeout  seconds to connect (default 5)
  concurrency  requests in flight at once from this client (default 4)
  retries      extra attempts on timeouts, connection errors, 429 and 5xx (default 2)
  backoff      first retry delay in seconds, doubled each time, with jitter (default 0.5)
  json_mode    how a JSON schema is sent: json_schema (vLLM, OpenAI; default) or llamacpp
               (llama.cpp / llama-cpp-python: json_object with a schema)
The API key is never part of the URL: it comes from HIGHPIPE_LLM_API_KEY (sent as a Bearer token).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, urlsplit, urlunsplit

JsonMode = Literal["json_schema", "llamacpp"]
SCHEMES = {"openai+http": "http", "openai+https": "https"}
API_KEY_ENV = "HIGHPIPE_LLM_API_KEY"
_OPTIONS = ("model", "timeout", "connect_timeout", "concurrency", "retries", "backoff", "json_mode")


@dataclass(frozen=True, slots=True)
class LLMConfig:
    base_url: str
    model: str | None = None
    timeout_s: float = 30.0
    connect_timeout_s: float = 5.0
    concurrency: int = 4
    retries: int = 2
    backoff_s: float = 0.5
    json_mode: JsonMode = "json_schema"
    api_key: str | None = field(default=None, repr=False)


def parse_llm_url(url: str, env: Mapping[str, str] | None = None) -> LLMConfig:
    """Settings for `url` (see the module docstring); ValueError names what is wrong."""
    parts = urlsplit(url)
    scheme = SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        known = ", ".join(f"{s}://" for s in SCHEMES)
        raise ValueError(f"HIGHPIPE_LLM_URL: unknown scheme {parts.scheme!r}; expected {known}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"HIGHPIPE_LLM_URL: no credentials in the URL; set {API_KEY_ENV} instead")
    if not parts.hostname:
        raise ValueError("HIGHPIPE_LLM_URL: missing host")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - set(_OPTIONS))
    if unknown:
        raise ValueError(
            f"HIGHPIPE_LLM_URL: unknown option(s) {', '.join(unknown)}; known: {', '.join(_OPTIONS)}"
        )
    opts = {k: v[-1] for k, v in query.items()}
    json_mode = opts.get("json_mode", "json_schema")
    if json_mode not in ("json_schema", "llamacpp"):
        raise ValueError("HIGHPIPE_LLM_URL: json_mode must be json_schema or llamacpp")
    base = urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    key = (env if env is not None else _environ()).get(API_KEY_ENV) or None
    try:
        config = LLMConfig(
            base_url=base,
            model=opts.get("model") or None,
            timeout_s=float(opts.get("timeout", 30.0)),
            connect_timeout_s=float(opts.get("connect_timeout", 5.0)),
            concurrency=int(opts.get("concurrency", 4)),
            retries=int(opts.get("retries", 2)),
            backoff_s=float(opts.get("backoff", 0.5)),
            json_mode=json_mode,  # type: ignore[arg-type]  # checked just above
            api_key=key,
        )
    except ValueError as exc:
        raise ValueError(f"HIGHPIPE_LLM_URL: bad option value ({exc})") from None
    if config.timeout_s <= 0 or config.connect_timeout_s <= 0 or config.backoff_s < 0:
        raise ValueError("HIGHPIPE_LLM_URL: timeouts must be > 0 and backoff >= 0")
    if config.concurrency < 1 or config.retries < 0:
        raise ValueError("HIGHPIPE_LLM_URL: concurrency must be >= 1 and retries >= 0")
    return config


def _environ() -> Mapping[str, str]:
    import os

    return os.environ
