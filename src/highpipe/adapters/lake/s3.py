"""The S3 lake: the same layout and rules as the file lake, on AWS S3 or any S3-compatible server.

URL: `s3://<bucket>[/<prefix>][?endpoint=http://127.0.0.1:18333&region=us-east-1&create_bucket=1&timeout=30]`

- `endpoint`: base URL (`http://` or `https://`, host and port only) of an S3-compatible server (SeaweedFS,
  MinIO, moto, …); without it, AWS itself. Path-style addressing is used with an endpoint.
- `region`: default `AWS_REGION` / `AWS_DEFAULT_REGION`, else `us-east-1`.
- `create_bucket=1`: create the bucket at start (local servers and tests); otherwise a missing bucket is an
  error at start.
- `timeout`: seconds per request (connect and read), default 30.

Credentials never come from the URL: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`)
from the environment, else, without an `endpoint`, the AWS SDK's default chain (IRSA web identity on EKS).
With an `endpoint` and no keys in the environment, start fails rather than let the SDK look for instance
credentials. The lake URL is operator configuration, not user input: the crawler's SSRF guard does not apply.

Limits: an object appears whole when its upload completes (files are built in memory first, then put in one
go), but S3 has no rename and no lock, so `upsert` and `compact` assume one writer per (dataset, source) at a
time (see docs/lake.md); a crash mid-commit leaves a journal that the next write rolls forward.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from highpipe.adapters.lake.core import ArrowLake, check_name
from highpipe.adapters.lake.storage import Storage

_BUCKET: Final = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PARAMS: Final = frozenset({"endpoint", "region", "create_bucket", "timeout"})


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    endpoint: str | None
    region: str
    create_bucket: bool
    timeout_s: float


def parse_s3_url(url: str) -> S3Location:
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ValueError(f"lake URL {url!r}: S3Lake takes s3://bucket/prefix")
    if parts.username or parts.password:
        raise ValueError(
            "lake URL: put S3 credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, not the URL"
        )
    bucket = parts.hostname or ""
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ValueError(f"lake URL {url!r}: {bucket!r} is not a valid S3 bucket name")
    segments = [s for s in parts.path.split("/") if s]
    for segment in segments:
        check_name("prefix", segment)
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - _PARAMS
    if unknown:
        raise ValueError(f"lake URL: unknown S3 parameters {sorted(unknown)}; known: {sorted(_PARAMS)}")

    def one(name: str) -> str | None:
        values = query.get(name)
        return values[-1] if values else None

    endpoint = one("endpoint")
    if endpoint is not None:
        ep = urlsplit(endpoint)
        if ep.scheme not in ("http", "https") or not ep.hostname or ep.path.strip("/") or ep.query:
            raise ValueError(f"lake URL: endpoint {endpoint!r} must be http(s)://host[:port]")
    region = (
        one("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    )
    try:
        timeout_s = float(one("timeout") or 30)
    except ValueError as exc:
        raise ValueError("lake URL: timeout must be a number of seconds") from exc
    return S3Location(
        bucket=bucket,
        prefix="/".join(segments),
        endpoint=endpoint,
        region=region,
        create_bucket=(one("create_bucket") or "0").lower() in ("1", "true", "yes"),
        timeout_s=timeout_s,
    )


class S3Storage(Storage):
    def __init__(self, location: S3Location) -> None:
        self.location = location
        self._filesystem: Any = None

    @property
    def filesystem(self) -> Any:
        if self._filesystem is None:
            self._filesystem = self._connect()
        return self._filesystem

    def _connect(self) -> Any:
        import pyarrow.fs as pafs

        loc = self.location
        key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
        options: dict[str, Any] = {
            "region": loc.region,
            "request_timeout": loc.timeout_s,
            "connect_timeout": min(loc.timeout_s, 10.0),
            "background_writes": False,
            "allow_bucket_creation": loc.create_bucket,
            "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=3),
        }
        if key and secret:
            options.update(
                access_key=key, secret_key=secret, session_token=os.environ.get("AWS_SESSION_TOKEN")
            )
        elif loc.endpoint:
            raise RuntimeError(
                "S3 lake with an endpoint needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"
            )
        if loc.endpoint:
            ep = urlsplit(loc.endpoint)
            options.update(endpoint_override=ep.netloc, scheme=ep.scheme)
        return pafs.S3FileSystem(**options)

    def full(self, rel: str) -> str:
        return "/".join(p for p in (self.location.bucket, self.location.prefix, rel) if p)

    def uri(self, full: str) -> str:
        return f"s3://{full}"

    def ensure_root(self) -> None:
        import pyarrow.fs as pafs

        bucket = self.location.bucket
        if self.filesystem.get_file_info(bucket).type == pafs.FileType.NotFound:
            if not self.location.create_bucket:
                raise RuntimeError(
                    f"S3 lake: bucket {bucket!r} does not exist (add ?create_bucket=1 to create it)"
                )
            self.filesystem.create_dir(bucket)

    def put(self, rel_dir: str, name: str, data: Any) -> str:
        path = self.full(f"{rel_dir}/{name}")
        with self.filesystem.open_output_stream(path) as out:
            out.write(data)
        return path


class S3Lake(ArrowLake):
    """Parquet datasets under `s3://bucket/prefix`; see the module docstring for the URL and limits."""

    def __init__(self, url: str, *, today: Callable[[], date] | None = None) -> None:
        self.url_location = parse_s3_url(url)
        super().__init__(S3Storage(self.url_location), today=today)
