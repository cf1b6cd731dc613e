"""Warehouse URL parsing: the accepted forms, their defaults, and messages for the rejected ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from highpipe.warehouse.url import DEFAULT_URL, check_identifier, parse_warehouse_url


def test_default_duckdb_url_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = parse_warehouse_url(DEFAULT_URL)
    assert url.dialect == "duckdb"
    assert url.path == str(tmp_path / ".highpipe" / "warehouse.duckdb")
    assert url.schema == "main"


def test_duckdb_absolute_and_memory() -> None:
    assert parse_warehouse_url("duckdb:////var/lib/wh.duckdb").path == "/var/lib/wh.duckdb"
    assert parse_warehouse_url("duckdb:///:memory:").path == ":memory:"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+asyncpg"])
def test_postgres_forms(scheme: str) -> None:
    url = parse_warehouse_url(f"{scheme}://ana%40corp:p%2Fw@db.internal:6543/warehouse?schema=analytics")
    assert (url.dialect, url.host, url.port, url.database, url.schema) == (
        "postgresql",
        "db.internal",
        6543,
        "warehouse",
        "analytics",
    )
    assert (url.user, url.password) == ("ana@corp", "p/w")
    assert "p/w" not in url.redacted() and "***" in url.redacted()


def test_postgres_defaults_and_jdbc() -> None:
    url = parse_warehouse_url("postgresql://u:secret@127.0.0.1/db?sslmode=require")
    assert (url.port, url.schema) == (5432, "public")
    jdbc = url.jdbc_url()
    assert jdbc.startswith("jdbc:postgresql://127.0.0.1:5432/db?")
    assert "prepareThreshold=0" in jdbc and "sslmode=require" in jdbc
    assert "secret" not in jdbc  # credentials travel as properties
    assert url.jdbc_properties()["password"] == "secret"


def test_redshift_uses_its_default_port() -> None:
    url = parse_warehouse_url("redshift://u:p@cluster.example:5439/dev?schema=hp")
    assert (url.dialect, url.port, url.is_postgres_protocol) == ("redshift", 5439, True)
    assert parse_warehouse_url("redshift://u:p@cluster.example/dev").port == 5439


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "HIGHPIPE_WAREHOUSE_URL"),
        ("warehouse.duckdb", "no scheme"),
        ("mysql://h/db", "unknown warehouse URL scheme"),
        ("duckdb://relative.duckdb", "duckdb:///relative/path"),
        ("duckdb:///", "names no file"),
        ("postgresql:///db", "no host"),
        ("postgresql://h:5432/", "names no database"),
        ("postgresql://h/db?schema=Robert');DROP", "not a plain identifier"),
        ("postgresql://h/db?search_path=x", "unknown parameter"),
        ("postgresql://h/db?sslmode=sometimes", "sslmode"),
        ("postgresql://h:99999/db", "invalid port"),
    ],
)
def test_rejected_urls_say_what_to_write(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_warehouse_url(url)


def test_duckdb_has_no_jdbc_form() -> None:
    with pytest.raises(ValueError, match="no JDBC form"):
        parse_warehouse_url("duckdb:///:memory:").jdbc_url()


@pytest.mark.parametrize("name", ["", "Upper", "1st", "a-b", 'x"y', "a" * 64])
def test_identifiers_are_checked(name: str) -> None:
    with pytest.raises(ValueError):
        check_identifier("table", name)
