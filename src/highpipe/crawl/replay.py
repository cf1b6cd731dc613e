"""ReplayFetcher: a Fetcher that answers from saved pages, never from the network.

For extractor tests and for replaying a site's saved pages while debugging a markup change. Pages are
keyed by exact URL; a value is a file path, text, or (status, text). A URL with no page answers 404
(`FetchError(code="http_4xx")`), the way a real site would, and every URL asked for is recorded in
`requested`, so a test can also assert what was (not) fetched. 403/429 become `blocked_by_site`,
other 4xx `http_4xx`, 5xx `http_5xx`, mirroring HttpFetcher's codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from highpipe.ports.fetch import Fetcher, FetchError, FetchResult

Answer = Path | str | tuple[int, str]


def _content_type(url: str, body: str) -> str:
    head = body.lstrip()[:1]
    if head in ("{", "[") or url.endswith(".json"):
        return "application/json; charset=utf-8"
    if url.endswith("/robots.txt"):
        return "text/plain; charset=utf-8"
    return "text/html; charset=utf-8"


class ReplayFetcher(Fetcher):
    def __init__(self, pages: Mapping[str, Answer]) -> None:
        self.pages = dict(pages)
        self.requested: list[str] = []
        self.headers_seen: list[dict[str, str]] = []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        self.requested.append(url)
        self.headers_seen.append(dict(headers or {}))
        answer = self.pages.get(url)
        if answer is None:
            status, body = 404, "not found"
        elif isinstance(answer, tuple):
            status, body = answer
        elif isinstance(answer, Path):
            status, body = 200, answer.read_text(encoding="utf-8")
        else:
            status, body = 200, answer
        if status in (403, 429):
            raise FetchError(f"blocked (HTTP {status})", code="blocked_by_site", status=status)
        if 400 <= status < 500:
            raise FetchError(f"HTTP {status} for {url}", code="http_4xx", status=status)
        if status >= 500:
            raise FetchError(f"HTTP {status} for {url}", code="http_5xx", status=status)
        headers_out = {"content-type": _content_type(url, body)}
        return FetchResult(url=url, status=status, headers=headers_out, body=body.encode("utf-8"))
