"""Lake URLs as Spark (Hadoop) paths: local paths, file:// URLs and s3:// with an endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from highpipe.batch.lake import spark_root


def test_local_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert spark_root(".highpipe/lake") == (f"file://{tmp_path}/.highpipe/lake", {})
    assert spark_root("file:///data/lake/") == ("file:///data/lake", {})


def test_s3_becomes_s3a_with_endpoint_settings() -> None:
    root, settings = spark_root(
        "s3://bucket/prefix/?endpoint=http://127.0.0.1:18333&region=us-east-1&create_bucket=1"
    )
    assert root == "s3a://bucket/prefix"
    assert settings == {
        "fs.s3a.endpoint": "http://127.0.0.1:18333",
        "fs.s3a.path.style.access": "true",
        "fs.s3a.connection.ssl.enabled": "false",
        "fs.s3a.endpoint.region": "us-east-1",
    }
    assert spark_root("s3://bucket/prefix") == ("s3a://bucket/prefix", {})


@pytest.mark.parametrize("url", ["", "file://host/lake", "gs://bucket/x"])
def test_rejected(url: str) -> None:
    with pytest.raises(ValueError):
        spark_root(url)
