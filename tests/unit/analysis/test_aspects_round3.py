"""Third recall round: ease after the nominaliser 기 with words between, new vocabulary (scuffs,
stains, noise, drafts, ripeness, spitting food out, sizes said as 큽니다) and the phrases that must
not match ("기대가 커서", "아이가 빨리 커서", a taste that suits rice). Example sentences are our own."""

from __future__ import annotations

import pytest
from tests.aspect_support import ids, own

from highpipe.analysis.morph import Morphology


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("뚜껑을 열기가 너무 힘드네요", "negative"),
        ("양말 신기 정말 편해요", "positive"),
        ("닦기도 엄청 쉬워요", "positive"),
    ],
)
def test_ease_after_nominaliser_with_words_between(morph: Morphology, text: str, polarity: str) -> None:
    assert ids(morph, text) == ["usability"]
    assert own(morph, text, "usability") == polarity


@pytest.mark.parametrize(
    ("text", "aspect", "polarity"),
    [
        ("모서리가 긁힌 채로 왔어요", "quality", "negative"),
        ("바닥에 얼룩 같은 게 묻어있네요", "quality", None),
        ("선반 수평이 안 맞아요", "quality", "negative"),
        ("생각보다 훨씬 큽니다", "size", "negative"),
        ("모터가 너무 시끄러워요", "performance", "negative"),
        ("창문에 붙였는데도 찬바람이 들어와요", "performance", "negative"),
        ("복숭아가 덜 익어서 딱딱해요", "taste", "negative"),
        ("강아지가 먹더니 뱉어버려요", "taste", "negative"),
        ("오래오래 잘 쓸 것 같아요", "durability", "positive"),
        ("볼트를 3개만 주고 끝이네요", "service", None),
    ],
)
def test_new_vocabulary(morph: Morphology, text: str, aspect: str, polarity: str | None) -> None:
    assert aspect in ids(morph, text)
    if polarity is not None:
        assert own(morph, text, aspect) == polarity


@pytest.mark.parametrize(
    "text",
    [
        "기대가 커서 그런지 평범했어요",
        "실망이 큽니다",
        "아기가 금방 커서 오래는 못 써요",
        "진정한 가성비템이에요",
    ],
)
def test_phrases_that_are_not_the_aspect(morph: Morphology, text: str) -> None:
    found = ids(morph, text)
    assert "size" not in found and "performance" not in found


def test_suiting_is_design_but_not_for_food(morph: Morphology) -> None:
    assert ids(morph, "어떤 방에나 잘 어울려요") == ["design"]
    assert "design" not in ids(morph, "맛이 밥이랑 잘 어울려요")
