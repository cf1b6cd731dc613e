"""Running the HighPipe CLI (`highpipe batch ...`) from a task, as a subprocess in the app's environment.

The binary: env HIGHPIPE_BIN, else `<repository>/.venv/bin/highpipe` (this file is in
`<repository>/dags/highpipe_common/`). Output is streamed to the task log line by line; a non-zero exit
fails the task with an error that quotes the command's last lines (a quality check's reasons, say).
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections import deque
from pathlib import Path

from airflow.sdk.exceptions import AirflowException, AirflowFailException

log = logging.getLogger(__name__)
TAIL_LINES = 20


def highpipe_bin() -> str:
    configured = os.environ.get("HIGHPIPE_BIN")
    if configured:
        return configured
    return str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "highpipe")


def run_highpipe(args: list[str], *, what: str | None = None, timeout_s: float | None = None) -> str:
    """Run `highpipe <args>`; returns its output's last lines. Exit 1 of a check fails without retry."""
    command = [highpipe_bin(), *args]
    label = what or " ".join(args[:3])
    log.info("running %s", " ".join(command))
    if not os.access(command[0], os.X_OK):
        raise AirflowFailException(
            f"HighPipe CLI not found at {command[0]}: set HIGHPIPE_BIN to the app's `highpipe` binary"
        )
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as proc:
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                log.info("%s", line.rstrip())
                tail.append(line.rstrip())
            code = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    output = "\n".join(tail)
    if code != 0:
        message = f"{label} failed (exit {code}) — `{' '.join(command)}`:\n{output}"
        if what is not None:  # a check's verdict does not change on retry: fail loudly, once
            raise AirflowFailException(message)
        raise AirflowException(message)
    return output
