"""A review as a source gives it (a crawled page or an uploaded row), before identity and privacy rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from highpipe.domain.identity import hash_author, mask_author, review_uid
from highpipe.domain.models import Review


@dataclass(slots=True)
class RawReview:
    text: str
    site_review_id: str | None = None
    rating: float | None = None
    rating_scale: int = 5
    title: str | None = None
    date: datetime | None = None
    author: str | None = None
    option: str | None = None
    helpful: int | None = None
    source_line: int | None = None

    def normalised_rating(self) -> float | None:
        """Rating on the 1-5 scale (a 10-point rating of 10 becomes 5, of 1 becomes 0.5 -> clamped to 1)."""
        if self.rating is None:
            return None
        value = self.rating * 5.0 / self.rating_scale if self.rating_scale != 5 else self.rating
        return round(min(5.0, max(1.0, value)), 2)

    def to_review(self, *, product_id: str, site: str, salt: str) -> Review:
        return Review(
            review_uid=review_uid(
                site, self.site_review_id, author=self.author, date=self.date, text=self.text
            ),
            product_id=product_id,
            site=site,
            text=self.text,
            rating=self.normalised_rating(),
            title=self.title,
            date=self.date,
            author_hash=hash_author(self.author, salt),
            author_display=mask_author(self.author),
            option=self.option,
            helpful=self.helpful,
            source_line=self.source_line,
        )
