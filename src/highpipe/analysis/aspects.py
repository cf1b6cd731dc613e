"""Aspect lexicon (the 13 aspect ids of vocab.ASPECTS) and open-topic extraction per clause.

Korean entries are matched as substrings of the clause with spaces removed and lower-cased
(so "배송 빨라요" and "배송빨라요" both hit 배송); one-syllable nouns (맛, 향, 색, 핏, 값) would
hit inside unrelated words (방향, 검색), so they match only as whole Kiwi noun tokens. English
entries match whole words. Open topics are the clause's remaining common nouns (and
noun-noun compounds written together), minus a stoplist of generic review nouns, so that a
card such as `topic:배터리` is about a thing, not about "제품" or "생각".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from highpipe.analysis.emotions import cue_emotions
from highpipe.analysis.lexicon import polarity_hits
from highpipe.analysis.morph import Tok
from highpipe.analysis.text import Compact

KO_TERMS: Final[dict[str, tuple[str, ...]]] = {
    "delivery": ("배송", "택배", "배달", "도착", "발송", "출고", "빨리왔", "빨리받", "빨리와", "늦게왔", "늦게와",
                 "하루만에", "이틀만에", "당일", "총알", "로켓", "기사님", "안와", "안왔", "잘받았", "잘받아"),
    "packaging": ("포장", "박스", "상자", "뽁뽁이", "에어캡", "완충", "파손", "찌그러", "밀봉", "봉투"),
    "price": ("가격", "가성비", "저렴", "비싸", "비쌈", "비싼", "싸게", "싸고", "싸요", "할인", "세일", "혜자",
              "돈값", "돈아깝", "돈이아깝", "최저가", "쿠폰", "특가", "값어치", "가격대비", "착한가격"),
    "quality": ("품질", "퀄리티", "마감", "재질", "원단", "소재", "바느질", "박음질", "실밥", "마무리", "만듦새",
                "만듬새", "허접", "조잡", "싸구려", "불량", "하자", "흠집", "기스", "스크래치", "고급스", "촉감",
                "질감", "변색", "이염", "물빠짐", "얼룩"),
    "durability": ("내구성", "내구", "튼튼", "견고", "오래가", "오래써", "오래쓰", "고장", "망가", "부러", "찢어",
                   "헤지", "닳", "끊어", "깨져", "깨짐", "깨졌", "벗겨", "녹슬", "금방고장", "금방망가"),
    "size": ("사이즈", "크기", "치수", "기장", "품이", "정사이즈", "한치수", "딱맞", "헐렁", "타이트", "꽉끼",
             "발볼", "작아요", "작네", "작고", "작음", "커요", "크네", "크고", "큰편", "작은편", "넉넉"),
    "design": ("디자인", "색상", "색깔", "색감", "컬러", "칼라", "예쁘", "이쁘", "예뻐", "이뻐", "예쁨", "이쁨",
               "귀엽", "귀여", "모양", "스타일", "외관", "심플", "세련", "패턴", "무늬", "실물"),
    "performance": ("성능", "기능", "효과", "흡입력", "화력", "세정력", "보습", "발림", "커버력", "지속력", "흡수",
                    "음질", "화질", "작동", "잘되", "잘돼", "잘나와", "안돼", "안되", "충전", "연결", "인식",
                    "출력", "파워", "보온", "보냉", "냉각"),
    "usability": ("사용감", "편의", "편리", "편해", "편하", "편함", "불편", "사용하기", "쓰기편", "쓰기좋",
                  "조립", "설치", "착용감", "착화감", "그립감", "무게", "가볍", "가벼워", "무거", "휴대",
                  "간편", "세척", "쉽게", "쉬워", "어렵", "어려워", "번거"),
    "smell": ("냄새", "향기", "향수", "악취", "냄세", "향긋", "퀴퀴", "비린내", "잔향", "무향", "향이", "향도",
              "향은", "향좋"),
    "taste": ("맛있", "맛없", "맛나", "맛이", "맛도", "맛은", "식감", "달달", "싱거", "고소", "쫄깃", "바삭", "아삭",
              "느끼", "담백", "신선", "싱싱", "육즙", "감칠"),
    "service": ("고객센터", "서비스", "응대", "상담", "문의", "답변", "친절", "불친절", "교환", "환불", "반품",
                "취소", "판매자", "사장님", "셀러", "에이에스", "대응", "사은품", "오배송", "누락", "연락"),
    "repurchase": ("재구매", "재주문", "재구입", "또구매", "또살", "또사", "또샀", "또주문", "또시킬", "다시구매",
                   "다시살", "다시주문", "다시시킬", "쟁여", "재재구매", "단골", "정착", "안살", "다시는"),
}  # fmt: skip

KO_NOUNS: Final[dict[str, str]] = {"맛": "taste", "향": "smell", "색": "design", "핏": "size", "값": "price"}

EN_TERMS: Final[dict[str, tuple[str, ...]]] = {
    "delivery": ("shipping", "delivery", "delivered", "arrived", "arrival", "shipped", "courier"),
    "packaging": ("packaging", "package", "packed", "box", "wrapping", "wrapped"),
    "price": ("price", "cheap", "expensive", "value", "cost", "worth", "money", "deal", "bargain", "overpriced",
              "affordable", "pricey"),
    "quality": ("quality", "material", "fabric", "stitching", "finish", "flimsy", "defect", "defective",
                "cheaply"),
    "durability": ("durable", "durability", "sturdy", "broke", "broken", "lasted", "lasting", "lasts",
                   "tear", "tore"),
    "size": ("size", "fit", "fits", "small", "large", "tight", "loose", "big"),
    "design": ("design", "color", "colour", "style", "looks", "pretty", "cute", "beautiful", "gorgeous"),
    "performance": ("performance", "works", "working", "function", "feature", "effective", "powerful",
                    "suction", "sound"),
    "usability": ("easy", "convenient", "comfortable", "install", "setup", "assemble", "handy",
                  "lightweight", "heavy"),
    "smell": ("smell", "smells", "scent", "odor", "odour", "fragrance", "stinks"),
    "taste": ("taste", "tastes", "tasty", "delicious", "flavor", "flavour", "yummy", "fresh"),
    "service": ("service", "seller", "support", "refund", "return", "returned", "exchange", "customer"),
    "repurchase": ("repurchase", "reorder", "rebuy"),
}  # fmt: skip
EN_PHRASES: Final[dict[str, str]] = {"buy again": "repurchase", "order again": "repurchase", "a/s": "service"}

# Generic nouns that never make a useful topic card.
TOPIC_STOP: Final = frozenset(
    "제품 상품 물건 구매 구입 주문 사용 생각 정도 느낌 조금 진짜 정말 하나 이번 처음 다음 리뷰 후기 사진 부분 때문 "
    "경우 이거 그거 저거 거 것 수 번 개 때 말 일 점 등 중 분 전 후 상태 기분 마음 맘 만족 감사 최고 추천 강추 "
    "별로 최악 실망 대박 완전 아주 너무 매우 가지 자체 이상 문제 걱정 기대 이용 판매 저희 우리 아이 애기 아기 "
    "엄마 아빠 신랑 남편 와이프 아내 딸 아들 친구 선물 가족 집 오늘 어제 내일 지금 요즘 날 시간 하루 이틀 "
    "주일 달 년 개월 사람 곳 쪽 다음번 번창 수고 대비 평소 기존 예전 원래 나중 동안 이후 이전 편 게 것 "
    "구매자 판매처 쇼핑 쇼핑몰 네이버 가격대 제일 역시 그냥 보통 처음 계속 항상 자주 이제 다른 여러 하자 "
    "사용감 후회 짱 굿 최고임 감동 행복 불만 불편 만족도 기분 느낌 마음 고민 걱정 실물 정품 주문 배송비 "
    "이것 저것 그것 무엇 뭐 누구 언제 어디 여기 거기 저기 동생 언니 오빠 누나 형 할머니 할아버지 부모님 "
    "회사 학교 사무실 년도 달째 일째 주째 만원 천원 원 개월째 번째 배 퍼센트 프로 정도 만큼 최근 당일 "
    "재구매 또 보기 사용 중 용도 용 식 품 종류 제가 저 나 너 분들 사장 기사 고객 당황 엉망 난리 기분 "
    "생각 느낌 의사 마음 이유 결과 의견 참고 도움 정보 설명 상세 페이지 옵션 링크 이벤트 구성 한번 두번 "
    "처음 마지막 다행 최선 필요 사용법 방법 이용 확인 연락 답장 주말 평일 아침 저녁 밤 낮".split()
)


@lru_cache(maxsize=1)
def _ko_matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {term: aid for aid, terms in KO_TERMS.items() for term in terms}
    alts = sorted(table, key=len, reverse=True)
    return re.compile("|".join(re.escape(a) for a in alts)), table


@lru_cache(maxsize=1)
def _en_table() -> dict[str, str]:
    return {term: aid for aid, terms in EN_TERMS.items() for term in terms}


_EN_WORD: Final = re.compile(r"[a-z]+(?:/[a-z]+)?")
_LATIN: Final = re.compile(r"[A-Za-z]")


def aspect_ids(clause_text: str, toks: list[Tok], compact: Compact | None = None) -> list[str]:
    """Aspect ids mentioned in one clause, in order of first mention, each once."""
    found: list[str] = []
    pattern, table = _ko_matcher()
    compact = compact or Compact(clause_text)
    for m in pattern.finditer(compact.text):
        if not compact.accepts(m.start(), m.end()):
            continue
        aid = table[m.group(0)]
        if aid not in found:
            found.append(aid)
    for form, tag, _, _ in toks:
        noun_aid = KO_NOUNS.get(form) if tag.startswith("NN") else None
        if noun_aid and noun_aid not in found:
            found.append(noun_aid)
    if _LATIN.search(clause_text):
        low = clause_text.lower()
        en = _en_table()
        for word in _EN_WORD.findall(low):
            word_aid = en.get(word)
            if word_aid and word_aid not in found:
                found.append(word_aid)
        for phrase, aid in EN_PHRASES.items():
            if phrase in low and aid not in found:
                found.append(aid)
        # "AS" (after-service) is written in capitals in Korean reviews; "as" in English is a word.
        if re.search(r"\bA/?S\b", clause_text) and "service" not in found:
            found.append("service")
    return found


def topic_phrases(text: str, toks: list[Tok]) -> list[str]:
    """Candidate open topics of one clause: common nouns and adjacent noun compounds (배터리, 무선청소기)."""
    out: list[str] = []
    i = 0
    n = len(toks)
    while i < n:
        form, tag, _, _ = toks[i]
        if tag != "NNG":
            i += 1
            continue
        phrase = form
        j = i + 1
        # Glue nouns written together ("무선청소기" -> 무선 + 청소기); spaced nouns stay apart.
        while j < n and toks[j][1] == "NNG" and toks[j][2] == toks[j - 1][3]:
            phrase += toks[j][0]
            j += 1
        if _good_topic(phrase) and phrase not in out:
            out.append(phrase)
        i = j
    return out


@lru_cache(maxsize=65536)
def _good_topic(phrase: str) -> bool:
    if len(phrase) < 2 or len(phrase) > 12 or phrase in TOPIC_STOP:
        return False
    if not all("\uac00" <= ch <= "\ud7a3" for ch in phrase):
        return False
    # A noun that is itself an aspect word belongs to that aspect's card, not to a topic card;
    # an evaluative noun (엉망, 불량, 감동) is a judgement, not a thing.
    if _ko_matcher()[0].search(phrase) is not None:
        return False
    return not polarity_hits(phrase) and not cue_emotions(phrase)


def topic_slug(phrase: str) -> str:
    return re.sub(r"\s+", "-", phrase.strip().lower())
