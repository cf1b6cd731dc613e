"""Polarity, aspect, topic and emotion lexicons on hand-written review fragments."""

from __future__ import annotations

import pytest

from highpipe.analysis.aspects import EN_TERMS, KO_TERMS, aspect_ids
from highpipe.analysis.emotions import CUES, combine, cue_emotions
from highpipe.analysis.lexicon import polarity_hits
from highpipe.analysis.morph import Morphology
from highpipe.analysis.rules import emoji_margin, english_margin
from highpipe.analysis.topics import topic_phrases, topic_slug
from highpipe.domain.vocab import ASPECTS, EMOTIONS


@pytest.fixture(scope="module")
def morph() -> Morphology:
    return Morphology()


def signs(text: str) -> list[str]:
    return [s for _, s in polarity_hits(text)]


def test_polarity_cues_and_negated_cues() -> None:
    assert signs("배송 빠르고 좋아요") == ["+", "+"]
    assert signs("좋지 않아요") == ["-"]
    assert signs("만족스럽지 않네요") == ["-"]
    assert signs("나쁘지 않아요") == ["+"]
    assert signs("별로예요") == ["-"]
    assert signs("불편함 없이 잘 써요")[0] == "+"


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("재구매 의사 없어요", "-"),  # issue #3's own example: no intention to buy again
        ("재구매 안 할래요", "-"),
        ("재구매는 글쎄요", "-"),
        ("다시는 재구매 안 해요", "-"),
        ("재주문은 안 할 것 같아요", "-"),
        ("재구매 의사 있어요", "+"),
        ("재구매 할게요", "+"),
        ("재구매 안녕하세요", "+"),  # a review that opens with a tag, then a greeting
        ("몇년동안 재구매중", "+"),  # 동안 ends in 안 without negating anything
    ],
)
def test_a_negated_intention_to_buy_again_is_negative(text: str, sign: str) -> None:
    repurchase = [hit for hit in polarity_hits(text) if hit[0] in ("재구매", "재주문")]
    assert repurchase and repurchase[0][1] == sign


def test_polarity_cues_ignore_spacing_errors() -> None:
    assert signs("배송빠르고좋아요") == signs("배송 빠르고 좋아요")


def test_every_aspect_and_emotion_has_entries() -> None:
    assert set(KO_TERMS) == {a.id for a in ASPECTS} == set(EN_TERMS)
    assert set(CUES) == {e.id for e in EMOTIONS}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("배송이 빨라요", ["delivery"]),
        ("포장이 꼼꼼해요", ["packaging"]),
        ("가성비 최고", ["price"]),
        ("마감이 허접해요", ["quality"]),
        ("한 달 만에 고장났어요", ["durability"]),
        ("사이즈가 딱 맞아요", ["size"]),
        ("색상이 예뻐요", ["design"]),
        ("흡입력이 좋아요", ["performance"]),
        ("조립이 쉬워요", ["usability"]),
        ("냄새가 심해요", ["smell"]),
        ("맛있어요", ["taste"]),
        ("고객센터 응대가 친절해요", ["service"]),
        ("재구매 의사 있어요", ["repurchase"]),
    ],
)
def test_each_aspect_is_found(morph: Morphology, text: str, expected: list[str]) -> None:
    assert aspect_ids(text, morph.tokens(text)) == expected


def test_one_syllable_nouns_match_whole_tokens_only(morph: Morphology) -> None:
    assert aspect_ids("향이 좋아요", morph.tokens("향이 좋아요")) == ["smell"]
    assert "smell" not in aspect_ids("방향을 바꿨어요", morph.tokens("방향을 바꿨어요"))
    assert "taste" in aspect_ids("맛 괜찮네요", morph.tokens("맛 괜찮네요"))


def test_english_aspects(morph: Morphology) -> None:
    text = "Fast shipping, good price but the size runs small. Customer service helped with a refund."
    found = aspect_ids(text, morph.tokens(text))
    assert {"delivery", "price", "size", "service"} <= set(found)


def test_after_service_in_capitals_is_service(morph: Morphology) -> None:
    assert "service" in aspect_ids("AS 빨라요", morph.tokens("AS 빨라요"))


def test_topics_are_meaningful_nouns(morph: Morphology) -> None:
    text = "배터리가 오래가고 소음도 적어요 제품 생각보다 좋아요"
    topics = topic_phrases(text, morph.tokens(text))
    assert "배터리" in topics and "소음" in topics
    assert "제품" not in topics and "생각" not in topics


def test_aspect_words_are_not_topics(morph: Morphology) -> None:
    text = "배송이랑 포장은 좋은데 보풀이 많이 생겨요"
    topics = topic_phrases(text, morph.tokens(text))
    assert topics == ["보풀"]


def test_topic_slug() -> None:
    assert topic_slug(" 무선 청소기 ") == "무선-청소기"


def test_regret_and_trust_cues() -> None:
    assert cue_emotions("괜히 샀어요 돈 아까워요") == ["regret"]
    assert cue_emotions("믿고 사는 브랜드예요") == ["trust"]
    assert "regret" not in cue_emotions("후회 없는 선택이에요")
    assert "worry" not in cue_emotions("걱정 안 해도 돼요")


def test_combine_respects_polarity_and_cap() -> None:
    model = [("joy", 0.9), ("anger", 0.8), ("surprise", 0.7), ("trust", 0.6)]
    assert combine(["regret"], model, has_positive=False, has_negative=True) == [
        "regret",
        "anger",
        "surprise",
    ]
    assert combine([], model, has_positive=True, has_negative=False) == ["joy", "surprise", "trust"]


def test_english_and_emoji_rules() -> None:
    assert english_margin("great product, love it")[0] > 0
    assert english_margin("not good at all")[0] < 0
    assert english_margin("never buying again, terrible")[0] < 0
    assert emoji_margin("👍👍")[0] > 0
    assert emoji_margin("😡")[0] < 0
    assert emoji_margin("👍" * 20)[0] == emoji_margin("👍" * 3)[0]


def test_a_recommendation_of_value_is_not_read_as_not_recommended() -> None:
    # "가성비추천" contains "비추" (not recommended) across a word boundary: the longer cue must win.
    assert polarity_hits("가성비추천합니다") == [("가성비추천", "+")]
    assert polarity_hits("가성비 추천해요") == [("가성비추천", "+")]
    assert polarity_hits("이건 비추합니다") == [("비추", "-")]
