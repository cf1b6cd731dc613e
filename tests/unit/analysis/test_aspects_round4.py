"""Fourth recall round (from the errors on aspect_dev2): money wasted, price that explains a flaw,
things that do not fit in, ease after 는 게, sticking/cleaning/blocking/lighting vocabulary, missing
manuals and unreachable sellers, habitual buying, authenticity doubts, entries that must not hide
the words inside them, and phrases that name a size or a box without being about it. Example
sentences are our own."""

from __future__ import annotations

import pytest
from tests.aspect_support import ids, own

from highpipe.analysis.morph import Morphology


@pytest.mark.parametrize(
    ("text", "aspect", "polarity"),
    [
        ("정말 돈 아까워요", "price", "negative"),
        ("그냥 돈 날렸네요", "price", "negative"),
        ("싼 이유가 있네요", "price", "neutral"),
        ("저렴한 이유가 있었어요", "price", "neutral"),
        ("가방에 안 들어가요", "size", "negative"),
        ("뚜껑 꺼내는 게 어려워요", "usability", "negative"),
        ("창문바람 막아줘서 좋았어요", "performance", "positive"),
        ("벽에 잘 붙지 않고 뜹니다", "performance", "negative"),
        ("닦으니 깨끗해지고 좋아요", "performance", "positive"),
        ("중간에 불이 꺼져요", "performance", None),
        ("제품 설명서도 안 들어 있네요", "service", None),
        ("항상 쓰는 제품이에요", "repurchase", "positive"),
        ("맛있어서 또 시켰어요", "repurchase", "positive"),
        ("두 번 살 마음은 없어요", "repurchase", "negative"),
        ("정품 맞는지 의심스러워요", "quality", "negative"),
        ("새상품처럼 깨끗해요", "quality", "positive"),
        ("걸면 떨어질 거 같아요", "quality", "negative"),
        ("빨자마자 구멍이 났어요", "durability", "negative"),
    ],
)
def test_new_vocabulary(morph: Morphology, text: str, aspect: str, polarity: str | None) -> None:
    assert aspect in ids(morph, text)
    assert own(morph, text, aspect) == polarity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("판매자와 연락이 안 돼요", ["service"]),  # not the product's 안 돼요
        ("실망도 크네요", []),  # a big disappointment, not a big size
        ("키가 작은 편이에요", []),  # the wearer's height
        ("박스를 버려서 반품을 못 했어요", ["service"]),  # the box thrown away, not its state
        ("거품형이라 편해요", ["usability"]),  # a product type, not a lather
        ("사용감이 시원하고 좋아요", ["usability"]),  # the feel of using it
        ("아삭하면서 시원해요", ["taste"]),  # a crunchy bite is food
        ("포장용기가 아주 튼튼해요", ["packaging"]),  # the packing is sturdy
        ("작동을 못 시키네요", ["performance"]),  # not "won't order again"
        ("저한테 잘 맞네요", []),  # suits the reviewer, not a fit
    ],
)
def test_phrases_that_are_not_the_aspect(morph: Morphology, text: str, expected: list[str]) -> None:
    assert ids(morph, text) == expected


@pytest.mark.parametrize(
    ("text", "aspect", "polarity"),
    [
        ("쿠션이 딱딱해요", "usability", "negative"),
        ("면이 싸구려 티 나지 않아요", "quality", "positive"),
        ("가격을 내려서 팔앗으면 좋앗을듯", "price", "negative"),
        ("맛은 평타예요", "taste", "neutral"),
        ("제품 확인 안 하고 보내셨네요", "service", "negative"),
        ("사이즈가 약간 작은 느낌이에요", "size", "negative"),
        ("용량이 작긴 하지만 괜찮아요", "size", "negative"),
        ("유통기한이 길어서 좋아요", "quality", "positive"),
    ],
)
def test_polarity_cues(morph: Morphology, text: str, aspect: str, polarity: str) -> None:
    assert own(morph, text, aspect) == polarity


def test_a_rejected_entry_does_not_hide_the_words_inside_it(morph: Morphology) -> None:
    # "바람막아" runs from inside 창문바람 into the next word, so it is not read; 막아줘 still is.
    assert ids(morph, "창문바람 막아줘서 좋았어요") == ["performance"]
