"""Incremental re-crawl through the live server: a second analysis of the same demo product fetches only
its newest page, finds nothing new, and still reports on every review of the product."""

from __future__ import annotations

import httpx

from tests.integration.helpers import submit, wait_final


async def test_second_analysis_stops_at_the_first_known_page(start_server) -> None:  # type: ignore[no-untyped-def]
    server = await start_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        products = (await client.get("/api/demo/products")).json()
        # more than one page (100 reviews a page), so stopping early is visible
        multi = [p for p in products if int(p["review_count"]) > 100 and not str(p["id"]).startswith("bench")]
        product = min(multi, key=lambda p: int(p["review_count"]))
        url = str(product["url"])

        first_id = await submit(client, url)
        first = await wait_final(client, first_id)
        assert first["job"]["status"] == "completed", first
        assert first["job"]["pages"] > 1
        first_report = (await client.get(f"/api/analyses/{first_id}/report")).json()
        assert first_report["total_reviews"] == product["review_count"]
        assert first_report["new_reviews"] == product["review_count"]  # all new the first time

        second_id = await submit(client, url)
        second = await wait_final(client, second_id)
        assert second["job"]["status"] == "completed", second
        assert second["job"]["pages"] == 1, "stops at the first page whose reviews are all known"
        report = (await client.get(f"/api/analyses/{second_id}/report")).json()
        assert report["new_reviews"] == 0
        assert report["total_reviews"] == first_report["total_reviews"]
        assert report["analyzed_reviews"] == report["total_reviews"]

        full_id = await submit(client, url, full=True)
        full = await wait_final(client, full_id)
        assert full["job"]["status"] == "completed", full
        assert full["job"]["pages"] == first["job"]["pages"], "full=true crawls every page again"
        full_report = (await client.get(f"/api/analyses/{full_id}/report")).json()
        assert full_report["total_reviews"] == first_report["total_reviews"]
