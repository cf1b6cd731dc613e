"""The demo shop's catalogue: fictional products, how their reviews lean, and how some of them misbehave.

Everything here is constant data. Reviews are generated from it (see `generator.py`); nothing is built
when this module is imported. Brands and products are invented.

Behaviours (for failure tests; hidden from the catalogue unless `?all=1`):
- `blocked`: the review endpoints answer 403 with a bot-check HTML page.
- `flaky`: the 2nd review page answers 503 the first time it is asked for (per app instance), then works,
  so a fetcher that retries 5xx succeeds.
- `broken`: the 2nd review page always answers 500 (a job fails but keeps page 1).
- `empty`: a product with 0 reviews.
- `slow`: every review page takes `slow_delay_s` (default 0.3 s), for cancellation tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

Behaviour = Literal["normal", "blocked", "flaky", "broken", "empty", "slow"]

Weights5 = tuple[float, float, float, float, float]


@dataclass(frozen=True, slots=True)
class ProductSpec:
    pid: str
    title: str
    brand: str
    category: str
    kind: str = field(metadata={"doc": "phrase-bank key in phrases_items.py"})
    price: int
    review_count: int
    rating_start: Weights5 = field(metadata={"doc": "P(1..5 stars) for the oldest reviews"})
    rating_end: Weights5 = field(metadata={"doc": "P(1..5 stars) for the newest; interpolated in between"})
    aspect_bias: dict[str, float] = field(
        metadata={
            "doc": "aspect id -> logit shift of P(positive); its keys are the aspects reviews talk about"
        }
    )
    options: tuple[tuple[str, tuple[str, ...]], ...]
    description: str
    hidden: bool = False
    behaviour: Behaviour = "normal"


_TEE_OPTIONS: Final = (
    ("색상", ("블랙", "화이트", "네이비", "멜란지 그레이", "베이지")),
    ("사이즈", ("S", "M", "L", "XL", "2XL")),
)
_SHOE_OPTIONS: Final = (
    ("색상", ("블랙/화이트", "올화이트", "그레이", "네이비")),
    ("사이즈", tuple(str(mm) for mm in range(230, 295, 5))),
)
_EARBUD_OPTIONS: Final = (("색상", ("미드나잇 블랙", "펄 화이트", "라벤더")),)
_SNACK_OPTIONS: Final = (("구성", ("210g x 1봉", "210g x 3봉", "210g x 5봉")),)
_PERFUME_OPTIONS: Final = (("용량", ("30ml", "50ml", "100ml")),)
_TOWEL_OPTIONS: Final = (
    ("색상", ("화이트", "그레이", "베이지", "네이비", "혼합")),
    ("구성", ("10매", "20매")),
)

_TEE_BIAS: Final = {
    "size": -1.3,
    "quality": 0.4,
    "design": 1.2,
    "delivery": 0.8,
    "price": 0.9,
    "durability": -0.6,
    "packaging": 0.0,
    "service": -0.3,
    "repurchase": 0.3,
}
_SHOE_BIAS: Final = {
    "size": -0.3,
    "usability": 1.2,
    "durability": -0.2,
    "design": 0.8,
    "delivery": 0.3,
    "price": 0.0,
    "quality": 0.4,
    "smell": -0.9,
    "repurchase": 0.2,
}
_EARBUD_BIAS: Final = {
    "performance": 0.8,
    "usability": 0.0,
    "durability": -0.7,
    "design": 0.5,
    "price": 0.3,
    "delivery": 0.6,
    "service": -0.9,
    "packaging": 0.3,
    "repurchase": 0.0,
}
_SNACK_BIAS: Final = {
    "taste": 1.0,
    "packaging": 0.0,
    "price": 0.5,
    "delivery": 0.5,
    "quality": -0.2,
    "smell": 0.6,
    "repurchase": 1.0,
}
_PERFUME_BIAS: Final = {
    "smell": 0.6,
    "durability": -0.9,
    "design": 1.2,
    "packaging": 1.0,
    "price": -0.4,
    "delivery": 0.5,
    "service": 0.2,
    "repurchase": 0.0,
}
_TOWEL_BIAS: Final = {
    "quality": 0.6,
    "usability": 0.8,
    "durability": -0.9,
    "smell": -0.3,
    "design": 0.5,
    "price": 1.0,
    "delivery": 0.7,
    "packaging": -0.2,
    "repurchase": 0.5,
}

# Rating mixes: mostly happy shops, as real ones are, with a product that gets worse over time.
_HAPPY: Final[Weights5] = (0.04, 0.05, 0.11, 0.28, 0.52)
_MIXED: Final[Weights5] = (0.10, 0.12, 0.22, 0.28, 0.28)
_SOURING: Final[Weights5] = (0.22, 0.16, 0.20, 0.22, 0.20)

PRODUCTS: Final[tuple[ProductSpec, ...]] = (
    ProductSpec("tee", "하이룩 오버핏 코튼 반팔 티셔츠", "하이룩", "의류 > 티셔츠", "tee", 19_900, 320,
                _MIXED, _HAPPY, _TEE_BIAS, _TEE_OPTIONS,
                "20수 면 100% 오버핏 반팔 티셔츠. 사계절 이너로도 좋아요."),
    ProductSpec("sneakers", "클라우드스텝 데일리 쿠션 러닝화", "클라우드스텝", "신발 > 운동화", "shoes", 69_000, 260,
                _HAPPY, _HAPPY, _SHOE_BIAS, _SHOE_OPTIONS,
                "가벼운 쿠션 미드솔의 데일리 러닝화. 발볼 보통."),
    ProductSpec("earbuds", "사운드핏 노이즈캔슬링 무선 이어폰 SF-200", "사운드핏", "전자기기 > 무선 이어폰",
                "earbuds", 89_000, 400, _HAPPY, _SOURING, _EARBUD_BIAS, _EARBUD_OPTIONS,
                "액티브 노이즈캔슬링, 최대 28시간 재생, 블루투스 5.3."),
    ProductSpec("almonds", "바삭공방 허니버터 아몬드 210g", "바삭공방", "식품 > 간식/견과", "snack", 12_900, 350,
                _HAPPY, _HAPPY, _SNACK_BIAS, _SNACK_OPTIONS,
                "달콤짭짤한 허니버터 시즈닝 아몬드. 지퍼백 포장."),
    ProductSpec("perfume", "라온 블루밍 오 드 퍼퓸", "라온", "뷰티 > 향수", "perfume", 45_000, 180,
                _MIXED, _MIXED, _PERFUME_BIAS, _PERFUME_OPTIONS,
                "은은한 화이트 플로럴 머스크 향. 선물 포장 가능."),
    ProductSpec("towel", "호텔결 40수 코마사 세면타올", "호텔결", "생활용품 > 수건", "towel", 24_900, 150,
                _HAPPY, _MIXED, _TOWEL_BIAS, _TOWEL_OPTIONS,
                "40수 코마사 세면타올 150g. 호텔식 도톰한 두께."),
    # Large, seeded products for benchmarks.
    ProductSpec("bench-2k", "[벤치마크] 바삭공방 믹스넛 대용량", "바삭공방", "벤치마크", "snack", 29_900, 2_000,
                _HAPPY, _MIXED, _SNACK_BIAS, _SNACK_OPTIONS, "리뷰 2,000건 벤치마크용 상품."),
    ProductSpec("bench-5k", "[벤치마크] 하이룩 기본 라운드 티셔츠", "하이룩", "벤치마크", "tee", 9_900, 5_000,
                _MIXED, _MIXED, _TEE_BIAS, _TEE_OPTIONS, "리뷰 5,000건 벤치마크용 상품."),
    ProductSpec("bench-20k", "[벤치마크] 사운드핏 무선 이어폰 SF-100", "사운드핏", "벤치마크", "earbuds", 49_000,
                20_000, _HAPPY, _SOURING, _EARBUD_BIAS, _EARBUD_OPTIONS, "리뷰 20,000건 벤치마크용 상품."),
    # Failure products: hidden from the catalogue, reachable by id.
    ProductSpec("blocked", "[테스트] 봇 차단 상품", "테스트", "테스트", "towel", 10_000, 120,
                _HAPPY, _HAPPY, _TOWEL_BIAS, _TOWEL_OPTIONS, "리뷰 요청에 403 봇 확인 페이지를 돌려줍니다.",
                hidden=True, behaviour="blocked"),
    ProductSpec("flaky", "[테스트] 불안정한 상품", "테스트", "테스트", "tee", 10_000, 250,
                _MIXED, _MIXED, _TEE_BIAS, _TEE_OPTIONS, "리뷰 2페이지가 처음 한 번 503을 돌려줍니다.",
                hidden=True, behaviour="flaky"),
    ProductSpec("broken", "[테스트] 고장난 상품", "테스트", "테스트", "snack", 10_000, 250,
                _HAPPY, _HAPPY, _SNACK_BIAS, _SNACK_OPTIONS, "리뷰 2페이지가 항상 500을 돌려줍니다.",
                hidden=True, behaviour="broken"),
    ProductSpec("empty", "[테스트] 리뷰 없는 상품", "테스트", "테스트", "perfume", 10_000, 0,
                _HAPPY, _HAPPY, _PERFUME_BIAS, _PERFUME_OPTIONS, "리뷰가 0건인 상품.",
                hidden=True, behaviour="empty"),
    ProductSpec("slow", "[테스트] 느린 상품", "테스트", "테스트", "earbuds", 10_000, 1_000,
                _HAPPY, _HAPPY, _EARBUD_BIAS, _EARBUD_OPTIONS, "리뷰 페이지마다 응답이 느립니다.",
                hidden=True, behaviour="slow"),
)  # fmt: skip

PRODUCT_BY_ID: Final[dict[str, ProductSpec]] = {p.pid: p for p in PRODUCTS}
