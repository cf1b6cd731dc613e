"""Warehouse URLs (`HIGHPIPE_WAREHOUSE_URL`) parsed into a `WarehouseURL`.

Accepted forms:
- `duckdb:///relative/path.duckdb` (relative to the working directory; the default is
  `duckdb:///.highpipe/warehouse.duckdb`), `duckdb:////abs/path.duckdb`, `duckdb:///:memory:`.
- `postgresql://user:password@host:port/database?schema=analytics` (also `postgres://` and
  `postgresql+asyncpg://`, so the store's URL can be reused); `schema` defaults to `public`, and `sslmode`
  (`disable|require|verify-full`) is passed on to both asyncpg and JDBC.
- `redshift://user:password@cluster-host:5439/database?schema=analytics`: the PostgreSQL wire protocol with
  Redshift's default port; the same code path (see docs/data-platform.md for the COPY-from-S3 load).

Credentials in the URL are percent-decoded; `redacted()` hides the password for logs and messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

Dialect = Literal["duckdb", "postgresql", "redshift"]

DEFAULT_URL: Final = "duckdb:///.highpipe/warehouse.duckdb"
_PG_SCHEMES: Final = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+asyncpg": "postgresql",
}
_IDENT: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SSLMODES: Final = frozenset({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})


def check_identifier(kind: str, name: str) -> str:
    """`name` if it is a plain lower-case SQL identifier (safe to quote into DDL), else ValueError."""
    if not _IDENT.fullmatch(name):
        raise ValueError(
            f"warehouse {kind} {name!r} is not a plain identifier: use lower-case letters, digits and '_', "
            "starting with a letter or '_' (at most 63 characters)"
        )
    return name


@dataclass(frozen=True, slots=True)
class WarehouseURL:
    dialect: Dialect
    path: str = ""  # duckdb: a file path or ":memory:"
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    database: str = ""
    schema: str = "main"
    sslmode: str = ""

    @property
    def is_postgres_protocol(self) -> bool:
        return self.dialect in ("postgresql", "redshift")

    def redacted(self) -> str:
        if self.dialect == "duckdb":
            return f"duckdb:///{self.path}"
        auth = f"{quote(self.user, safe='')}:***@" if self.user else ""
        return f"{self.dialect}://{auth}{self.host}:{self.port}/{self.database}?schema={self.schema}"

    def jdbc_url(self) -> str:
        """The JDBC URL for Spark (credentials go in `jdbc_properties`, never in the URL)."""
        if not self.is_postgres_protocol:
            raise ValueError(
                f"{self.redacted()} has no JDBC form: only PostgreSQL and Redshift warehouses do"
            )
        # prepareThreshold=0: no server-side prepared statements, so PgBouncer in transaction mode works;
        # reWriteBatchedInserts: multi-row INSERTs, several times faster for Spark's batched writes.
        options = "prepareThreshold=0&reWriteBatchedInserts=true"
        if self.sslmode:
            options += f"&sslmode={self.sslmode}"
        return f"jdbc:postgresql://{self.host}:{self.port}/{quote(self.database, safe='')}?{options}"

    def jdbc_properties(self) -> dict[str, str]:
        return {"user": self.user, "password": self.password, "driver": "org.postgresql.Driver"}


def parse_warehouse_url(url: str) -> WarehouseURL:
    """Parse a warehouse URL; raises ValueError with a message that says what to write instead."""
    if not url:
        raise ValueError(f"the warehouse URL is empty: set HIGHPIPE_WAREHOUSE_URL (default {DEFAULT_URL})")
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"warehouse URL {url!r} has no scheme: use duckdb:///path or postgresql://host/db")
    scheme = scheme.lower()
    if scheme == "duckdb":
        return _parse_duckdb(url, rest)
    if scheme in _PG_SCHEMES or scheme == "redshift":
        return _parse_postgres(url, "redshift" if scheme == "redshift" else "postgresql")
    raise ValueError(
        f"unknown warehouse URL scheme {scheme!r} in {url!r}: use duckdb://, postgresql:// or redshift://"
    )


def _parse_duckdb(url: str, rest: str) -> WarehouseURL:
    # Three slashes then the path, as SQLAlchemy does for SQLite: `duckdb:///rel`, `duckdb:////abs`.
    if not rest.startswith("/"):
        raise ValueError(f"warehouse URL {url!r}: write duckdb:///relative/path or duckdb:////absolute/path")
    path = unquote(rest[1:].split("?", 1)[0])
    if not path:
        raise ValueError(f"warehouse URL {url!r} names no file: e.g. {DEFAULT_URL}")
    if path != ":memory:":
        path = str(Path(path).absolute())
    return WarehouseURL(dialect="duckdb", path=path, schema="main")


def _parse_postgres(url: str, dialect: Dialect) -> WarehouseURL:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"warehouse URL {url!r} has an invalid port") from exc
    if not parts.hostname:
        raise ValueError(f"warehouse URL {url!r} has no host: e.g. postgresql://user:pw@127.0.0.1:5432/db")
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise ValueError(f"warehouse URL {url!r} names no database: add /<database> after the host")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"schema", "sslmode"}
    if unknown:
        raise ValueError(
            f"warehouse URL {url!r}: unknown parameter(s) {sorted(unknown)}; known: schema, sslmode"
        )
    sslmode = query.get("sslmode", "")
    if sslmode and sslmode not in _SSLMODES:
        raise ValueError(f"warehouse URL {url!r}: sslmode must be one of {sorted(_SSLMODES)}")
    return WarehouseURL(
        dialect=dialect,
        host=parts.hostname,
        port=port or (5439 if dialect == "redshift" else 5432),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        database=database,
        schema=check_identifier("schema", query.get("schema", "public")),
        sslmode=sslmode,
    )
