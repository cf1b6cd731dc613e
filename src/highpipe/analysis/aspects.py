"""Aspect detection per clause (the 13 aspect ids of vocab.ASPECTS); open topics are in topics.py.

The vocabulary lives in `aspect_lexicon.py`. Korean entries are matched as substrings of the clause with spaces removed and lower-cased
(so "배송 빨라요" and "배송빨라요" both hit 배송); one-syllable nouns (맛, 향, 색, 핏, 값, 양, 질) would
hit inside unrelated words (방향, 검색), so they match only as whole Kiwi noun tokens, and a few
short entries that end other words ("통이" in "고통이") must start a word. English entries match
whole words. Some entries need more than a table look-up:

- damage ("깨져서", "부러졌", "찢어진") is `quality` when it came that way and `durability` when it
  happened with time or use ("한 달 만에", "쓸수록", "빨았더니");
- a missing thing ("안 왔어요") is `delivery` when the order itself has not come and `service` when
  one item of it is missing ("모자가 안 와서");
- feel words follow the subject: "부드러워요" is quality for a fabric, taste for food and performance
  for skin or hair; "하루만에" is delivery only when something came; "3번째 구매" is repurchase;
- bare speed opening a review ("빠르고 좋아요") is delivery; melted goods are delivery, or packaging
  when the coolant is named; 딱딱/묽 are taste for food; 밝 is design next to a colour, else
  performance; "사진보다 …" is design unless another aspect is named;
- "배송 받아서 …" / "도착하니 …" only dates what follows: no delivery unless a delivery word judges it;
  a colour that names the variant bought ("커피색 하나 더 구입") is no design;
- phrases that contain an aspect word without being about the aspect ("잘 받았어요", "맛있게 잘
  먹겠습니다", "박스 개봉") are swallowed (longest match wins, so they hide the shorter entry); an
  aspect entry rejected for running across words from inside one hides nothing (the search goes on
  one letter later).

What a mention's polarity is comes from `aspect_polarity.py`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from highpipe.analysis.aspect_lexicon import (
    EN_PHRASES,
    EN_TERMS,
    KO_NOUNS,
    KO_TERMS,
    SPECIAL_TERMS,
    WORD_START,
)
from highpipe.analysis.aspect_polarity import cue_signs
from highpipe.analysis.morph import Tok
from highpipe.analysis.text import Compact, literal_pattern

__all__ = ["EN_TERMS", "KO_TERMS", "aspect_ids", "aspect_terms", "ko_matcher"]


# Damage is durability when the clause says it happened over time or with use, quality when it says
# it came that way; wear ("닳", "늘어나") is durability unless it came so.
_WEAR: Final = re.compile(
    r"만에|쓸수록|사용할수록|쓰다보|쓰다가|사용하다|사용중|쓰는중|몇번|몇일|며칠|한달|일주일|하루도|이틀|"
    r"금방|금새|벌써|얼마안|얼마못|얼마되|지나니|지나서|지나자|빨았더니|빨고|빨래|세탁|입다보|신다보|오래|"
    r"년만|개월|몇주|몇달|잘깨|잘부러|잘찢|잘터|잘떨어|잘끊|쉽게|사용후|쓰고나니|빨자마자|세탁후"
)
_ARRIVED: Final = re.compile(
    r"와서|왔|옴|욌|와써|오네|도착|받았는데|받아보니|받고보니|받자마자|개봉|뜯어보니|열어보니|배송되|배송됐|"
    r"배송중|채로|배송와"
)
# "모자가 안 와서": a named item missing from the parcel (service); "택배가 안 와요": the order (delivery).
_ORDER_NOUN: Final = ("배송", "택배", "물건", "상품", "제품", "주문", "주문한게", "주문한것")
_PARTICLE: Final = ("이", "가", "은", "는", "도")
_NOMINAL_END: Final = re.compile(r"(?:기(?:도|가|는|에)?|는게|는건|는거)$")
_CAME: Final = re.compile(r"[^.!?]{0,4}?(?:왔|와|받|도착|배송|옴|온)")
_NTH: Final = re.compile(
    r"번째(?:재구매|구매|주문|구입|시켜|샀|사요|사고|삽니|살게|살께|이용|재주문|먹어|먹는|쓰는|써요)"
)
_COUNT: Final = ("둘다", "하나", "한개", "두개", "하나도", "한가지")
# Food is also recognised by how it is described ("아삭하면서 시원하고": a crunchy, cool bite).
_FOOD: Final = re.compile(
    r"맛|먹|식감|간식|고기|과일|사과|반찬|국물|육수|요리|밥|닭|빵|과자|김치|젤리|떡|아삭|바삭|쫄깃|매콤|매운|"
    r"짭짤|새콤|달콤|음식"
)
_FOOD_ASKERS: Final = frozenset({"bite", "suit", "hard", "runny", "texture", "feel"})
_BODY: Final = re.compile(r"피부|머리|머릿결|모발|각질|얼굴|손이|입술")
_PACKING: Final = re.compile(r"아이스팩|얼음팩|보냉|드라이아이스|스티로폼|포장|박스")
# Sturdiness words said right after the packing ("포장용기가 아주 튼튼해요") describe the packing.
_STURDY: Final = ("튼튼", "견고", "탄탄", "허술", "부실", "엉성")
_RECEIVED: Final = re.compile(r"(?:잘|아주잘|너무잘|정말잘)?(?:받|왔|와|도착|배송|옴|온)")
_COLOUR: Final = re.compile(r"색|컬러|칼라|톤")
_USE_FEEL: Final = re.compile(r"사용감|착용감|착화감|그립감|발림")
# "배송 받아서 세탁했는데", "도착하니 유심 불량": the arrival dates what follows; without a word about
# the delivery itself (빠르/늦/꼼꼼...) it is no delivery opinion.
_DELIVERY_WHEN: Final = re.compile(
    r"(?:을|를|이|가|은|는)?(?:(?:받|와|오|온|왔|돼|되|됐)(?:아서|어서|았는데|었는데|고나서|자마자|서|니까|니|는데|고|았을때|았고)|"
    r"(?:하|해)(?:니|자마자|서보니))"
)
_WHEN_TERMS: Final = frozenset({"배송", "택배", "도착", "발송", "배달"})
# A colour that names the variant bought ("커피색 하나 더 구입하려구요", "그린색이 더 길어요", "파랑색 끈이
# 들어가 있네요") rather than judging the look.
_COLOUR_VARIANT: Final = re.compile(
    r"(?:화이트|블랙|그레이|회|검정|검은|흰|하얀|빨간|빨강|파란|파랑|노란|노랑|초록|그린|핑크|분홍|베이지|네이비|남|"
    r"보라|갈|브라운|커피|아이보리|민트|연두|하늘|주황|카키|와인|블루|레드|옐로우|골드|실버|살|차콜|오렌지|퍼플)"
    r"(?:색|색상|컬러|칼라)"
)
_VARIANT_PICK: Final = re.compile(
    r"(?:으로|로|을|를|도|은|이)?(?:샀|사서|사고|구매|구입|주문|시켜|시켰|시킨|시킴|시켯|했는데|했어|하나더|끈|천|부분|칠|잉크|흙|철)"
)
_INTENSIFIER: Final = frozenset(
    {"아주", "너무", "정말", "진짜", "완전", "엄청", "넘", "참", "매우", "무척", "굉장히"}
)


def _parse(entries: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {term.replace(" ", "").lower(): aid for aid, terms in entries.items() for term in terms}


@lru_cache(maxsize=1)
def ko_matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    table = _parse(KO_TERMS)
    table.update(_parse(SPECIAL_TERMS))
    return literal_pattern(table), table


@lru_cache(maxsize=1)
def _en_table() -> dict[str, str]:
    return {term: aid for aid, terms in EN_TERMS.items() for term in terms}


_NOUN_LETTERS: Final = re.compile("[" + "".join(KO_NOUNS) + "]")
_EN_WORD: Final = re.compile(r"[a-z]+(?:/[a-z]+)?")
_LATIN: Final = re.compile(r"[A-Za-z]")


def _resolve(
    aid: str, term: str, start: int, compact: Compact, others: set[str], context: str, packed_before: bool
) -> str:
    s = compact.text
    has_durability = "durability" in others
    # Only the feel and bite entries ask whether food is talked about: spare the other hits the scan.
    food = aid in _FOOD_ASKERS and (
        _FOOD.search(s) is not None or (bool(context) and _FOOD.search(context) is not None)
    )
    if aid == "bite":
        return "taste" if food else ""
    if aid == "suit":
        return "" if food else "design"
    if aid == "days":
        return "delivery" if _CAME.match(s, start + len(term)) else ""
    if aid == "nth":
        return "repurchase" if _NTH.match(s, start) and not s[max(0, start - 1) : start] == "첫" else ""
    if aid in ("hard", "runny"):
        if food:
            return "taste"
        return "usability" if aid == "hard" else "quality"
    if aid == "fast":
        # Only a review that opens with bare speed ("빠르고 좋아요"); "온도도 빠르게 올라가요" is not.
        # The adverb "빠르게" needs a receipt verb after it ("빠르게 잘 받았어요", not "빠르게 돌아가요").
        lead = s[:start]
        if context or (lead and lead not in _INTENSIFIER) or others - {"fast"}:
            return ""
        return "delivery" if term != "빠르게" or _RECEIVED.match(s, start + len(term)) else ""
    if aid == "delivery" and term in _WHEN_TERMS and _DELIVERY_WHEN.match(s, start + len(term)):
        return "" if not cue_signs("delivery", compact) else aid
    if aid == "melted":
        return "packaging" if "packaging" in others or _PACKING.search(context) else "delivery"
    if aid == "bright":
        return "design" if _COLOUR.search(s) else "performance"
    if aid == "photo":
        return "" if others - {"photo", "design"} else "design"
    if aid in ("texture", "feel"):
        if food:
            return "taste"
        if _USE_FEEL.search(s):
            return ""  # "사용감이 시원하고": the feel of using it, which is usability
        return "quality" if aid == "texture" and not _BODY.search(s) else "performance"
    if aid == "size" and "유통기한" in s and term[0] in "짧길넉":
        return ""  # "유통기한 너무 짧아": the shelf life (quality), not a size
    if aid == "damage" and term == "손상" and _BODY.search(s):
        return ""  # "손상된 머리결": damaged hair the product is meant to treat
    if aid == "damage" and packed_before:
        return ""  # "상자가 안에서 깨져서": the packing is named, so it is the packaging
    if aid == "quality" and packed_before and term.startswith(_STURDY):
        return ""
    if aid == "fit":
        return "usability" if _BODY.search(s) else "size"
    if aid == "durability" and term.startswith("오래") and "performance" in others:
        return ""  # "지속력이 오래가요", "배터리가 오래가요": how long it works, not how long it lasts
    if aid == "weak":
        return "performance" if "performance" in others else "quality"
    if aid == "damage" and (
        (term.startswith("떨어") and others & {"performance", "quality", "durability"})
        or (term.startswith("끊") and "performance" in others)
    ):
        return ""  # "흡수력이 떨어져요", "연결이 끊겨요": a level that drops, a link that breaks
    if aid == "size" and any(ch in term for ch in "크커큰컸작") and ("소리" in s or "소음" in s):
        return ""  # "소리가 커요": loudness (performance), not size
    if aid in ("damage", "wear"):
        if _WEAR.search(s) is not None or has_durability or (context and _WEAR.search(context)):
            return "durability"
        if _ARRIVED.search(s) is not None:
            return "quality"
        return "durability" if aid == "wear" else "quality"
    if aid == "missing":
        if not term.startswith("안"):
            return "service"  # 만 왔어요 / 덜 왔어요: part of the order
        before = s[max(0, start - 6) : start]
        if before.endswith(_COUNT):
            return "service"
        if before.endswith(_PARTICLE) and len(before) >= 2 and not before[:-1].endswith(_ORDER_NOUN):
            return "service"
        return "delivery"
    return aid


def _nominal(term: str, start: int, compact: Compact) -> bool:
    """A term may run across a space after the nominaliser 기 ("입기 편해요") or 는 게 ("꺼내는 게
    어려워요"), or after the particle 만 ("화이트만 왔네요")."""
    cut = compact.next_start(start) - start
    if not 0 < cut < len(term):
        return False
    return _NOMINAL_END.search(term[:cut]) is not None or (cut == 1 and term[0] == "만")


def aspect_terms(
    clause_text: str, toks: list[Tok], compact: Compact | None = None, context: str = ""
) -> list[tuple[str, int, int]]:
    """(aspect id, start, end) of each aspect term in the clause's compact text, in order.

    Nouns matched as Kiwi tokens and English words report (-1, -1): they have no compact span.
    `context` is the compact text of the clause before, within the same sentence: "한 달도 안 돼서 |
    끊어졌어요" is wear although the second clause does not say when.
    """
    found: list[tuple[str, int, int]] = []
    pattern, table = ko_matcher()
    compact = compact or Compact(clause_text)
    hits: list[tuple[str, str, int, int]] = []
    covered: list[str] = []
    text = compact.text
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        term = m.group(0)
        if (not compact.accepts(m.start(), m.end()) and not _nominal(term, m.start(), compact)) or (
            term in WORD_START and not compact.starts_word(m.start())
        ):
            # A rejected aspect entry ("창문바람 막아줘서" holds 바람막아 across a word) must not hide the
            # entries inside it (막아줘): look again one letter on. A rejected swallow entry still hides.
            pos = m.start() + 1 if table[term] else m.end()
            continue
        covered.append(term)
        if table[term]:
            hits.append((table[term], term, m.start(), m.end()))
        pos = m.end()
    others = {aid for aid, _, _, _ in hits}
    last_packing = -100
    for aid, term, start, end in hits:
        resolved = _resolve(aid, term, start, compact, others, context, start - last_packing <= 6)
        if aid == "packaging":
            last_packing = end
        if resolved:
            found.append((resolved, start, end))
    # The one-syllable nouns are looked for among the tokens only when one of their letters occurs at
    # all (a C-level scan), which spares most clauses a Python loop over every token.
    if _NOUN_LETTERS.search(text) is not None:
        for form, tag, _, _ in toks:
            noun_aid = KO_NOUNS.get(form)
            # A noun inside a longer entry already read ("싼맛에" is price, not taste) adds nothing.
            if noun_aid and tag.startswith("NN") and not any(form in term for term in covered):
                found.append((noun_aid, -1, -1))
    # A plain substring test first: most clauses name no colour, and they skip the scan.
    if ("색" in text or "컬러" in text or "칼라" in text) and any(aid == "design" for aid, _, _ in found):
        found = _drop_colour_variant(found, compact, text)
    if _LATIN.search(clause_text):
        low = clause_text.lower()
        en = _en_table()
        for word in _EN_WORD.findall(low):
            word_aid = en.get(word)
            if word_aid:
                found.append((word_aid, -1, -1))
        for phrase, aid in EN_PHRASES.items():
            if phrase in low:
                found.append((aid, -1, -1))
        # "AS" (after-service) is written in capitals in Korean reviews; "as" in English is a word.
        if re.search(r"\bA/?S\b", clause_text):
            found.append(("service", -1, -1))
    return found


def _drop_colour_variant(
    found: list[tuple[str, int, int]], compact: Compact, text: str
) -> list[tuple[str, int, int]]:
    """Drop `design` when every colour word in the clause names the variant bought: followed by a purchase
    or a part ("커피색 하나 더 구입"), or beside another aspect with no word about the look ("그린색이 더
    길어요": size). "검정색 만족합니다" and "스킨색이 너무 튀어요" keep their design."""
    variants = list(_COLOUR_VARIANT.finditer(text))
    if not variants:
        return found
    spans = [(m.start(), m.end()) for m in variants]
    design = [(s, e) for aid, s, e in found if aid == "design"]
    # Design read from a word other than the variant's colour ("예뻐요") stands.
    if any(s >= 0 and not any(a <= s < b for a, b in spans) for s, e in design):
        return found
    if text.count("색") > sum(m.group(0).count("색") for m in variants):
        return found  # another 색 ("색이 예뻐요") is about the look
    picked = all(_VARIANT_PICK.match(text, m.end()) for m in variants)
    others = {aid for aid, _, _ in found} - {"design"}
    if picked or (others and not cue_signs("design", compact)):
        return [item for item in found if item[0] != "design"]
    return found


def aspect_ids(
    clause_text: str, toks: list[Tok], compact: Compact | None = None, context: str = ""
) -> list[str]:
    """Aspect ids mentioned in one clause, in order of first mention, each once."""
    out: list[str] = []
    for aid, _, _ in aspect_terms(clause_text, toks, compact, context):
        if aid not in out:
            out.append(aid)
    return out
