"""train_model + evaluate_model end to end on a tiny synthetic corpus laid out like ../shared."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from highpipe.analysis import data, train
from highpipe.analysis.engine import LocalAnalyzer
from highpipe.analysis.evaluate import evaluate_model

POS = ["배송 빠르고 좋아요", "정말 만족해요 추천합니다", "튼튼하고 예뻐요", "최고예요 또 살게요"]
NEG = ["별로예요 환불할래요", "불량이라 실망했어요", "최악이에요 비추", "고장나서 짜증나요"]


def _shared(tmp: Path) -> Path:
    (tmp / "data").mkdir(parents=True)
    shop = ["rating\ttext"]
    for i in range(80):
        shop.append(f"5\t{POS[i % 4]} {i}" if i % 2 == 0 else f"1\t{NEG[i % 4]} {i}")
    (tmp / data.SHOPPING_FILE).write_text("\n".join(shop) + "\n", encoding="utf-8")
    rows = ["review_id\tmovie_id\trating\tdate\ttext"]
    for i in range(120):
        text, rating = (POS[i % 4], 10) if i % 2 == 0 else (NEG[i % 4], 2)
        rows.append(f"{i}\t{1000 + i}\t{rating}\t15.01.01\t{text}")  # movie % 10 == 0, 1 are not trained on
    with gzip.open(tmp / data.NSMC_FILE, "wt", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    kote = [
        f"{i}\t{POS[i % 4] if i % 2 else NEG[i % 4]}\t{'42,4' if i % 2 else '0,22'}" for i in range(1, 81)
    ]
    (tmp / data.KOTE_FILE).write_text("\n".join(kote) + "\n", encoding="utf-8")
    return tmp


def test_train_then_evaluate_tiny_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = _shared(tmp_path / "shared")
    out = tmp_path / "model"
    monkeypatch.setattr(train, "NSMC_ROWS", 80)
    manifest = train.train_model(shared, out, seed=7)

    assert (out / "model.npz").is_file()
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["version"] == manifest["version"]
    assert on_disk["seed"] == 7
    assert on_disk["training"]["nsmc_rows"] == 80
    assert on_disk["training"]["shopping_rows"] == 64  # 80 lines minus every fifth
    assert on_disk["training_data"][data.SHOPPING_FILE]["sha256"] == data.file_sha256(
        shared / data.SHOPPING_FILE
    )

    analyzer = LocalAnalyzer.load(out)
    assert analyzer.model_version == manifest["version"]
    assert analyzer.positive_probability("배송 빠르고 좋아요") > 0.5
    assert analyzer.positive_probability("불량이라 실망했어요") < 0.5

    metrics = evaluate_model(shared, out)
    assert metrics["naver_shopping_test"]["rows"] == 16  # type: ignore[index]
    assert metrics["naver_shopping_test"]["accuracy"] >= 0.9  # type: ignore[index]
    assert metrics["kote_test"]["rows"] == 16  # type: ignore[index]


def test_a_candidate_is_trained_without_test_metrics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """train_model(evaluate=False): what tuning builds carries validation figures only, never test ones."""
    shared = _shared(tmp_path / "shared")
    out = tmp_path / "candidate"
    monkeypatch.setattr(train, "NSMC_ROWS", 80)

    def _forbidden(*_: object) -> None:
        raise AssertionError("evaluate_model must not run for a candidate")

    monkeypatch.setattr("highpipe.analysis.evaluate.evaluate_model", _forbidden)
    manifest = train.train_model(shared, out, seed=5, evaluate=False)

    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "metrics" not in on_disk
    val = on_disk["validation"]
    assert val["shopping_heldout_rows"] == 16  # the shopping training rows of fold 0 ((line // 5) % 5 == 0)
    assert 0.9 <= val["shopping_heldout_fold_accuracy"] <= 1.0  # the tiny corpus is trivially separable
    assert val["calibration"][0] > 0  # a larger margin means more positive
    assert manifest["version"] == on_disk["version"]
