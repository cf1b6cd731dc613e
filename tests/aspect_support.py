"""Helpers shared by the aspect rule tests (tests/unit/analysis/test_aspects_*.py)."""

from __future__ import annotations

from highpipe.analysis.aspect_polarity import mention_polarity
from highpipe.analysis.aspects import aspect_ids, aspect_terms
from highpipe.analysis.morph import Morphology
from highpipe.analysis.text import Compact


def ids(morph: Morphology, text: str, context: str = "") -> list[str]:
    """Aspect ids of one clause, optionally after a previous clause (`context`)."""
    return aspect_ids(text, morph.tokens(text), None, Compact(context).text if context else "")


def own(morph: Morphology, text: str, aspect_id: str) -> str | None:
    """The polarity that the aspect's own words give its first mention in `text`."""
    compact = Compact(text)
    for aid, start, end in aspect_terms(text, morph.tokens(text), compact):
        if aid == aspect_id:
            return mention_polarity(aid, start, end, compact)
    raise AssertionError(f"{aspect_id} not found in {text!r}")
