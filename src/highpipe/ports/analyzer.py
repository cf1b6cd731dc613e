"""The analyzer port: per-review clause-level analysis (CPU-bound, synchronous, batch-friendly)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from highpipe.domain.models import Review, ReviewAnalysis


class Analyzer(ABC):
    model_version: str = ""

    @abstractmethod
    def analyze(self, reviews: Sequence[Review]) -> list[ReviewAnalysis]:
        """One analysis per review, in order. `review.rating` (1-5, optional) is a prior only."""
