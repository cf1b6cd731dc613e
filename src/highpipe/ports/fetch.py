"""The fetch port: get a page or JSON document from a shop, safely (SSRF-guarded) and politely."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str = field(metadata={"doc": "final URL after redirects"})
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        ctype = self.headers.get("content-type", "")
        charset = "utf-8"
        if "charset=" in ctype:
            charset = ctype.split("charset=", 1)[1].split(";")[0].strip() or "utf-8"
        return self.body.decode(charset, errors="replace")


class FetchError(Exception):
    """A fetch that failed for a reason the user should read; `code` is a machine code."""

    def __init__(self, reason: str, code: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.status = status


class Fetcher(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        """Fetch `url`; raises FetchError (codes: blocked_address, http_4xx, http_5xx, timeout,
        unreachable, too_large, invalid_url, blocked_by_site; "robots" is reserved) instead of returning
        an error page."""
