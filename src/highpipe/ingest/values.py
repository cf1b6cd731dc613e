"""Cell parsers for review files: star ratings and dates as Korean shops and spreadsheets write them.

Ratings: numbers (`4`, `4.5`), stars (`★★★★☆` counts the filled stars; with empty stars the total is the
denominator), `4점`, `별점 4`, `8/10`. A rating with a denominator is rescaled to the file's scale later.

Dates: ISO 8601 (`2026-11-02T13:00:00+09:00`, `...Z`), `2026.11.02`, `2026. 11. 2.`, `2026-11-02 13:00`,
`2026/11/02`, `26.11.02`, `2026년 11월 2일`, `2026.11.02 오후 1:05`, `20261102`, Excel serial day numbers
(20000-80000, from spreadsheet cells or text), Unix epoch seconds / milliseconds, and `datetime` / `date`
cells. A date without a time-zone is taken to be Korean time (UTC+09:00): review exports come from Korean
shops, and a fixed offset keeps the result reproducible (Korea has no daylight saving time).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Final

KST: Final = timezone(timedelta(hours=9), "KST")

_FILLED_STARS: Final = frozenset("★⭐✭✮✯✪🌟")
_EMPTY_STARS: Final = frozenset("☆✩✰")
_STAR_CHARS: Final = _FILLED_STARS | _EMPTY_STARS | frozenset(" \t½")

_RATING_RE: Final = re.compile(
    r"^(?:별점|평점|rating|score)?\s*[:：]?\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*"
    r"(?:/\s*(?P<denom>\d+(?:\.\d+)?))?\s*"
    r"(?:점|개|stars?|점\s*만점)?$",
    re.IGNORECASE,
)

_DATE_RE: Final = re.compile(
    r"^(?P<y>\d{4}|\d{2})\s*[.\-/년]\s*(?P<m>\d{1,2})\s*[.\-/월]\s*(?P<d>\d{1,2})\s*[.일]?"
    r"(?:\s*\([^)]*\))?"  # a weekday such as (월) or (Mon)
    r"(?:\s*T?\s*(?P<ampm>오전|오후|AM|PM)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<ampm2>오전|오후|AM|PM)?)?$",
    re.IGNORECASE,
)

_EXCEL_EPOCH: Final = datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system (after its leap-year bug)
_SERIAL_MIN: Final = 20_000  # 1954-10-03: below this a number is more likely something else
_SERIAL_MAX: Final = 80_000  # 2119-01-10


def parse_rating(value: object) -> tuple[float, float | None] | None:
    """(value, denominator or None); None for an empty cell. Raises ValueError if it is not a rating."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a rating")
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("not a finite number")
        return number, None
    text = str(value).strip()
    if not text:
        return None
    if any(ch in _FILLED_STARS or ch in _EMPTY_STARS for ch in text) and all(
        ch in _STAR_CHARS for ch in text
    ):
        half = text.count("½")
        filled = sum(1 for ch in text if ch in _FILLED_STARS) + 0.5 * half
        total = sum(1 for ch in text if ch in _FILLED_STARS or ch in _EMPTY_STARS) + half
        has_empty = any(ch in _EMPTY_STARS for ch in text)
        return filled, (float(total) if has_empty else None)
    match = _RATING_RE.match(text)
    if match is None:
        raise ValueError(f"not a rating: {text[:40]!r}")
    number = float(match["value"])
    denom = float(match["denom"]) if match["denom"] else None
    if denom is not None and denom <= 0:
        raise ValueError(f"bad denominator: {text[:40]!r}")
    return number, denom


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=KST)


def _from_number(number: float) -> datetime:
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    if _SERIAL_MIN <= number <= _SERIAL_MAX:
        return (_EXCEL_EPOCH + timedelta(days=number)).replace(tzinfo=KST)
    if 1e9 <= number < 1e10:  # Unix seconds, 2001-2286
        return datetime.fromtimestamp(number, UTC)
    if 1e12 <= number < 1e13:  # Unix milliseconds
        return datetime.fromtimestamp(number / 1000.0, UTC)
    raise ValueError(f"a number that is not a date: {number:g}")


def _hour(hour: int, marker: str | None) -> int:
    if marker is None:
        return hour
    pm = marker.upper() in {"오후", "PM"}
    if not 1 <= hour <= 12:
        raise ValueError("hour out of range for 오전/오후")
    return (hour % 12) + (12 if pm else 0)


def parse_date(value: object) -> datetime | None:
    """A time-zone-aware datetime, or None for an empty cell. Raises ValueError if it is not a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return datetime.combine(value, time(), KST)
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a date")
    if isinstance(value, int | float):
        return _from_number(float(value))
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit():
        if len(text) == 8:  # 20261102
            return datetime(int(text[:4]), int(text[4:6]), int(text[6:]), tzinfo=KST)
        return _from_number(float(text))
    if text[:1].isdigit() and text.count(".") == 1 and text.replace(".", "", 1).isdigit() and len(text) < 12:
        return _from_number(float(text))  # an Excel serial with a time fraction, e.g. 45963.5
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        pass
    match = _DATE_RE.match(text)
    if match is None:
        raise ValueError(f"not a date: {text[:40]!r}")
    year = int(match["y"])
    if len(match["y"]) == 2:
        year += 2000
    hour = _hour(int(match["H"]), match["ampm"] or match["ampm2"]) if match["H"] else 0
    return datetime(
        year,
        int(match["m"]),
        int(match["d"]),
        hour,
        int(match["M"] or 0),
        int(match["S"] or 0),
        tzinfo=KST,
    )
