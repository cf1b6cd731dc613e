"""The event contract: the envelope of every bus message and WebSocket frame, and its data shapes.

`seq` is assigned where an event is made durable (the store, UNIQUE(job_id, seq)); events travel
on the bus without one (seq = 0) until then.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from highpipe.domain.models import EmotionCard, Product, Review, ReviewAnalysis

SCHEMA_VERSION: Final = 1

# Bus topics (Kafka topic names; the memory bus uses the same).
TOPIC_REQUESTED: Final = "analysis.requested"
TOPIC_COLLECTED: Final = "reviews.collected"
TOPIC_ANALYZED: Final = "reviews.analyzed"
TOPIC_EVENTS: Final = "job.events"
TOPIC_DEAD_LETTER: Final = "dead-letter"
TOPICS: Final = (TOPIC_REQUESTED, TOPIC_COLLECTED, TOPIC_ANALYZED, TOPIC_EVENTS, TOPIC_DEAD_LETTER)

EventType = Literal["stage", "progress", "card", "completed", "failed", "cancelled"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StageData(_Data):
    stage: Literal["collect", "analyze", "report"]
    state: Literal["started", "finished"]


class ProgressData(_Data):
    pages: int
    collected: int
    analyzed: int
    total_estimate: int | None
    rate_per_s: float
    pages_per_s: float | None = None


class CompletedData(_Data):
    report_url: str


class FailedData(_Data):
    reason: str
    code: str


class CancelledData(_Data):
    pass


DATA_MODELS: Final[dict[str, type[BaseModel]]] = {
    "stage": StageData,
    "progress": ProgressData,
    "card": EmotionCard,
    "completed": CompletedData,
    "failed": FailedData,
    "cancelled": CancelledData,
}


class Envelope(BaseModel):
    """One job event, as stored, sent on `job.events` and over the WebSocket."""

    model_config = ConfigDict(extra="forbid")

    version: int = SCHEMA_VERSION
    type: EventType
    job_id: str
    seq: int = Field(default=0, ge=0, description="1.. per job once stored; 0 while in flight")
    ts: datetime = Field(default_factory=utcnow)
    data: dict[str, Any]

    @classmethod
    def make(cls, job_id: str, data: BaseModel) -> Envelope:
        kind = next(k for k, m in DATA_MODELS.items() if isinstance(data, m))
        return cls(type=kind, job_id=job_id, data=data.model_dump(mode="json"))

    def parsed(self) -> BaseModel:
        """The `data` validated against its type's model (raises on a malformed event)."""
        return DATA_MODELS[self.type].model_validate(self.data)

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = self.model_dump(mode="json")
        out["ts"] = (
            self.ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.ts.microsecond // 1000:03d}Z"
        )
        return out


# Commands and facts that travel between the worker roles.


class AnalysisRequested(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = SCHEMA_VERSION
    job_id: str
    url: str | None = None
    upload_path: str | None = Field(default=None, description="path of a stored upload (same host only)")
    options: dict[str, Any] = Field(default_factory=dict)


class ReviewsCollected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = SCHEMA_VERSION
    job_id: str
    batch: int = Field(description="0.. per job: batch number, for idempotent processing")
    product: Product | None = None
    reviews: list[Review] = Field(default_factory=list)
    final: bool = False
    total: int | None = Field(default=None, description="on the final batch: reviews collected in all")
    failure: FailedData | None = Field(default=None, description="on the final batch: why collection stopped")


class ReviewsAnalyzed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = SCHEMA_VERSION
    job_id: str
    batch: int
    analyses: list[ReviewAnalysis] = Field(default_factory=list)
    final: bool = False
    failure: FailedData | None = None
