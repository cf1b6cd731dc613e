"""`highpipe warehouse migrate|query` through the typer app (the lead registers it as `highpipe warehouse`)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from highpipe.entrypoints.cli_batch import warehouse_app

runner = CliRunner()


def test_migrate_then_query_as_json_and_tsv(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    migrated = runner.invoke(warehouse_app, ["migrate", "--warehouse", url])
    assert migrated.exit_code == 0, migrated.output
    assert "applied now: [1]" in migrated.output
    again = runner.invoke(warehouse_app, ["migrate", "--warehouse", url])
    assert "applied now: none" in again.output

    sql = "SELECT aspect_id, label_ko FROM dim_aspect WHERE aspect_id IN ('delivery', 'price') ORDER BY 1"
    as_json = runner.invoke(warehouse_app, ["query", sql, "--json", "--warehouse", url])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == [
        {"aspect_id": "delivery", "label_ko": "배송"},
        {"aspect_id": "price", "label_ko": "가격/가성비"},
    ]
    tsv = runner.invoke(warehouse_app, ["query", sql, "--warehouse", url, "--limit", "1"])
    assert tsv.stdout.splitlines() == ["aspect_id\tlabel_ko", "delivery\t배송"]
    assert "first 1 rows" in tsv.stderr


def test_query_errors_exit_1_with_the_reason(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    runner.invoke(warehouse_app, ["migrate", "--warehouse", url])
    bad = runner.invoke(warehouse_app, ["query", "SELECT * FROM no_such_table", "--warehouse", url])
    assert bad.exit_code == 1
    assert "query failed" in bad.stderr and "no_such_table" in bad.stderr
    write = runner.invoke(warehouse_app, ["query", "DROP TABLE dim_date", "--warehouse", url])
    assert write.exit_code == 1
    assert "read-only" in write.stderr.lower() or "read only" in write.stderr.lower()
