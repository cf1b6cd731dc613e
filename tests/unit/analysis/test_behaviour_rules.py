"""Rules added from the behavioural suite's dev failures (tests/data/behaviour.md): double negation,
the negator 안 before a cue, bare jamo reviews, English phrases and contrast, the polite 요."""

from __future__ import annotations

import pytest

from highpipe.analysis.lexicon import polarity_hits
from highpipe.analysis.morph import Morphology, split_clauses
from highpipe.analysis.rules import english_margin, jamo_margin


@pytest.fixture(scope="module")
def morph() -> Morphology:
    return Morphology()


def signs(text: str) -> list[str]:
    return [sign for _, sign in polarity_hits(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("불량은 없었어요", ["+"]),  # an absent problem is praise
        ("하자도 하나도 없네요", ["+"]),
        ("불량이에요", ["-"]),
        ("별로 안 따뜻해요", ["-"]),  # 안 negates the cue after it; 별로 only says "not very"
        ("안따뜻해요", ["-"]),
        ("별로 안 비싸요", ["+"]),
        ("안 불편해요", ["+"]),
        ("편안해요", ["+"]),  # 안 closing another word is no negator
        ("불안해요", []),
        ("다시는 안 살 거예요", ["-"]),
        ("안 살 이유가 없어요", ["+"]),
        ("튼튼해서 끄떡없어요", ["+", "+"]),
        ("마싯어요", ["+"]),
    ],
)
def test_negation_and_new_cues(text: str, expected: list[str]) -> None:
    assert signs(text) == expected


def test_bare_jamo_reviews() -> None:
    assert jamo_margin("ㅠㅠㅠㅠ") == -1.0
    assert jamo_margin("ㅜㅜ...") == -1.0
    assert jamo_margin("ㅋㅋㅋ!!") == 1.0
    assert jamo_margin("ㅋㅋ ㅠㅠ") == 0.0
    assert jamo_margin("ㅡㅡ") is None  # no crying or laughing: the model reads it
    assert jamo_margin("좋아요 ㅠㅠ") is None  # words: the model reads it
    assert jamo_margin("ok ㅋㅋ") is None


def test_english_phrases() -> None:
    assert english_margin("It runs small")[0] < 0
    assert english_margin("Shipping took three weeks.")[0] < 0
    assert english_margin("Fits perfectly, true to size")[0] > 0
    assert english_margin("The battery dies too quickly.")[0] < 0
    assert english_margin("small and light")[0] == 0.0  # "small" alone judges nothing


def test_english_contrast_opens_a_clause(morph: Morphology) -> None:
    text = "The color is beautiful but the size runs small."
    clauses = split_clauses(text, morph.tokens(text))
    assert [text[c.start : c.end] for c in clauses] == ["The color is beautiful", "but the size runs small."]
    assert [c.contrast for c in clauses] == [False, True]


def test_polite_yo_stays_with_its_clause(morph: Morphology) -> None:
    text = "응대는 친절했는데 결국 교환은 안 해주더라고요."
    clauses = split_clauses(text, morph.tokens(text))
    assert [text[c.start : c.end] for c in clauses] == ["응대는 친절했는데", "결국 교환은 안 해주더라고요."]
