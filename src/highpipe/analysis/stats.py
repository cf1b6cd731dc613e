"""Small, exact statistics shared by the card builder, the report and the summary.

Everything here is pure arithmetic on counts; the rounding rules live here so that the cards, the
report and the summary sentences always show the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

# Two-sided 95% normal quantile (scipy.stats.norm.ppf(0.975)), kept as a constant so that this module
# needs no scipy at runtime.
Z_95: Final = 1.959963984540054

SHARE_DIGITS: Final = 4
SCORE_DIGITS: Final = 1
RATING_DIGITS: Final = 2
RATING_BUCKETS: Final[tuple[str, ...]] = ("1", "2", "3", "4", "5", "none")


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion `successes / n` (95% by default).

    Preferred over the normal ("Wald") interval because cards often have few mentions and a share of
    0% or 100%, where Wald collapses to a zero-width interval. With `n == 0` nothing is known and the
    interval is the whole of [0, 1].
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n)) / denominator
    low = max(0.0, centre - half)
    high = min(1.0, centre + half)
    # Rounding must not push a bound past the observed share (e.g. 1.0 shown as outside its own CI).
    return (
        math.floor(low * 10**SHARE_DIGITS) / 10**SHARE_DIGITS,
        math.ceil(high * 10**SHARE_DIGITS) / 10**SHARE_DIGITS,
    )


def share(part: int, whole: int) -> float:
    """`part / whole` rounded for display; 0.0 when `whole` is 0 (nothing to share out)."""
    if whole <= 0:
        return 0.0
    return round(part / whole, SHARE_DIGITS)


def polarity_score(positive: int, negative: int) -> float | None:
    """The overall score of DESIGN.md: 100 * pos / (pos + neg), neutral excluded.

    None (not 50) when there is no polar review: "no opinion" must not read as "half satisfied".
    """
    polar = positive + negative
    if polar == 0:
        return None
    return round(100.0 * positive / polar, SCORE_DIGITS)


def rating_bucket(rating: float | None) -> str:
    """The histogram bucket of a 1-5 rating: "1".."5" by rounding half up, "none" when unknown.

    Half-up rounding (4.5 -> "5") rather than Python's round-half-to-even, which would put 2.5 in "2"
    but 3.5 in "4". Out-of-range values are clamped into 1..5; NaN counts as unknown.
    """
    if rating is None or math.isnan(rating):
        return "none"
    bucket = math.floor(rating + 0.5)
    return str(min(5, max(1, bucket)))


def mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean rounded like ratings; None for no values."""
    total = 0.0
    count = 0
    for value in values:
        total += value
        count += 1
    if count == 0:
        return None
    return round(total / count, RATING_DIGITS)
