"""Read an uploaded or local review file into RawReviews, keeping every good row and explaining the bad ones.

Entry point: `read_reviews(path | data=..., filename=..., mapping=..., rating_scale=..., max_bytes=...)`.
Formats, encodings and line numbering: see `highpipe.ingest.tabular`; header recognition and `--map`: see
`highpipe.ingest.columns`; rating and date syntax: see `highpipe.ingest.values`.

Rows are rejected (into `errors`, with their line number) when the text is empty, the rating cannot be read
or is out of range (0 < rating <= scale), the JSON line is malformed, a CSV row has the wrong number of
fields, or the `id` repeats an earlier accepted row. A date that cannot be read does not cost the review:
the row is kept without a date and noted in `warnings`. `rating_scale` None infers 10 when any plain rating
is above 5, else 5; ratings written with a denominator (`8/10`, `★★★★☆`) are rescaled to the file's scale.
This is blocking, CPU-bound work: async callers run it in a thread.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from highpipe.domain.raw import RawReview
from highpipe.ingest.columns import FIELDS, parse_map_options, resolve_columns
from highpipe.ingest.errors import FileFormatError, FileTooLarge, ReviewFileError, RowError
from highpipe.ingest.tabular import Cell, gunzip, read_table
from highpipe.ingest.values import parse_date, parse_rating

__all__ = [
    "FIELDS",
    "FileFormatError",
    "FileTooLarge",
    "ReadResult",
    "ReviewFileError",
    "RowError",
    "parse_map_options",
    "read_reviews",
]

RATING_SCALES = (5, 10)


@dataclass(slots=True)
class ReadResult:
    reviews: list[RawReview]
    errors: list[RowError]
    columns: list[str]
    format: str
    encoding: str
    sha256: str
    product: str | None = None
    warnings: list[RowError] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)  # field -> the file column used
    rating_scale: int = 5
    compressed: bool = False


@dataclass(slots=True)
class _Candidate:
    line: int
    review: RawReview
    rating: tuple[float, float | None] | None
    product: str | None


def _load(path: Path | None, data: bytes | None, max_bytes: int | None) -> bytes:
    if path is not None and data is not None:
        raise ValueError("give exactly one of path or data")
    if path is not None:
        if max_bytes is not None:
            size = path.stat().st_size
            if size > max_bytes:
                raise FileTooLarge(size, max_bytes)  # refuse before reading a huge file into memory
        data = path.read_bytes()
    elif data is None:
        raise ValueError("give exactly one of path or data")
    if max_bytes is not None and len(data) > max_bytes:
        raise FileTooLarge(len(data), max_bytes)
    return data


def _text(value: Cell) -> str | None:
    """A cell as trimmed NFC text (macOS tools may write decomposed Hangul), or None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet id 1234 arrives as 1234.0
    if isinstance(value, dict | list):
        raise ValueError("nested")
    text = str(value).strip()
    if not text:
        return None
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _cell(cells: list[Cell], index: int | None) -> Cell:
    return None if index is None else cells[index]


def _helpful(value: Cell) -> int | None:
    try:
        text = _text(value)
        if text is None:
            return None
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number >= 0 else None


def _row(line: int, cells: list[Cell], cols: dict[str, int], out: ReadResult) -> _Candidate | None:
    try:
        text = _text(cells[cols["text"]])
    except ValueError:
        out.errors.append(RowError(line, "리뷰 본문이 글자가 아닙니다. / The review text is not plain text."))
        return None
    if text is None:
        out.errors.append(RowError(line, "리뷰 본문이 비어 있습니다. / The review text is empty."))
        return None
    try:
        rating = parse_rating(_cell(cells, cols.get("rating")))
    except ValueError:
        shown = str(_cell(cells, cols.get("rating")))[:40]
        out.errors.append(
            RowError(line, f"별점을 읽을 수 없습니다: {shown!r} / The rating cannot be read: {shown!r}")
        )
        return None
    when: datetime | None = None
    raw_date = _cell(cells, cols.get("date"))
    try:
        when = parse_date(raw_date)
    except (ValueError, OverflowError, OSError):
        shown = str(raw_date)[:40]
        out.warnings.append(
            RowError(
                line,
                f"날짜를 읽을 수 없어 비워 둡니다: {shown!r} / The date cannot be read and was left out: {shown!r}",
            )
        )
    try:
        review = RawReview(
            text=text,
            site_review_id=_text(_cell(cells, cols.get("id"))),
            title=_text(_cell(cells, cols.get("title"))),
            date=when,
            author=_text(_cell(cells, cols.get("author"))),
            option=_text(_cell(cells, cols.get("option"))),
            helpful=_helpful(_cell(cells, cols.get("helpful"))),
            source_line=line,
        )
        product = _text(_cell(cells, cols.get("product")))
    except ValueError:
        out.errors.append(
            RowError(
                line, "글자가 아닌 값(목록/객체)이 있습니다. / A field holds a list or an object, not text."
            )
        )
        return None
    return _Candidate(line, review, rating, product)


def _infer_scale(candidates: list[_Candidate]) -> int:
    plain = [c.rating[0] for c in candidates if c.rating is not None and c.rating[1] is None]
    return 10 if plain and max(plain) > 5 else 5


def read_reviews(
    path: Path | None = None,
    *,
    data: bytes | None = None,
    filename: str | None = None,
    mapping: Mapping[str, str] | None = None,
    rating_scale: int | None = None,
    max_bytes: int | None = None,
) -> ReadResult:
    """Read a review file from `path` or from `data` (an upload; `filename` gives its extension).

    Raises FileTooLarge over `max_bytes`, FileFormatError when the file as a whole is unusable."""
    if rating_scale is not None and rating_scale not in RATING_SCALES:
        raise ValueError(f"rating_scale must be 5 or 10, not {rating_scale}")
    if path is not None and filename is None:
        filename = path.name
    raw = _load(path, data, max_bytes)
    compressed = raw.startswith(b"\x1f\x8b")
    payload = gunzip(raw, max_bytes) if compressed else raw
    table = read_table(payload, filename, max_bytes)
    cols = resolve_columns(table.columns, mapping)
    out = ReadResult(
        reviews=[],
        errors=list(table.errors),
        columns=table.columns,
        format=table.format,
        encoding=table.encoding,
        sha256=hashlib.sha256(raw).hexdigest(),
        mapped={name: table.columns[index] for name, index in cols.items()},
        compressed=compressed,
    )
    candidates = [c for line, cells in table.rows if (c := _row(line, cells, cols, out)) is not None]
    scale = rating_scale if rating_scale is not None else _infer_scale(candidates)
    out.rating_scale = scale
    seen_ids: dict[str, int] = {}
    products: set[str] = set()
    for cand in candidates:
        if cand.rating is not None:
            value, denom = cand.rating
            rating = value * scale / denom if denom is not None else value
            if not 0 < rating <= scale:
                out.errors.append(
                    RowError(
                        cand.line,
                        f"별점 {value:g}이(가) 범위(0 초과 {scale} 이하)를 벗어났습니다. / "
                        f"Rating {value:g} is out of range (above 0, at most {scale}).",
                    )
                )
                continue
            cand.review.rating = round(rating, 3)
        cand.review.rating_scale = scale
        review_id = cand.review.site_review_id
        if review_id is not None:
            first = seen_ids.setdefault(review_id, cand.line)
            if first != cand.line:
                out.errors.append(
                    RowError(
                        cand.line,
                        f"중복된 id '{review_id}' ({first}번째 줄과 같음). / "
                        f"Duplicate id '{review_id}' (same as line {first}).",
                    )
                )
                continue
        if cand.product is not None:
            products.add(cand.product)
        out.reviews.append(cand.review)
    out.errors.sort(key=lambda e: e.line)
    out.product = next(iter(products)) if len(products) == 1 else None
    return out
