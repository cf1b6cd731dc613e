"""Cell parsers (ratings, dates) and header resolution of the review-file reader."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from highpipe.ingest.columns import parse_map_options, resolve_columns
from highpipe.ingest.errors import FileFormatError
from highpipe.ingest.values import parse_date, parse_rating

KST = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("4", (4.0, None)),
        ("4.5", (4.5, None)),
        (" 5 ", (5.0, None)),
        ("4점", (4.0, None)),
        ("4.5 점", (4.5, None)),
        ("별점 3", (3.0, None)),
        ("평점: 4", (4.0, None)),
        ("8/10", (8.0, 10.0)),
        ("4 / 5", (4.0, 5.0)),
        ("★★★★☆", (4.0, 5.0)),
        ("★★★", (3.0, None)),
        ("☆☆☆☆☆", (0.0, 5.0)),
        ("⭐⭐⭐⭐⭐", (5.0, None)),
        ("★★★½☆", (3.5, 5.0)),
        (7, (7.0, None)),
        (4.5, (4.5, None)),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_rating_accepts_common_forms(cell: object, expected: tuple[float, float | None] | None) -> None:
    assert parse_rating(cell) == expected


@pytest.mark.parametrize("cell", ["good", "4 stars and more", "★ 좋아요", "4/0", True, float("nan"), "1e3"])
def test_parse_rating_rejects_non_ratings(cell: object) -> None:
    with pytest.raises(ValueError):
        parse_rating(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-11-02", datetime(2026, 11, 2, tzinfo=KST)),
        ("2026-11-02T13:00:00+00:00", datetime(2026, 11, 2, 13, tzinfo=UTC)),
        ("2026-11-02T13:00:00Z", datetime(2026, 11, 2, 13, tzinfo=UTC)),
        ("2026-11-02 13:00", datetime(2026, 11, 2, 13, tzinfo=KST)),
        ("2026.11.02", datetime(2026, 11, 2, tzinfo=KST)),
        ("2026.11.02.", datetime(2026, 11, 2, tzinfo=KST)),
        ("2026. 11. 2.", datetime(2026, 11, 2, tzinfo=KST)),
        ("2026/11/02", datetime(2026, 11, 2, tzinfo=KST)),
        ("26.11.02", datetime(2026, 11, 2, tzinfo=KST)),
        ("2026년 11월 2일", datetime(2026, 11, 2, tzinfo=KST)),
        ("2026.11.02 13:05:09", datetime(2026, 11, 2, 13, 5, 9, tzinfo=KST)),
        ("2026. 11. 2. 오후 1:05:00", datetime(2026, 11, 2, 13, 5, tzinfo=KST)),
        ("2026. 11. 2. 오전 12:30", datetime(2026, 11, 2, 0, 30, tzinfo=KST)),
        ("2026.11.02(월)", datetime(2026, 11, 2, tzinfo=KST)),
        ("20261102", datetime(2026, 11, 2, tzinfo=KST)),
        (46328, datetime(2026, 11, 2, tzinfo=KST)),  # Excel serial day number
        ("46328.5", datetime(2026, 11, 2, 12, tzinfo=KST)),
        (1_793_545_200, datetime(2026, 11, 1, 15, tzinfo=UTC)),  # Unix seconds
        (1_793_545_200_000, datetime(2026, 11, 1, 15, tzinfo=UTC)),  # Unix milliseconds
        (datetime(2026, 11, 2, 9, 30), datetime(2026, 11, 2, 9, 30, tzinfo=KST)),
        (date(2026, 11, 2), datetime(2026, 11, 2, tzinfo=KST)),
        (None, None),
        ("", None),
    ],
)
def test_parse_date_formats_are_timezone_aware(cell: object, expected: datetime | None) -> None:
    parsed = parse_date(cell)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_naive_dates_are_korean_time() -> None:
    parsed = parse_date("2026-11-02 09:00")
    assert parsed is not None
    assert parsed.astimezone(UTC) == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("cell", ["yesterday", "2026-13-01", "2026.02.30", "123", "12:00", True])
def test_parse_date_rejects_non_dates(cell: object) -> None:
    with pytest.raises(ValueError):
        parse_date(cell)


def test_korean_headers_are_recognised_without_mapping() -> None:
    columns = ["번호", "작성자", "리뷰 내용", "별점", "작성일", "구매옵션"]
    cols = resolve_columns(columns, None)
    assert {field: columns[i] for field, i in cols.items()} == {
        "author": "작성자",
        "text": "리뷰 내용",
        "rating": "별점",
        "date": "작성일",
        "option": "구매옵션",
    }


def test_english_headers_match_case_and_separators() -> None:
    columns = ["Review_Text", "Star", "Created At", "Review-ID"]
    cols = resolve_columns(columns, None)
    assert cols == {"text": 0, "rating": 1, "date": 2, "id": 3}


def test_mapping_wins_and_its_column_is_not_reused() -> None:
    columns = ["내용", "comment", "점수"]
    cols = resolve_columns(columns, {"text": "comment"})
    assert cols["text"] == 1
    assert cols["rating"] == 2
    # "내용" would otherwise be the text column; with text mapped it is left alone
    assert 0 not in cols.values()


def test_mapping_errors_name_the_columns() -> None:
    with pytest.raises(FileFormatError, match="리뷰내용") as info:
        resolve_columns(["a", "b"], {"text": "리뷰내용"})
    assert "a, b" in str(info.value)
    with pytest.raises(FileFormatError, match="Unknown field"):
        resolve_columns(["a"], {"stars": "a"})


def test_missing_text_column_message_lists_columns_and_map_hint() -> None:
    with pytest.raises(FileFormatError) as info:
        resolve_columns(["별점", "날짜", "x"], None)
    message = str(info.value)
    assert "별점, 날짜, x" in message
    assert "--map text=" in message
    assert message.index("리뷰 본문") < message.index("No review text column")


def test_parse_map_options() -> None:
    assert parse_map_options(["text=리뷰내용", " rating = 별점 "]) == {"text": "리뷰내용", "rating": "별점"}
    with pytest.raises(ValueError, match="field=column"):
        parse_map_options(["text"])
    with pytest.raises(ValueError, match="unknown field"):
        parse_map_options(["body=x"])
