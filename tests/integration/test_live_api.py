"""The API and WebSocket on a real uvicorn on loopback, crawling the demo shop mounted in the same server."""

from __future__ import annotations

import csv
import io
from collections import Counter

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.integration.helpers import demo_url, submit, wait_final, watch


def assert_gapless(events: list[dict[str, object]], start: int = 1) -> None:
    seqs = [int(e["seq"]) for e in events]  # type: ignore[call-overload]
    assert seqs == list(range(start, start + len(seqs))), seqs


async def first_normal_product(client: httpx.AsyncClient) -> dict[str, object]:
    products = (await client.get("/api/demo/products")).json()
    assert products, "the demo shop lists products"
    normal = [p for p in products if not str(p["id"]).startswith("bench")]
    return dict(sorted(normal, key=lambda p: int(p["review_count"]))[0])


async def test_url_analysis_streams_cards_and_ends_on_a_trustworthy_report(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        product = await first_normal_product(client)
        job_id = await submit(client, str(product["url"]))
        events = await watch(server.ws_base, job_id)
        assert_gapless(events)
        types = [e["type"] for e in events]
        assert types[-1] == "completed", events[-1]
        assert "card" in types[: types.index("completed")]
        stages = [(e["data"]["stage"], e["data"]["state"]) for e in events if e["type"] == "stage"]
        assert ("collect", "started") in stages and ("report", "finished") in stages
        assert all(e["version"] == 1 and e["job_id"] == job_id and e["ts"].endswith("Z") for e in events)

        status = (await client.get(f"/api/analyses/{job_id}")).json()
        assert status["job"]["status"] == "completed"
        assert status["stages"] == {"collect": "finished", "analyze": "finished", "report": "finished"}
        report = (await client.get(f"/api/analyses/{job_id}/report")).json()
        assert report["total_reviews"] == product["review_count"] == status["job"]["collected"]
        assert report["analyzed_reviews"] == report["total_reviews"]
        assert report["score"] is not None and 0 <= report["score"] <= 100
        assert report["cards"], "a few hundred mixed reviews give cards"

        # the last card event of each card_id equals the report's card (cards replace by id)
        last_cards = {e["data"]["card_id"]: e["data"] for e in events if e["type"] == "card"}
        for card in report["cards"]:
            if card["card_id"] in last_cards:
                assert last_cards[card["card_id"]]["mentions"] == card["mentions"]

        # every card's count matches the reviews filter for its aspect, and its quotes are real reviews
        card = report["cards"][0]
        page = (
            await client.get(f"/api/analyses/{job_id}/reviews", params={"aspect": card["aspect_id"]})
        ).json()
        assert page["total"] == card["mentions"] == len(card["review_uids"])
        texts = {}
        for uid in {q["review_uid"] for q in card["quotes"]}:
            assert uid in card["review_uids"]
        all_rows = (await client.get(f"/api/analyses/{job_id}/reviews", params={"page_size": 200})).json()
        assert all_rows["total"] == report["total_reviews"]
        texts = {item["review"]["review_uid"]: item["review"]["text"] for item in all_rows["items"]}
        for quote in card["quotes"]:
            if quote["review_uid"] in texts:
                assert (
                    quote["text"] in texts[quote["review_uid"]] or texts[quote["review_uid"]] in quote["text"]
                )

        # filters: sentiment counts add up to the report's
        for label, count in report["sentiment_counts"].items():
            got = (await client.get(f"/api/analyses/{job_id}/reviews", params={"sentiment": label})).json()
            assert got["total"] == count

        # export CSV: one row per review, masked authors only
        resp = await client.get(f"/api/analyses/{job_id}/export", params={"format": "csv"})
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
        assert len(rows) == report["total_reviews"]
        assert all(r["author"] == "" or "*" in r["author"] for r in rows)
        exported = (await client.get(f"/api/analyses/{job_id}/export", params={"format": "json"})).json()
        assert len(exported["reviews"]) == report["total_reviews"]
        assert all("author_hash" not in r for r in exported["reviews"])

        history = (await client.get("/api/analyses")).json()
        assert [j["job_id"] for j in history] == [job_id]
        metrics = (await client.get("/metrics")).text
        for name in (
            "highpipe_http_request_duration_seconds_bucket",
            'highpipe_jobs{state="completed"} 1.0',
            "highpipe_reviews_crawled_total",
            "highpipe_reviews_analyzed_total",
            "highpipe_ws_connections",
        ):
            assert name in metrics, name


async def test_websocket_resume_with_after_loses_nothing_and_repeats_nothing(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        product = await first_normal_product(client)
        job_id = await submit(client, str(product["url"]))
        first = await watch(server.ws_base, job_id, limit=4)
        assert_gapless(first)
        rest = await watch(server.ws_base, job_id, after=first[-1]["seq"])
        combined = first + rest
        assert_gapless(combined)
        assert combined[-1]["type"] == "completed"
        # a late client gets the whole history; a client resuming at the end gets nothing but closes cleanly
        late = await watch(server.ws_base, job_id)
        assert [e["seq"] for e in late] == [e["seq"] for e in combined]
        tail = await watch(server.ws_base, job_id, after=combined[-3]["seq"])
        assert [e["seq"] for e in tail] == [e["seq"] for e in combined[-2:]]


async def test_bad_input_gets_clear_errors(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server(rate_limit_per_minute=5, max_upload_bytes=1000)
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        resp = await client.post("/api/analyses", json={"url": "not a url"})
        assert resp.status_code == 422 and "URL" in resp.json()["detail"]
        resp = await client.post("/api/analyses", json={"url": "ftp://example.com/x"})
        assert resp.status_code == 422
        assert (await client.get("/api/analyses/00000000-0000-0000-0000-000000000000")).status_code == 404
        assert (await client.get("/api/analyses/nope/report")).status_code == 404
        big = {"file": ("reviews.csv", b"text\n" + b"x" * 2000, "text/csv")}
        resp = await client.post("/api/analyses", files=big)
        assert resp.status_code == 413 and "MB" in resp.json()["detail"]
        with pytest.raises(ConnectionClosed) as closed:
            async with connect(f"{server.ws_base}/ws/analyses/unknown-id") as ws:
                await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404
        codes = Counter()
        for _ in range(7):
            r = await client.post("/api/analyses", json={"url": "::bad::"})
            codes[r.status_code] += 1
        assert codes[429] >= 1, codes


async def test_unsupported_page_fails_with_the_supported_sites(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        job_id = await submit(client, f"{server.base}/healthz")
        body = await wait_final(client, job_id)
        assert body["job"]["status"] == "failed"
        assert body["job"]["failure_code"] == "unsupported_site"
        assert "schema.org" in body["job"]["failure_reason"]


async def test_blocked_site_fails_with_reason_and_keeps_what_it_has(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        job_id = await submit(client, await demo_url(client, "blocked"))
        events = await watch(server.ws_base, job_id)
        assert events[-1]["type"] == "failed"
        assert "403" in events[-1]["data"]["reason"]
        body = (await client.get(f"/api/analyses/{job_id}")).json()
        assert body["job"]["status"] == "failed"
        report = (await client.get(f"/api/analyses/{job_id}/report")).json()
        assert report["total_reviews"] == body["job"]["collected"]


async def test_page_without_reviews_completes_with_an_empty_report(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        job_id = await submit(client, await demo_url(client, "empty"))
        body = await wait_final(client, job_id)
        assert body["job"]["status"] == "completed"
        report = (await client.get(f"/api/analyses/{job_id}/report")).json()
        assert report["total_reviews"] == 0 and report["score"] is None
        assert report["empty_reason"]


async def test_cancel_a_running_job_then_delete_it(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        job_id = await submit(client, await demo_url(client, "slow"))
        resp = await client.delete(f"/api/analyses/{job_id}")
        assert resp.status_code == 409  # still running
        resp = await client.post(f"/api/analyses/{job_id}/cancel")
        assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
        events = await watch(server.ws_base, job_id)
        assert events[-1]["type"] == "cancelled"
        assert (await client.post(f"/api/analyses/{job_id}/cancel")).status_code == 409
        await server.container.bus.drain(30)
        assert (await client.delete(f"/api/analyses/{job_id}")).status_code == 204
        assert (await client.get(f"/api/analyses/{job_id}")).status_code == 404


async def test_upload_with_broken_rows_analyses_the_good_ones(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    csv_body = (
        "리뷰내용,별점\n"
        "배송이 빠르고 포장도 꼼꼼해요,5\n"
        ",4\n"
        "사이즈가 너무 작아서 교환했어요,2\n"
        "색상이 예뻐요,11\n"
        "가격 대비 품질이 좋아요,4\n"
    ).encode()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        resp = await client.post(
            "/api/analyses",
            files={"file": ("export.csv", csv_body, "text/csv")},
            data={"mapping": '{"text": "리뷰내용", "rating": "별점"}'},
        )
        assert resp.status_code == 202, resp.text
        job_id = resp.json()["id"]
        events = await watch(server.ws_base, job_id)
        assert events[-1]["type"] == "completed"
        assert not any(e["type"] == "stage" and e["data"]["stage"] == "collect" for e in events)
        report = (await client.get(f"/api/analyses/{job_id}/report")).json()
        assert report["total_reviews"] == 3
        assert sorted(r["line"] for r in report["skipped_rows"]) == [3, 5]


async def test_token_protects_the_api_when_set(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server(api_token="s3cret")
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        assert (await client.get("/api/analyses")).status_code == 401
        resp = await client.post("/api/analyses", json={"url": "https://example.com/p"})
        assert resp.status_code == 401
        ok = await client.get("/api/analyses", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert (await client.get("/healthz")).status_code == 200
        with pytest.raises(ConnectionClosed) as closed:
            async with connect(f"{server.ws_base}/ws/analyses/x") as ws:
                await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_server_error_midway_fails_but_keeps_and_reports_the_first_pages(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        job_id = await submit(client, await demo_url(client, "broken"))
        events = await watch(server.ws_base, job_id)
        assert events[-1]["type"] == "failed"
        reason = events[-1]["data"]["reason"]
        assert "500" in reason and "100" in reason, reason  # page 2 fails after 100 reviews
        body = (await client.get(f"/api/analyses/{job_id}")).json()
        assert body["job"]["status"] == "failed" and body["job"]["collected"] == 100
        report = (await client.get(f"/api/analyses/{job_id}/report")).json()
        assert report["total_reviews"] == 100 and report["analyzed_reviews"] == 100


async def test_unreachable_host_fails_with_a_reason(start_server) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import free_port

    dead_port = free_port()  # nothing listens there
    server = await start_server(allow_hosts=[f"127.0.0.1:{dead_port}"], fetch_retries=0)
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        job_id = await submit(client, f"http://127.0.0.1:{dead_port}/demo/products/tee")
        body = await wait_final(client, job_id)
        assert body["job"]["status"] == "failed"
        assert body["job"]["failure_code"] == "unreachable", body["job"]


async def test_an_upload_path_outside_the_upload_folder_is_refused(start_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("text\n좋아요\n", encoding="utf-8")
    job = await server.container.jobs.start_upload(outside, "elsewhere.csv")
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        body = await wait_final(client, job.job_id)
    assert body["job"]["status"] == "failed" and body["job"]["failure_code"] == "bad_file"
    assert body["job"]["collected"] == 0
