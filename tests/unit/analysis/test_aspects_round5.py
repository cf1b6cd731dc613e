"""Fifth round (from the errors on aspect_dev3, checked over all training rows): arrival used as a time
marker, colours that name the variant bought, colour that washes off, habitual and next-time buying,
ease after 기에, keeping water out, modal 안 되다, thick clothes worn under, taut build, listings to
correct, and a few polarity cues (안 추워요, 여성스럽다, 마음에 듭니다, 몇 년 동안). Example sentences
are our own."""

from __future__ import annotations

import pytest
from tests.aspect_support import ids, own

from highpipe.analysis.morph import Morphology


@pytest.mark.parametrize(
    "text",
    [
        "배송 받아서 빨래를 돌렸는데",
        "택배 오자마자 뜯어봤는데",
        "공항에 도착하니 작동을 안 해요",
        "배송받았는데 유통기한이 오늘까지",
    ],
)
def test_arrival_as_a_time_marker_is_no_delivery(morph: Morphology, text: str) -> None:
    assert "delivery" not in ids(morph, text)


@pytest.mark.parametrize(
    "text", ["배송 받았는데 너무 느려요", "택배 와서 보니 빨리 왔네요", "배송 빠르게 잘 받았어요"]
)
def test_arrival_with_a_delivery_word_stays(morph: Morphology, text: str) -> None:
    assert "delivery" in ids(morph, text)


@pytest.mark.parametrize(
    "text",
    [
        "다음엔 네이비색 하나 더 구입하려구요",
        "블랙컬러로 주문했는데",
        "흰색 끈이 들어 있네요",
        "베이지색이 더 짧아요",
    ],
)
def test_colour_naming_the_variant_is_no_design(morph: Morphology, text: str) -> None:
    assert "design" not in ids(morph, text)


@pytest.mark.parametrize("text", ["검정색 만족합니다", "핑크색이 너무 튀어요", "그레이색이 예뻐서 샀어요"])
def test_colour_judged_stays_design(morph: Morphology, text: str) -> None:
    assert "design" in ids(morph, text)


def test_colour_washing_off_is_the_finish(morph: Morphology) -> None:
    found = ids(morph, "씻었더니 색이 다 벗겨졌어요")
    assert "design" not in found
    assert {"quality", "durability"} & set(found)
    assert ids(morph, "받자마자 색이 빠져 있네요") == ["quality"]


@pytest.mark.parametrize(
    "text",
    [
        "다음에도 구매할 예정이에요",
        "자주 애용하고 있어요",
        "항상 사는 곳이에요",
        "몇 년째 계속 쓰는 중이에요",
    ],
)
def test_habitual_and_next_time_buying(morph: Morphology, text: str) -> None:
    assert ids(morph, text) == ["repurchase"]
    assert own(morph, text, "repurchase") == "positive"


def test_for_years_is_not_a_negation(morph: Morphology) -> None:
    assert own(morph, "몇년동안 계속 쓰는중", "repurchase") == "positive"
    assert own(morph, "다시는 안 살래요", "repurchase") == "negative"


@pytest.mark.parametrize("text", ["입기에 딱 좋은 티셔츠", "신기에 좋은 것 같아요", "들고 다니기에 편해요"])
def test_ease_after_gie(morph: Morphology, text: str) -> None:
    assert "usability" in ids(morph, text)
    assert ids(morph, "보기에 좋아요") == ["design"]  # 보기에 좋 stays the look


@pytest.mark.parametrize("text", ["물도 들어오지 않고 좋아요", "눈에 땀이 안 들어가요"])
def test_keeping_water_out_is_performance(morph: Morphology, text: str) -> None:
    assert ids(morph, text) == ["performance"]
    assert own(morph, text, "performance") == "positive"


@pytest.mark.parametrize("text", ["포장이 다르면 안 됩니다", "부품이 덜 오면 안 되는 상품인데"])
def test_modal_must_not_is_no_performance(morph: Morphology, text: str) -> None:
    assert "performance" not in ids(morph, text)
    assert "performance" in ids(morph, "전원이 안 돼요")


@pytest.mark.parametrize(
    "text", ["두꺼운 옷 입고는 못 입어요", "안에 두껍게 입으면 돼요", "다리 가장 두꺼운 부분이 30cm"]
)
def test_thick_clothes_underneath_are_not_the_material(morph: Morphology, text: str) -> None:
    assert "quality" not in ids(morph, text)
    assert "quality" in ids(morph, "원단이 두꺼워요")


def test_taut_build_and_finish(morph: Morphology) -> None:
    assert ids(morph, "짱짱하고 튼튼해요") == ["quality"]
    assert ids(morph, "가성비 짱짱") == ["price"]  # the bare 짱짱 is only praise
    assert "quality" in ids(morph, "완성도가 높아요")


def test_listing_to_correct_is_service(morph: Morphology) -> None:
    assert ids(morph, "상품 정보 수정해주세요") == ["service"]
    assert own(morph, "정보수정하세요", "service") == "negative"


def test_polarity_cues(morph: Morphology) -> None:
    assert own(morph, "강원도 사는데 안 추워요", "performance") == "positive"
    assert own(morph, "여성스럽고 예뻐요", "design") == "positive"
    assert own(morph, "여성스러워서 마음에 듭니다", "design") == "positive"
    assert own(morph, "해보니 시원한 느낌이 좋아요", "performance") == "positive"
    assert own(morph, "크긴 한데 쓸만해요", "size") == "negative"
