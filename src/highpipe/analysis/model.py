"""The shipped model artefact: numpy `.npz` (no pickle) + `manifest.json`.

Layout of `model.npz` (every array plain numeric, loaded with `allow_pickle=False`):
- `sent_vocab`: UTF-8 bytes of the sentiment feature keys joined by "\\n" (uint8);
- `sent_w` (float32, one weight per key), `sent_b` (float32[1]): logistic regression; keys whose
  weight is negligible were pruned at training time;
- `calib` (float32[2]): Platt scaling `p = sigmoid(a * z + b)` fitted on out-of-fold shopping rows;
- `emo_vocab`, `emo_w` (float32[keys, emotions]), `emo_b`, `emo_thr`: one-vs-rest emotion model,
  emotions in `manifest["emotions"]` order;
- `stack_w` (float32[6], optional): clause stacker weights (stacking.py); absent in older models,
  which then score reviews by the review logit alone.
The manifest carries the feature configuration, the training data hashes, the seed and metrics.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from highpipe.analysis.features import FeatureConfig

MODEL_FILE: Final = "model.npz"
MANIFEST_FILE: Final = "manifest.json"
F32 = npt.NDArray[np.float32]


def default_model_dir() -> Path:
    return Path(__file__).resolve().parent / "models"


def pack_vocab(keys: list[str]) -> npt.NDArray[np.uint8]:
    return np.frombuffer("\n".join(keys).encode("utf-8"), dtype=np.uint8)


def unpack_keys(arr: npt.NDArray[np.uint8]) -> list[str]:
    text = arr.tobytes().decode("utf-8")
    return text.split("\n") if text else []


@dataclass(frozen=True, slots=True)
class Calibration:
    """Platt scaling of the raw sentiment margin: logit = a * z + b."""

    a: float
    b: float


class KeyScorer:
    """Both linear models behind one key table: column 0 sentiment, columns 1.. emotions.

    Every unit (clause or review) is a set of keys, binary, scaled by 1/sqrt(number of distinct
    keys of the unit) - unknown keys count too, exactly as `train.to_matrix` does, so pruning
    weightless keys from the artefact leaves the other weights' scale alone. A key is looked up
    once per clause; the review reuses its clauses' rows (the table is large, so lookups, each a
    likely cache miss, are the cost that matters).
    """

    def __init__(
        self,
        sent_keys: list[str],
        sent_w: F32,
        sent_b: float,
        emo_keys: list[str],
        emo_w: F32,
        emo_b: F32,
        emo_thr: F32,
        emotions: tuple[str, ...],
    ) -> None:
        if len(sent_keys) != len(sent_w) or emo_w.shape != (len(emo_keys), len(emotions)):
            raise ValueError("model arrays do not match their vocabularies")
        # Row index + 1 so that filter(None, ...) drops unknown keys without a Python loop.
        row1: dict[str, int] = {k: i + 1 for i, k in enumerate(sent_keys)}
        for k in emo_keys:
            if k not in row1:
                row1[k] = len(row1) + 1
        table = np.zeros((len(row1) + 1, 1 + len(emotions)), dtype=np.float32)
        table[1 : len(sent_keys) + 1, 0] = sent_w
        emo_rows = np.fromiter((row1[k] for k in emo_keys), dtype=np.int64, count=len(emo_keys))
        table[emo_rows, 1:] = emo_w
        self._row1 = row1
        self._sent = np.ascontiguousarray(table[:, 0])
        self._table = table
        self.sent_b = sent_b
        self.emo_b = emo_b
        self.emo_thr = emo_thr
        self.emotions = emotions

    @property
    def n_keys(self) -> int:
        return len(self._row1)

    def rows(self, keys: set[str]) -> npt.NDArray[np.int64]:
        """Rows of the known keys, sorted.

        Sorted because the float32 sums below depend on the order of their terms, and a set's
        iteration order depends on the process's string hash seed: unsorted, two workers could
        score one review differently in the 4th decimal. A list first: `np.fromiter` over the
        filter is ~1.5x slower."""
        rows = np.array(list(filter(None, map(self._row1.get, keys))), dtype=np.int64)
        rows.sort()
        return rows

    @staticmethod
    def distinct(parts: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
        """The sorted distinct rows of several units: `np.unique` of their concatenation, which
        costs ~3x more on arrays this small (its Python-level set-up dominates)."""
        if not parts:
            return np.zeros(0, dtype=np.int64)
        rows = np.concatenate(parts)
        rows.sort()
        keep = np.empty(len(rows), dtype=bool)
        keep[:1] = True
        np.not_equal(rows[1:], rows[:-1], out=keep[1:])
        return rows[keep]

    def sentiment(self, rows: npt.NDArray[np.int64], n_keys: int) -> float:
        """Raw sentiment margin of one unit from its rows and its count of distinct keys."""
        if n_keys == 0:
            return self.sent_b
        return float(self._sent[rows].sum()) / math.sqrt(n_keys) + self.sent_b

    def sentiment_delta(
        self,
        rows: npt.NDArray[np.int64],
        added: npt.NDArray[np.int64],
        removed: npt.NDArray[np.int64],
        n_keys: int,
    ) -> float:
        """Margin of a unit that differs from `rows` by some keys: rows + added - removed."""
        if n_keys == 0:
            return self.sent_b
        # float32 sums, each over sorted rows (see `rows`). An empty side is skipped: adding or subtracting its 0.0 changes at most the sign of a
        # zero total, which the division and `+ sent_b` below erase.
        total = self._sent[rows].sum()
        if len(added):
            total = total + self._sent[added].sum()
        if len(removed):
            total = total - self._sent[removed].sum()
        return float(total) / math.sqrt(n_keys) + self.sent_b

    def review(self, rows: npt.NDArray[np.int64], n_keys: int) -> tuple[float, F32]:
        """(raw sentiment margin, emotion probabilities) of a review's distinct rows."""
        if n_keys == 0:
            z_emo = self.emo_b
            return self.sent_b, np.asarray(1.0 / (1.0 + np.exp(-z_emo)), dtype=np.float32)
        sums = self._table[rows].sum(axis=0) / math.sqrt(n_keys)
        z_emo = self.emo_b + sums[1:]
        return float(sums[0]) + self.sent_b, np.asarray(1.0 / (1.0 + np.exp(-z_emo)), dtype=np.float32)


@dataclass(slots=True)
class ModelBundle:
    scorer: KeyScorer
    calibration: Calibration
    features: FeatureConfig
    manifest: dict[str, Any]
    stack: tuple[float, ...] | None = None

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unknown"))


def save_bundle(
    out_dir: Path,
    arrays: dict[str, npt.NDArray[Any]],
    manifest: dict[str, Any],
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out_dir / MODEL_FILE, **arrays)  # type: ignore[arg-type]
    (out_dir / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def load_bundle(model_dir: Path | None = None) -> ModelBundle:
    d = model_dir or default_model_dir()
    manifest: dict[str, Any] = json.loads((d / MANIFEST_FILE).read_text(encoding="utf-8"))
    with np.load(d / MODEL_FILE, allow_pickle=False) as z:
        scorer = KeyScorer(
            sent_keys=unpack_keys(z["sent_vocab"]),
            sent_w=np.asarray(z["sent_w"], dtype=np.float32),
            sent_b=float(z["sent_b"][0]),
            emo_keys=unpack_keys(z["emo_vocab"]),
            emo_w=np.asarray(z["emo_w"], dtype=np.float32),
            emo_b=np.asarray(z["emo_b"], dtype=np.float32),
            emo_thr=np.asarray(z["emo_thr"], dtype=np.float32),
            emotions=tuple(manifest["emotions"]),
        )
        calibration = Calibration(float(z["calib"][0]), float(z["calib"][1]))
        stack = tuple(float(x) for x in z["stack_w"]) if "stack_w" in z.files else None
    return ModelBundle(scorer, calibration, FeatureConfig.from_json(manifest["features"]), manifest, stack)
