"""Stable identities for products and reviews, and privacy-safe reviewer names (PIPA)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime


def product_id(site: str, site_product_id: str) -> str:
    return f"{site}:{site_product_id}"


def upload_product_id(file_sha256: str) -> str:
    return f"upload:{file_sha256}"


def review_uid(
    site: str,
    site_review_id: str | None,
    *,
    author: str | None = None,
    date: datetime | str | None = None,
    text: str = "",
) -> str:
    """`<site>:<site review id>`, else `<site>:` + sha256(author|date|text)[:16]."""
    if site_review_id:
        return f"{site}:{site_review_id}"
    date_s = date.isoformat() if isinstance(date, datetime) else (date or "")
    digest = hashlib.sha256(f"{author or ''}|{date_s}|{text}".encode()).hexdigest()[:16]
    return f"{site}:{digest}"


def hash_author(name: str | None, salt: str) -> str | None:
    """Salted hash of a reviewer name, for de-duplication only (never reversible without the salt)."""
    if not name:
        return None
    return hmac.new(salt.encode(), name.strip().encode(), hashlib.sha256).hexdigest()[:32]


def mask_author(name: str | None) -> str | None:
    """Masked display form: keep the first character, star the rest (김철수 -> 김**, john -> j***)."""
    if not name:
        return None
    name = name.strip()
    if not name:
        return None
    if "*" in name[1:] and name[0] != "*":
        return name  # already masked by the site
    return name[0] + "*" * max(len(name) - 1, 2)
