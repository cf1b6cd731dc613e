"""Aspect detection rules: context-dependent entries, swallowed phrases, word boundaries."""

from __future__ import annotations

import random
import re

import pytest
from tests.aspect_support import ids

from highpipe.analysis.morph import Morphology
from highpipe.analysis.text import literal_pattern
from highpipe.analysis.topics import topic_phrases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2개 다 깨져서 왔어요", "quality"),  # broken on arrival
        ("테이블 상판이 찢어진 채로 배송되었음", "quality"),
        ("3일 만에 부러졌어요", "durability"),  # broken with time
        ("쓸수록 휘네요", "durability"),
        ("몇 번 빨았더니 끈이 다 끊어졌어요", "durability"),
        ("금방 고장났어요", "durability"),  # wear words default to durability...
        ("고장나서 왔어요", "quality"),  # ...unless it came that way
    ],
)
def test_damage_is_quality_on_arrival_and_durability_with_use(
    morph: Morphology, text: str, expected: str
) -> None:
    found = ids(morph, text)
    assert expected in found
    assert ({"quality", "durability"} - {expected}).isdisjoint(found)


def test_wear_is_read_from_the_clause_before(morph: Morphology) -> None:
    assert "quality" in ids(morph, "실리콘이 끊어졌어요")
    assert "durability" in ids(morph, "실리콘이 끊어졌어요", context="한달이 안되고")


def test_damage_next_to_the_packing_is_packaging(morph: Morphology) -> None:
    found = ids(morph, "상자가 안에서 깨져서 왔어요")
    assert "packaging" in found and "quality" not in found


def test_a_level_that_drops_is_not_breakage(morph: Morphology) -> None:
    assert ids(morph, "흡수력이 좀 떨어져요") == ["performance"]
    assert "quality" in ids(morph, "진주가 떨어져있네요")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("모자가 안 와서 서운하네요", "service"),  # one item of the order
        ("망치랑 안전캡 둘다 안온건 너무했어요", "service"),
        ("화이트만 왔네요", "service"),
        ("택배가 안 와요", "delivery"),  # the order itself
        ("아직 물건 안왔어요", "delivery"),
    ],
)
def test_missing_item_is_service_missing_order_is_delivery(
    morph: Morphology, text: str, expected: str
) -> None:
    assert expected in ids(morph, text)
    assert ({"service", "delivery"} - {expected}).isdisjoint(ids(morph, text))


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("잘 받았어요", "delivery"),  # bare receipt is not a delivery opinion
        ("맛있게 잘 먹겠습니다", "taste"),  # a pleasantry
        ("좀 아쉬워요", "usability"),  # 아쉬워 holds 쉬워
        ("몸무게가 늘었어요", "usability"),  # 몸무게 holds 무게
        ("제품이 마음에 들어요", "size"),  # 제품이 holds 품이
        ("지금 가격이면 괜찮아요", "quality"),  # 지금가 holds 금가
        ("소문난 샵에서 포기할 정도로 속상했는데", "taste"),  # 속상했 holds 상했
        ("한 달도 안 돼서 끊어졌어요", "performance"),  # 안 돼서 here is time, not function
    ],
)
def test_phrases_that_only_contain_an_aspect_word(morph: Morphology, text: str, absent: str) -> None:
    assert absent not in ids(morph, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("원단이 부드러워요", "quality"),
        ("고기가 부드럽고 맛있어요", "taste"),
        ("피부가 부드러워졌어요", "performance"),
        ("인견이라 시원해요", "performance"),
        ("국물이 시원하고 좋아요", "taste"),
    ],
)
def test_feel_words_follow_the_subject(morph: Morphology, text: str, expected: str) -> None:
    assert expected in ids(morph, text)


@pytest.mark.parametrize(
    ("text", "repurchase"),
    [
        ("3번째 구매입니다", True),
        ("두번째 시켜먹는데 여전히 맛있어요", True),
        ("첫번째 구매인데 좋아요", False),
        ("두번째 사진처럼 왔어요", False),
        ("추가로 구매했어요", True),
        ("항상 주문할게요", True),
        ("다신 안 사요", True),
        ("각이 잘 안 살아요", False),  # 안살 inside "안 살아요" is not "won't buy"
    ],
)
def test_repurchase_phrasings(morph: Morphology, text: str, repurchase: bool) -> None:
    assert ("repurchase" in ids(morph, text)) is repurchase


def test_days_are_delivery_only_when_something_came(morph: Morphology) -> None:
    assert ids(morph, "하루만에 왔어요") == ["delivery"]
    assert "delivery" not in ids(morph, "하루만에 소리가 안 나요")


def test_usability_phrases_cross_the_space_after_gi(morph: Morphology) -> None:
    assert "usability" in ids(morph, "입기 편해요")
    assert "usability" in ids(morph, "먹기도 편합니다")
    assert "usability" in ids(morph, "조립하기 어려워요")


def test_loudness_is_not_size(morph: Morphology) -> None:
    found = ids(morph, "모터 소리가 생각보다 크네요")
    assert "performance" in found and "size" not in found


def test_nouns_inside_a_longer_entry_add_nothing(morph: Morphology) -> None:
    assert ids(morph, "싼맛에 샀어요") == ["price"]


def test_some_aspect_nouns_are_still_topics(morph: Morphology) -> None:
    text = "소음이 심하고 보풀이 생겨요"
    assert {"소음", "보풀"} <= set(topic_phrases(text, morph.tokens(text)))
    assert "performance" in ids(morph, text)


def test_literal_pattern_matches_like_a_longest_first_alternation() -> None:
    words = ["배송", "배송비", "배", "송비", "비싸", "싸", "싸게", "a.b", "ab"]
    trie = literal_pattern(words)
    alternation = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice("배송비싸게a.bx") for _ in range(rng.randint(0, 14)))
        assert [m.group(0) for m in trie.finditer(text)] == [m.group(0) for m in alternation.finditer(text)]
