"""Text clean-up, language detection and Kiwi clause splitting on hand-written sentences."""

from __future__ import annotations

import pytest

from highpipe.analysis.morph import Morphology, split_clauses
from highpipe.analysis.text import clean_text, detect_language, squash


@pytest.fixture(scope="module")
def morph() -> Morphology:
    return Morphology()


def clauses(morph: Morphology, text: str) -> list[str]:
    return [text[c.start : c.end] for c in split_clauses(text, morph.tokens(text))]


def test_clean_text_strips_tags_entities_and_blank_runs() -> None:
    raw = "<p>배송   빨라요&amp;amp;</p><br/>포장&nbsp;좋아요 <script>alert(1)</script><b>굿</b>"
    assert clean_text(raw) == "배송 빨라요&\n포장 좋아요 굿"


def test_clean_text_keeps_lone_angle_brackets() -> None:
    assert clean_text("가격 < 품질 이에요 <3") == "가격 < 품질 이에요 <3"


def test_clean_text_of_blank_input_is_empty() -> None:
    assert clean_text("") == ""
    assert clean_text(" \t\n\u3000 ") == ""


@pytest.mark.parametrize(
    ("text", "lang"),
    [("배송이 빨라요", "ko"), ("Great product, fast shipping", "en"), ("👍👍", "und"), ("ㅋㅋㅋㅋ", "ko"),
     ("삼성 Galaxy Buds 좋아요", "ko"), ("12345 !!!", "und")],
)  # fmt: skip
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_squash_caps_runs_lowercases_and_masks_digits() -> None:
    # Digit runs collapse too (2024 -> 0000 -> 00): numbers of any length look alike.
    assert squash("ㅋㅋㅋㅋㅋ GOOD!!!! 2024년 7개") == "ㅋㅋ good!! 00년 0개"


def test_contrast_endings_split_clauses(morph: Morphology) -> None:
    assert clauses(morph, "배송은 빠른데 사이즈가 작아요") == ["배송은 빠른데", "사이즈가 작아요"]
    assert clauses(morph, "포장이 엉망이지만 제품은 만족해요") == ["포장이 엉망이지만", "제품은 만족해요"]
    assert clauses(morph, "가격은 비싸나 품질은 좋다") == ["가격은 비싸나", "품질은 좋다"]


def test_clause_after_contrast_is_flagged(morph: Morphology) -> None:
    text = "좋은데 비싸요"
    cs = split_clauses(text, morph.tokens(text))
    assert [text[c.start : c.end] for c in cs] == ["좋은데", "비싸요"]
    assert [c.contrast for c in cs] == [False, True]


def test_conjunctive_adverb_opens_a_clause(morph: Morphology) -> None:
    assert clauses(morph, "디자인은 예뻐요 그런데 너무 무거워요") == [
        "디자인은 예뻐요",
        "그런데 너무 무거워요",
    ]
    assert clauses(morph, "나쁘지 않아요 근데 별로") == ["나쁘지 않아요", "근데 별로"]


def test_listing_go_splits_but_not_before_an_auxiliary(morph: Morphology) -> None:
    assert clauses(morph, "디자인도 이쁘고 가격도 저렴해요") == ["디자인도 이쁘고", "가격도 저렴해요"]
    assert clauses(morph, "또 사고 싶어요") == ["또 사고 싶어요"]


def test_bound_noun_de_is_not_a_contrast(morph: Morphology) -> None:
    assert clauses(morph, "쓰는 데에 문제 없어요") == ["쓰는 데에 문제 없어요"]


def test_emoticons_and_punctuation_stay_with_their_clause(morph: Morphology) -> None:
    assert clauses(morph, "사이즈가 작아요ㅠㅠ 그래도 만족합니다!! 👍") == [
        "사이즈가 작아요ㅠㅠ",
        "그래도 만족합니다!! 👍",
    ]


def test_line_breaks_split_and_offsets_cover_the_text(morph: Morphology) -> None:
    text = "배송 빨라요\n포장도 꼼꼼해요"
    cs = split_clauses(text, morph.tokens(text))
    assert [text[c.start : c.end] for c in cs] == ["배송 빨라요", "포장도 꼼꼼해요"]
    assert cs[0].start == 0 and cs[-1].end == len(text)


def test_spacing_errors_still_split(morph: Morphology) -> None:
    assert clauses(morph, "배송은빠른데사이즈가작아요") == ["배송은빠른데", "사이즈가작아요"]


def test_no_tokens_no_clauses(morph: Morphology) -> None:
    assert morph.tokens("   ") == []
    assert split_clauses("", []) == []
