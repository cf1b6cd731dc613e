"""Which file column holds which review field: `--map` first, then well-known English and Korean headers.

Fields: `text` (required), `rating`, `date`, `author`, `id`, `product`, `title`, `option`, `helpful`.
Headers are compared after Unicode NFC, lower-casing and removing spaces, `_`, `-` and `.`, so
`Review Text`, `review_text` and `리뷰 내용` all match. Recognised without a mapping (first match wins,
in this order):

- text: text, review, review_text, content(s), body, comment, 리뷰, 내용, 리뷰내용, 리뷰본문, 본문, 후기,
  후기내용, 상품평, 구매평
- rating: rating, score, stars, star, 별점, 평점, 점수, 만족도
- date: date, created_at, review_date, written_at, datetime, 작성일, 날짜, 작성일자, 작성일시, 등록일,
  등록일자, 리뷰작성일, 일자
- author: author, user, username, nickname, reviewer, writer, 작성자, 닉네임, 구매자, 글쓴이, 리뷰어
- id: id, review_id, 리뷰id, 리뷰번호 (not a bare "번호"/"No.", which is usually a row counter)
- product: product, product_name, product_id, 상품, 상품명, 제품, 제품명
- title: title, subject, 제목, 리뷰제목
- option: option, options, variant, 옵션, 구매옵션, 선택옵션, 옵션정보, 상품옵션
- helpful: helpful, helpful_count, likes, 도움돼요, 도움수, 추천수

A mapping (`{"text": "리뷰내용"}`, CLI `--map text=리뷰내용`) overrides the field it names; the other
fields are still recognised from their headers, but never from a column the mapping already uses.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from highpipe.ingest.errors import FileFormatError

FIELDS: Final[tuple[str, ...]] = (
    "text",
    "rating",
    "date",
    "author",
    "id",
    "product",
    "title",
    "option",
    "helpful",
)

_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "text": (
        "text",
        "review",
        "reviewtext",
        "content",
        "contents",
        "body",
        "comment",
        "리뷰",
        "내용",
        "리뷰내용",
        "리뷰본문",
        "본문",
        "후기",
        "후기내용",
        "상품평",
        "구매평",
    ),
    "rating": ("rating", "score", "stars", "star", "별점", "평점", "점수", "만족도"),
    "date": (
        "date",
        "createdat",
        "reviewdate",
        "writtenat",
        "datetime",
        "작성일",
        "날짜",
        "작성일자",
        "작성일시",
        "등록일",
        "등록일자",
        "리뷰작성일",
        "일자",
    ),
    "author": (
        "author",
        "user",
        "username",
        "nickname",
        "reviewer",
        "writer",
        "작성자",
        "닉네임",
        "구매자",
        "글쓴이",
        "리뷰어",
    ),
    "id": ("id", "reviewid", "리뷰id", "리뷰번호"),
    "product": ("product", "productname", "productid", "상품", "상품명", "제품", "제품명"),
    "title": ("title", "subject", "제목", "리뷰제목"),
    "option": ("option", "options", "variant", "옵션", "구매옵션", "선택옵션", "옵션정보", "상품옵션"),
    "helpful": ("helpful", "helpfulcount", "likes", "도움돼요", "도움수", "추천수"),
}

_STRIP: Final = str.maketrans("", "", " \t_-.\ufeff\u200b")


def normalise_header(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().lower().translate(_STRIP)


def _columns_text(columns: Iterable[str]) -> str:
    shown = [c if c else "(빈 이름 / blank)" for c in columns]
    return ", ".join(shown) if shown else "(없음 / none)"


def missing_text_message(columns: Sequence[str]) -> str:
    found = _columns_text(columns)
    return (
        f"리뷰 본문 열을 찾지 못했습니다. 파일의 열: {found}. "
        "본문이 든 열을 --map text=<열 이름> 으로 지정하세요 (예: --map text=리뷰내용). / "
        f"No review text column was found. Columns in the file: {found}. "
        "Name the column that holds the review text with --map text=<column name> (e.g. --map text=review)."
    )


def resolve_columns(columns: Sequence[str], mapping: Mapping[str, str] | None) -> dict[str, int]:
    """Field name -> column index. Raises FileFormatError for a bad mapping or a missing text column."""
    normalised = [normalise_header(c) for c in columns]
    chosen: dict[str, int] = {}
    used: set[int] = set()
    for field, column in (mapping or {}).items():
        if field not in FIELDS:
            raise FileFormatError(
                f"알 수 없는 필드 '{field}' (가능한 필드: {', '.join(FIELDS)}). / "
                f"Unknown field '{field}' in the mapping (known fields: {', '.join(FIELDS)})."
            )
        index = _find(columns, normalised, column)
        if index is None:
            raise FileFormatError(
                f"'{column}' 열이 파일에 없습니다 (--map {field}={column}). 파일의 열: {_columns_text(columns)}. / "
                f"Column '{column}' (--map {field}={column}) is not in the file. "
                f"Columns in the file: {_columns_text(columns)}."
            )
        chosen[field] = index
        used.add(index)
    for field in FIELDS:
        if field in chosen:
            continue
        for synonym in _SYNONYMS[field]:
            index = next((i for i, n in enumerate(normalised) if n == synonym and i not in used), None)
            if index is not None:
                chosen[field] = index
                used.add(index)
                break
    if "text" not in chosen:
        raise FileFormatError(missing_text_message(columns))
    return chosen


def _find(columns: Sequence[str], normalised: Sequence[str], wanted: str) -> int | None:
    """Exact header first, then the normalised form, so `--map text=리뷰 내용` finds `리뷰내용` too."""
    for i, column in enumerate(columns):
        if column == wanted:
            return i
    key = normalise_header(wanted)
    return next((i for i, n in enumerate(normalised) if n == key), None)


def parse_map_options(items: Iterable[str]) -> dict[str, str]:
    """`["text=리뷰내용", "rating=별점"]` (the CLI's repeated --map) -> {"text": "리뷰내용", "rating": "별점"}."""
    mapping: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise ValueError(
                f"--map 은 필드=열이름 형식이어야 합니다: {item!r} / --map must look like field=column: {item!r}"
            )
        if field not in FIELDS:
            raise ValueError(
                f"알 수 없는 필드 '{field}' (가능한 필드: {', '.join(FIELDS)}) / "
                f"unknown field '{field}' (known: {', '.join(FIELDS)})"
            )
        mapping[field] = column
    return mapping
