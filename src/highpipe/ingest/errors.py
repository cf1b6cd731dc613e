"""Errors of the review-file reader: a whole file that cannot be read, and a single row that was skipped."""

from __future__ import annotations

from dataclasses import dataclass


class ReviewFileError(ValueError):
    """Base class: the file as a whole cannot be used. The message is for the user (Korean / English)."""


class FileFormatError(ReviewFileError):
    """Unknown or broken format, undecodable text, or no review text column (the API answers 400/422)."""


class FileTooLarge(ReviewFileError):
    """The file (or what it expands to when unzipped) is over the limit (the API answers 413)."""

    def __init__(self, size: int, limit: int, *, expanded: bool = False) -> None:
        self.size = size
        self.limit = limit
        what_ko = "압축을 푼 파일" if expanded else "파일"
        what_en = "The unzipped file" if expanded else "The file"
        super().__init__(
            f"{what_ko}이 너무 큽니다 ({size:,} 바이트, 한도 {limit:,} 바이트). / "
            f"{what_en} is too large ({size:,} bytes; the limit is {limit:,} bytes)."
        )


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that was not accepted (or, in `warnings`, accepted with a field dropped)."""

    line: int
    reason: str
