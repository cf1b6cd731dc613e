"""/api/analyses: submit (URL or upload), status, report, reviews, history, cancel, delete, export."""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from highpipe.domain.models import Job, Report
from highpipe.domain.vocab import EMOTION_BY_ID
from highpipe.entrypoints.api import export
from highpipe.entrypoints.api.deps import Auth, ContainerDep, RateLimited, client_id
from highpipe.entrypoints.api.schemas import (
    AnalysisCreate,
    AnalysisCreated,
    AnalysisStatus,
    ReviewItem,
    ReviewPage,
    StageProgress,
    links,
)
from highpipe.ports.store import ReviewFilter
from highpipe.services.jobs import InvalidRequest
from highpipe.services.sink import report_cache_key

router = APIRouter(prefix="/api/analyses", tags=["analyses"], dependencies=[Auth])
NOT_FOUND = "분석을 찾을 수 없습니다 / No analysis with this id."
# `review_ids`: enough for a summary sentence's or a card's quotes, small enough for a URL.
MAX_REVIEW_IDS = 100
_REVIEW_IDS_CHARS = MAX_REVIEW_IDS * 200


async def _job(container: ContainerDep, job_id: str) -> Job:
    job = await container.store.get_job(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return job


@router.post("", status_code=202, response_model=AnalysisCreated, dependencies=[RateLimited])
async def create_analysis(request: Request, container: ContainerDep) -> JSONResponse:
    """Start an analysis from a JSON body `{"url": ...}`, or from a multipart upload (fields as /upload)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        _check_length(request, container.settings.max_upload_bytes)
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(
                status_code=422, detail="file 필드가 필요합니다 / The multipart form needs a `file` field."
            )
        scale = form.get("rating_scale")
        return await _upload(
            request,
            container,
            upload,
            str(form.get("mapping") or ""),
            int(str(scale)) if scale and str(scale).isdigit() else None,
        )
    try:
        body = AnalysisCreate.model_validate(await request.json())
    except (ValueError, json.JSONDecodeError) as exc:
        raise HTTPException(
            status_code=422,
            detail='JSON 본문에 url 이 필요합니다 / Send a JSON body like {"url": "https://..."}.',
        ) from exc
    options: dict[str, object] = {"max_reviews": body.max_reviews} if body.max_reviews else {}
    if body.full:
        options["full"] = True
    if body.time_budget_s is not None:
        options["time_budget_s"] = body.time_budget_s
    try:
        job = await container.jobs.start_url(
            body.url, client=client_id(request), options=options, dispatch=body.dispatch
        )
    except InvalidRequest as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return _created(job)


def _created(job: Job) -> JSONResponse:
    out = AnalysisCreated(id=job.job_id, status=job.status, links=links(job.job_id))
    return JSONResponse(out.model_dump(), status_code=202, headers={"Location": out.links.self})


@router.post("/upload", status_code=202, response_model=AnalysisCreated, dependencies=[RateLimited])
async def upload_analysis(
    request: Request,
    container: ContainerDep,
    file: Annotated[UploadFile, File(description="CSV, TSV, JSONL or XLSX (optionally .gz)")],
    mapping: Annotated[
        str, Form(description='JSON object, e.g. {"text": "리뷰내용", "rating": "별점"}')
    ] = "",
    rating_scale: Annotated[int | None, Form()] = None,
) -> JSONResponse:
    return await _upload(request, container, file, mapping, rating_scale)


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=413,
        detail=f"파일이 너무 큽니다 (최대 {limit / 1_000_000:g} MB) / The file is larger than the {limit:,} byte limit.",
    )


def _check_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise _too_large(limit)


async def _upload(
    request: Request, container: ContainerDep, file: StarletteUpload, mapping: str, rating_scale: int | None
) -> JSONResponse:
    settings = container.settings
    limit = settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise HTTPException(status_code=422, detail="빈 파일입니다 / The uploaded file is empty.")
    try:
        column_map = {str(k): str(v) for k, v in (json.loads(mapping) if mapping else {}).items()}
    except (json.JSONDecodeError, AttributeError) as exc:
        raise HTTPException(
            status_code=422, detail="mapping 은 JSON 객체여야 합니다 / mapping must be a JSON object."
        ) from exc
    if rating_scale not in (None, 5, 10):
        raise HTTPException(
            status_code=422, detail="rating_scale 은 5 또는 10 / rating_scale must be 5 or 10."
        )
    folder = Path(settings.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(file.filename or "upload.csv").name
    stored = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{uuid.uuid4().hex[:8]}-{name}"
    stored.write_bytes(data)
    options: dict[str, object] = {"filename": name, "mapping": column_map, "rating_scale": rating_scale}
    job = await container.jobs.start_upload(stored, name, client=client_id(request), options=options)
    return _created(job)


@router.get("", response_model=list[Job])
async def list_analyses(
    container: ContainerDep,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Job]:
    return await container.store.list_jobs(limit=limit, offset=offset, q=q)


@router.get("/{job_id}", response_model=AnalysisStatus)
async def get_analysis(job_id: str, container: ContainerDep) -> AnalysisStatus:
    job = await _job(container, job_id)
    stages = {"collect": "pending", "analyze": "pending", "report": "pending"}
    if job.kind == "upload":
        stages["collect"] = "skipped"
    for event in await container.store.events_of_type(job_id, ["stage"]):
        stages[str(event.data["stage"])] = str(event.data["state"])
    if job.status == "completed":
        # The job row turns completed as the sink finishes; its last stage events may still be on their way
        # to the store. A completed job has finished every stage it ran.
        stages = {name: "finished" if state != "skipped" else state for name, state in stages.items()}
    return AnalysisStatus(id=job_id, job=job, stages=StageProgress(**stages), links=links(job_id))


async def _report(container: ContainerDep, job_id: str) -> Report:
    cached = await container.cache.get(report_cache_key(job_id))
    if cached is not None:
        return Report.model_validate_json(cached)
    job = await _job(container, job_id)
    report = await container.store.get_report(job_id)
    if report is None:
        raise HTTPException(
            status_code=409,
            detail=f"보고서가 아직 없습니다 (상태: {job.status}) / The report is not ready yet (status: {job.status}).",
        )
    await container.cache.set(report_cache_key(job_id), report.model_dump_json().encode(), ttl_s=300)
    return report


@router.get("/{job_id}/report", response_model=Report)
async def get_report(job_id: str, container: ContainerDep) -> Report:
    return await _report(container, job_id)


@router.get("/{job_id}/reviews", response_model=ReviewPage)
async def get_reviews(
    job_id: str,
    container: ContainerDep,
    sentiment: Literal["positive", "negative", "neutral"] | None = None,
    aspect: str | None = None,
    polarity: Literal["positive", "negative", "neutral"] | None = None,
    rating: Annotated[int | None, Query(ge=1, le=5)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    emotion: Annotated[
        str | None, Query(max_length=64, description="an emotion id: reviews whose analysis lists it")
    ] = None,
    review_ids: Annotated[
        str | None,
        Query(
            max_length=_REVIEW_IDS_CHARS,
            description=f"comma-separated review uids (at most {MAX_REVIEW_IDS}): only these reviews",
        ),
    ] = None,
) -> ReviewPage:
    """The job's reviews, newest first; every filter given must hold (AND)."""
    if emotion is not None and emotion not in EMOTION_BY_ID:
        known = ", ".join(EMOTION_BY_ID)
        raise HTTPException(
            status_code=422,
            detail=f"알 수 없는 감정입니다: {emotion} / Unknown emotion {emotion!r}; known: {known}.",
        )
    uids = None if review_ids is None else _review_ids(review_ids)
    await _job(container, job_id)
    flt = ReviewFilter(
        sentiment, aspect, polarity, rating, q, date_from, date_to, emotion=emotion, review_ids=uids
    )
    rows, total = await container.store.query_reviews(job_id, flt, page=page, page_size=page_size)
    return ReviewPage(
        items=[ReviewItem(review=r.review, analysis=r.analysis) for r in rows],
        total=total,
        page=page,
        page_size=page_size,
        pages=max(1, math.ceil(total / page_size)),
    )


def _review_ids(raw: str) -> tuple[str, ...]:
    """Split, trim, drop blanks and repeats (first order kept); 422 when none or too many remain."""
    uids = tuple(dict.fromkeys(u for u in (part.strip() for part in raw.split(",")) if u))
    if not uids:
        raise HTTPException(
            status_code=422, detail="review_ids 가 비어 있습니다 / review_ids lists no review uid."
        )
    if len(uids) > MAX_REVIEW_IDS:
        raise HTTPException(
            status_code=422,
            detail=f"review_ids 는 최대 {MAX_REVIEW_IDS}개 / review_ids takes at most {MAX_REVIEW_IDS} uids "
            f"(got {len(uids)}).",
        )
    return uids


@router.post("/{job_id}/cancel", response_model=Job)
async def cancel_analysis(job_id: str, container: ContainerDep) -> Job:
    job = await _job(container, job_id)
    cancelled = await container.jobs.cancel(job_id)
    if cancelled is None:
        raise HTTPException(
            status_code=409,
            detail=f"이미 끝난 분석입니다 ({job.status}) / The analysis already ended ({job.status}).",
        )
    return cancelled


@router.delete("/{job_id}", status_code=204)
async def delete_analysis(job_id: str, container: ContainerDep) -> Response:
    await _job(container, job_id)
    try:
        await container.jobs.delete(job_id)
    except InvalidRequest as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    await container.cache.delete(report_cache_key(job_id))
    return Response(status_code=204)


@router.get("/{job_id}/export")
async def export_analysis(
    job_id: str, container: ContainerDep, format: Literal["csv", "json"] = "csv"
) -> Response:
    job = await _job(container, job_id)
    rows = await container.store.job_rows(job_id)
    stem = f"highpipe-{job_id[:8]}"
    if format == "json":
        report = await container.store.get_report(job_id)
        body = export.to_json(job, report, rows)
        return Response(body, media_type="application/json", headers=export.attachment(f"{stem}.json"))
    return Response(
        export.to_csv(rows), media_type="text/csv; charset=utf-8", headers=export.attachment(f"{stem}.csv")
    )
