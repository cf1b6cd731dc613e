"""wait_for: milestones, an ended job, and the timeout that fails the job (a recording client, a fake clock)."""

from __future__ import annotations

from typing import Any

import pytest
from highpipe_common.waiting import JobEnded, MilestoneTimeout, reached, wait_for


class Recorder:
    """Answers the given statuses in turn (the last one repeats) and records fail calls."""

    def __init__(self, *statuses: dict[str, Any], fail_answer: bool = True) -> None:
        self.statuses = list(statuses)
        self.failed: list[tuple[str, str, str]] = []
        self.fail_answer = fail_answer

    def status(self, job_id: str) -> dict[str, Any]:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def fail(self, job_id: str, reason: str, code: str) -> bool:
        self.failed.append((job_id, reason, code))
        return self.fail_answer


def _status(status: str = "running", reason: str | None = None, **stages: str) -> dict[str, Any]:
    job = {"job_id": "j", "status": status, "failure_reason": reason, "collected": 0}
    return {"job": job, "stages": {"collect": "pending", "analyze": "pending", "report": "pending", **stages}}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_milestones() -> None:
    assert reached(_status(collect="finished"), "collected")
    assert reached(_status(collect="skipped"), "collected")  # an upload
    assert not reached(_status(collect="finished"), "analyzed")
    assert reached(_status(analyze="finished"), "analyzed")
    assert not reached(_status(report="finished"), "completed")
    assert reached(_status("completed"), "completed") and reached(_status("completed"), "collected")
    with pytest.raises(JobEnded, match="blocked"):
        reached(_status("failed", "blocked (403)"), "collected")


def test_waits_until_the_milestone() -> None:
    clock = Clock()
    client = Recorder(_status(), _status(collect="started"), _status(collect="finished"))
    got = wait_for(client, "j", "collected", timeout_s=10, poll_s=1, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    assert got["stages"]["collect"] == "finished" and clock.now == 2.0 and client.failed == []


def test_a_timeout_fails_the_job_with_a_reason() -> None:
    clock = Clock()
    client = Recorder(_status(collect="started"))
    with pytest.raises(MilestoneTimeout) as caught:
        wait_for(client, "j", "analyzed", timeout_s=5, poll_s=2, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    ((job_id, reason, code),) = client.failed
    assert (job_id, code) == ("j", "timeout_analyzed") and str(caught.value) == reason
    assert "5초" in reason and "within 5 s" in reason and clock.now == 5.0


def test_a_job_that_ends_while_timing_out_reports_how_it_ended() -> None:
    clock = Clock()
    client = Recorder(_status(), _status("completed"), fail_answer=False)  # 409: it had just finished
    assert (
        wait_for(client, "j", "completed", timeout_s=0, clock=clock, sleep=clock.sleep)["job"]["status"]
        == "completed"
    )  # type: ignore[arg-type]
