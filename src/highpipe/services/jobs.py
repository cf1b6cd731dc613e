"""Use cases on analysis jobs: start (URL or upload), cancel, delete.

A URL job is dispatched to the bus (`analysis.requested`, picked up by the crawl workers) unless it is
started with `dispatch="external"`: then it is only created (queued, `options["dispatch"] = "external"`)
and an orchestrator hands it to the crawler service (`POST /crawl {"job_id": ...}`), the original flow
where Airflow calls the crawler. No crawl worker ever sees such a job, so it is never crawled twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from highpipe.domain.events import TOPIC_REQUESTED, AnalysisRequested, CancelledData, utcnow
from highpipe.domain.jobs import is_final
from highpipe.domain.models import Job
from highpipe.ports.bus import Bus
from highpipe.ports.store import Store
from highpipe.services.events import Emitter

Dispatch = Literal["bus", "external"]
EXTERNAL: Dispatch = "external"


class InvalidRequest(ValueError):
    """Input the user must fix; the message says how (Korean first, English second)."""


def validate_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(
            "올바른 상품 URL이 아닙니다. http:// 또는 https:// 로 시작하는 주소를 넣어 주세요 / "
            f"Not a valid product URL: {url[:200]!r}. Paste an address starting with http:// or https://."
        )
    if parts.username or parts.password:
        raise InvalidRequest("URL에 계정 정보를 넣을 수 없습니다 / URLs with credentials are not accepted.")
    return url


@dataclass
class JobService:
    store: Store
    bus: Bus
    emitter: Emitter

    async def start_url(
        self,
        url: str,
        *,
        client: str | None = None,
        options: dict[str, Any] | None = None,
        dispatch: Dispatch = "bus",
    ) -> Job:
        url = validate_url(url)
        options = dict(options or {})
        if dispatch == EXTERNAL:
            options["dispatch"] = EXTERNAL
        job = self._new_job("url", url, client, options)
        await self.store.create_job(job)
        if dispatch == EXTERNAL:
            return job  # the crawler service crawls it when asked (entrypoints/crawler_jobs.py)
        await self.bus.publish(
            TOPIC_REQUESTED,
            job.job_id,
            AnalysisRequested(job_id=job.job_id, url=url, options=job.options).model_dump(),
        )
        return job

    async def start_upload(
        self,
        stored_path: Path,
        filename: str,
        *,
        client: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> Job:
        job = self._new_job("upload", filename, client, options or {})
        await self.store.create_job(job)
        request = AnalysisRequested(job_id=job.job_id, upload_path=str(stored_path), options=job.options)
        await self.bus.publish(TOPIC_REQUESTED, job.job_id, request.model_dump())
        return job

    def _new_job(self, kind: str, source: str, client: str | None, options: dict[str, Any]) -> Job:
        now = utcnow()
        return Job(
            job_id=str(uuid.uuid4()),
            kind=kind,
            source=source,
            status="queued",
            created_at=now,
            updated_at=now,
            client=client,
            options=options,
        )

    async def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued or running job; None if it is already final. Workers notice at their next step."""
        job = await self.store.transition_job(job_id, "cancelled")
        if job is not None:
            await self.emitter.emit(job_id, CancelledData())
        return job

    async def delete(self, job_id: str) -> bool:
        job = await self.store.get_job(job_id)
        if job is None:
            return False
        if not is_final(job.status):
            raise InvalidRequest(
                "진행 중인 분석은 삭제할 수 없습니다. 먼저 취소해 주세요 / "
                "A running analysis cannot be deleted; cancel it first."
            )
        return await self.store.delete_job(job_id)
