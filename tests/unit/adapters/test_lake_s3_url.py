"""The S3 lake's URL: what it accepts, what it refuses, and that credentials never come from it."""

from __future__ import annotations

import pytest

from highpipe.adapters.lake.s3 import S3Lake, S3Storage, parse_s3_url


def test_a_full_url() -> None:
    loc = parse_s3_url(
        "s3://highpipe-lake/env/dev?endpoint=http://127.0.0.1:18333&region=ap-northeast-2&create_bucket=1"
    )
    assert (loc.bucket, loc.prefix, loc.endpoint) == ("highpipe-lake", "env/dev", "http://127.0.0.1:18333")
    assert (loc.region, loc.create_bucket, loc.timeout_s) == ("ap-northeast-2", True, 30.0)
    assert S3Storage(loc).full("raw/reviews") == "highpipe-lake/env/dev/raw/reviews"


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    loc = parse_s3_url("s3://bucket")
    assert (loc.prefix, loc.endpoint, loc.region, loc.create_bucket) == ("", None, "eu-central-1", False)
    assert S3Lake("s3://bucket").location("curated", "reviews") == "s3://bucket/curated/reviews"


@pytest.mark.parametrize(
    "url",
    [
        "s3://key:secret@bucket/prefix",
        "s3://Bad_Bucket/prefix",
        "s3://b/prefix",
        "s3://bucket/../escape",
        "s3://bucket/a/.hidden",
        "s3://bucket/p?endpoint=ftp://127.0.0.1:21",
        "s3://bucket/p?endpoint=http://127.0.0.1:18333/path",
        "s3://bucket/p?color=blue",
        "s3://bucket/p?timeout=soon",
        "gs://bucket/p",
    ],
)
def test_refused(url: str) -> None:
    with pytest.raises(ValueError):
        parse_s3_url(url)


async def test_an_endpoint_without_keys_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without keys the AWS SDK would look for instance credentials on a metadata address: refuse instead.
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    lake = S3Lake("s3://bucket/p?endpoint=http://127.0.0.1:9")
    with pytest.raises(RuntimeError, match="AWS_ACCESS_KEY_ID"):
        await lake.start()
