"""Fakes for unit tests of the layers above the ports (never used where a real backend is named)."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from highpipe.adapters.fetch.guard_proxy import Streams
from highpipe.domain.models import AspectMention, Review, ReviewAnalysis, SentimentResult
from highpipe.domain.vocab import aspect_label
from highpipe.ports.analyzer import Analyzer

_ASPECT_WORDS = {
    "배송": "delivery",
    "사이즈": "size",
    "가격": "price",
    "품질": "quality",
    "색상": "design",
    "디자인": "design",
}
_NEG = ("별로", "작아", "늦", "실망", "환불", "최악", "아쉽")


class KeywordAnalyzer(Analyzer):
    """A tiny rule analyzer: one clause per comma, a clause is negative if it holds a negative cue."""

    model_version = "fake-1"

    def analyze(self, reviews: Sequence[Review]) -> list[ReviewAnalysis]:
        out = []
        for review in reviews:
            aspects = []
            for clause in [c.strip() for c in review.text.replace("는데", "는데,").split(",") if c.strip()]:
                polarity = "negative" if any(n in clause for n in _NEG) else "positive"
                for word, aspect_id in _ASPECT_WORDS.items():
                    if word in clause:
                        aspects.append(
                            AspectMention(
                                aspect_id=aspect_id,
                                aspect=aspect_label(aspect_id),
                                polarity=polarity,
                                clause=clause,
                            )
                        )
            negative = any(n in review.text for n in _NEG)
            label = "negative" if negative else "positive"
            out.append(
                ReviewAnalysis(
                    review_uid=review.review_uid,
                    sentiment=SentimentResult(label=label, score=0.8),
                    aspects=aspects,
                    emotions=["disappointment"] if negative else ["satisfaction"],
                    model_version=self.model_version,
                )
            )
        return out


@dataclass
class LoopbackOnly:
    """A guard-proxy connector for tests: dials only 127.0.0.1:`allowed_port` and records every other
    address it was asked for (a test fails on any violation), so no test traffic leaves loopback."""

    allowed_port: int
    dials: list[tuple[str, int]] = field(default_factory=list)
    violations: list[tuple[str, int]] = field(default_factory=list)

    async def __call__(self, address: str, port: int, timeout_s: float) -> Streams:
        self.dials.append((address, port))
        if ipaddress.ip_address(address) != ipaddress.ip_address("127.0.0.1") or port != self.allowed_port:
            self.violations.append((address, port))
            raise OSError(f"test connector refuses {address}:{port}")
        async with asyncio.timeout(timeout_s):
            return await asyncio.open_connection(address, port)
