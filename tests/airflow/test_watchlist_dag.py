"""highpipe_watchlist_refresh with dag.test() against the real embedded HighPipe and its demo shop.

The demo earbuds get worse over time: their newest reviews are more negative than the whole. A first refresh
analyses all their reviews; a second, a complete re-crawl of only the newest 40, sees a higher negative share
(with the shipped analyser about 7 percentage points, 3.75 and 1.5 with two earlier engines: the demo shop's
drift is gentle and its size depends on the analyser, so the run lowers the alert threshold through the DAG's
`alert_rise_pp` param). HighPipe raises the alert and the DAG emits it as an
asset event. Every item's alert, or its absence, must follow the rule from the recorded shares.
"""

from __future__ import annotations

from typing import Any

import httpx

from conftest import task_state, xcom

FAST = {"poll_s": 0.3}


def _clear_watchlist(http: httpx.Client) -> None:
    for item in http.get("/api/watchlist").json():
        assert http.delete(f"/api/watchlist/{item['id']}").status_code == 204


def _alert_events() -> list[dict[str, Any]]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(
            select(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .where(AssetModel.name == "highpipe_negative_share_alerts")
            .order_by(AssetEvent.id)
        ).all()
        return [dict(row.extra or {}) for row in rows]


def test_refresh_records_each_product_and_alerts_on_a_sharp_negative_rise(
    dagbag: Any, http: httpx.Client, demo: dict[str, str]
) -> None:
    _clear_watchlist(http)
    earbuds = http.post("/api/watchlist", json={"url": demo["earbuds"], "label": "이어폰"}).json()
    steady = http.post("/api/watchlist", json={"url": demo["almonds"]}).json()
    dag = dagbag.get_dag("highpipe_watchlist_refresh")
    events_before = len(_alert_events())

    first = dag.test(run_conf=FAST)
    assert str(first.state) == "success"
    results = {r["watch_id"]: r for r in (xcom(first, "refresh", i) for i in range(2))}
    assert set(results) == {earbuds["id"], steady["id"]}
    assert all(r["alert"] is None for r in results.values())  # nothing to compare with yet
    assert task_state(first, "alerts") == "skipped" and len(_alert_events()) == events_before
    stored = {i["id"]: i for i in http.get("/api/watchlist").json()}
    assert stored[earbuds["id"]]["last_job_id"] == results[earbuds["id"]]["job_id"]
    baseline = stored[earbuds["id"]]["last_negative_share"]

    second = dag.test(run_conf={**FAST, "full": True, "max_reviews": 40, "alert_rise_pp": 3})
    assert str(second.state) == "success"
    refreshed = {r["watch_id"]: r for r in (xcom(second, "refresh", i) for i in range(2))}
    for watch_id, result in refreshed.items():
        rise = round((result["negative_share"] - stored[watch_id]["last_negative_share"]) * 100, 2)
        assert (result["alert"] is not None) == (rise >= 3), (result, rise)  # the rule, both ways
    alerts = xcom(second, "alerts")
    assert alerts and earbuds["id"] in [a["watch_id"] for a in alerts], refreshed
    alert = next(a for a in alerts if a["watch_id"] == earbuds["id"])
    assert alert["previous_share"] == round(baseline, 4) and alert["reviews"] == 40
    assert alert["rise_pp"] >= 3 and alert["label"] == "이어폰"
    assert alert["job_id"] == refreshed[earbuds["id"]]["job_id"]
    events = _alert_events()
    assert len(events) == events_before + 1 and events[-1]["alerts"] == alerts
    assert http.get(f"/api/watchlist/{earbuds['id']}").json()["last_alert"]["job_id"] == alert["job_id"]
    _clear_watchlist(http)
