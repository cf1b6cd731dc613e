"""Where lake files live: a small interface over a pyarrow file system, with a local-disk implementation.

The lake logic (`core.py`, `compaction.py`) only lists, reads, puts whole files and deletes them, so the same
code runs on a local disk and on S3. Paths given to a Storage are relative to the lake root, `/`-separated.
A put is whole-file atomic: a reader sees the complete file or none (local: temp file, fsync, rename).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

PART_FILE: Final = re.compile(r"^part-[0-9a-f]{32}\.parquet$")
JOURNAL_FILE: Final = re.compile(r"^_journal-[0-9a-f]{32}\.json$")


@dataclass(frozen=True, order=True)
class StoredFile:
    """One data file. Ordered by (dt, source, name): names are time-ordered, so this is write order."""

    dt: str
    source: str
    name: str
    path: str  # the path inside `Storage.filesystem`
    size: int

    @property
    def partition(self) -> tuple[str, str]:
        return (self.source, self.dt)


class Storage(ABC):
    filesystem: Any  # a pyarrow.fs.FileSystem

    @abstractmethod
    def full(self, rel: str) -> str:
        """The path of `rel` inside `self.filesystem`."""

    @abstractmethod
    def uri(self, full: str) -> str:
        """What to show users and other readers for a full path (a local path or `s3://...`)."""

    @abstractmethod
    def ensure_root(self) -> None: ...

    @abstractmethod
    def put(self, rel_dir: str, name: str, data: Any) -> str:
        """Write a whole file atomically; returns its full path. `data` is bytes-like."""

    @contextlib.contextmanager
    def lock(self, rel: str) -> Iterator[None]:
        """A cross-process lock around a read-modify-write of `rel` (default: none; see the backend)."""
        yield

    def delete(self, fulls: Sequence[str]) -> None:
        import pyarrow.fs as pafs

        for full in fulls:
            # Another writer rolling the same journal forward may delete it first: gone is what we want.
            with contextlib.suppress(FileNotFoundError):
                if self.filesystem.get_file_info(full).type != pafs.FileType.NotFound:
                    self.filesystem.delete_file(full)

    def read_bytes(self, full: str) -> bytes:
        with self.filesystem.open_input_stream(full) as handle:
            data: bytes = handle.read()
            return data

    def list_dataset(self, rel_dataset: str, source: str | None = None) -> tuple[list[StoredFile], list[str]]:
        """(data files sorted in write order, journal paths) of one dataset folder, or of one source in it."""
        import pyarrow.fs as pafs

        base = self.full(rel_dataset)
        top = base if source is None else f"{base}/source={source}"
        infos = list(
            self.filesystem.get_file_info(pafs.FileSelector(top, recursive=True, allow_not_found=True))
        )
        if source is not None:  # journals sit at the dataset's top: list that level only
            infos += self.filesystem.get_file_info(
                pafs.FileSelector(base, recursive=False, allow_not_found=True)
            )
        files: list[StoredFile] = []
        journals: list[str] = []
        for info in infos:
            if info.type != pafs.FileType.File:
                continue
            parts = info.path[len(base) :].strip("/").split("/")
            if len(parts) == 1 and JOURNAL_FILE.match(parts[0]):
                journals.append(info.path)
            elif (
                len(parts) == 3
                and parts[0].startswith("source=")
                and parts[1].startswith("dt=")
                and PART_FILE.match(parts[2])
            ):
                file_source, dt = parts[0].removeprefix("source="), parts[1].removeprefix("dt=")
                files.append(StoredFile(dt, file_source, parts[2], info.path, info.size or 0))
        files.sort()
        return files, sorted(journals)

    def pending_deletes(self, journals: Sequence[str]) -> set[str]:
        """Files that journals of unfinished commits say are replaced (readers skip them)."""
        pending: set[str] = set()
        for journal in journals:
            with contextlib.suppress(FileNotFoundError, OSError, ValueError):
                pending.update(json.loads(self.read_bytes(journal))["delete"])
        return pending


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStorage(Storage):
    """A folder on a local (or mounted) disk. Writers on one machine serialise through lock files."""

    def __init__(self, root: Path) -> None:
        import pyarrow.fs as pafs

        self.root = root
        self.filesystem = pafs.LocalFileSystem()

    def full(self, rel: str) -> str:
        return str(self.root / rel)

    def uri(self, full: str) -> str:
        return full

    def ensure_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, rel_dir: str, name: str, data: Any) -> str:
        folder = self.root / rel_dir
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".{name}.tmp"  # dot-prefixed: every dataset reader skips it
        final = folder / name
        try:
            with open(temp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, final)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_dir(folder)
        return str(final)

    @contextlib.contextmanager
    def lock(self, rel: str) -> Iterator[None]:
        import fcntl

        folder = self.root / ".locks"  # outside every layer folder, so no reader ever lists it
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / (rel.replace("/", "~") + ".lock"), "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
