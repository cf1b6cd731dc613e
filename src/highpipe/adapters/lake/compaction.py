"""Compaction: merge a partition's small files into one, and drop duplicate keys from curated datasets.

Per (source, dt) partition, the files under the small-file size are merged into one when there are at least
`min_files` of them. In a keyed (curated) dataset every key of a source keeps one row, the newest: greatest
`ingested_at` when the dataset has that column, then the later file, then the later row. Files that hold a
losing row are rewritten without it, wherever they are. The new files are written before the old ones are
deleted, through the lake's journal (core.py), so a crash never loses rows and the next run finishes the job.
Limits: one source's key column (and `ingested_at`) is read into memory; schemaless partitions whose files
disagree on a column's type are left as they are.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from highpipe.adapters.lake.schema import DatasetSpec
from highpipe.adapters.lake.storage import StoredFile
from highpipe.ports.lake import CompactionResult

if TYPE_CHECKING:
    from highpipe.adapters.lake.core import ArrowLake

log = logging.getLogger(__name__)


def _losers(lake: ArrowLake, files: list[StoredFile], key: str) -> dict[str, Any]:
    """{file path: boolean keep-mask} for the files that hold a row some newer row replaces."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = []
    for index, file in enumerate(files):
        columns = [key] + (["ingested_at"] if "ingested_at" in _columns(lake, file) else [])
        table = lake.read_table(file, columns)
        ingested = (
            table.column("ingested_at").cast(pa.int64())
            if "ingested_at" in table.column_names
            else pa.nulls(table.num_rows, pa.int64())
        )
        pieces.append(
            pa.table(
                {
                    "k": table.column(key).cast(pa.string()),
                    "t": pc.fill_null(ingested, -(2**62)),
                    "f": pa.array(np.full(table.num_rows, index, dtype=np.int64)),
                    "r": pa.array(np.arange(table.num_rows, dtype=np.int64)),
                }
            )
        )
    if not pieces:
        return {}
    every = pa.concat_tables(pieces)
    order = pc.sort_indices(
        every, sort_keys=[("k", "ascending"), ("t", "descending"), ("f", "descending"), ("r", "descending")]
    )
    ranked = every.take(order)
    keys = ranked.column("k").to_numpy(zero_copy_only=False)
    losing = np.zeros(len(keys), dtype=bool)
    losing[1:] = keys[1:] == keys[:-1]  # every row after the first of its key loses
    masks: dict[str, Any] = {}
    file_of = ranked.column("f").to_numpy()
    row_of = ranked.column("r").to_numpy()
    for f, r in zip(file_of[losing], row_of[losing], strict=True):
        path = files[int(f)].path
        if path not in masks:
            masks[path] = np.ones(pieces[int(f)].num_rows, dtype=bool)
        masks[path][int(r)] = False
    return masks


def _columns(lake: ArrowLake, file: StoredFile) -> list[str]:
    import pyarrow.parquet as pq

    with lake.storage.filesystem.open_input_file(file.path) as handle:
        names: list[str] = pq.ParquetFile(handle).schema_arrow.names
        return names


def compact_dataset(
    lake: ArrowLake,
    rel: str,
    spec: DatasetSpec | None,
    key: str | None,
    min_files: int,
    only_source: str | None,
) -> CompactionResult:
    import pyarrow as pa

    from highpipe.adapters.lake.core import concat, encode, new_part_name

    result = CompactionResult()
    files = lake.live_files(rel, only_source)
    by_source: dict[str, list[StoredFile]] = defaultdict(list)
    for file in files:
        by_source[file.source].append(file)
    for source, source_files in sorted(by_source.items()):
        with lake.locked(rel, source):
            source_files = lake.live_files(rel, source)  # again, under the lock
            masks = _losers(lake, source_files, key) if key else {}
            partitions: dict[str, list[StoredFile]] = defaultdict(list)
            for file in source_files:
                partitions[file.dt].append(file)
            replaced: list[StoredFile] = []
            for dt, part_files in sorted(partitions.items()):
                small = [f for f in part_files if f.size < lake.small_file_bytes]
                dirty = [f for f in part_files if f.path in masks]
                group = sorted({*dirty, *(small if len(small) >= min_files else [])})
                if not group or (len(group) == 1 and not dirty):
                    continue
                tables = []
                for file in group:
                    table = lake.read_table(file)
                    if file.path in masks:
                        result.duplicates_dropped += int((~masks[file.path]).sum())
                        table = table.filter(pa.array(masks[file.path]))
                    tables.append(table)
                try:
                    merged = concat(tables, spec)
                except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                    log.warning("lake compaction skipped %s source=%s dt=%s: %s", rel, source, dt, exc)
                    continue
                if merged.num_rows:
                    path = lake.storage.put(f"{rel}/source={source}/dt={dt}", new_part_name(), encode(merged))
                    result.written.append(lake.storage.uri(path))
                replaced.extend(group)
            lake.commit(rel, replaced)
            result.removed.extend(lake.storage.uri(f.path) for f in replaced)
    return result
