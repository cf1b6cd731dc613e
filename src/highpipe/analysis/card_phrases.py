"""Dependency-free normalisation of an aspect clause into a short phrase such as "배송 빠름".

Cards list their most frequent phrases, so surface variants must meet: "배송이 정말 빨라요",
"배송 빠르네요!!" and "배송은 빨랐어요" all become "배송 빠름". The rules are deliberately small:
  - the subject is the first content word, with one trailing particle (조사) removed;
  - intensifiers ("정말", "너무" …) are dropped, while "잘", "안", "못", "딱" are kept because they
    change the meaning;
  - the predicate is mapped to a canonical nominal form through a short lexicon of common review
    predicates, then through the 하다 rule ("튼튼해요" -> "튼튼함"); unknown predicates keep their
    surface form (minus punctuation), so a phrase is never a made-up word;
  - a trailing negation ("빠르지 않아요") becomes "안 빠름".
`CardBuilder(phrase_fn=...)` accepts a morphology-based replacement (e.g. built on Kiwi).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from highpipe.domain.vocab import ASPECT_BY_ID

_PARTICLES: Final = tuple(
    sorted(
        "은 는 이 가 을 를 도 만 의 에 로 와 과 랑 으로 에서 까지 부터 보다 처럼 만큼 이랑 이나 에게 한테"
        " 에서는 으로는 에서도 이라서 이라 이요 은요 는요".split(),
        key=len,
        reverse=True,
    )
)
# One-syllable nouns common in reviews; other words keep a one-syllable remainder unstripped
# ("속도" must not become "속").
_SHORT_NOUNS: Final = frozenset("맛 향 핏 색 천 질 값 옷 통 폰 알 면 날 끈 줄 빛".split())
_DROP: Final = frozenset(
    "정말 진짜 너무 넘 아주 완전 엄청 매우 좀 조금 약간 생각보다 되게 꽤 많이 제일 가장 더 또 그리고 근데"
    " 그런데 다만 하지만 역시 일단 우선 대체로 전체적으로 전반적으로 살짝 확실히 그냥 그래도 특히 무엇보다"
    " 진심 참 많이들 훨씬 상당히 나름 나름대로 은근 은근히".split()
)
_MODIFIERS: Final = frozenset("잘 안 못 딱".split())
_NEGATIONS: Final = ("않",)

# Canonical form <- surface prefixes. Prefixes are matched at the start of the predicate word, so
# they are chosen long enough not to swallow unrelated words.
_LEXICON: Final[dict[str, tuple[str, ...]]] = {
    "빠름": ("빠르", "빨라", "빨랐", "빠릅", "빠른", "빨리", "빠름"),
    "느림": ("느리", "느려", "느렸", "느립", "느린", "느림", "늦"),
    "좋음": ("좋", "조아", "조와"),
    "나쁨": ("나쁘", "나빠", "나빴", "나쁜", "나쁨"),
    "별로": ("별로",),
    "최고": ("최고", "짱", "굿"),
    "만족": ("만족",),
    "불만": ("불만",),
    "실망": ("실망",),
    "추천": ("추천",),
    "저렴함": ("저렴", "싸요", "싸네", "싸서", "싸고", "쌉니", "싼", "쌌"),
    "비쌈": ("비싸", "비쌉", "비싼", "비쌌"),
    "예쁨": ("예쁘", "예뻐", "예쁜", "예뻤", "이쁘", "이뻐", "이쁜", "이뻤", "예쁨", "이쁨"),
    "큼": ("커요", "커서", "커용", "크네", "큽니", "크다", "크고", "컸", "큰", "큼"),
    "작음": ("작아", "작네", "작습", "작은", "작았", "작고", "작다", "작음"),
    "맞음": ("맞아", "맞네", "맞습", "맞고", "맞음", "맞는", "맞았"),
    "맛있음": ("맛있", "맛나"),
    "맛없음": ("맛없",),
    "남": ("나요", "나네", "납니", "났", "나고"),  # not a bare "남": it would swallow "남자"
    "없음": ("없",),
    "있음": ("있",),
    "아쉬움": ("아쉽", "아쉬"),
    "괜찮음": ("괜찮", "괜춘"),
    "됨": ("돼요", "됩니", "되네", "되요", "됐", "되고", "됨"),
    "착함": ("착하", "착해", "착한"),
    "가벼움": ("가볍", "가벼"),
    "무거움": ("무겁", "무거"),
    "부드러움": ("부드러", "부드럽"),
    "얇음": ("얇",),
    "두꺼움": ("두껍", "두꺼"),
    "깨짐": ("깨졌", "깨져", "깨짐", "깨지"),
    "찢어짐": ("찢어", "찢겨"),
    "엉망": ("엉망",),
    "다름": ("달라", "다르", "달랐", "다른", "다름"),
    "편함": ("편해", "편하", "편했", "편합", "편한"),
    "안됨": ("안돼", "안되", "안됩", "안됐"),
}


def _index_by_initial() -> dict[str, tuple[tuple[str, str], ...]]:
    """Prefixes by first character, longest first, so a lookup scans only a handful of them."""
    index: dict[str, list[tuple[str, str]]] = {}
    for canon, prefixes in _LEXICON.items():
        for prefix in prefixes:
            index.setdefault(prefix[0], []).append((prefix, canon))
    return {k: tuple(sorted(v, key=lambda pc: len(pc[0]), reverse=True)) for k, v in index.items()}


_BY_INITIAL: Final = _index_by_initial()
# X하다 adjectives/verbs in their usual review endings; "사용하기" (a nominal form) is not one.
_HADA: Final = re.compile(
    r"([가-힣]{2,}?)(?:하다|하고|하게|하며|하네요?|하지|하구요|해요?|해용|해서|해도|했어요?|했음|했고|했네요?"
    r"|했습니다|합니다|합니당|함|한|해짐|해졌어요?)"
)
# An unknown word is only taken as the predicate when it ends like one ("달라요", not "배송").
_PREDICATE_END: Final = re.compile(r"(요|다|음|함|네|죠|임|됨|듯|고|용)$")
_TRAILING_JI: Final = re.compile(r"(지|진|치)$")
_CLEAN: Final = re.compile(r"[^0-9A-Za-z가-힣\s]+")


def _strip_particle(word: str) -> str:
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) > len(particle):
            stem = word[: -len(particle)]
            if len(stem) >= 2 or stem in _SHORT_NOUNS:
                return stem
    return word


@lru_cache(maxsize=32768)  # review vocabulary is small and repetitive
def canonical_predicate(word: str) -> str | None:
    """The canonical form of a known predicate word, or None when the word is not recognised."""
    for prefix, canon in _BY_INITIAL.get(word[:1], ()):
        if word.startswith(prefix):
            return canon
    match = _HADA.fullmatch(word)
    if match:
        return match.group(1) + "함"
    return None


def normalise_phrase(clause: str, aspect_id: str) -> str | None:
    """Normalise a clause ("배송이 정말 빨라요!" -> "배송 빠름"); None without a usable predicate."""
    words = [w for w in _CLEAN.sub(" ", clause).split() if w.lower() not in _DROP]
    if not words:
        return None
    negated = False
    if len(words) >= 2 and words[-1].startswith(_NEGATIONS):
        negated = True
        words = [*words[:-2], _TRAILING_JI.sub("", words[-2])]
    subject: str | None = None
    rest = words
    if len(words) >= 2 and canonical_predicate(words[0]) is None and words[0] not in _MODIFIERS:
        subject, rest = _strip_particle(words[0]), words[1:]
    predicate: str | None = None
    modifier: str | None = None
    for index, word in enumerate(rest):
        if word in _MODIFIERS:
            modifier = word
            continue
        canon = canonical_predicate(word)
        if canon is not None:
            predicate = canon
            break
        if index == len(rest) - 1 and _PREDICATE_END.search(word):
            predicate = word
    if predicate is None:
        return None
    if subject is None:
        subject = _default_subject(aspect_id)
    if negated:
        modifier = "안"
    parts = [p for p in (subject, modifier, predicate) if p]
    return " ".join(parts) if len(parts) >= 2 else None


def _default_subject(aspect_id: str) -> str | None:
    if aspect_id.startswith("topic:"):
        return aspect_id.split(":", 1)[1].replace("-", " ") or None
    known = ASPECT_BY_ID.get(aspect_id)
    return known.ko.split("/")[0] if known else None
