"""Sixth round (from the errors on the four aspect development sets, checked over all training rows):
food condition, looks of the packing, installing as a time marker, buying something else next time,
loyalty and coming back, adjustability, shipping fees in a refund, runny cosmetics, and polarity cues
(size with a softener, 가성비 싸요, 짜지 않고, a guess about taste, 호불호, absent or slight
complaints). Example sentences are our own."""

from __future__ import annotations

import pytest
from tests.aspect_support import ids, own

from highpipe.analysis.morph import Morphology


@pytest.mark.parametrize(
    ("text", "polarity"),
    [("채소 상태가 영 별로네요", "negative"), ("고구마 상태도 좋고 달아요", "positive")],
)
def test_condition_of_fresh_food_is_taste(morph: Morphology, text: str, polarity: str) -> None:
    found = ids(morph, text)
    assert "taste" in found
    assert "quality" not in found
    assert own(morph, text, "taste") == polarity


def test_condition_of_other_goods_stays_quality(morph: Morphology) -> None:
    assert ids(morph, "중고 책 상태가 좋아요") == ["quality"]


@pytest.mark.parametrize("text", ["박스가 너무 이쁘네요", "포장은 고급스러워요", "포장이 귀여워요"])
def test_looks_right_after_the_packing_are_the_packing(morph: Morphology, text: str) -> None:
    assert ids(morph, text) == ["packaging"]


def test_looks_elsewhere_stay_design(morph: Morphology) -> None:
    assert ids(morph, "디자인이 이쁘네요") == ["design"]
    assert "design" in ids(morph, "포장해서 선물했는데 받은 친구가 예쁘대요")


@pytest.mark.parametrize(
    "text", ["거실에 설치했어요", "설치해놓고 보니 틈이 보여요", "창문에 설치하려고 샀어요"]
)
def test_installing_as_a_time_marker_is_no_usability(morph: Morphology, text: str) -> None:
    assert "usability" not in ids(morph, text)


@pytest.mark.parametrize(
    ("text", "polarity"), [("설치도 간단해요", "positive"), ("설치하기 너무 힘들어요", "negative")]
)
def test_installing_judged_stays_usability(morph: Morphology, text: str, polarity: str) -> None:
    assert ids(morph, text) == ["usability"]
    assert own(morph, text, "usability") == polarity


def test_the_installer_is_service(morph: Morphology) -> None:
    found = ids(morph, "설치기사님이 친절하셨어요")
    assert "service" in found
    assert not {"delivery", "usability"} & set(found)


@pytest.mark.parametrize(
    "text", ["다음엔 다른 거 살 거 같아요", "다른 제품으로 재구매했어요", "다른 데서 주문할래요"]
)
def test_buying_something_else_is_negative_repurchase(morph: Morphology, text: str) -> None:
    assert ids(morph, text) == ["repurchase"]
    assert own(morph, text, "repurchase") == "negative"


def test_a_cheaper_shop_named_is_no_repurchase(morph: Morphology) -> None:
    assert "repurchase" not in ids(morph, "다른 곳보다 싸게 샀어요")


@pytest.mark.parametrize("text", ["앞으로 이것만 쓸래요", "또 들를게요", "5년째 쓰고 있어요"])
def test_loyalty_and_coming_back_are_repurchase(morph: Morphology, text: str) -> None:
    assert ids(morph, text) == ["repurchase"]
    assert own(morph, text, "repurchase") == "positive"


def test_repurchase_to_think_over_is_negative(morph: Morphology) -> None:
    assert own(morph, "재구매는 생각해봐야겠어요", "repurchase") == "negative"


def test_adjustability_is_usability(morph: Morphology) -> None:
    found = ids(morph, "높이조절이 편해요")
    assert "usability" in found
    assert "size" not in found
    # 아쉬워요 holds 쉬워 (easy): the whole word is the complaint.
    assert own(morph, "각도조절이 안 돼서 아쉬워요", "usability") == "negative"


@pytest.mark.parametrize("text", ["조금 큰 것 같아요", "살짝 작아요", "좀 큰 감이 있어요", "약간 커요"])
def test_size_with_a_softener_is_still_a_shortfall(morph: Morphology, text: str) -> None:
    assert own(morph, text, "size") == "negative"


def test_price_and_taste_cues(morph: Morphology) -> None:
    assert own(morph, "가성비 싸요", "price") == "positive"  # not 비싸
    assert own(morph, "짜지 않고 담백해요", "taste") == "positive"
    assert ids(morph, "짜지도 않아요") == ["taste"]
    assert own(morph, "아직 안 먹어봤는데 맛있을 것 같아요", "taste") == "neutral"


def test_a_divisive_scent_is_neutral(morph: Morphology) -> None:
    assert own(morph, "향은 호불호가 갈릴 듯해요", "smell") == "neutral"


def test_shipping_fee_in_a_refund_is_service(morph: Morphology) -> None:
    found = ids(morph, "반품하면 택배비 빼고 환불된대요")
    assert "service" in found
    assert "price" not in found
    assert ids(morph, "배송비가 비싸요") == ["price"]
    assert own(morph, "배송비가 비싸요", "price") == "negative"


def test_runny_cosmetic_is_usability(morph: Morphology) -> None:
    found = ids(morph, "묽은 제형이에요")
    assert "usability" in found
    assert "quality" not in found
    assert ids(morph, "액체가 너무 묽어요") == ["quality"]


@pytest.mark.parametrize(
    ("text", "aspect_id"), [("부서진 곳 하나 없이 왔어요", "quality"), ("자극도 적고 좋아요", "usability")]
)
def test_absent_or_slight_complaint_is_praise(morph: Morphology, text: str, aspect_id: str) -> None:
    assert own(morph, text, aspect_id) == "positive"


def test_new_vocabulary(morph: Morphology) -> None:
    assert ids(morph, "뚜껑이 깨질 듯해요") == ["quality"]
    assert own(morph, "스크레치가 있어요", "quality") == "negative"
    assert ids(morph, "금방 와서 좋아요") == ["delivery"]
    assert "service" in ids(morph, "보내주신 선물 감사해요")
