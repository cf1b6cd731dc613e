"""The shared vocabulary: aspects, emotions, sentiment labels and job states (DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Sentiment = Literal["positive", "negative", "neutral"]
SENTIMENTS: Final[tuple[Sentiment, ...]] = ("positive", "negative", "neutral")

JobStatus = Literal["queued", "running", "completed", "failed", "cancelled"]
FINAL_STATUSES: Final[frozenset[str]] = frozenset({"completed", "failed", "cancelled"})

Stage = Literal["collect", "analyze", "report"]


@dataclass(frozen=True, slots=True)
class AspectDef:
    id: str
    ko: str
    en: str


ASPECTS: Final[tuple[AspectDef, ...]] = (
    AspectDef("delivery", "배송", "Delivery"),
    AspectDef("packaging", "포장", "Packaging"),
    AspectDef("price", "가격/가성비", "Price / value"),
    AspectDef("quality", "품질/마감", "Quality / finish"),
    AspectDef("durability", "내구성", "Durability"),
    AspectDef("size", "사이즈/핏", "Size / fit"),
    AspectDef("design", "디자인/색상", "Design / colour"),
    AspectDef("performance", "기능/성능", "Function / performance"),
    AspectDef("usability", "사용감/편의성", "Ease of use"),
    AspectDef("smell", "냄새/향", "Smell / scent"),
    AspectDef("taste", "맛", "Taste"),
    AspectDef("service", "고객서비스/교환/환불", "Customer service / returns"),
    AspectDef("repurchase", "재구매 의사", "Repurchase intent"),
)
ASPECT_BY_ID: Final[dict[str, AspectDef]] = {a.id: a for a in ASPECTS}


@dataclass(frozen=True, slots=True)
class EmotionDef:
    id: str
    ko: str
    en: str
    kote: tuple[str, ...]


EMOTIONS: Final[tuple[EmotionDef, ...]] = (
    EmotionDef(
        "satisfaction", "만족", "Satisfaction", ("편안/쾌적", "흐뭇함(귀여움/예쁨)", "뿌듯함", "고마움")
    ),
    EmotionDef("joy", "기쁨/감동", "Joy", ("기쁨", "행복", "감동/감탄", "즐거움/신남")),
    EmotionDef("trust", "신뢰/안심", "Trust", ("안심/신뢰", "존경")),
    EmotionDef("anticipation", "기대", "Anticipation", ("기대감",)),
    EmotionDef("disappointment", "실망", "Disappointment", ("안타까움/실망", "절망", "서러움")),
    EmotionDef(
        "anger", "짜증/분노", "Annoyance / anger", ("화남/분노", "짜증", "불평/불만", "어이없음", "증오/혐오")
    ),
    EmotionDef("worry", "불안/걱정", "Worry", ("불안/걱정", "공포/무서움", "의심/불신")),
    EmotionDef("surprise", "놀람", "Surprise", ("놀람", "경악", "신기함/관심")),
    EmotionDef("regret", "후회", "Regret", ()),
)
EMOTION_BY_ID: Final[dict[str, EmotionDef]] = {e.id: e for e in EMOTIONS}
KOTE_TO_EMOTION: Final[dict[str, str]] = {label: e.id for e in EMOTIONS for label in e.kote}


def aspect_label(aspect_id: str) -> str:
    """Korean label of an aspect id; open topics (`topic:<slug>`) keep their phrase."""
    if aspect_id.startswith("topic:"):
        return aspect_id.split(":", 1)[1]
    return ASPECT_BY_ID[aspect_id].ko
