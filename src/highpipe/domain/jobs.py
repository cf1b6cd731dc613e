"""The job state machine: queued -> running -> completed, failed/cancelled from queued or running."""

from __future__ import annotations

from typing import Final

from highpipe.domain.vocab import FINAL_STATUSES, JobStatus

ALLOWED: Final[dict[str, frozenset[str]]] = {
    "queued": frozenset({"running", "failed", "cancelled"}),
    "running": frozenset({"completed", "failed", "cancelled"}),
    "completed": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
}


class InvalidTransition(ValueError):
    pass


def can_transition(current: str, new: str) -> bool:
    return new in ALLOWED.get(current, frozenset())


def check_transition(current: JobStatus, new: JobStatus) -> None:
    if not can_transition(current, new):
        raise InvalidTransition(f"job cannot go from {current} to {new}")


def is_final(status: str) -> bool:
    return status in FINAL_STATUSES


class JobFailure(Exception):
    """A failure the user should read: `reason` is a human sentence, `code` a machine code."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
