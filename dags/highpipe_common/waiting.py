"""Waiting for an analysis job to reach a milestone, with a timeout that fails the job with a reason.

Milestones, read from `GET /api/analyses/{id}` (its `stages` are folded from the job's stored events):

- `collected`: the `collect` stage finished (an upload has none: `skipped`);
- `analyzed`: the `analyze` stage finished;
- `completed`: the job is `completed`.

A job that ends `failed` or `cancelled` on the way fails the task at once with the job's own reason. A
milestone not reached within its timeout marks the job failed through `POST /api/analyses/{id}/fail`
(code `timeout_<milestone>`, a Korean / English sentence as reason) and fails the task; neither retries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

from highpipe_common.client import HighPipeClient

MILESTONES: Final = ("collected", "analyzed", "completed")
_KO: Final = {"collected": "리뷰 수집", "analyzed": "리뷰 분석", "completed": "분석 완료"}
_EN: Final = {"collected": "Review collection", "analyzed": "Review analysis", "completed": "Completion"}


class JobEnded(Exception):
    """The job ended without reaching the milestone (failed or cancelled)."""


class MilestoneTimeout(Exception):
    """The milestone was not reached in time; the job has been marked failed with `reason`."""


def reached(status: dict[str, Any], milestone: str) -> bool:
    """Whether the status shows the milestone; JobEnded when the job ended short of it."""
    job, stages = status["job"], status["stages"]
    if job["status"] == "completed":
        return True
    if job["status"] in ("failed", "cancelled"):
        reason = job.get("failure_reason") or job["status"]
        raise JobEnded(f"analysis {job['job_id']} ended {job['status']}: {reason}")
    if milestone == "collected":
        return stages.get("collect") in ("finished", "skipped")
    if milestone == "analyzed":
        return stages.get("analyze") == "finished"
    return False


def timeout_reason(milestone: str, timeout_s: float) -> str:
    return (
        f"{_KO[milestone]} 단계가 {timeout_s:g}초 안에 끝나지 않아 작업을 중단했습니다 / "
        f"{_EN[milestone]} did not finish within {timeout_s:g} s (Airflow timeout)."
    )


def wait_for(
    client: HighPipeClient,
    job_id: str,
    milestone: str,
    *,
    timeout_s: float,
    poll_s: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll until the milestone; returns the last status. Raises JobEnded or MilestoneTimeout."""
    if milestone not in MILESTONES:
        raise ValueError(f"unknown milestone {milestone!r}; known: {', '.join(MILESTONES)}")
    deadline = clock() + timeout_s
    while True:
        status = client.status(job_id)
        if reached(status, milestone):
            return status
        if clock() >= deadline:
            reason = timeout_reason(milestone, timeout_s)
            marked = client.fail(job_id, reason, f"timeout_{milestone}")
            if not marked:  # it ended between the poll and the call: report how it ended instead
                return wait_for(
                    client, job_id, milestone, timeout_s=0, poll_s=poll_s, clock=clock, sleep=sleep
                )
            raise MilestoneTimeout(reason)
        sleep(max(0.05, min(poll_s, deadline - clock())))
