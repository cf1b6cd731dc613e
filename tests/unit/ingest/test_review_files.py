"""read_reviews over every format, gzip, encoding, mapping, broken rows and limits."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from highpipe.ingest.files import FileFormatError, FileTooLarge, ReadResult, read_reviews

KST = timezone(timedelta(hours=9))

HEADER = ["id", "text", "rating", "date", "author", "product"]
ROWS: list[list[Any]] = [
    ["r1", "배송이 빨라요, 포장도 꼼꼼해요", "5", "2026-11-02", "김철수", "P-100"],
    ["r2", '사이즈가 "조금" 작아요\n한 치수 크게 사세요', "3", "2026.11.03", "이영희", "P-100"],
    ["r3", "가격 대비 괜찮아요", "4", "2026/11/04 13:00", "", "P-100"],
]


def _delimited(rows: list[list[Any]], delimiter: str, header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _jsonl(rows: list[list[Any]], header: list[str] = HEADER) -> str:
    return "".join(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) + "\n" for row in rows)


def _xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _file_bytes(fmt: str, rows: list[list[Any]] = ROWS, header: list[str] = HEADER) -> bytes:
    if fmt == "csv":
        return _delimited(rows, ",", header).encode()
    if fmt == "tsv":
        return _delimited(rows, "\t", header).encode()
    if fmt == "jsonl":
        return _jsonl(rows, header).encode()
    return _xlsx(rows, header)


def _check_standard(result: ReadResult) -> None:
    assert [r.site_review_id for r in result.reviews] == ["r1", "r2", "r3"]
    assert result.reviews[1].text == '사이즈가 "조금" 작아요\n한 치수 크게 사세요'
    assert [r.rating for r in result.reviews] == [5.0, 3.0, 4.0]
    assert result.reviews[0].date == datetime(2026, 11, 2, tzinfo=KST)
    assert result.reviews[2].date == datetime(2026, 11, 4, 13, tzinfo=KST)
    assert result.reviews[0].author == "김철수"
    assert result.reviews[2].author is None
    assert result.product == "P-100"
    assert result.columns == HEADER
    assert result.errors == []


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "xlsx"])
def test_every_format_with_and_without_gzip(fmt: str, gz: bool) -> None:
    raw = _file_bytes(fmt)
    data = gzip.compress(raw) if gz else raw
    name = f"reviews.{fmt}" + (".gz" if gz else "")
    result = read_reviews(data=data, filename=name)
    _check_standard(result)
    assert result.format == fmt
    assert result.compressed is gz
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    # line numbers are spreadsheet rows (header = 1) or JSONL lines
    expected_lines = [1, 2, 3] if fmt == "jsonl" else [2, 3, 4]
    assert [r.source_line for r in result.reviews] == expected_lines


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "xlsx"])
def test_format_is_sniffed_without_an_extension(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(gzip.compress(_file_bytes(fmt)))
    result = read_reviews(path)
    assert result.format == fmt
    _check_standard(result)


def test_csv_extension_holding_tabs_is_read_as_tsv() -> None:
    result = read_reviews(data=_file_bytes("tsv"), filename="export.csv")
    assert result.format == "tsv"
    _check_standard(result)


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda s: s.encode("utf-8"), "utf-8"),
        (lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"), "utf-8-sig"),
        (lambda s: s.encode("cp949"), "cp949"),
        (lambda s: s.encode("utf-16"), "utf-16"),
    ],
    ids=["utf8", "bom", "cp949", "utf16"],
)
@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_encodings(fmt: str, encode: Any, encoding: str) -> None:
    text = _jsonl(ROWS) if fmt == "jsonl" else _delimited(ROWS, "," if fmt == "csv" else "\t")
    result = read_reviews(data=encode(text), filename=f"r.{fmt}")
    assert result.encoding == encoding
    _check_standard(result)


def test_bom_does_not_leak_into_the_first_header() -> None:
    data = b"\xef\xbb\xbf" + "text,rating\n좋아요,5\n".encode()
    result = read_reviews(data=data, filename="r.csv")
    assert result.columns == ["text", "rating"]
    assert result.mapped["text"] == "text"


def test_undecodable_bytes_are_a_format_error() -> None:
    with pytest.raises(FileFormatError, match="UTF-8"):
        read_reviews(data=b"text\n\xff\xfe\xfd\x80\x80\n", filename="r.csv")


def test_korean_export_with_auto_mapped_headers(tmp_path: Path) -> None:
    header = ["번호", "작성자", "리뷰내용", "별점", "작성일", "옵션"]
    rows = [
        ["1", "박민수", "향이 좋아요", "★★★★★", "2026.11.02", "250ml"],
        ["2", "최지은", "배송이 너무 늦어요", "★★☆☆☆", "26.11.03", "500ml"],
    ]
    path = tmp_path / "스마트스토어_리뷰.csv"
    path.write_bytes(_delimited(rows, ",", header).encode("cp949"))
    result = read_reviews(path)
    assert result.encoding == "cp949"
    assert result.mapped == {
        "text": "리뷰내용",
        "rating": "별점",
        "date": "작성일",
        "author": "작성자",
        "option": "옵션",
    }
    assert [(r.text, r.rating, r.option) for r in result.reviews] == [
        ("향이 좋아요", 5.0, "250ml"),
        ("배송이 너무 늦어요", 2.0, "500ml"),
    ]
    assert result.reviews[1].date == datetime(2026, 11, 3, tzinfo=KST)
    assert all(r.site_review_id is None for r in result.reviews)  # "번호" is a row counter, not an id


def test_mapping_names_file_columns() -> None:
    header = ["후기 본문", "score_10", "when"]
    rows = [["맛있어요", "9", "2026-11-02"], ["짜요", "4", "2026-11-03"]]
    data = _delimited(rows, ",", header).encode()
    result = read_reviews(
        data=data, filename="x.csv", mapping={"text": "후기 본문", "rating": "score_10", "date": "when"}
    )
    assert [r.text for r in result.reviews] == ["맛있어요", "짜요"]
    assert [(r.rating, r.rating_scale) for r in result.reviews] == [(9.0, 10), (4.0, 10)]
    assert [r.normalised_rating() for r in result.reviews] == [4.5, 2.0]


def test_missing_text_column_explains_map() -> None:
    data = _delimited([["5", "2026-11-02"]], ",", ["평점", "날짜"]).encode()
    with pytest.raises(FileFormatError) as info:
        read_reviews(data=data, filename="x.csv")
    assert "평점, 날짜" in str(info.value)
    assert "--map text=" in str(info.value)


@pytest.mark.parametrize(
    ("ratings", "scale", "expected_scale", "expected"),
    [
        (["5", "4", "1"], None, 5, [5.0, 4.0, 1.0]),
        (["10", "4", "1"], None, 10, [10.0, 4.0, 1.0]),
        (["8/10", "★★★★☆", "3점"], None, 5, [4.0, 4.0, 3.0]),
        (["8/10", "★★★★☆", "7점"], None, 10, [8.0, 8.0, 7.0]),
        (["4", "2", "1"], 10, 10, [4.0, 2.0, 1.0]),
        (["4.5", "★★★", "2.5점"], 5, 5, [4.5, 3.0, 2.5]),
    ],
)
def test_rating_scales(
    ratings: list[str], scale: int | None, expected_scale: int, expected: list[float]
) -> None:
    rows = [[f"리뷰 {i}", r] for i, r in enumerate(ratings)]
    result = read_reviews(
        data=_delimited(rows, ",", ["text", "rating"]).encode(), filename="r.csv", rating_scale=scale
    )
    assert result.errors == []
    assert result.rating_scale == expected_scale
    assert [r.rating for r in result.reviews] == expected
    assert {r.rating_scale for r in result.reviews} == {expected_scale}


def test_invalid_rating_scale_argument() -> None:
    with pytest.raises(ValueError, match="5 or 10"):
        read_reviews(data=b"text\nx\n", filename="r.csv", rating_scale=100)


def test_broken_csv_rows_are_reported_with_line_numbers() -> None:
    text = (
        "id,text,rating,date\n"  # line 1
        "a,좋아요,5,2026-11-02\n"  # 2 ok
        "b,,4,2026-11-02\n"  # 3 empty text
        "c,별로,7,2026-11-02\n"  # 4 out of range with scale 5
        "d,음,최고,2026-11-02\n"  # 5 unparsable rating
        "e,한 칸 모자람,3\n"  # 6 wrong number of fields
        "\n"  # 7 blank: ignored
        'f,"여러 줄\n리뷰",4,2026-11-02\n'  # 8 ok (one spreadsheet row)
        "a,중복 아이디,5,2026-11-02\n"  # 9 duplicate id
        "g,날짜 이상,2,어제\n"  # 10 ok, date dropped with a warning
        "h,0점,0,2026-11-02\n"  # 11 rating 0 is out of range
    )
    result = read_reviews(data=text.encode(), filename="r.csv", rating_scale=5)
    assert [(r.site_review_id, r.source_line) for r in result.reviews] == [("a", 2), ("f", 8), ("g", 10)]
    assert result.reviews[1].text == "여러 줄\n리뷰"
    assert result.reviews[2].date is None
    assert [e.line for e in result.errors] == [3, 4, 5, 6, 9, 11]
    reasons = {e.line: e.reason for e in result.errors}
    assert "비어" in reasons[3] and "empty" in reasons[3]
    assert "out of range" in reasons[4]
    assert "cannot be read" in reasons[5]
    assert "Wrong number of fields" in reasons[6]
    assert "Duplicate id 'a'" in reasons[9] and "line 2" in reasons[9]
    assert [w.line for w in result.warnings] == [10]
    for error in result.errors:  # Korean first, then English
        assert error.reason.index(" / ") > 0
        assert any("\uac00" <= ch <= "\ud7a3" for ch in error.reason.split(" / ")[0])


def test_broken_jsonl_lines() -> None:
    lines = [
        '{"text": "좋아요", "rating": 5}',
        "{not json",
        "",
        '["a list"]',
        '{"text": "", "rating": 3}',
        '{"text": {"nested": 1}}',
        '{"text": "괜찮아요", "rating": 4.5, "id": 17}',
    ]
    result = read_reviews(data="\n".join(lines).encode(), filename="r.jsonl")
    assert [(r.text, r.source_line, r.site_review_id) for r in result.reviews] == [
        ("좋아요", 1, None),
        ("괜찮아요", 7, "17"),
    ]
    assert [e.line for e in result.errors] == [2, 4, 5, 6]
    assert "Malformed JSON" in result.errors[0].reason


def test_file_of_only_broken_rows() -> None:
    result = read_reviews(data=b"text,rating\n,5\n,4\nx,y,z\n", filename="r.csv")
    assert result.reviews == []
    assert [e.line for e in result.errors] == [2, 3, 4]


def test_header_only_file_has_no_rows_and_no_errors() -> None:
    result = read_reviews(data="리뷰,별점\n".encode(), filename="r.csv")
    assert (result.reviews, result.errors) == ([], [])


def test_empty_file_is_a_format_error() -> None:
    with pytest.raises(FileFormatError, match="empty"):
        read_reviews(data=b"  \n", filename="r.csv")


def test_unquoted_tsv_with_a_stray_quote_keeps_every_row() -> None:
    text = 'text\trating\n"최고 좋아요\t5\n보통이에요\t3\n그냥 "그럭저럭"\t2\n'
    result = read_reviews(data=text.encode(), filename="r.tsv")
    assert [r.rating for r in result.reviews] == [5.0, 3.0, 2.0]
    assert result.errors == []


def test_xlsx_cells_keep_types_and_sheet_row_numbers() -> None:
    header = ["리뷰", "평점", "날짜", "리뷰ID"]
    rows: list[list[Any]] = [
        ["튼튼해요", 5, datetime(2026, 11, 2, 10, 30), 1001],
        [None, None, None, None],  # blank row 3
        ["색이 예뻐요", 4.5, 46328, 1002],  # Excel serial date number
        ["", 3, None, 1003],  # empty text
        ["품질 나빠요", "★☆☆☆☆", "2026.11.05", 1001],  # duplicate id
    ]
    result = read_reviews(data=_xlsx(rows, header), filename="리뷰.xlsx")
    assert result.format == "xlsx"
    assert [(r.text, r.source_line, r.site_review_id) for r in result.reviews] == [
        ("튼튼해요", 2, "1001"),
        ("색이 예뻐요", 4, "1002"),
    ]
    assert result.reviews[0].date == datetime(2026, 11, 2, 10, 30, tzinfo=KST)
    assert result.reviews[1].date == datetime(2026, 11, 2, tzinfo=KST)
    assert result.reviews[1].rating == 4.5
    assert [e.line for e in result.errors] == [5, 6]


def test_legacy_xls_is_refused_clearly() -> None:
    with pytest.raises(FileFormatError, match=r"\.xls"):
        read_reviews(data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, filename="old.xls")


def test_json_array_uses_item_numbers() -> None:
    data = json.dumps([{"review": "좋음", "stars": 5}, 3, {"review": "나쁨", "stars": 1}], ensure_ascii=False)
    result = read_reviews(data=data.encode(), filename="r.json")
    assert result.format == "json"
    assert [(r.text, r.source_line) for r in result.reviews] == [("좋음", 1), ("나쁨", 3)]
    assert [e.line for e in result.errors] == [2]


def test_product_is_none_when_it_varies() -> None:
    rows = [["a", "좋아요", "5", "", "", "P-1"], ["b", "별로", "2", "", "", "P-2"]]
    assert read_reviews(data=_file_bytes("csv", rows), filename="r.csv").product is None


def test_too_large_data_and_path(tmp_path: Path) -> None:
    data = _file_bytes("csv")
    with pytest.raises(FileTooLarge) as info:
        read_reviews(data=data, filename="r.csv", max_bytes=len(data) - 1)
    assert info.value.limit == len(data) - 1
    assert "너무 큽니다" in str(info.value) and "too large" in str(info.value)
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    with pytest.raises(FileTooLarge):
        read_reviews(path, max_bytes=10)
    assert len(read_reviews(path, max_bytes=len(data)).reviews) == 3


def test_gzip_bomb_is_too_large() -> None:
    bomb = gzip.compress(b"text\n" + b"a" * 5_000_000)
    assert len(bomb) < 20_000
    with pytest.raises(FileTooLarge, match="unzipped"):
        read_reviews(data=bomb, filename="r.csv.gz", max_bytes=20_000)


def test_corrupt_gzip_is_a_format_error() -> None:
    with pytest.raises(FileFormatError, match="gzip"):
        read_reviews(data=gzip.compress(b"text\nabc\n")[:15], filename="r.csv.gz")


def test_path_and_data_are_exclusive(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        read_reviews(tmp_path / "x.csv", data=b"text\n")
    with pytest.raises(ValueError):
        read_reviews()


def test_hundred_thousand_rows_read_quickly() -> None:
    import time

    rows = [
        [f"id{i}", f"배송 빠르고 품질 좋아요 {i}", str(i % 5 + 1), "2026-11-02 13:00", f"사용자{i}", "P"]
        for i in range(100_000)
    ]
    data = _file_bytes("csv", rows)
    started = time.perf_counter()
    result = read_reviews(data=data, filename="big.csv")
    elapsed = time.perf_counter() - started
    assert len(result.reviews) == 100_000
    assert result.reviews[-1].source_line == 100_001
    assert elapsed < 10.0  # typically ~1 s; generous for shared CI machines
