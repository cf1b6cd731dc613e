"""Open topics name things: each filter of topics.py drops its kind of noun and keeps the thing beside it."""

from __future__ import annotations

import pytest

from highpipe.analysis import aspect_lexicon, topic_lexicon
from highpipe.analysis.morph import Morphology
from highpipe.analysis.topics import topic_phrases


def topics(morph: Morphology, text: str) -> list[str]:
    return topic_phrases(text, morph.tokens(text))


@pytest.mark.parametrize(
    ("text", "judged"),
    [("손색 없는 포장이에요", "손색"), ("답변이 성의 없어요", "성의"), ("일리있는 말이네요", "일리")],
)
def test_set_judgements_with_exist_are_not_topics(morph: Morphology, text: str, judged: str) -> None:
    assert judged not in topics(morph, text)


def test_a_thing_before_exist_stays_a_topic(morph: Morphology) -> None:
    assert topics(morph, "주머니있어서 편해요") == ["주머니"]
    assert topics(morph, "상관없어요 지퍼가 튼튼해서") == ["지퍼"]


def test_aspect_cue_words_are_judgements(morph: Morphology) -> None:
    assert topics(morph, "이 가격에 완전 이득이에요") == []
    assert "지연" not in topics(morph, "배송 지연이 심했어요")


def test_a_cue_word_worth_a_card_stays(morph: Morphology) -> None:
    # 보풀 is a quality cue word, but a `topic:보풀` card is wanted (TOPIC_TOO).
    assert topics(morph, "세탁 몇 번에 보풀이 생겨요") == ["세탁", "보풀"]


@pytest.mark.parametrize(
    ("text", "judged", "thing"),
    [
        ("터치 조작이 직관적이에요", "직관", "터치"),
        ("정확하게 왔어요 손잡이도 튼튼해요", "정확", "손잡이"),
        ("고급스러워요 로고도 예뻐요", "고급", "로고"),
    ],
)
def test_a_noun_derived_into_a_judgement_is_not_a_topic(
    morph: Morphology, text: str, judged: str, thing: str
) -> None:
    found = topics(morph, text)
    assert judged not in found and thing in found


def test_an_action_noun_with_ha_stays_a_topic(morph: Morphology) -> None:
    # Kiwi tags the 하 of "세탁하니" as adjectival like that of "정확하니"; the action is a topic.
    assert topics(morph, "세탁하니 줄어들었어요") == ["세탁"]
    assert topics(morph, "세탁하기 좋아요") == ["세탁"]


@pytest.mark.parametrize(
    "text",
    [
        "배송 지연 안내도 없었어요",
        "요청했는데 처리가 안 됐어요",
        "상담원 말씀으로는 조회가 안 된대요",
        "여기저기 전부 실밥이에요",
        "저번에 산 게 더 나았어요",
        "남친이 좋아해요",
    ],
)
def test_generic_service_extent_time_and_person_nouns_are_not_topics(morph: Morphology, text: str) -> None:
    assert topics(morph, text) == []


def test_things_beside_generic_nouns_stay(morph: Morphology) -> None:
    assert topics(morph, "저번에 산 것보다 뚜껑이 좋아요") == ["뚜껑"]
    assert topics(morph, "지퍼가 뻑뻑해요") == ["지퍼"]


def test_a_relational_head_leaves_the_thing_before_it(morph: Morphology) -> None:
    assert topics(morph, "커텐덕분에 아이가 잘 자요") == ["커텐"]
    assert topics(morph, "가슴부분이 좁아요") == ["가슴"]
    assert topics(morph, "엄마선물로 샀어요") == []


def test_a_compound_with_a_thing_head_is_kept_whole(morph: Morphology) -> None:
    assert topics(morph, "무선청소기 흡입력이 좋아요") == ["무선청소기"]


def test_a_misread_polite_predicate_is_not_a_topic(morph: Morphology) -> None:
    # Kiwi reads "오래가요" here as 오래 + an unknown noun 가요.
    assert topics(morph, "배터리가 오래가요 앱 설정이 간단해요") == ["배터리", "설정"]


def test_a_real_noun_ending_in_yo_stays(morph: Morphology) -> None:
    assert topics(morph, "동요가 나와요") == ["동요"]


def test_topic_vocabulary_lives_in_topic_lexicon() -> None:
    assert not hasattr(aspect_lexicon, "TOPIC_STOP") and not hasattr(aspect_lexicon, "TOPIC_TOO")
    assert not topic_lexicon.TOPIC_TOO & topic_lexicon.NOT_TOPIC
    assert topic_lexicon.TOPIC_STOP <= topic_lexicon.NOT_TOPIC
