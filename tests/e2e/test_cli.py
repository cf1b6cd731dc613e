"""The `highpipe` CLI end to end: a real demo shop process on loopback, `highpipe analyze` as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, stop_process

HIGHPIPE = [sys.executable, "-m", "highpipe.entrypoints.cli"]


@pytest.fixture(scope="module")
def demo_shop() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [*HIGHPIPE, "demo-shop", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}/demo"  # the standalone shop serves the same /demo paths as `serve`
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/products", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("demo shop did not start")
        yield base
    finally:
        stop_process(proc, grace_s=10)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([*HIGHPIPE, *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def test_analyze_a_demo_product_url(demo_shop: str, tmp_path: Path) -> None:
    products = httpx.get(f"{demo_shop}/api/products").json()
    product = min(
        (p for p in products if not str(p["id"]).startswith("bench")), key=lambda p: p["review_count"]
    )
    url = f"{demo_shop}/products/{product['id']}"
    out = tmp_path / "reviews.jsonl"
    port = demo_shop.split(":")[2].split("/")[0]
    result = run_cli(
        "analyze", url, "--json", "--out", str(out), "--allow-host", f"127.0.0.1:{port}", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["total_reviews"] == product["review_count"]
    assert report["cards"]
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == product["review_count"]
    first = lines[0]
    assert {"review_id", "text", "rating", "sentiment", "aspects", "emotions"} <= set(first)
    assert first["sentiment"]["label"] in {"positive", "negative", "neutral"}
    assert 0 <= first["sentiment"]["score"] <= 1
    with_aspects = [line for line in lines if line["aspects"]]
    assert with_aspects
    assert {"aspect_id", "aspect", "polarity", "clause"} <= set(with_aspects[0]["aspects"][0])


def test_analyze_refuses_loopback_without_allow_list(demo_shop: str, tmp_path: Path) -> None:
    products = httpx.get(f"{demo_shop}/api/products").json()
    url = f"{demo_shop}/products/{products[0]['id']}"
    result = run_cli("analyze", url, "--json", cwd=tmp_path)
    assert result.returncode == 1
    assert "HIGHPIPE_ALLOW_HOSTS" in result.stderr or "private" in result.stderr


def test_analyze_a_cp949_csv_with_column_mapping(tmp_path: Path) -> None:
    rows = [
        "번호,리뷰,별점,id",
        "1,배송은 빠른데 사이즈가 너무 작아요,3,a-1",
        "2,가성비 최고예요 재구매 의사 있어요,5,a-2",
        "3,냄새가 심해서 환불했어요,1,a-3",
        "4,디자인이 예쁘고 마감도 깔끔해요,5,a-4",
    ]
    path = tmp_path / "export.csv"
    path.write_bytes("\n".join(rows).encode("cp949"))
    out = tmp_path / "out.jsonl"
    result = run_cli(
        "analyze",
        str(path),
        "--map",
        "text=리뷰",
        "--map",
        "rating=별점",
        "--rating-scale",
        "5",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "점수" in result.stdout or "Score" in result.stdout
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["text"] for line in lines) == sorted(r.split(",")[1] for r in rows[1:])
    assert sorted(line["review_id"] for line in lines) == ["a-1", "a-2", "a-3", "a-4"]
    assert all(line["review_uid"].startswith("upload:") for line in lines)
    assert {line["rating"] for line in lines} == {3.0, 5.0, 1.0}


def test_analyze_missing_file_says_so(tmp_path: Path) -> None:
    result = run_cli("analyze", "no-such-file.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such file" in result.stderr


def test_crawl_extract_prints_a_reason_for_an_unknown_page(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body>no reviews here</body></html>", encoding="utf-8")
    result = run_cli("crawl", "extract", str(page), "--site", "web", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()
    unknown = run_cli("crawl", "extract", str(page), "--site", "gmarket", cwd=tmp_path)
    assert unknown.returncode == 2 and "coupang" in unknown.stderr
