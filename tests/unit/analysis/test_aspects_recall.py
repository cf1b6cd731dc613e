"""Aspect vocabulary added for recall: context-resolved entries (speed, melting, hardness, light,
photos) and common shopping wording that used to find no aspect. Example sentences are our own."""

from __future__ import annotations

import pytest
from tests.aspect_support import ids, own

from highpipe.analysis.morph import Morphology


@pytest.mark.parametrize(
    "text", ["빠르고 좋아요 감사합니다", "엄청 빨라요!", "빠르게 잘 받았습니다~", "아주 빠릅니다"]
)
def test_bare_speed_opening_a_review_is_delivery(morph: Morphology, text: str) -> None:
    assert ids(morph, text) == ["delivery"]


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("물이 빠르게 끓어요", ""),  # speed of the product, not at the start
        ("빠르고 좋아요", "전원 켜면"),  # not the review's first clause
        ("빠르게 돌아가는 모터", ""),
    ],
)
def test_speed_elsewhere_is_not_delivery(morph: Morphology, text: str, context: str) -> None:
    assert "delivery" not in ids(morph, text, context)


def test_melted_goods_are_delivery_unless_the_coolant_is_named(morph: Morphology) -> None:
    assert ids(morph, "아이스크림이 다 녹아서 왔네요") == ["delivery"]
    assert ids(morph, "다 녹아서 왔어요", context="보냉팩은 들어있었지만") == ["packaging"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("소파 쿠션이 너무 딱딱해요", "usability"),
        ("떡이 금방 딱딱해져요", "taste"),
        ("로션이 너무 묽어요", "quality"),
        ("국물이 묽어서 별로", "taste"),
        ("조명이 아주 밝아요", "performance"),
        ("색이 생각보다 밝아요", "design"),
    ],
)
def test_feel_and_light_words_follow_the_subject(morph: Morphology, text: str, expected: str) -> None:
    found = ids(morph, text)
    assert expected in found
    assert not ({"usability", "quality", "taste", "performance", "design"} - {expected}) & set(found)


def test_photo_comparison_is_design_unless_another_aspect_is_named(morph: Morphology) -> None:
    assert ids(morph, "사진보다 훨씬 촌스럽네요") == ["design"]
    assert ids(morph, "사진빨이네요") == ["design"]
    assert ids(morph, "사진보다 많이 작아요") == ["size"]


@pytest.mark.parametrize(
    ("text", "aspect_id", "polarity"),
    [
        ("출고 전에 검수 좀 해주세요", "service", "negative"),
        ("누가 신던걸 보내셨네요", "service", "negative"),
        ("한 개는 잘못 와서 다시 주문했어요", "service", "negative"),
        ("열흘이나 오래 기다렸어요", "delivery", "negative"),
        ("한 달을 발라도 달라진게 없어요", "performance", "negative"),
        ("묵은 때가 잘 안 닦여요", "performance", "negative"),
        ("냄새를 확 잡아주네요", "performance", "positive"),
        ("흡착력이 좋아요", "performance", "positive"),
        ("바르고 나면 따끔하고 간지러워요", "usability", "negative"),
        ("지퍼가 너무 뻑뻑해요", "usability", "negative"),
        ("신발 앞쪽이 좁아요", "size", "negative"),
        ("허벅지가 너무 쪼여요", "size", "negative"),
        ("고기에서 누린내가 나요", "smell", "negative"),
        ("잡내 하나도 없고 좋아요", "smell", "positive"),
        ("받아보니 꽃이 시들어 있었어요", "quality", "negative"),
        ("원단이 얇아서 속이 다 비쳐요", "quality", "negative"),
        ("모서리가 까져서 왔어요", "quality", "negative"),
        ("솔직히 싼티 나요", "design", "negative"),
    ],
)
def test_common_wording_finds_its_aspect_and_polarity(
    morph: Morphology, text: str, aspect_id: str, polarity: str
) -> None:
    assert aspect_id in ids(morph, text)
    assert own(morph, text, aspect_id) == polarity


@pytest.mark.parametrize("text", ["예전부터 쓰던거라 또 샀어요", "원래 쓰던 제품이에요"])
def test_a_product_used_before_is_repurchase_not_service(morph: Morphology, text: str) -> None:
    found = ids(morph, text)
    assert "repurchase" in found
    assert "service" not in found


@pytest.mark.parametrize("text", ["방수포를 찾다가 샀어요", "방수커버는 아직 못 받았어요"])
def test_a_product_name_holding_a_function_word_is_not_performance(morph: Morphology, text: str) -> None:
    assert "performance" not in ids(morph, text)
