"""robots.txt, honoured by default: an RFC 9309 parser and a Fetcher wrapper that asks it first.

`RobotsFetcher(inner, user_agent=..., enabled=True)` wraps any Fetcher (so the robots.txt request goes
through the same SSRF guard, limits and retries). Before each `get(url)` it reads
`<scheme>://<host[:port]>/robots.txt` once per origin for its lifetime — one job, since the crawl
service builds a fetcher per job — and:

- a URL the rules disallow for our product token (the User-Agent up to "/", e.g. `HighPipeBot`; else
  the `*` group) raises `FetchError(code="robots")` with a bilingual reason naming the URL;
- robots.txt answering 4xx (404, 410, 401, 403: "unavailable" in RFC 9309) allows everything;
- robots.txt that cannot be read (5xx, 429, timeout, unreachable, a captcha page) means "disallow all"
  (RFC 9309 §2.3.1.4): the fetch error is raised with "(robots.txt)" added and its own code kept, so
  the user reads the real cause; an address the SSRF guard refuses is raised unchanged;
- `render(url)` (browser rendering, when the inner fetcher can: `crawl.render`) obeys the same rules
  and pacing; robots.txt itself is always read with the inner fetcher's plain `get`;
- `Crawl-delay` (not in RFC 9309, but widely used) spaces requests to that origin, capped at
  `max_crawl_delay_s`.

Matching follows RFC 9309: all groups naming our token are merged (else all `*` groups); the longest
matching Allow/Disallow pattern wins, Allow on a tie; `*` matches any run of characters and a final
`$` anchors the end; percent-escapes are decoded on both sides before comparing; `/robots.txt` itself
is always allowed. At most 512 KiB of the file is parsed (the RFC asks for at least 500 KiB).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from highpipe.crawl import render as rendering
from highpipe.ports.fetch import Fetcher, FetchError, FetchResult

MAX_ROBOTS_BYTES = 512 * 1024
ALLOW_ALL_CODES = frozenset({"http_4xx"})
PASS_THROUGH_CODES = frozenset({"blocked_address", "invalid_url"})


def product_token(user_agent: str) -> str:
    """ "HighPipeBot/0.1 (+review analysis)" -> "highpipebot"."""
    return (user_agent.strip().split("/")[0].split() or [""])[0].lower()


@dataclass(frozen=True, slots=True)
class Rule:
    allow: bool
    pattern: str
    regex: re.Pattern[str]

    @classmethod
    def of(cls, allow: bool, pattern: str) -> Rule:
        pattern = unquote(pattern)
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        regex = ".*".join(re.escape(part) for part in body.split("*")) + ("$" if anchored else "")
        return cls(allow, pattern, re.compile(regex, re.DOTALL))


@dataclass(slots=True)
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass(slots=True)
class RobotsPolicy:
    groups: list[_Group] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> RobotsPolicy:
        groups: list[_Group] = []
        current: _Group | None = None
        in_rules = False  # a user-agent line after rules starts a new group
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            key, sep, value = line.partition(":")
            if not sep:
                continue
            key, value = key.strip().lower(), value.strip()
            if key == "user-agent":
                if current is None or in_rules:
                    current = _Group()
                    groups.append(current)
                    in_rules = False
                current.agents.append(product_token(value) if value != "*" else "*")
            elif key in ("allow", "disallow") and current is not None:
                in_rules = True
                if value:  # an empty Disallow allows everything: no rule
                    current.rules.append(Rule.of(key == "allow", value))
            elif key == "crawl-delay" and current is not None:
                in_rules = True
                try:
                    current.crawl_delay = max(0.0, float(value))
                except ValueError:
                    pass
        return cls(groups)

    def _groups_for(self, token: str) -> list[_Group]:
        mine = [g for g in self.groups if token in g.agents]
        return mine or [g for g in self.groups if "*" in g.agents]

    def allows(self, token: str, target: str) -> bool:
        """May `token` fetch `target` (path plus query, e.g. "/vp/products/1?itemId=2")?"""
        path = unquote(target) or "/"
        if path == "/robots.txt":
            return True
        best: Rule | None = None
        for group in self._groups_for(token):
            for rule in group.rules:
                if rule.regex.match(path) is None:
                    continue
                longer = best is None or len(rule.pattern) > len(best.pattern)
                tie_allow = best is not None and len(rule.pattern) == len(best.pattern) and rule.allow
                if longer or tie_allow:
                    best = rule
        return best is None or best.allow

    def crawl_delay(self, token: str) -> float | None:
        delays = [g.crawl_delay for g in self._groups_for(token) if g.crawl_delay is not None]
        return max(delays) if delays else None


def robots_forbidden(url: str) -> FetchError:
    return FetchError(
        f"robots.txt 가 이 페이지의 수집을 금지합니다 / robots.txt forbids crawling this page ({url})",
        code="robots",
    )


class RobotsFetcher(Fetcher):
    """A Fetcher that obeys robots.txt (when `enabled`) before delegating to `inner`."""

    def __init__(
        self,
        inner: Fetcher,
        *,
        user_agent: str,
        enabled: bool = True,
        max_crawl_delay_s: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.inner = inner
        self.enabled = enabled
        self.token = product_token(user_agent)
        self.max_crawl_delay_s = max_crawl_delay_s
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        self._policies: dict[str, RobotsPolicy | FetchError] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._last_request: dict[str, float] = {}

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        await self._obey(url)
        return await self.inner.get(url, headers=headers)

    @property
    def render_mode(self) -> rendering.RenderMode:
        return rendering.render_mode(self.inner)

    async def render(self, url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
        """A browser render of `url` under the same rules (robots.txt itself is read over plain HTTP)."""
        await self._obey(url)
        return await rendering.render(self.inner, url, headers=headers)

    async def _obey(self, url: str) -> None:
        parts = urlsplit(url)
        if not self.enabled or parts.scheme not in ("http", "https") or not parts.netloc:
            return  # the inner fetcher judges odd URLs
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        policy = await self._policy(origin)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not policy.allows(self.token, target):
            raise robots_forbidden(url)
        await self._pace(origin, policy)

    def _lock(self, origin: str) -> asyncio.Lock:
        return self._locks.setdefault(origin, asyncio.Lock())

    async def _policy(self, origin: str) -> RobotsPolicy:
        async with self._lock(origin):  # concurrent first requests share one robots.txt fetch
            known = self._policies.get(origin)
            if known is None:
                known = await self._load(origin)
                self._policies[origin] = known
        if isinstance(known, FetchError):
            raise known
        return known

    async def _load(self, origin: str) -> RobotsPolicy | FetchError:
        try:
            result = await self.inner.get(f"{origin}/robots.txt")
        except FetchError as exc:
            if exc.code in ALLOW_ALL_CODES or (
                exc.code == "blocked_by_site" and exc.status is not None and 400 <= exc.status < 500
                and exc.status != 429
            ):  # fmt: skip
                return RobotsPolicy()
            if exc.code in PASS_THROUGH_CODES:
                return exc
            return FetchError(f"{exc.reason} (robots.txt)", code=exc.code, status=exc.status)
        return RobotsPolicy.parse(result.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace"))

    async def _pace(self, origin: str, policy: RobotsPolicy) -> None:
        delay = min(policy.crawl_delay(self.token) or 0.0, self.max_crawl_delay_s)
        if delay <= 0:
            return
        async with self._lock(origin):
            last = self._last_request.get(origin)
            if last is not None:
                wait = last + delay - self._clock()
                if wait > 0:
                    await self._sleep(wait)
            self._last_request[origin] = self._clock()
