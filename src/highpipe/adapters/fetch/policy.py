"""Fetch policy helpers: retry back-off, Retry-After, bot-check detection and the user-facing errors.

Kept apart from `http` so that the rules (what is retried, how long we wait, what counts as "blocked")
can be read and tested on their own. Every message is Korean first, then English.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from highpipe.ports.fetch import FetchError

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
RETRY_AFTER_CAP_S = 60.0
SNIFF_BYTES = 8192
# Phrases that, near the top of an HTML page, mean "prove you are human" rather than content.
BOT_CHECK_MARKERS = ("captcha", "robot check", "are you a robot", "자동입력 방지", "자동입력방지")
_MARKER_BYTES = tuple(dict.fromkeys(m.encode(enc) for m in BOT_CHECK_MARKERS for enc in ("utf-8", "cp949")))


def backoff_delay(attempt: int, rng: random.Random) -> float:
    """Delay before retry number `attempt` (0-based): exponential, capped, with "equal jitter".

    Half of the exponential step is fixed and half is random, so delays grow reliably while
    several workers hitting the same site do not retry in lockstep.
    """
    step = min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2.0**attempt))
    return step / 2 + rng.uniform(0, step / 2)


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP date), capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, min(seconds, RETRY_AFTER_CAP_S))


def looks_like_bot_check(content_type: str, body: bytes) -> bool:
    """True for an HTML page whose first few KB say "captcha" / "are you a robot" / "자동입력 방지".

    Markers are compared as bytes in UTF-8 and CP949 (many Korean shops still serve EUC-KR), which
    avoids guessing the page's charset.
    """
    head = body[:SNIFF_BYTES]
    is_html = "html" in content_type.lower() or (not content_type and b"<html" in head.lower())
    if not is_html:
        return False
    lowered = head.lower()  # lowers ASCII only, which leaves the Korean bytes intact
    return any(marker in lowered for marker in _MARKER_BYTES)


def timeout_error(host: str, limit_s: float) -> FetchError:
    return FetchError(
        f"응답 시간이 초과되었습니다 ({host}) / The site did not answer in time ({host}, limit {limit_s:g}s)",
        code="timeout",
    )


def too_large_error(limit: int) -> FetchError:
    return FetchError(
        f"응답이 너무 큽니다 (최대 {limit:,} 바이트) / The response is larger than the {limit:,}-byte limit",
        code="too_large",
    )


def blocked_by_site_error(status: int) -> FetchError:
    return FetchError(
        f"사이트가 요청을 차단했습니다 (HTTP {status}) / The site blocked the request (HTTP {status})",
        code="blocked_by_site",
        status=status,
    )


def bot_check_error(status: int) -> FetchError:
    return FetchError(
        "사이트가 로봇 확인(캡차) 페이지를 보여 주었습니다 / "
        "The site answered with a bot check (captcha) page instead of content",
        code="blocked_by_site",
        status=status,
    )


def http_error(status: int, url: str, attempts: int) -> FetchError:
    if status >= 500:
        return FetchError(
            f"사이트 서버에 오류가 있습니다 (HTTP {status}) / "
            f"The site's server failed (HTTP {status}) after {attempts} attempt(s): {url}",
            code="http_5xx",
            status=status,
        )
    return FetchError(
        f"페이지를 가져올 수 없습니다 (HTTP {status}) / The site answered HTTP {status} for {url}",
        code="http_4xx",
        status=status,
    )


def too_many_redirects_error(limit: int, url: str) -> FetchError:
    return FetchError(
        f"리디렉션이 너무 많습니다 (최대 {limit}번) / Too many redirects (more than {limit}), last: {url}",
        code="unreachable",
    )
