"""Deterministic review generation for the demo shop.

Two seeded streams per product: a cheap *skeleton* (date and star rating of every review, enough for the
catalogue's averages) and the *text* stream, which writes each review to agree with its rating: aspect
clauses whose polarity leans with the stars and with the product's aspect biases, contrast sentences
("배송은 빠른데 사이즈가 작아요"), negations, ㅋㅋ/ㅠㅠ and everyday typos. Same product, same reviews,
on every machine (`random.Random` with integer seeds is stable across CPython versions).

Dates spread over ~17 months ending 2026-11-25 (KST), denser towards the end. 20,000 reviews take well
under a second.
"""

from __future__ import annotations

import math
import random
import zlib
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate

from highpipe.demo_shop import phrases_common as pc
from highpipe.demo_shop.catalog import ProductSpec
from highpipe.demo_shop.phrases_items import ITEM_BANKS

KST = timezone(timedelta(hours=9), "KST")
WINDOW_START = datetime(2025, 7, 1, 0, 0, tzinfo=KST)
WINDOW_END = datetime(2026, 11, 25, 23, 59, tzinfo=KST)
_SPAN_MIN = int((WINDOW_END - WINDOW_START).total_seconds() // 60)
_BUCKETS = 32

# Logit of P(positive) for an aspect mention, by star rating (index 0 = 1 star).
_RATING_LOGIT = (-2.6, -1.3, 0.0, 1.1, 2.3)
_NEUTRAL_SHARE = (0.06, 0.10, 0.28, 0.12, 0.06)

Clause = tuple[str, str | None]  # (final form, contrast form)


@dataclass(frozen=True, slots=True)
class DemoReview:
    id: str
    rating: int
    date: datetime
    author: str
    option: str
    helpful: int
    title: str | None
    content: str

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "rating": self.rating,
            "date": self.date.isoformat(),
            "author": self.author,
            "option": self.option,
            "helpful": self.helpful,
            "title": self.title,
            "content": self.content,
        }


def _seed(pid: str, stream: str) -> int:
    return zlib.crc32(f"highpipe-demo/{pid}/{stream}".encode())


def rating_skeleton(spec: ProductSpec) -> list[tuple[int, int]]:
    """(minutes since WINDOW_START, stars) for every review, oldest first."""
    rng = random.Random(_seed(spec.pid, "skeleton"))
    rand = rng.random
    # Denser towards the end: a product gains buyers over time.
    offsets = sorted(int((rand() ** 0.7) * _SPAN_MIN) for _ in range(spec.review_count))
    tables = []
    for b in range(_BUCKETS):
        t = b / (_BUCKETS - 1)
        weights = [s + (e - s) * t for s, e in zip(spec.rating_start, spec.rating_end, strict=True)]
        total = sum(weights)
        tables.append([c / total for c in accumulate(weights)])
    out = []
    for minute in offsets:
        cumulative = tables[minute * (_BUCKETS - 1) // _SPAN_MIN]
        stars = min(bisect_right(cumulative, rand()), 4) + 1
        out.append((minute, stars))
    return out


def average_rating(skeleton: list[tuple[int, int]]) -> float | None:
    if not skeleton:
        return None
    return round(sum(stars for _, stars in skeleton) / len(skeleton), 2)


def _bank(kind: str) -> dict[str, dict[str, list[Clause]]]:
    item = ITEM_BANKS.get(kind, {})
    bank: dict[str, dict[str, list[Clause]]] = {}
    for aspect, generic in pc.GENERIC.items():
        bank[aspect] = {}
        for pol, phrases in generic.items():
            chosen = item.get(aspect, {}).get(pol, phrases)
            bank[aspect][pol] = [_split(p) for p in chosen]
    return bank


def _split(phrase: str) -> Clause:
    final, _, contrast = phrase.partition("|")
    return final, contrast or None


class _Writer:
    """Writes one product's review texts; holds the product's precomputed tables."""

    def __init__(self, spec: ProductSpec, rng: random.Random) -> None:
        self.rng = rng
        self.bank = _bank(spec.kind)
        self.aspects = list(spec.aspect_bias)
        self.weights = [pc.ASPECT_FREQUENCY[a] for a in self.aspects]
        self.p_pos = [
            {a: 1.0 / (1.0 + math.exp(-(logit + bias))) for a, bias in spec.aspect_bias.items()}
            for logit in _RATING_LOGIT
        ]

    def text(self, stars: int) -> str:
        rng = self.rng
        r = stars - 1
        if rng.random() < 0.08:
            body = rng.choice(pc.CLOSERS[r])
            return self._decorate(body, stars)
        k = 1 + bisect_right((0.3, 0.65, 0.87), rng.random())
        chosen = list(dict.fromkeys(rng.choices(self.aspects, self.weights, k=k)))
        if "repurchase" in chosen:  # people say it last
            chosen.remove("repurchase")
            chosen.append("repurchase")
        clauses: list[tuple[str, str, str | None]] = []
        for aspect in chosen:
            if rng.random() < _NEUTRAL_SHARE[r]:
                pol = "neu"
            else:
                pol = "pos" if rng.random() < self.p_pos[r][aspect] else "neg"
            final, contrast = rng.choice(self.bank[aspect][pol])
            clauses.append((pol, final, contrast))
        parts: list[str] = []
        i = 0
        while i < len(clauses):
            pol, final, contrast = clauses[i]
            nxt = clauses[i + 1][0] if i + 1 < len(clauses) else pol
            # Join "X는 좋은데 Y는 별로" only across a real turn of opinion (positive <-> negative).
            if contrast and nxt != pol and "neu" not in (pol, nxt) and rng.random() < 0.75:
                parts.append(f"{contrast} {clauses[i + 1][1]}")
                i += 2
                continue
            if i and clauses[i - 1][0] != pol and rng.random() < 0.6:
                final = rng.choice(pc.CONTRAST_STARTERS[pol]) + final
            parts.append(final)
            i += 1
        if rng.random() < 0.25:
            parts.insert(0, rng.choice(pc.OPENERS).rstrip("."))
        if rng.random() < 0.35:
            parts.append(rng.choice(pc.CLOSERS[r]))
        sep = rng.choice((". ", ". ", " ", "! ", "\n", ", "))
        return self._decorate(sep.join(parts), stars)

    def _decorate(self, body: str, stars: int) -> str:
        rng = self.rng
        x = rng.random()
        if x < 0.3:
            body += rng.choice(
                pc.EMOTICONS_POS if stars >= 4 else pc.EMOTICONS_NEG if stars <= 2 else ("ㅎㅎ", "ㅠ")
            )
        elif x < 0.65:
            body += rng.choice((".", "!", "~"))
        if rng.random() < 0.15:
            for wrong_from, wrong_to in rng.sample(pc.TYPOS, 3):
                if wrong_from in body:
                    body = body.replace(wrong_from, wrong_to, 1)
                    break
        if rng.random() < 0.04:
            body = body.replace(" ", "", 2)
        return body


def _author(rng: random.Random) -> str:
    if rng.random() < 0.15:
        nick = rng.choice(pc.NICKNAMES)
        return nick + str(rng.randrange(100)) if rng.random() < 0.4 else nick
    return rng.choice(pc.SURNAMES) + rng.choice(pc.GIVEN_FIRST) + rng.choice(pc.GIVEN_SECOND)


def generate_reviews(spec: ProductSpec) -> list[DemoReview]:
    """All reviews of a product, newest first. Ids are `<pid>-000001` for the oldest, upwards."""
    skeleton = rating_skeleton(spec)
    rng = random.Random(_seed(spec.pid, "text"))
    writer = _Writer(spec, rng)
    option_sets = spec.options
    reviews: list[DemoReview] = []
    for n, (minute, stars) in enumerate(skeleton, start=1):
        content = writer.text(stars)
        title = rng.choice(pc.TITLES[stars - 1]) if rng.random() < 0.3 else None
        option = " / ".join(f"{name}: {rng.choice(values)}" for name, values in option_sets)
        helpful = int(rng.expovariate(0.3)) if rng.random() < 0.45 else 0
        reviews.append(
            DemoReview(
                id=f"{spec.pid}-{n:06d}",
                rating=stars,
                date=WINDOW_START + timedelta(minutes=minute),
                author=_author(rng),
                option=option,
                helpful=helpful,
                title=title,
                content=content,
            )
        )
    reviews.reverse()
    return reviews
