"""API request/response shapes (the domain models are returned as they are where they fit)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from highpipe.domain.models import Job, Review, ReviewAnalysis


class AnalysisCreate(BaseModel):
    url: str = Field(
        description="a product page URL", examples=["http://127.0.0.1:8000/demo/products/tshirt"]
    )
    max_reviews: int | None = Field(default=None, ge=1, le=100_000)
    time_budget_s: float | None = Field(
        default=None,
        gt=0,
        le=21_600,
        description="stop collecting after this many seconds (default HIGHPIPE_CRAWL_TIME_BUDGET_S); "
        "what was collected is still analysed and the job ends failed with code time_budget",
    )
    full: bool = Field(
        default=False,
        description="re-crawl every page even if the product was analysed before (no incremental stop)",
    )
    dispatch: Literal["bus", "external"] = Field(
        default="bus",
        description="bus: HighPipe's crawl workers collect the reviews; external: the job is only created "
        "(queued) and waits for an orchestrator to hand it to the crawler service "
        '(POST /crawl {"job_id": ...}, mounted at /crawler in `highpipe serve`)',
    )


class Links(BaseModel):
    self: str
    report: str
    reviews: str
    events: str
    export_csv: str


class AnalysisCreated(BaseModel):
    id: str
    status: str
    links: Links


class StageProgress(BaseModel):
    collect: str
    analyze: str
    report: str


class AnalysisStatus(BaseModel):
    id: str
    job: Job
    stages: StageProgress
    links: Links


class ReviewItem(BaseModel):
    review: Review
    analysis: ReviewAnalysis | None


class ReviewPage(BaseModel):
    items: list[ReviewItem]
    total: int
    page: int
    page_size: int
    pages: int


class ErrorBody(BaseModel):
    detail: Any


def links(job_id: str) -> Links:
    base = f"/api/analyses/{job_id}"
    return Links(
        self=base,
        report=f"{base}/report",
        reviews=f"{base}/reviews",
        events=f"/ws/analyses/{job_id}",
        export_csv=f"{base}/export?format=csv",
    )
