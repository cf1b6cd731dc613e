"""Which extractor handles a URL: the site-specific ones first, the generic schema.org one last.

Extractors are listed as "module:Class" and imported on first use, like the backend registries.
`find_extractor(url)` for crawling, `get_extractor(name)` for `highpipe crawl extract --site NAME`,
`SUPPORTED_SITES` (human names, Korean / English) for error messages.
"""

from __future__ import annotations

import importlib
from typing import Final

from highpipe.crawl.base import Extractor

# Order matters: the first whose matches(url) is true wins; the generic one matches nothing.
_SPECIFIC: Final[tuple[str, ...]] = ("highpipe.crawl.demo:DemoShopExtractor",)
_GENERIC: Final[str] = "highpipe.crawl.schema_org:SchemaOrgExtractor"

# name (and aliases) -> "module:Class"
_BY_NAME: Final[dict[str, str]] = {
    "demo": "highpipe.crawl.demo:DemoShopExtractor",
    "web": _GENERIC,
    "schema.org": _GENERIC,
    "schema_org": _GENERIC,
}

SUPPORTED_SITES: Final[list[str]] = [
    "HighPipe 데모 상점 (/demo/products/<id>) / HighPipe demo shop",
    "schema.org 리뷰 마크업(JSON-LD 또는 microdata)이 있는 모든 페이지 / "
    "any page with schema.org Review markup (JSON-LD or microdata)",
]


class UnknownSite(LookupError):
    """`get_extractor` was given a name no extractor has; the message lists the known ones."""


def _load(target: str) -> Extractor:
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    instance = cls()
    if not isinstance(instance, Extractor):
        raise TypeError(f"{target} is not an Extractor")
    return instance


def find_extractor(url: str) -> Extractor:
    """The extractor for this URL; the generic schema.org extractor when no specific one matches."""
    for target in _SPECIFIC:
        extractor = _load(target)
        if extractor.matches(url):
            return extractor
    return _load(_GENERIC)


def get_extractor(name: str) -> Extractor:
    target = _BY_NAME.get(name.strip().lower())
    if target is None:
        known = ", ".join(sorted(_BY_NAME))
        raise UnknownSite(
            f"알 수 없는 사이트 이름입니다: {name!r} (사용 가능: {known}) / unknown site {name!r}; known: {known}"
        )
    return _load(target)


def site_names() -> list[str]:
    """Names `get_extractor` accepts (for CLI help)."""
    return sorted(_BY_NAME)


def unsupported_message(url: str) -> str:
    """The sentence a user reads when a page has nothing we can extract."""
    sites_ko = ", ".join(s.split(" / ")[0] for s in SUPPORTED_SITES)
    sites_en = ", ".join(s.split(" / ")[-1] for s in SUPPORTED_SITES)
    return (
        f"이 페이지에서 상품/리뷰 정보를 찾지 못했습니다: {url} — 지원: {sites_ko}. "
        f"/ No product or review data found on this page: {url}. Supported: {sites_en}."
    )
