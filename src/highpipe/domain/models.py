"""Core domain records: products, reviews, per-review analyses, cards and reports.

Pure pydantic models: no I/O, no framework imports. They are the shapes that travel
on the bus, are stored, and are returned by the API.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from highpipe.domain.vocab import JobStatus, Sentiment


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Product(_Model):
    product_id: str = Field(description='"<site>:<site product id>", or "upload:<sha256>" for uploads')
    site: str
    url: str | None = None
    title: str | None = None
    price: float | None = None
    currency: str | None = None
    average_rating: float | None = None
    review_count: int | None = None
    category: str | None = None
    image: str | None = None


class Review(_Model):
    """One review as collected. `rating` is normalised to the 1-5 scale (None if unknown)."""

    review_uid: str
    product_id: str
    site: str
    text: str
    rating: float | None = None
    title: str | None = None
    date: datetime | None = None
    author_hash: str | None = Field(default=None, description="salted hash, for de-duplication only")
    author_display: str | None = Field(default=None, description="masked display form, e.g. 김**")
    option: str | None = None
    helpful: int | None = None
    source_line: int | None = Field(default=None, description="line number in an uploaded file")


class AspectMention(_Model):
    aspect_id: str = Field(description="an aspect id of DESIGN.md, or topic:<slug>")
    aspect: str = Field(description="Korean label")
    polarity: Sentiment
    clause: str
    score: float = Field(default=1.0, ge=0.0, le=1.0, description="confidence of the polarity")


class SentimentResult(_Model):
    label: Sentiment
    score: float = Field(ge=0.0, le=1.0, description="probability of the label")


class ClauseAnalysis(_Model):
    text: str
    start: int
    end: int
    sentiment: SentimentResult


class ReviewAnalysis(_Model):
    review_uid: str
    sentiment: SentimentResult
    aspects: list[AspectMention] = Field(default_factory=list)
    emotions: list[str] = Field(default_factory=list)
    clauses: list[ClauseAnalysis] = Field(default_factory=list)
    language: str = "ko"
    model_version: str = ""


class Quote(_Model):
    review_uid: str
    text: str
    polarity: Sentiment


class EmotionCard(_Model):
    card_id: str = Field(description="aspect:<aspect_id> or topic:<slug>")
    kind: str = Field(description="aspect | topic")
    aspect_id: str
    label: str
    label_en: str | None = None
    mentions: int
    positive: int
    negative: int
    neutral: int
    positive_share: float
    negative_share: float
    positive_ci: tuple[float, float] = Field(description="95% Wilson interval of the positive share")
    top_phrases: list[str]
    emotions: dict[str, int] = Field(default_factory=dict)
    quotes: list[Quote]
    review_uids: list[str] = Field(
        default_factory=list,
        description="every review behind this card, in the report; empty in live `card` events (to keep them "
        "small) — the same reviews are GET /api/analyses/{id}/reviews?aspect=<aspect_id>",
    )


class MonthTrend(_Model):
    month: str = Field(description="YYYY-MM")
    reviews: int
    positive: int
    negative: int
    neutral: int
    score: float | None
    average_rating: float | None


class AspectSummary(_Model):
    aspect_id: str
    aspect: str
    mentions: int
    positive: int
    negative: int
    neutral: int


class SummarySentence(_Model):
    text: str
    card_ids: list[str]
    review_uids: list[str]


class Report(_Model):
    job_id: str
    product: Product | None
    generated_at: datetime
    total_reviews: int
    analyzed_reviews: int
    new_reviews: int | None = None
    score: float | None = Field(description="100*pos/(pos+neg); null with no polar review")
    sentiment_counts: dict[str, int]
    sentiment_shares: dict[str, float]
    rating_distribution: dict[str, int] = Field(description='"1".."5" -> count, plus "none"')
    average_rating: float | None
    aspects: list[AspectSummary]
    emotions: dict[str, int]
    trend: list[MonthTrend]
    cards: list[EmotionCard]
    summary: list[SummarySentence]
    empty_reason: str | None = None
    skipped_rows: list[dict[str, object]] = Field(default_factory=list)


class Job(_Model):
    job_id: str
    kind: str = Field(description="url | upload")
    source: str = Field(description="the URL, or the uploaded file's name")
    product_id: str | None = None
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    pages: int = 0
    collected: int = 0
    analyzed: int = 0
    total_estimate: int | None = None
    failure_reason: str | None = None
    failure_code: str | None = None
    client: str | None = None
    options: dict[str, object] = Field(default_factory=dict)
