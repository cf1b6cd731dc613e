"""Context rules for aspect terms whose aspect depends on the clause (see `aspects.py`).

`resolve_term` turns one matched entry of `aspect_lexicon` into the aspect it stands for in its clause,
or "" when the clause shows it is no opinion about an aspect (damage that came so or happened with
use, a missing item or a missing order, feel words for food, skin or fabric, arrival used as a time
marker, packing named right before a sturdiness or looks word, food condition...).
`drop_colour_variant` drops design when every colour word names the variant bought. Split out of
`aspects.py` to keep both modules small; only `aspects.aspect_terms` calls them.
"""

from __future__ import annotations

import re
from typing import Final

from highpipe.analysis.aspect_polarity import cue_signs
from highpipe.analysis.text import Compact

__all__ = ["drop_colour_variant", "resolve_term"]

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
_CAME: Final = re.compile(r"[^.!?]{0,4}?(?:왔|와|받|도착|배송|옴|온)")
_NTH: Final = re.compile(
    r"번째(?:재구매|구매|주문|구입|시켜|샀|사요|사고|삽니|살게|살께|이용|재주문|먹어|먹는|쓰는|써요)"
)
_COUNT: Final = ("둘다", "하나", "한개", "두개", "하나도", "한가지")
# Food is also recognised by how it is described ("아삭하면서 시원하고": a crunchy, cool bite).
_FOOD: Final = re.compile(
    r"맛|먹|식감|간식|고기|과일|사과|반찬|국물|육수|요리|밥|닭|빵|과자|김치|젤리|떡|아삭|바삭|쫄깃|매콤|매운|"
    r"짭짤|새콤|달콤|음식|고구마|감자|채소|야채|생선|오징어|꽃게|홍합|조개|새우|매실|딸기|포도|복숭아|옥수수|양파"
)
_FOOD_ASKERS: Final = frozenset({"bite", "suit", "hard", "runny", "texture", "feel"})
_BODY: Final = re.compile(r"피부|머리|머릿결|모발|각질|얼굴|손이|입술")
_PACKING: Final = re.compile(r"아이스팩|얼음팩|보냉|드라이아이스|스티로폼|포장|박스")
# Sturdiness words said right after the packing ("포장용기가 아주 튼튼해요") describe the packing.
_STURDY: Final = ("튼튼", "견고", "탄탄", "허술", "부실", "엉성")
# Looks said right after the packing ("박스가 이쁘네요", "포장은 고급스러워요") describe the packing too.
# Shipping fees named with a refund ("택배비 빼면 환불 얼마 안 되고") are the return terms: service.
_FEES: Final = frozenset({"배송비", "택배비", "배송료", "택배료", "배송비용"})
_REFUND: Final = re.compile(r"환불|반품|교환")
# Runny next to skin words ("묽은 제형", "묽지 않아서 발림성은 보통") is how a cosmetic spreads.
_ON_SKIN: Final = re.compile(r"제형|발림|바르|발라|피부")
_LOOKS: Final = ("이쁘", "예쁘", "이뻐", "예뻐", "이쁨", "예쁨", "이쁩", "예쁩", "고급", "귀엽", "귀여")
# "설치해놓고 …", "설치했어요": installing dates what follows; without a word about the ease of it
# ("설치도 간단하고", "설치하기 힘들어요") it is no usability opinion.
_SETUP_WHEN: Final = re.compile(
    r"(?:을|를)?(?:했|하였|해놓|해드|해두|해주|해서|해봤|해보|하려|하면|한후|후|하고나|해야|한지)"
)
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


def resolve_term(
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
        if aid == "runny" and _ON_SKIN.search(s):
            return "usability"
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
    if aid in ("quality", "design") and packed_before and term.startswith(_STURDY + _LOOKS):
        return ""
    if aid == "price" and term in _FEES and _REFUND.search(s):
        return "service"
    if (
        aid == "quality"
        and term.startswith("상태")
        and (_FOOD.search(s) is not None or (bool(context) and _FOOD.search(context) is not None))
    ):
        return "taste"  # "채소 상태가 별로네요": the condition of fresh food is its freshness
    if aid == "usability" and term == "설치" and _SETUP_WHEN.match(s, start + len(term)):
        return aid if cue_signs("usability", compact) else ""
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


def drop_colour_variant(
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
