"""CardBuilder: thresholds, idempotency, incremental emission, complete counts, honest quotes."""

from __future__ import annotations

import math

import pytest

from highpipe.analysis.card_phrases import normalise_phrase
from highpipe.analysis.card_quotes import POOL_CAPACITY
from highpipe.analysis.cards import CardBuilder, card_id_for, dominant_polarity
from highpipe.analysis.stats import wilson_interval
from highpipe.domain.models import AspectMention, EmotionCard, Review, ReviewAnalysis, SentimentResult
from highpipe.domain.vocab import Sentiment, aspect_label

Mention = tuple[str, Sentiment, str] | tuple[str, Sentiment, str, float]


def review(uid: str, text: str) -> Review:
    return Review(review_uid=uid, product_id="demo:1", site="demo", text=text)


def analysis(
    uid: str, label: Sentiment, mentions: list[Mention], emotions: list[str] | None = None
) -> ReviewAnalysis:
    aspects = [
        AspectMention(
            aspect_id=m[0],
            aspect=aspect_label(m[0]),
            polarity=m[1],
            clause=m[2],
            score=m[3] if len(m) == 4 else 0.9,
        )
        for m in mentions
    ]
    return ReviewAnalysis(
        review_uid=uid,
        sentiment=SentimentResult(label=label, score=0.9),
        aspects=aspects,
        emotions=emotions or [],
    )


def add(builder: CardBuilder, uid: str, text: str, label: Sentiment, mentions: list[Mention]) -> None:
    builder.add(review(uid, text), analysis(uid, label, mentions))


def delivery_builder(n: int, polarity: Sentiment = "positive") -> CardBuilder:
    builder = CardBuilder()
    for i in range(n):
        text = f"배송이 {i}일 만에 왔어요. 품질은 보통"
        add(builder, f"r{i}", text, polarity, [("delivery", polarity, f"배송이 {i}일 만에 왔어요")])
    return builder


def by_id(cards: list[EmotionCard], card_id: str) -> EmotionCard:
    return next(c for c in cards if c.card_id == card_id)


def test_a_card_needs_min_mentions() -> None:
    builder = delivery_builder(2)
    assert builder.cards() == []
    assert builder.changed() == []
    add(builder, "r2", "배송 빨라요", "positive", [("delivery", "positive", "배송 빨라요")])
    [card] = builder.changed()
    assert card.card_id == "aspect:delivery" and card.mentions == 3
    assert builder.cards() == [card]
    assert CardBuilder(min_mentions=1).min_mentions == 1
    with pytest.raises(ValueError):
        CardBuilder(min_mentions=0)


def test_card_identity_and_labels() -> None:
    builder = CardBuilder(min_mentions=1)
    add(builder, "a", "배터리 오래가요", "positive", [("topic:배터리", "positive", "배터리 오래가요")])
    add(builder, "b", "디자인 예뻐요", "positive", [("design", "positive", "디자인 예뻐요")])
    topic, design = by_id(builder.cards(), "topic:배터리"), by_id(builder.cards(), "aspect:design")
    assert (topic.kind, topic.label, topic.label_en, topic.aspect_id) == (
        "topic",
        "배터리",
        None,
        "topic:배터리",
    )
    assert (design.kind, design.label, design.label_en) == ("aspect", "디자인/색상", "Design / colour")
    assert card_id_for("delivery") == "aspect:delivery" and card_id_for("topic:x") == "topic:x"


def test_counts_are_complete_and_one_per_review() -> None:
    builder = CardBuilder()
    add(
        builder,
        "a",
        "배송 빨라요. 배송 기사님 친절",
        "positive",
        [("delivery", "positive", "배송 빨라요"), ("delivery", "positive", "배송 기사님 친절")],
    )
    add(builder, "b", "배송 느려요", "negative", [("delivery", "negative", "배송 느려요")])
    add(builder, "c", "배송은 보통이에요", "neutral", [("delivery", "neutral", "배송은 보통이에요")])
    add(builder, "d", "가격 착해요", "positive", [("price", "positive", "가격 착해요")])
    [card] = builder.cards()
    assert card.review_uids == ["a", "b", "c"]
    assert (card.mentions, card.positive, card.negative, card.neutral) == (3, 1, 1, 1)
    assert card.positive + card.negative + card.neutral == card.mentions
    assert math.isclose(card.positive_share, round(1 / 3, 4))
    summaries = {s.aspect_id: s for s in builder.aspect_summaries()}
    assert summaries["price"].mentions == 1  # below the card threshold, still counted
    assert [s.aspect_id for s in builder.aspect_summaries()] == ["delivery", "price"]
    assert len(builder) == 4


def test_dominant_polarity_rule() -> None:
    def mention(polarity: Sentiment, score: float) -> AspectMention:
        return AspectMention(aspect_id="size", aspect="사이즈/핏", polarity=polarity, clause="x", score=score)

    assert dominant_polarity([mention("neutral", 1.0), mention("positive", 0.55)], "neutral") == "positive"
    assert dominant_polarity([mention("positive", 0.6), mention("negative", 0.9)], "positive") == "negative"
    assert dominant_polarity([mention("positive", 0.7), mention("negative", 0.7)], "negative") == "negative"
    assert dominant_polarity([mention("positive", 0.7), mention("negative", 0.7)], "neutral") == "neutral"
    assert dominant_polarity([mention("neutral", 0.9)], "positive") == "neutral"


def test_adding_the_same_review_twice_is_idempotent() -> None:
    builder = delivery_builder(3)
    first = builder.changed()
    again = delivery_builder(0)
    for i in range(3):
        text = f"배송이 {i}일 만에 왔어요. 품질은 보통"
        for _ in range(2):
            add(again, f"r{i}", text, "positive", [("delivery", "positive", f"배송이 {i}일 만에 왔어요")])
    assert again.cards() == builder.cards() == first
    add(
        builder,
        "r1",
        "배송이 1일 만에 왔어요. 품질은 보통",
        "positive",
        [("delivery", "positive", "배송이 1일 만에 왔어요")],
    )
    assert builder.changed() == []  # identical re-delivery changes nothing


def test_a_re_added_review_replaces_its_contribution() -> None:
    builder = delivery_builder(4)
    builder.changed()
    add(builder, "r1", "배송 너무 느려요", "negative", [("delivery", "negative", "배송 너무 느려요")])
    [card] = builder.changed()
    assert (card.mentions, card.positive, card.negative) == (4, 3, 1)
    assert card.review_uids == ["r0", "r1", "r2", "r3"]  # the replaced review keeps its place
    assert all(q.review_uid != "r1" or q.polarity == "negative" for q in card.quotes)

    add(builder, "r1", "가격이 착해요", "positive", [("price", "positive", "가격이 착해요")])
    add(builder, "r2", "가격이 착해요", "positive", [("price", "positive", "가격이 착해요")])
    assert builder.changed() == []  # delivery fell to 2 mentions; price has 2
    assert builder.cards() == []
    add(builder, "r9", "배송 빨라요", "positive", [("delivery", "positive", "배송 빨라요")])
    [back] = builder.changed()
    assert back.review_uids == ["r0", "r3", "r9"]  # re-emitted in full once back over the threshold


def test_changed_only_returns_cards_that_moved() -> None:
    builder = delivery_builder(3)
    for i in range(3):
        add(
            builder,
            f"p{i}",
            f"가격 {i}만원이면 착해요",
            "positive",
            [("price", "positive", f"가격 {i}만원이면 착해요")],
        )
    assert [c.card_id for c in builder.changed()] == ["aspect:delivery", "aspect:price"]
    assert builder.changed() == []
    add(builder, "p9", "가격 비싸요", "negative", [("price", "negative", "가격 비싸요")])
    [only] = builder.changed()
    assert only.card_id == "aspect:price" and only.negative == 1
    add(builder, "x", "그냥 그래요", "neutral", [])
    assert builder.changed() == []


def test_quotes_belong_to_their_reviews_and_polarity() -> None:
    builder = CardBuilder()
    texts: dict[str, tuple[str, Sentiment, str]] = {
        "a": ("배송이 하루 만에 왔어요! 좋네요", "positive", "배송이 하루 만에 왔어요"),
        "b": ("배송이  하루만에 와서 놀랐어요", "positive", "배송이 하루만에 와서 놀랐어요"),
        "c": ("배송 빨라요", "positive", "배송 빨라요"),
        "d": ("배송이 일주일이나 걸렸어요. 다시는 안 삼", "negative", "배송이 일주일이나 걸렸어요"),
        "e": ("포장 뜯어보니 배송 중 파손됐네요", "negative", "배송 중 파손됐네요"),
        "f": ("배송 기사님이 문 앞에 던지고 가셨어요", "negative", "배송 기사님이 문 앞에 던지고 가셨어요"),
        "g": ("배송 빨라요!!", "positive", "배송 빨라요!!"),
    }
    for uid, (text, polarity, clause) in texts.items():
        add(builder, uid, text, polarity, [("delivery", polarity, clause)])
    [card] = builder.cards()
    positives = [q for q in card.quotes if q.polarity == "positive"]
    negatives = [q for q in card.quotes if q.polarity == "negative"]
    assert 2 <= len(positives) <= 3 and len(negatives) == 3
    for quote in card.quotes:
        text, polarity, _ = texts[quote.review_uid]
        assert quote.review_uid in card.review_uids
        assert quote.polarity == polarity
        assert quote.text.removesuffix("…") in " ".join(text.split())
    keys = ["".join(ch for ch in q.text if ch.isalnum()) for q in positives]
    assert len(set(keys)) == len(keys)  # "배송 빨라요" and "배송 빨라요!!" are one quote
    assert len({q.review_uid for q in card.quotes}) == len(card.quotes)


def test_quotes_are_never_invented_and_long_clauses_are_excerpts() -> None:
    builder = CardBuilder(min_mentions=1)
    long_text = "배송은 " + "정말 " * 40 + "빨랐습니다"
    add(builder, "long", long_text, "positive", [("delivery", "positive", long_text)])
    add(builder, "ghost", "좋아요 최고", "positive", [("delivery", "positive", "배송이 번개처럼 왔어요")])
    add(
        builder,
        "blurb",
        "이번 주문 배송에 아주 만족하는 중이에요 " * 5,
        "positive",
        [("delivery", "positive", "없는 문장입니다")],
    )
    [card] = builder.cards()
    by_uid = {q.review_uid: q for q in card.quotes}
    assert by_uid["long"].text.endswith("…") and len(by_uid["long"].text) <= 91
    assert long_text.startswith(by_uid["long"].text.removesuffix("…"))
    # A clause missing from its review falls back to the short review itself, never to the clause.
    assert by_uid["ghost"].text == "좋아요 최고"
    assert "blurb" not in by_uid  # too long to quote whole, and its clause is not in it
    assert card.review_uids == ["long", "ghost", "blurb"]


def test_near_duplicate_quotes_are_not_repeated() -> None:
    builder = CardBuilder()
    for i, text in enumerate(
        ["배송 빨라요", "배송이 빨라요", "배송 빨라요 ㅎㅎ", "포장도 꼼꼼하고 튼튼해요"]
    ):
        add(builder, f"r{i}", text, "positive", [("delivery", "positive", text, 0.95)])
    [card] = builder.cards()
    assert len(card.quotes) == 2
    assert any("포장도" in q.text for q in card.quotes)


def test_quote_pool_survives_replacements() -> None:
    builder = CardBuilder()
    for i in range(POOL_CAPACITY + 10):
        text = f"{i}번째 주문도 배송이 빨랐어요"
        add(builder, f"r{i}", text, "positive", [("delivery", "positive", text, 0.5 + i / 100)])
    best = [q.review_uid for q in builder.cards()[0].quotes]
    for uid in best:  # the best quotes lose their mention: the card must fall back to the others
        add(builder, uid, "별 내용 없음", "neutral", [])
    [card] = builder.cards()
    assert card.mentions == POOL_CAPACITY + 10 - len(best)
    assert card.quotes and not set(best) & {q.review_uid for q in card.quotes}
    assert all(q.review_uid in card.review_uids for q in card.quotes)


def test_phrases_and_emotions() -> None:
    builder = CardBuilder()
    rows = [
        ("a", "배송이 정말 빨라요", ["joy", "satisfaction", "joy"]),
        ("b", "배송 빠르네요!!", ["joy"]),
        ("c", "배송은 빨랐어요", []),
        ("d", "배송이 느려요", ["anger"]),
    ]
    for uid, text, emotions in rows:
        polarity: Sentiment = "negative" if "느려" in text else "positive"
        builder.add(review(uid, text), analysis(uid, polarity, [("delivery", polarity, text)], emotions))
    [card] = builder.cards()
    assert card.top_phrases[:2] == ["배송 빠름", "배송 느림"]
    assert card.emotions == {"joy": 2, "anger": 1, "satisfaction": 1}
    assert normalise_phrase("사이즈가 딱 맞아요", "size") == "사이즈 딱 맞음"
    assert normalise_phrase("빠르지 않아요", "delivery") == "배송 안 빠름"
    assert normalise_phrase("배송", "delivery") is None


def test_custom_phrase_function_is_used() -> None:
    builder = CardBuilder(min_mentions=1, phrase_fn=lambda clause, aspect_id: f"{aspect_id}:{len(clause)}")
    add(builder, "a", "배송 빨라요", "positive", [("delivery", "positive", "배송 빨라요")])
    assert builder.cards()[0].top_phrases == ["delivery:6"]


def test_analysis_must_match_its_review() -> None:
    with pytest.raises(ValueError):
        CardBuilder().add(review("a", "x"), analysis("b", "neutral", []))


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (3, 3), (8, 10), (0, 50), (17, 40), (999, 1000)])
def test_wilson_interval_bounds(k: int, n: int) -> None:
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert high - low < 1.0


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(8, 10)
    # Textbook 95% Wilson interval of 8/10 is (0.4902, 0.9433); bounds are rounded outward to 4 places.
    assert low <= 0.4902 and math.isclose(low, 0.4902, abs_tol=2e-4)
    assert high >= 0.9433 and math.isclose(high, 0.9433, abs_tol=2e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(50, 100)
    assert math.isclose(low + high, 1.0, abs_tol=1e-3)  # symmetric around one half
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_card_ci_is_the_wilson_interval_of_the_positive_share() -> None:
    builder = delivery_builder(5)
    add(builder, "n", "배송 느려요", "negative", [("delivery", "negative", "배송 느려요")])
    [card] = builder.cards()
    assert card.positive_ci == wilson_interval(5, 6)
    assert card.positive_ci[0] <= card.positive_share <= card.positive_ci[1]
