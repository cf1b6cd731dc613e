"""train_model(evaluate=False): a candidate model with its validation figures and no test metrics."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from highpipe.analysis import data, train

GOOD = ["튼튼하고 좋아요", "배송 빨라서 만족", "가성비 최고예요", "또 살게요 추천"]
BAD = ["금방 고장났어요", "냄새 나서 반품", "불량품이 왔네요", "두 번 다시 안 사요"]


def _shared(root: Path) -> Path:
    """A corpus laid out like ../shared: 80 shopping lines, 120 NSMC rows, 80 KOTE rows."""
    (root / "data").mkdir(parents=True)
    shop = ["rating\ttext"] + [
        f"5\t{GOOD[i % 4]} {i}" if i % 2 == 0 else f"2\t{BAD[i % 4]} {i}" for i in range(80)
    ]
    (root / data.SHOPPING_FILE).write_text("\n".join(shop) + "\n", encoding="utf-8")
    nsmc = ["review_id\tmovie_id\trating\tdate\ttext"] + [
        f"{i}\t{2000 + i}\t{10 if i % 2 == 0 else 1}\t20.01.01\t{(GOOD if i % 2 == 0 else BAD)[i % 4]}"
        for i in range(120)
    ]
    with gzip.open(root / data.NSMC_FILE, "wt", encoding="utf-8") as f:
        f.write("\n".join(nsmc) + "\n")
    kote = [f"{i}\t{(GOOD if i % 2 else BAD)[i % 4]}\t{'42,4' if i % 2 else '0,22'}" for i in range(1, 81)]
    (root / data.KOTE_FILE).write_text("\n".join(kote) + "\n", encoding="utf-8")
    return root


def test_candidate_training_never_evaluates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
