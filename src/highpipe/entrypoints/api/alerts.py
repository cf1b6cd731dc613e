"""Alertmanager's alerts inside HighPipe: the webhook receiver and the list the web UI shows.

- `POST /api/alerts/alertmanager` takes Alertmanager's webhook payload (version "4": `status`, `alerts[]`
  with `labels`, `annotations`, `startsAt`, `endsAt`, `fingerprint`), validates it and merges its alerts
  by fingerprint. When `HIGHPIPE_ALERTS_WEBHOOK_TOKEN` is set (else `HIGHPIPE_API_TOKEN`), it needs
  `Authorization: Bearer <token>` (Alertmanager's `http_config.authorization`). Limits: 1 MiB body,
  1,000 alerts per notification, label/annotation values up to 8 KiB (Alertmanager truncates above).
- `GET /api/alerts[?status=firing|resolved]`: the alerts, firing first, newest first (HIGHPIPE_API_TOKEN
  applies as for every read of the API).

Storage: one JSON document in the Cache port (key `alerts:v1`): Redis in the cluster, so every api
replica shows what any replica received; in memory with `memory://` (`highpipe serve`: one process, lost
on restart). At most `MAX_ALERTS`; resolved alerts are kept `RESOLVED_KEEP`; a firing alert not
re-sent for `STALE_AFTER` (Alertmanager re-sends every `repeat_interval`, 1 h in our config) is
dropped. Writes are read-modify-write under a per-process lock and a cross-replica mutex in the cache
(`incr` on `alerts:v1:lock`, which expires after `MUTEX_TTL_S` should its holder die), so two replicas
receiving two groups at the same instant both keep their alerts. A writer that cannot take the mutex
within `MUTEX_WAIT_S` (the cache is away or very slow) writes anyway; at worst Alertmanager's next
notification of a lost group repairs it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from highpipe.bootstrap import Container
from highpipe.domain.events import utcnow
from highpipe.entrypoints.api.deps import Auth, ContainerDep, token_ok
from highpipe.ports.cache import Cache
from highpipe.services.watchlist import NegativeShareAlert

log = logging.getLogger(__name__)

CACHE_KEY: Final = "alerts:v1"
MUTEX_KEY: Final = "alerts:v1:lock"
MUTEX_TTL_S: Final = 5.0
MUTEX_WAIT_S: Final = 3.0
CACHE_TTL_S: Final = 7 * 24 * 3600.0
MAX_ALERTS: Final = 500
MAX_BODY_BYTES: Final = 1024 * 1024
RESOLVED_KEEP: Final = timedelta(hours=24)
STALE_AFTER: Final = timedelta(hours=24)
# Alertmanager sends endsAt "0001-01-01T00:00:00Z" for an alert with no known end.
_NO_END_YEAR: Final = 1

Text = Annotated[str, StringConstraints(max_length=8192)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Status = Literal["firing", "resolved"]


class WebhookAlert(BaseModel):
    """One alert of an Alertmanager notification (fields as Alertmanager names them)."""

    model_config = ConfigDict(extra="ignore")
    status: Status
    labels: dict[Name, Text] = Field(max_length=64)
    annotations: dict[Name, Text] = Field(default_factory=dict, max_length=64)
    startsAt: datetime
    endsAt: datetime | None = None
    generatorURL: Text = ""
    fingerprint: Annotated[str, StringConstraints(max_length=64, pattern=r"^[0-9A-Za-z]*$")] = ""


class WebhookPayload(BaseModel):
    """Alertmanager's webhook body, version 4."""

    model_config = ConfigDict(extra="ignore")
    version: Literal["4"]
    status: Status
    receiver: Text = ""
    groupKey: Text = ""
    truncatedAlerts: int = Field(default=0, ge=0)
    externalURL: Text = ""
    alerts: list[WebhookAlert] = Field(max_length=1000)


class AlertOut(BaseModel):
    """An alert as HighPipe shows it."""

    fingerprint: str
    status: Status
    name: str = Field(description="the alertname label")
    severity: str | None = None
    summary: str | None = None
    description: str | None = None
    runbook: str | None = None
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None = None
    generator_url: str = ""
    received_at: datetime = Field(description="when HighPipe last heard about it")


class AlertList(BaseModel):
    firing: int
    resolved: int
    alerts: list[AlertOut]


class WebhookAccepted(BaseModel):
    accepted: int
    firing: int
    resolved: int


router = APIRouter(prefix="/api/alerts", tags=["alerts"])


def _fingerprint(alert: WebhookAlert) -> str:
    """Alertmanager's own fingerprint when present, else one from the sorted label set."""
    if alert.fingerprint:
        return alert.fingerprint
    canonical = json.dumps(sorted(alert.labels.items()), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def to_alert(alert: WebhookAlert, received_at: datetime) -> AlertOut:
    ends = alert.endsAt if alert.endsAt is not None and alert.endsAt.year > _NO_END_YEAR else None
    return AlertOut(
        fingerprint=_fingerprint(alert),
        status=alert.status,
        name=alert.labels.get("alertname", "unnamed"),
        severity=alert.labels.get("severity"),
        summary=alert.annotations.get("summary"),
        description=alert.annotations.get("description"),
        runbook=alert.annotations.get("runbook"),
        labels=dict(alert.labels),
        annotations=dict(alert.annotations),
        starts_at=_utc(alert.startsAt),
        ends_at=_utc(ends) if ends is not None else None,
        generator_url=alert.generatorURL,
        received_at=received_at,
    )


def negative_share_alert(alert: NegativeShareAlert) -> AlertOut:
    """A watchlist product's sharp rise in negative reviews, as an alert of the feed (firing; it is
    resolved by age like any alert that is not re-sent)."""
    name = alert.label or alert.url
    rise = f"{alert.previous_share:.1%} → {alert.share:.1%} (+{alert.rise_pp:.1f}pp)"
    labels = {
        "alertname": "HighPipeNegativeShareRise",
        "severity": "warning",
        "watch_id": alert.watch_id,
        "job_id": alert.job_id,
    }
    return AlertOut(
        fingerprint=hashlib.sha256(f"watch:{alert.watch_id}:{alert.job_id}".encode()).hexdigest()[:16],
        status="firing",
        name="HighPipeNegativeShareRise",
        severity="warning",
        summary=f"부정 리뷰 비율 급등 / Negative share rose sharply: {name}",
        description=f"{rise}; {alert.previous_reviews} → {alert.reviews} reviews, analysis {alert.job_id}",
        labels=labels,
        annotations={"url": alert.url},
        starts_at=_utc(alert.at),
        generator_url=f"/analyses/{alert.job_id}",
        received_at=_utc(alert.at),
    )


def merge(current: dict[str, AlertOut], incoming: list[AlertOut], now: datetime) -> dict[str, AlertOut]:
    """The stored alerts after one notification: upserts by fingerprint, then expiry and the cap."""
    merged = dict(current)
    for alert in incoming:
        old = merged.get(alert.fingerprint)
        # A late (retried) firing notification must not undo a resolution of the same episode.
        if (
            old is not None
            and old.status == "resolved"
            and alert.status == "firing"
            and old.starts_at == alert.starts_at
        ):
            continue
        merged[alert.fingerprint] = alert
    kept = {
        fp: a
        for fp, a in merged.items()
        if (a.status == "firing" and now - a.received_at < STALE_AFTER)
        or (a.status == "resolved" and now - (a.ends_at or a.received_at) < RESOLVED_KEEP)
    }
    if len(kept) > MAX_ALERTS:
        # Drop resolved alerts before firing ones, the oldest first.
        ranked = sorted(kept.values(), key=lambda a: (a.status == "firing", a.received_at), reverse=True)
        kept = {a.fingerprint: a for a in ranked[:MAX_ALERTS]}
    return kept


def ordered(alerts: dict[str, AlertOut]) -> list[AlertOut]:
    """Firing first, then by start time, newest first."""
    return sorted(alerts.values(), key=lambda a: (a.status != "firing", -a.starts_at.timestamp()))


class AlertStore:
    """The alert document in the cache; see the module docstring for its limits. `lock` serialises
    this process's writers (one per container, kept in `Container.extras`)."""

    def __init__(self, cache: Cache, lock: asyncio.Lock | None = None) -> None:
        self._cache = cache
        self._lock = lock or asyncio.Lock()

    async def load(self) -> dict[str, AlertOut]:
        raw = await self._cache.get(CACHE_KEY)
        if not raw:
            return {}
        try:
            items: list[dict[str, Any]] = json.loads(raw)
            alerts = [AlertOut.model_validate(item) for item in items]
        except (ValueError, TypeError):  # an older or damaged document: start afresh
            return {}
        return {a.fingerprint: a for a in alerts}

    async def receive(self, incoming: list[AlertOut], now: datetime) -> dict[str, AlertOut]:
        async with self._lock:
            held = await self._take_mutex()
            try:
                alerts = merge(await self.load(), incoming, now)
                body = json.dumps([a.model_dump(mode="json") for a in alerts.values()], ensure_ascii=False)
                await self._cache.set(CACHE_KEY, body.encode(), CACHE_TTL_S)
            finally:
                if held:
                    await self._cache.delete(MUTEX_KEY)
        return alerts

    async def _take_mutex(self) -> bool:
        """The cross-replica mutex: the writer whose `incr` makes the counter 1 holds it."""
        deadline = asyncio.get_running_loop().time() + MUTEX_WAIT_S
        while True:
            if await self._cache.incr(MUTEX_KEY, MUTEX_TTL_S) == 1:
                return True
            if asyncio.get_running_loop().time() >= deadline:
                log.warning("alerts: mutex not taken within %.0f s; writing without it", MUTEX_WAIT_S)
                return False
            await asyncio.sleep(0.02)


def alert_store(container: Container) -> AlertStore:
    lock = container.extras.setdefault("alerts.lock", asyncio.Lock())
    return AlertStore(container.cache, lock)


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` (never buffered beyond it)."""
    too_large = HTTPException(status_code=413, detail="알림 본문이 너무 큽니다 / Alert payload over 1 MiB.")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def require_webhook_token(request: Request, container: ContainerDep) -> None:
    # Settings.alerts_webhook_token is optional until config.py has it; the API token is the fallback.
    expected = str(getattr(container.settings, "alerts_webhook_token", "") or container.settings.api_token)
    if not token_ok(expected, request.headers.get("authorization")):
        raise HTTPException(
            status_code=401,
            detail="인증이 필요합니다 / Authorization: Bearer <token> is required for the alert webhook.",
            headers={"WWW-Authenticate": "Bearer"},
        )


@router.post("/alertmanager", response_model=WebhookAccepted, dependencies=[Depends(require_webhook_token)])
async def alertmanager_webhook(request: Request, container: ContainerDep) -> WebhookAccepted:
    """Alertmanager's webhook receiver (version 4 payloads)."""
    body = await read_limited(request)
    try:
        payload = WebhookPayload.model_validate_json(body)
    except ValidationError as exc:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()[:20]]
        raise HTTPException(status_code=422, detail=errors) from exc
    now = utcnow()
    incoming = [to_alert(a, now) for a in payload.alerts]
    stored = await alert_store(container).receive(incoming, now)
    firing = sum(1 for a in stored.values() if a.status == "firing")
    return WebhookAccepted(accepted=len(incoming), firing=firing, resolved=len(stored) - firing)


@router.get("", response_model=AlertList, dependencies=[Auth])
async def list_alerts(container: ContainerDep, status: Annotated[Status | None, Query()] = None) -> AlertList:
    """Alerts Alertmanager sent here: firing first, then resolved ones of the last 24 hours."""
    alerts = await alert_store(container).load()
    now = utcnow()
    alerts = merge(alerts, [], now)  # expire what aged since the last notification
    items = ordered(alerts)
    firing = sum(1 for a in items if a.status == "firing")
    if status is not None:
        items = [a for a in items if a.status == status]
    return AlertList(firing=firing, resolved=len(alerts) - firing, alerts=items)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
