"""Fixtures of the DAG tests: the Airflow environment, the DagBag, and the real HighPipe they talk to.

Run through deploy/airflow/run-tests.sh (`make airflow-test`), which sets AIRFLOW_HOME, migrates the SQLite
metadata DB and starts `highpipe serve` (HIGHPIPE_API_URL). Without HIGHPIPE_API_URL the tests that need
the server are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
DAG_IDS = (
    "highpipe_analysis",
    "highpipe_analysis_from_kafka",
    "highpipe_watchlist_refresh",
    "highpipe_daily_etl",
)

# Airflow reads its configuration when first imported: settle it before any test module imports airflow.
if "AIRFLOW_HOME" not in os.environ:
    home = Path(tempfile.mkdtemp(prefix="highpipe-airflow-home-"))
    os.environ.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
    )
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)
sys.path.insert(0, str(DAGS))  # as Airflow does for the DAG files: `highpipe_common` is importable


def need(env: str) -> str:
    """An environment setting a test needs: skipped locally without it, a failure under CI=true."""
    value = os.environ.get(env, "")
    if value:
        return value
    message = f"{env} is not set: run the DAG tests with `make airflow-test` (deploy/airflow/run-tests.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(str(DAGS))


@pytest.fixture(scope="session")
def api_url() -> str:
    return need("HIGHPIPE_API_URL").rstrip("/")


@pytest.fixture(scope="session")
def http(api_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_url, timeout=30) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        yield client


@pytest.fixture(scope="session")
def demo(http: httpx.Client) -> dict[str, str]:
    """Demo-shop product id -> its URL on the test server (hidden failure products included)."""
    products = {str(p["id"]): str(p["url"]) for p in http.get("/api/demo/products").json()}
    base = next(iter(products.values())).rsplit("/", 1)[0]
    for hidden in ("slow", "blocked"):
        products.setdefault(hidden, f"{base}/{hidden}")
    return products


def xcom(run: Any, task_id: str, map_index: int = -1) -> Any:
    ti = run.get_task_instance(task_id, map_index=map_index)
    assert ti is not None, f"{task_id} did not run"
    return ti.xcom_pull(task_ids=task_id, map_indexes=map_index)


def task_state(run: Any, task_id: str, map_index: int = -1) -> str:
    ti = run.get_task_instance(task_id, map_index=map_index)
    return str(ti.state.value if hasattr(ti.state, "value") else ti.state)
