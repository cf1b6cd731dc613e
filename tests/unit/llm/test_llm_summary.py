"""llm_summary keeps only grounded sentences and always falls back; llm_extract_aspects stays in vocabulary."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from llm_fakes import FakeServer, completion

from highpipe.analysis.llm_summary import llm_extract_aspects, llm_summary, summary_schema
from highpipe.analysis.stats import share, wilson_interval
from highpipe.analysis.summary import extractive_summary
from highpipe.domain.models import EmotionCard, Quote, Report
from highpipe.domain.vocab import ASPECT_BY_ID
from highpipe.ports.llm import LLM, ChatMessage, ChatResult, LLMBadOutput, LLMError, LLMUnavailable


class ScriptedLLM(LLM):
    """An LLM port that returns a fixed parsed answer (or raises) and records what it was asked."""

    def __init__(self, answer: Any = None, error: Exception | None = None) -> None:
        self.answer, self.error = answer, error
        self.calls: list[dict[str, Any]] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

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
        self.calls.append({"messages": list(messages), "max_tokens": max_tokens, "schema": json_schema})
        if self.error is not None:
            raise self.error
        return ChatResult(text=json.dumps(self.answer, ensure_ascii=False), parsed=self.answer)


def card(aspect_id: str, positive: int, negative: int, phrases: Sequence[str] = ()) -> EmotionCard:
    mentions = positive + negative
    uids = [f"{aspect_id}-{i}" for i in range(mentions)]
    label = ASPECT_BY_ID[aspect_id].ko
    quotes = [Quote(review_uid=uids[0], text=f"{label} 정말 좋아요 3일만에 왔어요", polarity="positive")]
    quotes += [Quote(review_uid=uids[-1], text=f"{label} 별로예요", polarity="negative")] if negative else []
    return EmotionCard(
        card_id=f"aspect:{aspect_id}",
        kind="aspect",
        aspect_id=aspect_id,
        label=label,
        mentions=mentions,
        positive=positive,
        negative=negative,
        neutral=0,
        positive_share=share(positive, mentions),
        negative_share=share(negative, mentions),
        positive_ci=wilson_interval(positive, mentions),
        top_phrases=list(phrases),
        quotes=quotes,
        review_uids=uids,
    )


def report(cards: list[EmotionCard]) -> Report:
    return Report(
        job_id="j1",
        product=None,
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        total_reviews=200,
        analyzed_reviews=180,
        score=75.0,
        sentiment_counts={"positive": 120, "negative": 40, "neutral": 20},
        sentiment_shares={"positive": 120 / 180, "negative": 40 / 180, "neutral": 20 / 180},
        rating_distribution={},
        average_rating=None,
        aspects=[],
        emotions={},
        trend=[],
        cards=cards,
        summary=[],
    )


CARDS = [card("delivery", 80, 20, ["배송 빠름"]), card("size", 10, 30)]
REPORT = report(CARDS)
EXTRACTIVE = extractive_summary(REPORT.cards, REPORT.score, REPORT.analyzed_reviews)


async def test_grounded_sentences_are_kept_with_their_evidence() -> None:
    answer = {
        "sentences": [
            {"text": "리뷰 180건의 종합 점수는 75점입니다.", "card_ids": ["aspect:delivery", "aspect:size"]},
            {
                "text": "배송은 100건 중 80%가 긍정적이고 '배송 빠름'이라는 평이 많습니다.",
                "card_ids": ["aspect:delivery"],
            },
            {
                "text": '사이즈는 부정 75%로, "사이즈/핏 별로예요"라는 의견이 있습니다.',
                "card_ids": ["aspect:size"],
            },
            {"text": "배송이 3일만에 왔다는 후기도 있습니다.", "card_ids": ["aspect:delivery"]},
        ]
    }
    llm = ScriptedLLM(answer)
    sentences = await llm_summary(llm, REPORT)
    assert [s.text for s in sentences] == [s["text"] for s in answer["sentences"]]
    assert sentences[0].card_ids == ["aspect:delivery", "aspect:size"]
    assert sentences[0].review_uids == ["delivery-0", "delivery-99", "size-0"]
    assert sentences[2].review_uids == ["size-0", "size-39"]
    by_id = {c.card_id: c for c in CARDS}
    for s in sentences:  # every uid is a review behind a cited card
        assert set(s.review_uids) <= {u for cid in s.card_ids for u in by_id[cid].review_uids}
    # The model only saw the cards and could only cite their ids; max_tokens closes the schema.
    call = llm.calls[0]
    assert call["schema"] == summary_schema(["aspect:delivery", "aspect:size"], 5)
    assert "사이즈/핏 별로예요" in call["messages"][1]["content"] and call["max_tokens"] > 500


@pytest.mark.parametrize(
    "bad",
    [
        {"text": "전반적으로 만족스러운 제품입니다.", "card_ids": []},  # cites nothing
        {"text": "가격이 저렴합니다.", "card_ids": ["aspect:price"]},  # not a card of the report
        {"text": "배송 긍정이 95%입니다.", "card_ids": ["aspect:delivery"]},  # invented figure
        {"text": "사이즈는 30건이 부정입니다.", "card_ids": ["aspect:delivery"]},  # figure of an uncited card
        {
            "text": '배송은 "하루 만에 도착"했다는 평입니다.',
            "card_ids": ["aspect:delivery"],
        },  # invented quote
        {"text": "   ", "card_ids": ["aspect:delivery"]},
        {"text": "... !", "card_ids": ["aspect:delivery"]},  # no words
        "not an object",
    ],
)
async def test_ungrounded_sentences_are_dropped(bad: Any) -> None:
    good = {"text": "사이즈 의견은 부정이 30건으로 더 많습니다.", "card_ids": ["aspect:size"]}
    sentences = await llm_summary(ScriptedLLM({"sentences": [bad, good]}), REPORT)
    assert [s.text for s in sentences] == [good["text"]]


async def test_at_most_max_sentences_are_kept() -> None:
    item = {"text": "배송 언급은 100건입니다.", "card_ids": ["aspect:delivery"]}
    assert len(await llm_summary(ScriptedLLM({"sentences": [item] * 6}), REPORT, max_sentences=3)) == 3


@pytest.mark.parametrize(
    "llm",
    [
        None,
        ScriptedLLM(error=LLMUnavailable("down", code="connect")),
        ScriptedLLM(error=LLMBadOutput("not json", code="bad_json")),
        ScriptedLLM(error=RuntimeError("a bug anywhere")),
        ScriptedLLM({"sentences": [{"text": "근거 없는 말", "card_ids": []}]}),
        ScriptedLLM({"unexpected": True}),
        ScriptedLLM(None),
    ],
)
async def test_any_failure_falls_back_to_the_extractive_summary(llm: LLM | None) -> None:
    assert EXTRACTIVE and await llm_summary(llm, REPORT) == EXTRACTIVE


async def test_a_slow_llm_is_cut_off_by_the_deadline() -> None:
    class Slow(ScriptedLLM):
        async def chat(self, *args: Any, **kwargs: Any) -> ChatResult:
            await asyncio.sleep(10)
            return await super().chat(*args, **kwargs)

    answer = {"sentences": [{"text": "배송 언급은 100건입니다.", "card_ids": ["aspect:delivery"]}]}
    started = time.monotonic()
    assert await llm_summary(Slow(answer), REPORT, deadline_s=0.05) == EXTRACTIVE
    assert time.monotonic() - started < 2


async def test_no_cards_means_no_call_and_an_empty_summary() -> None:
    llm = ScriptedLLM({"sentences": []})
    assert await llm_summary(llm, report([])) == [] and llm.calls == []


async def test_through_the_http_client_a_broken_answer_falls_back(server: FakeServer, make_llm: Any) -> None:
    server.replies = [
        httpx.Response(200, json=completion('{"sentences": [{"text": "잘림')),
        httpx.Response(503),
    ]
    llm = await make_llm("model=m&retries=0&json_mode=json_schema")
    assert await llm_summary(llm, REPORT) == EXTRACTIVE
    assert await llm_summary(llm, REPORT) == EXTRACTIVE
    body = server.bodies()[0]
    enum = body["response_format"]["json_schema"]["schema"]["properties"]["sentences"]["items"]
    assert enum["properties"]["card_ids"]["items"]["enum"] == ["aspect:delivery", "aspect:size"]


REVIEW = "배송은 빠른데 사이즈가 너무 작아요. 냄새는 없어요"


async def test_extraction_keeps_vocabulary_mentions_in_the_reviews_own_words() -> None:
    answer = {
        "aspects": [
            {"aspect_id": "delivery", "polarity": "positive", "clause": "배송은 빠른데"},
            {"aspect_id": "size", "polarity": "negative", "clause": "사이즈가  너무 작아요"},
            {"aspect_id": "size", "polarity": "negative", "clause": "사이즈가 너무 작아요"},  # repeated
            {"aspect_id": "smell", "polarity": "positive", "clause": "향이 좋아요"},  # not in the text
            {"aspect_id": "battery", "polarity": "positive", "clause": "배송은 빠른데"},  # not an aspect
        ]
    }
    llm = ScriptedLLM(answer)
    mentions = await llm_extract_aspects(llm, REVIEW)
    assert [(m.aspect_id, m.aspect, m.polarity, m.clause) for m in mentions] == [
        ("delivery", "배송", "positive", "배송은 빠른데"),
        ("size", "사이즈/핏", "negative", "사이즈가 너무 작아요"),
    ]
    schema = llm.calls[0]["schema"]
    item = schema["properties"]["aspects"]["items"]["properties"]
    assert set(item["aspect_id"]["enum"]) == set(ASPECT_BY_ID)
    assert item["polarity"]["enum"] == ["positive", "negative", "neutral"]
    assert REVIEW in llm.calls[0]["messages"][1]["content"]


async def test_extraction_failures_raise_for_the_caller_to_fall_back() -> None:
    with pytest.raises(LLMUnavailable):
        await llm_extract_aspects(ScriptedLLM(error=LLMUnavailable("down", code="timeout")), REVIEW)
    with pytest.raises(LLMBadOutput):
        await llm_extract_aspects(ScriptedLLM({"wrong": []}), REVIEW)
    with pytest.raises(LLMError, match="longer than"):
        await llm_extract_aspects(ScriptedLLM({"aspects": []}), "가" * 5000)
    assert await llm_extract_aspects(ScriptedLLM(error=AssertionError("not called")), "  \n") == []
