"""Aspect polarity: the aspect's own words first (negation, wishes, neutral cues), then the clause."""

from __future__ import annotations

import pytest

from highpipe.analysis.aspect_polarity import mention_polarity
from highpipe.analysis.aspects import aspect_terms
from highpipe.analysis.engine import LocalAnalyzer
from highpipe.analysis.text import Compact
from highpipe.domain.models import Review, ReviewAnalysis


def own(text: str, aspect_id: str) -> str | None:
    compact = Compact(text)
    for aid, start, end in aspect_terms(text, [], compact):
        if aid == aspect_id:
            return mention_polarity(aid, start, end, compact)
    raise AssertionError(f"{aspect_id} not found in {text!r}")


@pytest.mark.parametrize(
    ("text", "aspect_id", "expected"),
    [
        ("배송 빨라요", "delivery", "positive"),
        ("배송이 너무 늦어요", "delivery", "negative"),
        ("가격이 사악하지만", "price", "negative"),
        ("저렴하게 잘 산 것 같아요", "price", "positive"),
        ("튼튼해요", "quality", "positive"),
        ("생각만큼 튼튼하지는 않네요", "quality", "negative"),  # negated cue
        ("촉감이 부드럽지 않네요", "quality", "negative"),
        ("싱싱해 보이지 않고", "taste", "negative"),
        ("이쁜 줄 알았는데", "design", "negative"),  # expectation contrast
        ("트러블도 없었어요", "usability", "positive"),  # an absent complaint
        ("끈적이지 않아서 좋아요", "usability", "positive"),
        ("부드러움도 없고", "quality", "negative"),  # an absent quality
        ("냄새가 하나도 안 나요", "smell", "positive"),
        ("향이 안 나요", "smell", "negative"),
        ("화학 냄새가 나요", "smell", "negative"),
        ("색상이 사진과 다르네요", "design", "negative"),
    ],
)
def test_own_cues_and_negation(text: str, aspect_id: str, expected: str) -> None:
    assert own(text, aspect_id) == expected


@pytest.mark.parametrize(
    ("text", "aspect_id", "expected"),
    [
        ("길이가 좀 더 길었으면 좋겠어요", "size", "negative"),  # a wish is a shortfall
        ("사이즈가 다양하게 있으면 좋겠네요", "size", "negative"),
        ("가격이 조금만 더 저렴했으면", "price", "negative"),
        ("뽁뽁이로 좀 싸주시지", "packaging", "negative"),  # a reproach
        ("포장을 신경써주시면 감사하겠습니다", "packaging", "negative"),
        ("효과 있었으면 좋겠습니다", "performance", "neutral"),  # a hope, not a shortfall
        ("맛있길 기대해요", "taste", "neutral"),
        ("튼튼한지는 더 써봐야 알겠어요", "quality", "neutral"),  # judgement deferred
    ],
)
def test_wishes_hopes_and_deferred_judgements(text: str, aspect_id: str, expected: str) -> None:
    assert own(text, aspect_id) == expected


@pytest.mark.parametrize(
    "text",
    [
        "딱 가격만큼 합니다",
        "가격이 싸서 그런가 무거워요",
        "싼 게 비지떡",
        "가격은 그냥 그래요",
        "저렴한 만큼",
    ],
)
def test_price_named_without_a_verdict_is_neutral(text: str) -> None:
    assert own(text, "price") == "neutral"


def test_giving_up_on_a_return_is_neutral_service() -> None:
    assert own("반품 귀찮아서 그냥 씁니다", "service") == "neutral"
    assert own("교환하고 싶었지만", "service") == "neutral"
    assert own("상담 태도가 불친절해요", "service") == "negative"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("재구매 사이즈가 너무 커요", "positive"),  # the tag reports a repeat purchase
        ("재구매 의사 없습니다", "negative"),
        ("재구매는 하지 않을 거 같아요", "negative"),
        ("다시 재구매 할 것 같지는 않네요", "negative"),
        ("재구매했는데 문제없어요", "positive"),
        ("다시는 안 살래요", "negative"),
        ("또 살게요", "positive"),
    ],
)
def test_repurchase_is_positive_unless_negated(text: str, expected: str) -> None:
    assert own(text, "repurchase") == expected


def test_no_cue_leaves_the_clause_label() -> None:
    assert own("사이즈는 그대로예요", "size") is None


@pytest.fixture(scope="module")
def analyzer() -> LocalAnalyzer:
    return LocalAnalyzer.load()


def polarities(analyzer: LocalAnalyzer, text: str) -> dict[str, set[str]]:
    result: ReviewAnalysis = analyzer.analyze([Review(review_uid="t", product_id="p", site="t", text=text)])[
        0
    ]
    out: dict[str, set[str]] = {}
    for m in result.aspects:
        if not m.aspect_id.startswith("topic:"):
            out.setdefault(m.aspect_id, set()).add(m.polarity)
    return out


def test_engine_gives_each_aspect_its_own_polarity(analyzer: LocalAnalyzer) -> None:
    found = polarities(analyzer, "재구매 숟가락은 손잡이가 너무 크고 젓가락은 너무 짧네요")
    assert found["repurchase"] == {"positive"} and found["size"] == {"negative"}
    found = polarities(analyzer, "배송 빠르고 좋아요 단. 모자가 안와서 좀 서운하네요")
    assert found["delivery"] == {"positive"} and found["service"] == {"negative"}
    found = polarities(analyzer, "가격이 사악하지만 잘 쓰고 있어요")
    assert found["price"] == {"negative"}


def test_engine_scores_stay_probabilities(analyzer: LocalAnalyzer) -> None:
    result = analyzer.analyze(
        [Review(review_uid="t", product_id="p", site="t", text="배송 빨라요 튼튼하지는 않네요")]
    )
    assert all(0.0 <= m.score <= 1.0 for m in result[0].aspects)
