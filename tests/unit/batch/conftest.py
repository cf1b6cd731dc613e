"""One SparkSession for the whole test session (a session costs 10-20 s on two cores), and lake helpers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def spark_or_skip() -> SparkSession:
    """The shared session; without Java the Spark tests are skipped locally and fail under CI=true."""
    if shutil.which("java") is None:
        message = "java is not installed: run `make batch-deps` (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from highpipe.batch.session import spark_session

    return spark_session("highpipe-tests", shuffle_partitions=2)


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = spark_or_skip()
    yield session
    session.stop()
