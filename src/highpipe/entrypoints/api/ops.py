"""/healthz, /readyz, /metrics and the demo-shop catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from highpipe.domain.events import utcnow
from highpipe.entrypoints.api.deps import ContainerDep

router = APIRouter(tags=["ops"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(container: ContainerDep) -> JSONResponse:
    checks: dict[str, bool] = {}
    for name, backend in (("store", container.store), ("cache", container.cache), ("bus", container.bus)):
        try:
            checks[name] = await backend.healthy()
        except Exception:
            checks[name] = False
    # The cache is reported but not required: without it the API serves from the store (degraded).
    ok = checks["store"] and checks["bus"]
    status = ("degraded" if not checks["cache"] else "ready") if ok else "unavailable"
    return JSONResponse(
        {"status": status, "checks": checks, "required": ["store", "bus"]}, status_code=200 if ok else 503
    )


@router.get("/metrics")
async def metrics(container: ContainerDep) -> Response:
    jobs = await container.store.list_jobs(limit=1000)
    for state in ("queued", "running", "completed", "failed", "cancelled"):
        container.metrics.jobs.labels(state).set(sum(1 for j in jobs if j.status == state))
    open_since = [j.created_at for j in jobs if j.status in ("queued", "running")]
    age = (utcnow() - min(open_since)).total_seconds() if open_since else 0.0
    container.metrics.oldest_running_age.set(max(age, 0.0))
    return Response(container.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


@router.get("/api/demo/products", tags=["demo"])
async def demo_products(request: Request, container: ContainerDep) -> list[dict[str, Any]]:
    """The built-in demo shop's products, with absolute URLs ready to analyse."""
    if not getattr(request.app.state, "demo_mounted", False):
        return []
    from highpipe.demo_shop.app import list_products

    base = str(request.base_url).rstrip("/") + "/demo"
    return list_products(base)
