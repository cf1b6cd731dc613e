"""Polarity of one aspect mention: the words about that aspect first, the clause's tone second.

The clause model scores a whole clause, and a clause often carries more than its aspect: the review
model has learnt that "배송 빨라요" tends to open a complaint (so it scores the clause neutral), a
"재구매" tag opens many angry reviews, and "가격이 사악하지만" holds no word it knows. So each aspect
has its own cue words (`ASPECT_CUES`: 빠르/늦 for delivery, 저렴/비싸 for price, 튼튼/허접 for
quality...), then come generic cues (좋/별로...), and only when the clause has none of either (or
both signs) does the mention take the clause's label. On top:

- negation flips a cue: "튼튼하지는 않", "안 예뻐요", "트러블도 없었어요", "냄새 안 나요";
- a wish or a reproach ("좀 더 길었으면 좋겠어요", "있었으면 편했을 텐데", "뽁뽁이로 싸주시지")
  means the aspect fell short: negative;
- neutral cues name a price without judging it ("딱 가격만큼", "싸서 그런지", "싼 게 비지떡") or
  an exchange the reviewer gave up on ("반품 귀찮아서 그냥 써요");
- repurchase is positive unless negated nearby ("재구매 의사 없어요", "다시는 안 사요"): naming it
  is the opinion.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from highpipe.analysis.aspect_lexicon import REPURCHASE_ELSEWHERE, SPECIAL_TERMS
from highpipe.analysis.text import Compact, literal_pattern
from highpipe.domain.vocab import Sentiment

# Entries end with their sign: "+" positive, "-" negative, "0" neutral (dominates: the reviewer
# named the aspect and declined to judge it).
ASPECT_CUES: Final[dict[str, str]] = {
    "delivery": "빠르+ 빨라+ 빨랐+ 빨리+ 빠른+ 빠름+ 빠릅+ 신속+ 총알+ 로켓+ 금방+ 바로+ 하루만+ 이틀만+ 다음날+ "
                "당일+ 일찍+ 번개+ 깔끔+ 꼼꼼+ 안전하게+ 잘왔+ 잘도착+ 무사히+ 해주셨+ 해주셔+ 늦- 느려- 느리- 느림- 느렸- 오래걸- 걸렸- 한참- "
                "지연- 늦어- 느린- 녹아- 녹은- 녹고- 흘러- 새서- 파손- 엉망- 짜증- 더럽게- 오래기다- 해동- 기다려서받-",
    "packaging": "꼼꼼+ 깔끔+ 안전+ 튼튼+ 잘되+ 잘돼+ 꽁꽁+ 정성+ 신경써+ 멀쩡+ 엉망- 부실- 허술- 대충- 찌그러- "
                 "터져- 터졌- 찢어- 깨져- 파손- 없이- 녹아- 녹았- 녹고- 녹아있- 기화- 신경안- 성의없- 구겨- 젖어-",
    "price": "저렴+ 싸게+ 싸고+ 싸요+ 싸서+ 싸네+ 싼편+ 싸다+ 착한+ 착해+ 착하+ 가성비좋+ 가성비굿+ 가성비최고+ "
             "가성비짱+ 가성비갑+ 가성비싸+ 혜자+ 최저가+ 경제적+ 합리+ 이득+ 득템+ 할인+ 세일+ 특가+ 비싸- 비쌈- 비싼- "
             "비쌌- 사악- 부담- 아깝- 아까- 돈버- 거품- 바가지- 있는편- 좀있- 가격이있- 가격대가있- 올랐- 나가- "
             "가격만큼0 그가격만큼0 가격대로0 값하0 값은하0 비지떡0 싼맛0 싼게0 그런지0 그런가0 어쩐지0 한만큼0 "
             "싼만큼0 값만큼0 딱가격0 이유가있0 이유있0 돈날- 낭비-",
    "quality": "긁힌- 긁혀- 긁힘- 묻어- 묻었- 구김- 구겨- 쭈글- 너덜- 지저분- 수평이안- 수평이없- 삐져- 튼튼+ 견고+ 탄탄+ 튼실+ 짱짱+ 고급+ 깔끔+ 꼼꼼+ 훌륭+ 부드럽+ 부드러+ 보들+ 부들+ 도톰+ 두툼+ 두께감+ "
               "쫀쫀+ 촘촘+ 매끈+ 정품+ 깨끗+ 넉넉+ 멀쩡+ 안빠지+ 안빠져+ 안빠짐+ 안늘어+ 잘늘어+ 불량- 하자- 허접- 조잡- "
               "싸구려- 저렴해보- 저렴한느낌- 싸보- 스크레치- 엉성- 부실- 약해- 약하- 얇- 얅- 앏- 깨져- 깨진- 깨짐- 터져- "
               "금이- 금가- 금간- 찢어- 흠집- 기스- 스크래치- 얼룩- 오염- 이염- 변색- 물빠- 물이빠- 물이엄청빠- "
               "보풀- 실밥- 삐뚤- 비뚤- 삐그덕- 삐걱- 흔들- 불안정- 튀어나- 떨어져- 떨어졌- 뻣뻣- 까칠- 까슬- "
               "거칠- 찍힌- 찍혀- 자국- 뭉치- 구멍- 짧- 임박- 가품- 짝퉁- 가짜- 비어있- 멍든- 상했- 썩- 곰팡- "
               "이물- 망가- 부러- 고장- 녹슬- 들떠- 들뜸- 벌어져- 누수- 새요- 새서- 샌다- 불만족- 변질- 허술- 찍힘- "
               "약한- 거친- 죽어- 어설프- 어설퍼- 시들- 비쳐- 비침- 비치고- 시스루- 까져- 까졌- 뭉쳐- 뭉친- 헛돌- "
               "정품맞- 정품인지- 정품아닐- 정품을파는건지- 성의없- 안맞- 떨어질- 부러질- 찢어질- 깨질- 망가질- "
               "새상품+ 새거+ 새것+ 새제품+ 기한이길+ 기한도길+ 기한길+ 기한이넉넉+ 기한도넉넉+ 기한넉넉+",
    "durability": "끄떡없+ 끄떡도없+ 튼튼+ 오래가+ 오래쓰+ 오래쓸+ 오래잘쓸+ 오래오래+ 오래써+ 오래사용+ 늘어남없+ 안늘어+ 멀쩡+ 짱짱+ 강하+ 강해+ 약하- 약해- "
                  "떨어지- 떨어져- 떨어졌- 고장- 망가- 부러- 찢어- 깨져- 깨지- 금방- 금새- 쉽게- 잘깨- 잘찢- "
                  "잘부러- 닳- 헤져- 해져- 늘어나- 늘어났- 늘어져- 휘- 모자른- 모자라- 부족- 구멍- 벗겨- 끊어- "
                  "틀어- 주저앉- 털이빠- 보풀-",
    "size": "큽니- 클줄- 작을줄- 딱맞+ 잘맞+ 딱좋+ 적당+ 정확+ 작구- 넉넉+ 정사이즈+ 맞아요+ 맞네+ 맞고+ 맞음+ 맞습+ 맞아서+ 맞아+ 여유+ 푸짐+ "
            "많아요+ 많네+ 많고+ 많아서+ 딱이+ 작아- 작네- 작음- 작습- 작더- 작아서- 너무작- 좀작- 조금작- 많이작- "
            "너무크- 너무커- 좀크- 좀커- 조금커- 조금크- 많이크- 많이커- 크게나- 작게나- 짧- 짭- 길어요- 길고- "
            "긴것- 긴편- 헐렁- 꽉끼- 끼어- 끼네- 타이트- 안맞- 안닿- 적어- 적네- 적고- 적음- 부족- 애매- 좁- "
            "넘커- 넘크- 넘작- 한치수- 안들어가- 안들어감- 안들어갑- 크긴- 작은느낌- 작은편- 작긴- 작지만- 살걸- 살껄- 시킬걸- 시킬껄- 작은줄- 큰줄- 쪼여- 쪼이- 좁아- 좁고- 좁네- 좁음- 좁습- 넓어+ 넓고+ 넓네+ 넓습+ "
            "조금큰- 좀큰- 너무큰- 많이큰- 약간큰- 약간커- 약간크- 살짝큰- 살짝커- 살짝크- 약간작- 살짝작-",
    "design": "예쁘+ 이쁘+ 예뻐+ 이뻐+ 예쁨+ 이쁨+ 예쁩+ 이쁩+ 예쁜+ 이쁜+ 예뻤+ 이뻤+ 귀엽+ 귀여+ 세련+ 여성스러+ 여성스럽+ 남성스럽+ 고급+ 멋+ 깔끔+ "
              "심플+ 똑같+ 같아요+ 같네+ 같내+ 같습+ 동일+ 선명+ 화사+ 은은+ 분위기있+ 찰떡+ 잘어울+ 어울려+ 다르- 달라- "
              "다름- 촌스- 흐릿- 칙칙- 투박- 싼티- 저렴해보- 없어보- 화면보다- 사진보다- 화면과다- 사진과다- "
              "사진이랑다-",
    "performance": "찬바람- 외풍- 바람이들어- 바람을막+ 바람막아+ 진정+ 시끄- 잘되+ 잘돼+ 잘됨+ 잘나+ 잘작동+ 오래가+ 오래지속+ 오래유지+ 잘붙+ 잘빨+ 잘닦+ 잘지워+ 잘잘려+ 효과있+ 효과봤+ 효과좋+ "
                   "효과가좋+ 효과가있+ 효과짱+ 확실+ 강력+ 좋아졌+ 좋아지+ 좋아진+ 개선+ 빠르+ 빨라+ 시원+ "
                   "따뜻+ 따듯+ 뜨끈+ 촉촉+ 조용+ 선명+ 덜아프+ 안되- 안돼- 안됨- 안나와- 안붙- 안빨- 안지워- "
                   "안잘려- 않되- 않돼- 안됩- 효과없- 효과가없- 효과는없- 효과를못- 모르겠- 약해- 약하- 약함- 미지근- 느려- 느림- "
                   "시끄- 끊겨- 끊기- 고장- 부족- 떨어지- 떨어져- 건조- 안터- 오류- 먹통- 너무커- 너무크- "
                   "아직모르0 아직은모르0 아직잘모르0 더써봐야0 써봐야알0 지켜봐야0 달라진게없- 달라진건없- 달라진것없- 변화가없- "
                   "변화는없- 변화없- 안닦- 안잡아- 잘닦+ 닦여+ 잘잡아+ 확잡아+ 꽉잡아+ 붙지않- 붙지도않- 잘안붙- 뜹니- "
                   "밀착이안- 안나오- 깨끗해지+ 깨끗해졌+ 깨끗해져+ 말끔해+ 뽀득+ 막아주+ 막아줘+ 잘갖고놀+ "
                   "잘가지고놀+ 안갖고놀- 안가지고놀- 건조함- 안추+ 안들어+ 들어오지않+ 새지않+ 안새+",
    "usability": "아쉽- 아쉬- 힘드- 힘듦- 염증- 여드름- 좁쌀- 뒤집- 편하+ 편해+ 편리+ 편함+ 편안+ 간편+ 간단+ 쉽게떨어- 쉽게깨- 쉽게부러- 쉽게찢- 쉽게벗겨- "
                 "쉽게망가- 쉽게휘- 쉽게틀어- 쉽+ 쉬워+ 쉬웠+ 가볍+ 가벼+ 순하+ 순해+ 순한+ 부드럽+ "
                 "촉촉+ 딱좋+ 잘맞+ 폭신+ 푹신+ 무리없+ 불편- 어렵- 어려- 힘들- 번거- 귀찮- 무겁- 무거- 따가- "
                 "따갑- 가렵- 가려- 트러블- 자극- 아프- 아파- 아퍼- 배겨- 배김- 흘러내- 말려- 끈적- 미끄러- "
                 "답답- 걸리적- 걸려- 부적합- 못쓰- 안맞- 간지러- 간지럽- 쓰라- 따끔- 뻑뻑- 빡빡- 찐득- 딱딱- 안쓰게-",
    "smell": "은은+ 향긋+ 상큼+ 달달+ 달콤+ 산뜻+ 향기롭+ 냄새없+ 냄새도없+ 냄새가없+ 냄새안나+ 냄새도안나+ "
             "냄새가안나+ 독하- 독해- 강해- 강하- 역하- 역해- 역겹- 꼬질- 화학- 탄냄새- 비린- 퀴퀴- 악취- 쉰- "
             "찌든- 머리아- 이상한- 고약- 지독- 싫- 불쾌- 냄새나- 냄새가나- 냄새도나- 냄새가너무- 냄새가심- "
             "냄새심- 냄새가좀- 냄새가많이- 냄새가엄청- 냄새빼- 냄새가빠- 쩐내- 누린내- 노린내- 잡내- 군내- 탄내- 쉰내- 구린내-",
    "taste": "잘익+ 입맛에맞+ 입맛에잘맞+ 입맛에딱+ 입에맞+ 입에잘맞+ 안익- 덜익- 입맛에안맞- 입에안맞- 뱉- 입도안대- 입에도안대- 맛있+ 맛나+ 맛좋+ 맛이좋+ 맛도좋+ 고소+ 달달+ 달콤+ 상큼+ 새콤+ 쫄깃+ 바삭+ 아삭+ 신선+ 싱싱+ "
             "구수+ 담백+ 촉촉+ 부드럽+ 잘먹+ 뚝딱+ 밥도둑+ 감칠+ 맛없- 맛이없- 싱거- 싱겁- 짜요- 짜서- 짜고- "
             "짜네- 비려- 비리- 비린- 퍽퍽- 푸석- 질기- 질겨- 느끼- 텁텁- 쓴맛- 시큼- 상했- 쉬었- 쉰- 안먹- "
             "억세- 무르- 물러- 별로- 그저그- 밍밍- 이상한맛- 너무짜- 너무달- 너무매- 아니예- 아니에- 안맛있- 딱딱- "
             "짜지않+ 짜지도않+ 맛있을거같0 맛있을것같0 맛있을듯0",
    "service": "친절+ 감사+ 빠르+ 빨리+ 신속+ 잘해+ 해주셔+ 해주셨+ 챙겨+ 정성+ 센스+ 양심+ 불친절- 연락없- "
               "연락이없- 연락안- 답변없- 답변이없- 무시- 안받- 엉뚱- 늦- 누락- 안와- 안왔- 안온- 안옴- 만왔- "
               "덜왔- 오배송- 성의- 황당- 어이- 화나- 거부- 안해주- 안된다- 불가- 실수- 바꾸세요- 서운- 잘못- 중고- 신던- "
               "귀찮0 귀차나0 귀차니0 그냥씁0 그냥쓰0 그냥사용0 하기그래0 못하고0 할까하0 "
               "하고싶0 할까0 하려다0 안하0 기도그렇0 하기그렇0 하기도그래0 그냥쓸0 할바에0 확인안하- 확인안해- 확인도안- "
               "확인을안- 수정-",
}  # fmt: skip
GENERIC_CUES: Final = (
    "좋+ 조아+ 조으+ 조흔+ 젛아+ 괜찮+ 괜춘+ 괜찬+ 만족+ 최고+ 굿+ 짱+ 훌륭+ 훌룽+ 완벽+ 마음에들+ 맘에들+ "
    "맘에드+ 마음에드+ 맘에든+ 마음에든+ 맘에듭+ 마음에듭+ 맘에쏙+ 마음에쏙+ 딱이+ 대박+ 감동+ 추천+ 가성비추천+ 무난+ 흡족+ "
    "충실+ 감사+ 고맙+ 별로- 별루- 최악- 아쉽- 아쉬- 실망- 불만- 엉망- 꽝- 나쁘- 나빠- 안좋- 그닥- 그다지- "
    "글쎄- 애매- 문제- 짜증- 화나- 비추- 비추천- 후회- 형편없- 이상해- 이상하- 미흡- 야죠- 심하- 심해- 심함- "
    "심각- 너무하- 신경써주- 신경쓰세요- 신경좀- 주시지- 주시죠- 하시죠- "
    "그저그0 그냥그0 쏘쏘0 보통0 평범0 그럭저럭0 평타0 호불호0"
)  # fmt: skip
# Repurchase: positive unless one of these sits right after the term (or 다시는/절대 before it).
_REPURCHASE_NO: Final = re.compile(
    r"[^.!?~,]{0,7}?(?:안(?:할|해|함|하|사|살|삽|시키|시킬|시켜)|(?:하|사|시키|같)(?:지|진)(?:는|도)?않|"
    r"못(?:하|할|사|살|시키)|(?:의사|의향|생각|일|계획|마음)(?:은|는|이|가|도)?(?:전혀|절대)?없)|"
    r"(?:은|는|가|이|도|할지는?|의사는?|는좀|은좀|가좀)?(?:글쎄|고민|모르|그래요|그렇|망설|별로|노노|생각해봐|생각해보)|(?:의사|의향)?(?:는|은)?[xX]"
)
_REPURCHASE_NO_BEFORE: Final = ("다시는", "절대", "두번다시", "안", "못")
_ELSEWHERE: Final = frozenset(REPURCHASE_ELSEWHERE)
# Negation right after a cue flips it: "튼튼하지는 않", "편하진 않", "빠르지 않".
_NEG_TAIL: Final = re.compile(
    r"(?:해보이|보이|티가나|티나|하|해|스럽|스러|럽|러|롭|워|와|어|아|게|히|하게|이)?(?:지|진|질)(?:는|도|가|조차)?(?:않|안|못|말)|"
    r"(?:한|운|은|는|인|ㄴ)(?:편|건|것|거)(?:은|는|이|도)?아니|"
    r"(?:한|운|은|는|인|ㄴ)?줄(?:알았|았는데|았더니)|(?:할|한)?정도(?:는|은)?아니|"
    r"(?:은|는|운)?(?:점|건|지)(?:은|는|을|를)?잘?모르|(?:하|이)?다고(?:했|하더|해서|들었)"
)
# "트러블도 없었어요", "냄새 안 나요", "문제없이", "부서진 곳 하나 없이", "자극도 적고": a complaint that is
# absent or slight.
_ABSENT: Final = re.compile(
    r"(?:함|음|감|움|곳|데|부분)?(?:이|가|도|는|은|이나)?(?:전혀|하나도|하나|별로|거의|1도|일도|일절)?"
    r"(?:없|안나|안남|안났|안생|안일어|안올라|적고|적어|적은|적음|적습|적네)"
)
# "부드러움도 없고", "깔끔함이 없어요": a quality that is absent.
_LACKING: Final = re.compile(
    r"(?:움|함|음|감|은게|는게|은건|는건|은거|는거|주는게)(?:이|가|도|은|는)?(?:전혀|하나도|별로|거의)?없"
)
# "맛있길", "효과 있기를": a hope, not yet an opinion.
_HOPE: Final = re.compile(r"[있좋되하]길(?:$|바|빌|기대|[.~!ㅎ^])|기를바")
# "튼튼한지는 더 써봐야 알겠어요", "아직 효과는 모르겠지만": judgement deferred.
_PENDING: Final = re.compile(
    r"봐야|써보면|두고봐야|아직모르|아직은모르|아직잘모르|[한은는운]지는(?:아직|더써)"
)
# A wish is a shortfall ("좀 더 길었으면") unless it is a hope about how the product will do ("효과
# 있었으면 좋겠어요"), which is how wishes about performance, taste and durability usually read.
_SHORTFALL: Final = re.compile(r"더|좀|조금|약간|살짝|을텐데|을것|을거|주시|주셨")
_HOPED_FOR: Final = frozenset({"performance", "taste", "durability"})
_WISH: Final = re.compile(
    r"(?:았|었|였|했|됐|겼|웠|렀|랐|왔|줬|셨|앗|엇|엿|햇|됏)(?:으면(?:좋|조|더|하|싶|바|합|해|$|[.~!,ㅠㅜ])|음(?:좋|조|하|싶))|"
    r"(?:조금만|좀만|좀더|조금더)[^.!?]*(?:았|었|였|했)음|"
    r"면좋겠|면더좋|면좋을|면조케|면좋았|(?:았|었|였|했)을텐데|좋았을|편했을|주시지|주셨으면|바랍니다|바래요|"
    r"바램|바람입니다|주시면|주세요|면합니다|면해요"
)


def _parse(spec: str) -> dict[str, str]:
    return {entry[:-1]: entry[-1] for entry in spec.split()}


@cache
def _cue_matcher(aspect_id: str) -> tuple[re.Pattern[str], dict[str, str]]:
    if aspect_id == "":
        table = _parse(GENERIC_CUES)
    else:
        table = _parse(ASPECT_CUES.get(aspect_id, ""))
        if aspect_id in ("quality", "durability"):
            # Breakage and wear words are complaints about whichever of the two they were read as.
            for term in SPECIAL_TERMS["damage"] + SPECIAL_TERMS["wear"]:
                table.setdefault(term, "-")
    return literal_pattern(table), table


def cue_signs(aspect_id: str, compact: Compact) -> list[tuple[str, int]]:
    """(sign, position) of each cue of `aspect_id` ("" for the generic cues) in the clause, negation applied."""
    pattern, table = _cue_matcher(aspect_id)
    s = compact.text
    out: list[tuple[str, int]] = []
    for m in pattern.finditer(s):
        cue = m.group(0)
        sign = table[cue]
        if sign != "0":
            flip = _NEG_TAIL.match(s, m.end()) is not None
            if sign == "-" and not flip:
                flip = _ABSENT.match(s, m.end()) is not None or (m.start() > 0 and s[m.start() - 1] == "덜")
            elif sign == "+" and not flip:
                flip = _LACKING.match(s, m.end()) is not None
            if not flip and m.start() > 0 and s[m.start() - 1] in "안못" and not cue.startswith(("안", "못")):
                flip = True
            if flip:
                sign = "-" if sign == "+" else "+"
        out.append((sign, m.start()))
    return out


def _verdict(cues: list[tuple[str, int]]) -> str | None:
    signs = {sign for sign, _ in cues}
    if "0" in signs:
        return "0"
    if len(signs) == 1:
        return signs.pop()
    return None


_NO_ODOUR: Final = re.compile(r"안나|안남|안났|않나|안느껴")
_ODOUR: Final = re.compile(r"냄새|냄세|악취|쩐내|비린내")
_LABEL: Final[dict[str, Sentiment]] = {"+": "positive", "-": "negative", "0": "neutral"}


def repurchase_negated(s: str, start: int, end: int) -> bool:
    """Whether the repurchase term at s[start:end] (compact text) is negated: "재구매 의사 없어요",
    "재구매는 글쎄요", "다시는 재구매 안 해요". The polarity lexicon asks the same (lexicon.py)."""
    before = s[max(0, start - 4) : start]
    # "몇년동안 계속 쓰는중": 동안 (for years) ends in 안 without negating anything.
    return _REPURCHASE_NO.match(s, end) is not None or (
        before.endswith(_REPURCHASE_NO_BEFORE) and not before.endswith("동안")
    )


def mention_polarity(aspect_id: str, start: int, end: int, compact: Compact) -> Sentiment | None:
    """The polarity the clause's words give `aspect_id` (term at compact[start:end], or -1 when the
    term has no span), or None when they do not decide and the clause's label should be used."""
    s = compact.text
    if aspect_id == "repurchase":
        if start < 0:
            return "positive"
        if repurchase_negated(s, start, end):
            return "negative"
        term = s[start:end]
        if term in _ELSEWHERE:
            return "negative"  # "다른 거 살 거 같아요": buying something else next time
        return "negative" if "안" in term or term.startswith(("못", "다시는", "다신")) else "positive"
    if _WISH.search(s):
        return "neutral" if aspect_id in _HOPED_FOR and not _SHORTFALL.search(s) else "negative"
    if _HOPE.search(s) or _PENDING.search(s):
        return "neutral"
    if aspect_id == "smell" and _NO_ODOUR.search(s):
        # "냄새가 하나도 안 나요" is praise; "향이 안 나요" is a fragrance that does not work.
        return "positive" if _ODOUR.search(s) else "negative"
    own = _verdict(cue_signs(aspect_id, compact))
    if own is None:
        own = _verdict(cue_signs("", compact))
    return _LABEL[own] if own is not None else None
