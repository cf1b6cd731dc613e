"""Settings: one pydantic-settings class, env prefix HIGHPIPE_, validated at start."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIGHPIPE_", env_file=None, extra="ignore")

    # backends, chosen by URL scheme (DESIGN.md)
    bus_url: str = "memory://"
    database_url: str = "sqlite+aiosqlite:///./.highpipe/highpipe.db"
    cache_url: str = "memory://"
    lake_url: str = ".highpipe/lake"
    lake_flush_rows: int = Field(
        default=20_000, ge=0, description="lake rows buffered per file; 0: unbatched"
    )
    lake_flush_seconds: float = Field(
        default=30.0, gt=0, description="flush the lake buffer at least this often"
    )
    lake_compact_files: int = Field(default=8, ge=2, description="compact a raw partition at this many files")
    warehouse_url: str = "duckdb:///.highpipe/warehouse.duckdb"
    llm_url: str = ""

    # HTTP service
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = Field(default="", description="base URL shown to users; default http://host:port")
    api_token: str = Field(default="", description="bearer token required for state-changing calls if set")
    alerts_webhook_token: str = Field(
        default="",
        description="bearer token Alertmanager sends to POST /api/alerts/alertmanager; "
        "empty: HIGHPIPE_API_TOKEN applies",
    )
    rate_limit_per_minute: int = Field(default=30, ge=1, description="analysis submissions per client")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    upload_dir: str = ".highpipe/uploads"

    # privacy
    author_salt: str = Field(default="highpipe-dev-salt", description="salt for reviewer-name hashes")

    # crawling
    allow_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="hosts (or host:port) exempt from the SSRF guard, comma-separated"
    )
    fetch_timeout_s: float = Field(default=15.0, gt=0)
    fetch_retries: int = Field(default=3, ge=0)
    fetch_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    fetch_per_host_concurrency: int = Field(default=4, ge=1)
    user_agent: str = "HighPipeBot/0.1 (+review analysis)"
    respect_robots: bool = Field(default=True, description="honour robots.txt (and its Crawl-delay)")
    max_reviews: int = Field(default=5_000, ge=1)
    max_pages: int = Field(default=500, ge=1)
    crawl_time_budget_s: float = Field(default=900.0, gt=0, description="wall-clock budget per crawl job")
    fetch_http2: bool = Field(default=True, description="offer HTTP/2 to shops (httpx + h2)")

    # headless browser (Selenium + Debian's Chromium), for pages whose reviews are drawn by script
    use_browser: Literal["auto", "never", "always"] = "auto"
    browser_pool_size: int = Field(default=2, ge=1)
    browser_max_pages_per_driver: int = Field(default=100, ge=1, description="recycle a driver after this")
    browser_page_timeout_s: float = Field(default=30.0, gt=0)
    browser_binary: str = "/usr/bin/chromium"
    browser_driver: str = "/usr/bin/chromedriver"

    # analysis
    analyze_batch_size: int = Field(default=200, ge=1)
    card_min_mentions: int = Field(default=3, ge=1)

    # bus behaviour
    bus_max_attempts: int = Field(default=3, ge=1)
    log_format: str = Field(default="pretty", description="pretty | json")
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _db_scheme(cls, v: str) -> str:
        if "://" not in v:
            raise ValueError("HIGHPIPE_DATABASE_URL must be a URL such as sqlite+aiosqlite:///./x.db")
        return v

    @field_validator("allow_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, v: object) -> object:
        if isinstance(v, str):
            return [h.strip() for h in v.split(",") if h.strip()]
        return v

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"
