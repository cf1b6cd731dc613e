"""LLM URL parsing, the JSON-schema validator and the token budget of bounded schemas."""

from __future__ import annotations

from typing import Any

import pytest

from highpipe.adapters.llm.schema import SchemaError, validate
from highpipe.adapters.llm.url import parse_llm_url
from highpipe.ports.llm import json_char_budget, json_token_budget


def test_url_options_and_defaults() -> None:
    full = parse_llm_url(
        "openai+https://llm.internal:8443/v1/?model=Qwen/Qwen2.5-7B-Instruct&timeout=12.5&concurrency=8"
        "&retries=0&json_mode=llamacpp&backoff=0.1&connect_timeout=2",
        env={},
    )
    assert full.base_url == "https://llm.internal:8443/v1" and full.model == "Qwen/Qwen2.5-7B-Instruct"
    assert (full.timeout_s, full.concurrency, full.retries, full.json_mode) == (12.5, 8, 0, "llamacpp")
    assert (full.backoff_s, full.connect_timeout_s, full.api_key) == (0.1, 2.0, None)
    plain = parse_llm_url("openai+http://127.0.0.1:8000/v1", env={"HIGHPIPE_LLM_API_KEY": "k"})
    assert plain.base_url == "http://127.0.0.1:8000/v1" and plain.model is None
    assert (plain.timeout_s, plain.concurrency, plain.retries, plain.json_mode) == (30.0, 4, 2, "json_schema")
    assert plain.api_key == "k"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/v1", "unknown scheme"),
        ("openai+http://user:sk-1@127.0.0.1/v1", "HIGHPIPE_LLM_API_KEY"),
        ("openai+http://127.0.0.1/v1?api_key=sk-1", "unknown option"),
        ("openai+http://127.0.0.1/v1?json_mode=grammar", "json_mode"),
        ("openai+http://127.0.0.1/v1?timeout=abc", "bad option value"),
        ("openai+http://127.0.0.1/v1?concurrency=0", "concurrency"),
        ("openai+http:///v1", "missing host"),
    ],
)
def test_bad_urls_are_rejected_with_a_reason(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_llm_url(url, env={})
    assert "sk-1" not in str(caught.value)


ITEM: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "n"],
    "properties": {
        "id": {"type": "string", "enum": ["a", "bb"]},
        "n": {"type": "integer", "minimum": 0, "maximum": 9},
        "s": {"type": "string", "minLength": 1, "maxLength": 3},
    },
}
LIST: dict[str, Any] = {"type": "array", "minItems": 1, "maxItems": 2, "items": ITEM}


@pytest.mark.parametrize(
    "value",
    [[{"id": "a", "n": 0}], [{"id": "bb", "n": 9, "s": "한글자"}, {"id": "a", "n": 3}]],
)
def test_valid_values_pass(value: Any) -> None:
    validate(value, LIST)


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ([], "fewer than 1"),
        ([{"id": "a", "n": 1}] * 3, "more than 2"),
        ([{"id": "c", "n": 1}], r"\$\[0\]\.id"),
        ([{"id": "a"}], "missing required property 'n'"),
        ([{"id": "a", "n": 10}], "above 9"),
        ([{"id": "a", "n": -1}], "below 0"),
        ([{"id": "a", "n": True}], "expected integer"),
        ([{"id": "a", "n": 1.5}], "expected integer"),
        ([{"id": "a", "n": 1, "s": ""}], "shorter"),
        ([{"id": "a", "n": 1, "s": "long"}], "longer"),
        ([{"id": "a", "n": 1, "x": 1}], "unexpected property 'x'"),
        ({"id": "a"}, "expected array"),
    ],
)
def test_invalid_values_name_the_place(value: Any, where: str) -> None:
    with pytest.raises(SchemaError, match=where):
        validate(value, LIST)


def test_budget_covers_the_longest_valid_value() -> None:
    import json

    longest = [{"id": "bb", "n": 9, "s": '"""'}] * 2  # escapes make a string twice as long
    assert len(json.dumps(longest, ensure_ascii=False)) <= json_char_budget(LIST)
    assert json_token_budget(LIST) == json_char_budget(LIST) + 32
    assert json_token_budget(LIST, chars_per_token=2.0, slack=0) == json_char_budget(LIST) // 2


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string"},
        {"type": "array", "items": {"type": "boolean"}},
        {"type": "object", "properties": {"a": {"type": "null"}}},
        {"type": "tuple"},
    ],
)
def test_unbounded_schemas_have_no_budget(schema: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        json_char_budget(schema)
