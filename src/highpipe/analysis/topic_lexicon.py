"""Vocabulary of open topics (topics.py): which nouns never make a topic card, and which do anyway.

A topic card should name a thing, a part or a property of the product or of its use (배터리, 지퍼,
소매, 세탁, 조립). The sets below are the nouns that do not, grouped by why, so that a new entry
goes where its reason is. The filters in topics.py that need no word list (derivations such as
"직관적", "정확하게", aspect cue words such as 이득 and 지연) catch most judgements; these lists are
for the generic nouns no rule can tell from a thing.
"""

from __future__ import annotations

from typing import Final

# Nouns that name a thing worth its own card as well as an aspect (battery life is performance,
# but a `topic:배터리` card is still useful).
TOPIC_TOO: Final = frozenset({"배터리", "밧데리", "소음", "소리", "보풀"})

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
    "처음 마지막 다행 최선 필요 사용법 방법 이용 확인 연락 답장 주말 평일 아침 저녁 밤 낮 "
    "사흘 나흘 보름 라인 주문일 도착일 발송일 시일 며칠 몇일 일주일 이주일".split()
)

# How much, how many, where in general: quantifiers, extents and relations, not things.
EXTENT_NOUNS: Final = frozenset(
    "전체 전부 모두 대부분 일부 약간 여기저기 이것저것 나머지 각각 제각각 전반 이외 제외 대신 수준 기준 "
    "중간 사이 혼자 당장 결국 애초 초반 중반 후반 순간 내내 얼마 이하 이내 미만 차이 비교 변화 일반 기본 "
    "다양 무리 위주 관련 무렵 뒤 최대 최소 최저 한쪽 양쪽 왼쪽 오른쪽 좌우 가운데 앞뒤 위아래 상하 "
    "자리 위치 방식 타입 스펙 사양 단계 실제 실재 사실 세상 주변".split()
)

# When: points and spans of time (seasons stay: "여름에 시원해요" is about the product's use).
TIME_NOUNS: Final = frozenset(
    "저번 지난번 요번 이번달 지난달 다음달 작년 올해 내년 재작년 담날 전날 그동안 그간 요새 종일 장시간 "
    "월요일 화요일 수요일 목요일 금요일 토요일 일요일 오전 오후 새벽 명절 추석 설날 연휴".split()
)

# Dealing with the seller, the shop or the review itself: requests, answers and procedures.
SERVICE_NOUNS: Final = frozenset(
    "요청 문의 답변 안내 조회 말씀 처리 진행 접수 신청 수령 완료 등록 상담 응대 대응 취소 작성 수정 부탁 "
    "요구 얘기 이야기 피드백 댓글 상품평 구매평 평점 별점 광고 공지 문자 전화 메세지 메시지 카톡 연락처 "
    "주소 주문번호 추가 변경 선택 결제 입금 적립 쿠폰 혜택 행사 개봉 테스트 체험 무료체험 협찬 소식 "
    "업체 판매자 셀러 스토어 가게 매장 마트 사이트 인터넷 온라인 오프라인 홈쇼핑 백화점 거래 시중 시장 "
    "재고 품절 검색".split()
)

# Who: the reviewer, the people around them, the seller's staff (users, not the product).
PERSON_NOUNS: Final = frozenset(
    "부모 남자 여자 남친 여친 남자친구 여자친구 지인 조카 딸아이 딸래미 아들래미 어머니 아버지 어머님 "
    "아버님 시어머니 시댁 친정 장모님 아가 직원 상대방 손님 본인 개인 초보 학생 어른 성인 신혼부부 동서 "
    "사장님 기사님 주인 남들 임산부 신생아".split()
)

# Attitudes and abstractions: what the reviewer felt, tried or meant.
MENTAL_NOUNS: Final = frozenset(
    "신경 이해 고생 포기 실패 성공 도전 적응 조심 가능 불가능 가능성 예정 계획 의도 장점 단점 차지 감안 "
    "책임 엄두 호불호 취향 입맛 판단 기억 경험 욕심 안심 스트레스 거짓말 약속 믿음 신뢰 진심 덕분 해결 "
    "중독 손해 장난 정상 비정상 엉터리 사기 거지 쓰레기 바램 심정 상상 생색 차별".split()
)

# Nouns that form a set judgement with 없다/있다 ("손색없는", "성의 없어요", "일리 있는", "센스 있게"):
# Kiwi keeps the noun apart in some sentences and not in others, and the noun means nothing
# concrete on its own, so it is dropped however it is written.
EXIST_IDIOMS: Final = frozenset(
    "손색 성의 상관 일리 어이 어처구니 정신 재미 틀림 끊임 쓸모 소용 가차 거침 염치 버릇 관계 지장 "
    "센스 실속 인기 매력 개성 의미 가치 자신 관심 분위기 경쟁력 군더더기 빈틈 두말 여지 대책 개념 "
    "영양가 자비".split()
)

# Everything above that is never a topic.
NOT_TOPIC: Final = (
    TOPIC_STOP | EXTENT_NOUNS | TIME_NOUNS | SERVICE_NOUNS | PERSON_NOUNS | MENTAL_NOUNS | EXIST_IDIOMS
)

# Heads that make a glued compound about its first part ("커텐덕분" -> 커텐, "세탁후" -> 세탁,
# "가슴부분" -> 가슴, "엄마선물" -> nothing): relational, temporal and "the product" heads.
GENERIC_HEADS: Final = frozenset(
    "덕분 때문 때 후 전 뒤 중 이후 이전 동안 무렵 정도 자체 부분 쪽 관련 위주 대신 이상 이하 이내 "
    "선물 구매 구입 주문 사용 상품 제품 물건".split()
)

# Nouns ending like a polite predicate that are real nouns ("동요" for a baby toy).
POLITE_TAIL_NOUNS: Final = frozenset({"동요", "요요"})
