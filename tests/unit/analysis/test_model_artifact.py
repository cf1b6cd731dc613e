"""The shipped model artefact: format, size, load time, manifest; and the split-enforcing readers."""

from __future__ import annotations

import gzip
import json
import time
import zipfile
from pathlib import Path

import numpy as np

from highpipe.analysis import data
from highpipe.analysis.model import MANIFEST_FILE, MODEL_FILE, default_model_dir, load_bundle
from highpipe.domain.vocab import EMOTIONS


def test_artefact_is_npz_and_json_without_pickles_and_small() -> None:
    d = default_model_dir()
    assert (d / MODEL_FILE).is_file() and (d / MANIFEST_FILE).is_file()
    total = sum(p.stat().st_size for p in d.iterdir() if p.is_file())
    assert total < 30 * 1024 * 1024
    assert not list(d.glob("*.pkl")) and not list(d.glob("*.pickle"))
    with zipfile.ZipFile(d / MODEL_FILE) as zf:
        assert all(name.endswith(".npy") for name in zf.namelist())
    with np.load(d / MODEL_FILE, allow_pickle=False) as z:
        for name in z.files:
            assert z[name].dtype != object


def test_model_loads_quickly_and_is_consistent() -> None:
    t = time.perf_counter()
    bundle = load_bundle()
    assert time.perf_counter() - t < 2.0
    assert bundle.scorer.n_keys > 10_000
    assert set(bundle.scorer.emotions) == {e.id for e in EMOTIONS if e.kote}
    assert bundle.scorer.emo_thr.shape == (len(bundle.scorer.emotions),)
    assert bundle.calibration.a > 0  # calibration keeps the direction of the margin


def test_manifest_records_data_hashes_seed_and_metrics() -> None:
    manifest = json.loads((default_model_dir() / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["version"].startswith("hp-ko-lr-")
    assert isinstance(manifest["seed"], int)
    for name in (data.NSMC_FILE, data.SHOPPING_FILE, data.KOTE_FILE):
        digest = manifest["training_data"][name]["sha256"]
        assert len(digest) == 64 and int(digest, 16) >= 0
    metrics = manifest["metrics"]
    assert 0.5 < metrics["naver_shopping_test"]["accuracy"] <= 1.0
    assert 0.5 < metrics["nsmc_test"]["accuracy"] <= 1.0
    assert metrics["kote_test"]["macro_f1"] > metrics["kote_test"]["majority_baseline_macro_f1"]


def _fake_shared(tmp: Path) -> Path:
    (tmp / "data").mkdir()
    shop = ["rating\ttext"] + [f"{5 if i % 2 else 1}\t상품 후기 {i}" for i in range(1, 21)]
    (tmp / data.SHOPPING_FILE).write_text("\n".join(shop) + "\n", encoding="utf-8")
    rows = ["review_id\tmovie_id\trating\tdate\ttext"]
    rows += [f"{i}\t{100 + i}\t{10 if i % 2 else 1}\t15.01.01\t영화 평 {i}" for i in range(20)]
    with gzip.open(tmp / data.NSMC_FILE, "wt", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    kote = [f"{i}\t댓글 {i}\t0,2" for i in range(1, 21)]
    (tmp / data.KOTE_FILE).write_text("\n".join(kote) + "\n", encoding="utf-8")
    return tmp


def test_readers_keep_test_rows_out_of_training(tmp_path: Path) -> None:
    shared = _fake_shared(tmp_path)
    train = data.read_shopping(shared, "train")
    test = data.read_shopping(shared, "test")
    assert [r.key for r in test] == [5, 10, 15, 20]
    assert all(r.key % 5 != 0 for r in train) and len(train) == 16
    assert {r.text for r in train}.isdisjoint({r.text for r in test})
    assert all(m % 10 != 0 for m, _, _ in data.iter_nsmc(shared, "train"))
    assert {m for m, _, _ in data.iter_nsmc(shared, "test")} == {100, 110}
    assert all(r.id % 5 != 0 for r in data.read_kote(shared, "train"))
    assert [r.id for r in data.read_kote(shared, "test")] == [5, 10, 15, 20]
    assert data.read_kote(shared, "test")[0].labels == ("불평/불만", "감동/감탄")


def test_nsmc_binary_rule() -> None:
    assert [data.nsmc_binary(r) for r in (1, 4, 5, 8, 9, 10)] == [0, 0, None, None, 1, 1]
