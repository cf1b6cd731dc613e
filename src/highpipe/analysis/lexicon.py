"""Hand-written shopping polarity lexicon (Korean, with a few English words and emoji).

The training data is mostly movie reviews; shopping reviews praise and complain with words
that movies rarely use (반품, 불량, 재구매, 배송 빠르…). Each lexicon hit becomes a shared class
feature (`\\tL+`, `\\tL-`) whose weight the model learns from every domain, which carries the
signal over to shopping words it has seldom seen. Entries are matched on the lower-cased text
with spaces removed (reviewers space erratically), longest entry first, without overlap.

A cue followed by a negating tail ("만족스럽지 않", "좋진 않") counts for the other side, and so does a
negated intention to buy again ("재구매 의사 없어요", "재구매는 글쎄요"), judged as the aspects judge it,
a cue after the word 안 ("별로 안 따뜻해요", "안 비싸요") and a problem noun that is absent ("불량은 없었어요",
"하자도 하나도 없네요").
Written from general knowledge of Korean review language, not from any test rows.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from highpipe.analysis.aspect_polarity import repurchase_negated
from highpipe.analysis.text import Compact, literal_pattern

POSITIVE: Final[tuple[str, ...]] = (
    "좋아", "좋네", "좋습", "좋았", "좋음", "좋고", "좋은", "좋다", "좋더", "좋을", "좋구", "좋군", "좋지", "좋진",
    "만족", "대만족", "최고", "추천", "강추", "짱", "굿", "훌륭", "완벽", "예뻐", "예쁘", "이뻐", "이쁘", "이쁨",
    "예쁨", "귀엽", "귀여", "맛있", "맛나", "편해", "편하", "편안", "편리", "편함", "튼튼", "든든", "저렴",
    "싸게", "착해", "빨라요", "빨랐", "빠릅", "빠르네", "빨라서", "빠른", "빠르고", "착한가격", "가성비좋", "가성비최고", "가성비굿", "혜자", "배송빠르", "배송빨라", "빠른배송",
    "빨리왔", "빨리받", "빨리도착", "빨리와", "빠르게왔", "빠르게받", "빠르게도착", "신속", "꼼꼼", "깔끔",
    "깨끗", "부드럽", "부드러", "푹신", "따뜻", "따듯", "포근", "가볍", "가벼워", "감사", "고맙", "고마워",
    "마음에들", "맘에들", "맘에쏙", "마음에쏙", "재구매", "재주문", "또구매", "또살", "또사", "또주문", "또시킬",
    "쟁여", "정착", "딱맞", "딱좋", "잘맞", "잘쓰", "잘사용", "잘받", "잘먹", "잘입", "괜찮", "무난", "넉넉",
    "탄탄", "견고", "감동", "행복", "기분좋", "효과좋", "효과있", "효과봤", "효과최고", "향좋", "촉촉", "산뜻",
    "고급스", "고급져", "센스", "친절", "싱싱", "신선", "달달", "고소", "쫄깃", "아삭", "바삭", "잘되", "잘돼",
    "잘나와", "잘나오", "좋아하", "만족스럽", "기대이상", "기대보다좋", "생각보다좋", "생각보다괜찮",
    "생각보다이쁘", "생각보다예쁘", "대박", "유용", "문제없", "이상없", "하자없", "불량없", "불편함없",
    "불편없", "불만없", "냄새없", "냄새안나", "파손없", "흠없", "짱짱", "실하", "푸짐", "알차", "든든",
    "가성비추천", "강력추천", "안살이유", "안사면손해", "안살수없", "안살수가없", "끄떡없", "끄떡도없", "마싯", "맛잇", "존맛", "꿀맛",
    "good", "nice", "great", "best", "love", "perfect", "excellent", "recommend", "happy",
    "👍", "♥", "❤", "😍", "🥰", "😊", "😀", "😄", "😁", "👌", "💕", "💯", "^^", "^_^",
)  # fmt: skip

NEGATIVE: Final[tuple[str, ...]] = (
    "별로", "별루", "최악", "실망", "불만", "불편", "불량", "하자", "반품", "환불", "교환했", "교환하", "교환요청",
    "파손", "깨져", "깨졌", "깨짐", "찢어", "터져", "터졌", "새요", "샌다", "샙니다", "샜", "누수", "고장",
    "망가", "엉망", "허접", "조잡", "싸구려", "비싸", "비쌈", "비싼", "아깝", "아까워", "아까움", "아까운",
    "후회", "짜증", "화나", "화가", "열받", "어이없", "어이가없", "황당", "답답", "느려", "느림", "늦게",
    "늦어", "늦네", "늦음", "안와", "안오", "안옴", "안왔", "안되", "안돼", "안됨", "안맞", "안좋", "안예쁘",
    "안이쁘", "안맛있", "냄새나", "냄새가심", "냄새심", "악취", "비린", "찝찝", "끊어", "끊겨", "늘어나",
    "늘어짐", "변색", "녹슬", "흠집", "기스", "스크래치", "구멍", "벗겨", "헐거", "뻑뻑", "딱딱", "시끄",
    "거칠", "따가", "가려", "트러블", "뒤집어", "싱거", "맛없", "질기", "상했", "썩", "곰팡", "가짜", "짝퉁",
    "사기", "비추", "글쎄", "그닥", "그다지", "애매", "쏘쏘", "그저그", "그냥그", "아쉽", "아쉬", "에휴",
    "돈낭비", "버렸", "버림", "버려", "쓰레기", "엉터리", "불친절", "연락없", "연락이없", "연락안", "답변없",
    "오배송", "누락", "덜왔", "다르네", "달라요", "다른제품", "사진과다", "사진이랑다", "저질", "못쓰", "못써",
    "못입", "못먹", "사용못", "불가", "노노", "비추천", "구려", "구리", "꽝", "대충", "엉성", "의심", "속았",
    "낚였", "기대이하", "생각보다별로", "생각보다작", "생각보다얇", "흐물", "눅눅", "찌그러", "얼룩", "오염",
    "이염", "물빠짐", "물빠져", "줄어들", "줄었", "작아요", "작네", "얇아", "얇고", "안나와", "안나오",
    "모르겠", "그냥저냥", "다시는안", "다신안", "두번다시", "심해", "심하", "심함", "심했", "심각", "느려", "느렸", "아파", "아프", "두통", "닳", "떨어져", "빠져요",
    "빠지고", "부족", "적어요", "적네", "적고", "나쁘", "나빠", "나쁨", "나쁜", "싫어", "싫었", "싫음", "싫네", "ㅡㅡ", "-_-", ";;", "ㅠㅠ",
    "bad", "poor", "worst", "terrible", "awful", "broken", "disappointed", "disappointing", "refund",
    "waste", "cheaply", "useless", "never",
    "👎", "😡", "😠", "😤", "😞", "😢", "😭", "💩", "🤬", "😒",
)  # fmt: skip

# Positive cues that name buying again: negated as a whole ("재구매 의사 없어요"), not by a 지-않 tail alone.
_REPURCHASE_CUES: Final = frozenset({"재구매", "재주문", "또구매", "또살", "또사", "또주문", "또시킬"})
# Tails that negate the cue right before them: "만족스럽지 않", "좋진 않", "좋지는 않", "좋지 못".
_NEG_TAIL: Final = re.compile(r"(?:지|진|질)(?:는|도)?(?:않|못|말)")
# Problem nouns among the negative cues: "불량은 없었어요", "하자도 하나도 없고" is praise.
_PROBLEM_NOUNS: Final = frozenset(
    "불량 하자 불만 불편 파손 누수 고장 흠집 기스 스크래치 구멍 트러블 얼룩 오염 이염 변색 악취 곰팡 오배송 누락".split()
)
_NOT_VERY: Final = frozenset({"별로", "별루", "그다지", "그닥"})
_ABSENT: Final = re.compile(r"(?:은|는|도|이|가|이나|하나)?(?:전혀|하나도|1도|일도|딱히|별로)?없")


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {}
    for cue in NEGATIVE:
        table[cue.replace(" ", "").lower()] = "-"
    for cue in POSITIVE:
        table.setdefault(cue.replace(" ", "").lower(), "+")
    return literal_pattern(table), table


def polarity_hits(text: str | Compact) -> list[tuple[str, str]]:
    """(cue, '+'|'-') for each non-overlapping hit, negated cues flipped."""
    pattern, table = _matcher()
    compact = text if isinstance(text, Compact) else Compact(text)
    s = compact.text
    out: list[tuple[str, str]] = []
    for m in pattern.finditer(s):
        start, end = m.span()
        if not compact.accepts(start, end):
            continue
        cue = m.group()
        sign = table[cue]
        if cue in _NOT_VERY and s.startswith("안", end):
            continue  # "별로 안 비싸요": "not very", the cue after 안 carries the polarity
        # The window starts on the cue's last letter so that the cue "좋지" + "않" is caught too.
        if (
            _NEG_TAIL.search(s, end - 1, end + 5)
            or (cue in _REPURCHASE_CUES and repurchase_negated(s, start, end))
            or (sign == "-" and cue in _PROBLEM_NOUNS and _ABSENT.match(s, end, end + 8))
            # The one-letter word 안 right before a cue: "안 따뜻해요", "안따뜻해요", "별로 안 비싸요".
            # (안 must open its word: not the end of 불안 or 편안.)
            or (start > 0 and s[start - 1] == "안" and compact.starts_word(start - 1))
        ):
            sign = "-" if sign == "+" else "+"
        out.append((cue, sign))
    return out


def polarity_cues(text: str) -> list[str]:
    """Feature keys for the lexicon hits of `text` (see features.py)."""
    return ["\tL" + sign for _, sign in polarity_hits(text)]
