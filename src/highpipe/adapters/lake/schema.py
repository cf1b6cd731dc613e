"""Explicit, versioned Parquet schemas of the lake's named datasets (the contract with Spark, DuckDB, Polars).

A dataset listed in `DATASETS` is written with exactly its schema: missing columns become null, an unknown
column or a value of the wrong type is an error (nothing is written). Datasets not listed keep the
schemaless rules of `infer.py` (types inferred per file), for ad-hoc data and tests.

Versioning: every file carries the key-value metadata `highpipe.dataset` (`<layer>/<dataset>`) and
`highpipe.schema_version`, and every row the column `schema_version`. Within a version, changes are
additive only (a new nullable column at the end), so readers merging schemas by name (`union_by_name`,
Spark `mergeSchema`) read old and new files together. A breaking change gets a new dataset name
(`reviews_v2`), never a reinterpretation of existing files. `source` and `dt` live in the path only.

Key (`key`): the column that identifies a row in the curated layer; `upsert` keeps one row per key.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class DatasetSpec:
    layer: str
    name: str
    version: int
    key: str | None
    description: str

    @property
    def qualified(self) -> str:
        return f"{self.layer}/{self.name}"


# Column lists are data, not pyarrow objects, so importing this module stays cheap (pyarrow loads lazily).
_TS = "timestamp"  # timestamp[us, tz=UTC]
_REVIEW_COLUMNS: Final[tuple[tuple[str, str, bool], ...]] = (
    ("review_uid", "string", False),
    ("product_id", "string", True),
    ("site", "string", True),
    ("text", "string", True),
    ("rating", "double", True),
    ("title", "string", True),
    ("date", _TS, True),
    ("author_hash", "string", True),
    ("author_display", "string", True),
    ("option", "string", True),
    ("helpful", "int64", True),
    ("source_line", "int64", True),
    ("job_id", "string", True),
    ("ingested_at", _TS, False),
    ("schema_version", "int32", False),
)
_ANALYSIS_COLUMNS: Final[tuple[tuple[str, str, bool], ...]] = (
    ("review_uid", "string", False),
    ("product_id", "string", True),
    ("job_id", "string", True),
    ("sentiment_label", "string", True),
    ("sentiment_score", "double", True),
    ("aspects", "aspects", True),
    ("emotions", "list<string>", True),
    ("clauses", "clauses", True),
    ("language", "string", True),
    ("model_version", "string", True),
    ("ingested_at", _TS, False),
    ("schema_version", "int32", False),
)
_EVENT_COLUMNS: Final[tuple[tuple[str, str, bool], ...]] = (
    ("job_id", "string", False),
    ("seq", "int64", False),
    ("type", "string", False),
    ("ts", _TS, False),
    ("event_version", "int32", True),
    ("data", "string", True),  # the event's `data` object as JSON text
    ("ingested_at", _TS, False),
    ("schema_version", "int32", False),
)

_PRODUCT_COLUMNS: Final[tuple[tuple[str, str, bool], ...]] = (
    ("product_id", "string", False),
    ("site", "string", True),
    ("url", "string", True),
    ("title", "string", True),
    ("price", "double", True),
    ("currency", "string", True),
    ("average_rating", "double", True),
    ("review_count", "int64", True),
    ("category", "string", True),
    ("image", "string", True),
    ("job_id", "string", True),
    ("ingested_at", _TS, False),
    ("schema_version", "int32", False),
)

COLUMNS: Final[dict[str, tuple[tuple[str, str, bool], ...]]] = {
    "raw/reviews": _REVIEW_COLUMNS,
    "curated/reviews": _REVIEW_COLUMNS,
    "curated/review_analyses": _ANALYSIS_COLUMNS,
    "raw/job_events": _EVENT_COLUMNS,
    "curated/products": _PRODUCT_COLUMNS,
}

DATASETS: Final[dict[str, DatasetSpec]] = {
    "raw/reviews": DatasetSpec(
        "raw", "reviews", 1, None, "every review as collected, once per collecting job (append-only history)"
    ),
    "curated/reviews": DatasetSpec(
        "curated", "reviews", 1, "review_uid", "one row per review_uid: its latest collected version"
    ),
    "curated/review_analyses": DatasetSpec(
        "curated", "review_analyses", 1, "review_uid", "one row per review_uid: its latest analysis"
    ),
    "raw/job_events": DatasetSpec(
        "raw", "job_events", 1, None, "every stored job.events envelope (append-only)"
    ),
    "curated/products": DatasetSpec(
        "curated",
        "products",
        1,
        "product_id",
        "one row per product_id: its latest metadata (title, category)",
    ),
}


def spec_for(layer: str, dataset: str) -> DatasetSpec | None:
    return DATASETS.get(f"{layer}/{dataset}")


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    if kind == "aspects":
        return pa.list_(
            pa.struct(
                [
                    ("aspect_id", pa.string()),
                    ("aspect", pa.string()),
                    ("polarity", pa.string()),
                    ("clause", pa.string()),
                    ("score", pa.float64()),
                ]
            )
        )
    if kind == "clauses":
        return pa.list_(
            pa.struct(
                [
                    ("text", pa.string()),
                    ("start", pa.int64()),
                    ("end", pa.int64()),
                    ("sentiment_label", pa.string()),
                    ("sentiment_score", pa.float64()),
                ]
            )
        )
    simple = {
        "string": pa.string(),
        "double": pa.float64(),
        "int64": pa.int64(),
        "int32": pa.int32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "list<string>": pa.list_(pa.string()),
    }
    return simple[kind]


@functools.cache
def arrow_schema(qualified: str) -> Any:
    """The pyarrow schema of a named dataset (`raw/reviews`), with its version in the metadata."""
    import pyarrow as pa

    spec = DATASETS[qualified]
    fields = [
        pa.field(name, _arrow_type(kind), nullable=nullable) for name, kind, nullable in COLUMNS[qualified]
    ]
    return pa.schema(
        fields,
        metadata={
            b"highpipe.dataset": qualified.encode(),
            b"highpipe.schema_version": str(spec.version).encode(),
        },
    )
