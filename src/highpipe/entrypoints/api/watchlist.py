"""/api/watchlist: tracked products for the scheduled re-analysis (Airflow), and the DAGs' job-failure call.

- `POST /api/watchlist` `{"url": "...", "label": "..."?}` -> 201 the item; 409 (with the existing item)
  when the URL is tracked already; 422 for a bad URL or body.
- `GET /api/watchlist?limit=&offset=` -> the items, oldest first; `GET /api/watchlist/{id}` -> one item.
- `DELETE /api/watchlist/{id}` -> 204; 404 unknown id.
- `POST /api/watchlist/{id}/refreshes` `{"job_id": "...", "rise_pp"?: 15, "min_reviews"?: 20}` -> 200
  `{"item", "job_id", "negative_share", "reviews", "alert": null | {...}, "repeated"}`: records a completed analysis of the item's URL and says
  whether the negative share rose sharply (rule in `highpipe.services.watchlist`; the optional fields
  override its thresholds for this comparison); 404 unknown item or
  analysis, 409 an analysis that is not completed or not of this URL.
- `POST /api/analyses/{id}/fail` `{"reason": "...", "code": "timeout"}` -> the failed job (`failed` event
  with the reason); 409 when the job already ended. The DAGs call it when a stage overruns its timeout.

Errors are JSON `{"detail": "<Korean / English sentence>"}`; every endpoint needs the bearer token when
HIGHPIPE_API_TOKEN is set. Accounts come later: the watchlist is one list per installation.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from highpipe.adapters.store.base import SqlBase
from highpipe.domain.events import FailedData
from highpipe.domain.models import Job
from highpipe.entrypoints.api.deps import Auth, ContainerDep
from highpipe.services.jobs import InvalidRequest
from highpipe.services.watchlist import RefreshResult, WatchItem, WatchlistError, WatchlistService

router = APIRouter(prefix="/api/watchlist", tags=["watchlist"], dependencies=[Auth])
fail_router = APIRouter(prefix="/api/analyses", tags=["analyses"], dependencies=[Auth])

_STATUS = {"not_found": 404, "job_not_found": 404, "duplicate": 409, "job_mismatch": 409}
_Body = TypeVar("_Body", bound=BaseModel)


class WatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2000)
    label: str | None = Field(default=None, max_length=200)


class RefreshCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    job_id: str = Field(min_length=1, max_length=64)
    rise_pp: float | None = Field(default=None, gt=0, le=100, description="alert threshold override")
    min_reviews: int | None = Field(default=None, ge=1, description="alert sample-size override")


class FailCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)
    code: str = Field(default="timeout", min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")


def get_watchlist(container: ContainerDep) -> WatchlistService:
    """The service on the container's SQL store, made on first use (the store is started by then)."""
    service = container.extras.get("watchlist")
    if isinstance(service, WatchlistService):
        return service
    if not isinstance(container.store, SqlBase):
        raise HTTPException(
            status_code=503,
            detail="관심 목록은 SQL 저장소가 필요합니다 / The watchlist needs the SQL store (HIGHPIPE_DATABASE_URL).",
        )
    from highpipe.adapters.store.watchlist import SqlWatchlist

    service = WatchlistService(SqlWatchlist(container.store), container.store)
    container.extras["watchlist"] = service
    return service


WatchlistDep = Annotated[WatchlistService, Depends(get_watchlist)]


async def _body(request: Request, model: type[_Body], example: str) -> _Body:
    """The JSON body as `model`, or a 422 that says what to send (instead of pydantic's error list)."""
    try:
        return model.model_validate(await request.json())
    except (ValueError, json.JSONDecodeError, ValidationError) as exc:
        problems = (
            "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())
            if isinstance(exc, ValidationError)
            else "not JSON"
        )
        raise HTTPException(
            status_code=422,
            detail=f"요청 본문이 올바르지 않습니다 / Send a JSON body like {example} ({problems}).",
        ) from exc


def _error(exc: WatchlistError) -> HTTPException | JSONResponse:
    if exc.code == "duplicate" and exc.existing is not None:
        return JSONResponse(
            {"detail": str(exc), "item": exc.existing.model_dump(mode="json")}, status_code=409
        )
    return HTTPException(status_code=_STATUS.get(exc.code, 409), detail=str(exc))


@router.post("", status_code=201, response_model=WatchItem)
async def add_item(request: Request, service: WatchlistDep) -> Any:
    body = await _body(request, WatchCreate, '{"url": "https://...", "label": "..."}')
    try:
        item = await service.add(body.url, body.label)
    except InvalidRequest as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except WatchlistError as exc:
        error = _error(exc)
        if isinstance(error, JSONResponse):
            return error
        raise error from exc
    return JSONResponse(
        item.model_dump(mode="json"), status_code=201, headers={"Location": f"/api/watchlist/{item.id}"}
    )


@router.get("", response_model=list[WatchItem])
async def list_items(
    service: WatchlistDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[WatchItem]:
    return await service.list(limit=limit, offset=offset)


@router.get("/{watch_id}", response_model=WatchItem)
async def get_item(watch_id: str, service: WatchlistDep) -> WatchItem:
    try:
        return await service.get(watch_id)
    except WatchlistError as exc:
        raise HTTPException(status_code=_STATUS.get(exc.code, 409), detail=str(exc)) from exc


@router.delete("/{watch_id}", status_code=204)
async def remove_item(watch_id: str, service: WatchlistDep) -> Response:
    try:
        await service.remove(watch_id)
    except WatchlistError as exc:
        raise HTTPException(status_code=_STATUS.get(exc.code, 409), detail=str(exc)) from exc
    return Response(status_code=204)


@router.post("/{watch_id}/refreshes", response_model=RefreshResult)
async def record_refresh(
    watch_id: str, request: Request, service: WatchlistDep, container: ContainerDep
) -> RefreshResult:
    body = await _body(request, RefreshCreate, '{"job_id": "<analysis id>"}')
    try:
        result = await service.record_refresh(
            watch_id, body.job_id, rise_pp=body.rise_pp, min_reviews=body.min_reviews
        )
    except WatchlistError as exc:
        raise HTTPException(status_code=_STATUS.get(exc.code, 409), detail=str(exc)) from exc
    if result.alert is not None and not result.repeated:
        # The sharp rise joins HighPipe's alert feed (GET /api/alerts, the /alerts page) next to
        # Alertmanager's, so whoever watches the product sees it where every other alert is shown.
        from highpipe.entrypoints.api.alerts import alert_store, negative_share_alert

        await alert_store(container).receive([negative_share_alert(result.alert)], result.alert.at)
    return result


@fail_router.post("/{job_id}/fail", response_model=Job)
async def fail_analysis(job_id: str, request: Request, container: ContainerDep) -> Job:
    """Mark a queued or running analysis failed with a reason (an orchestrator's timeout, say)."""
    body = await _body(request, FailCreate, '{"reason": "...", "code": "timeout"}')
    job = await container.store.get_job(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail="분석을 찾을 수 없습니다 / No analysis with this id.")
    failed = await container.store.transition_job(job_id, "failed", reason=body.reason, code=body.code)
    if failed is None:
        raise HTTPException(
            status_code=409,
            detail=f"이미 끝난 분석입니다 ({job.status}) / The analysis already ended ({job.status}).",
        )
    await container.emitter.emit(job_id, FailedData(reason=body.reason, code=body.code))
    return failed
