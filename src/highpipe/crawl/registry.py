"""Which extractor handles a URL: the site-specific ones first, the generic schema.org one last.

Extractors are listed as "module:Class" and imported on first use, like the backend registries.
`find_extractor(url)` for crawling, `get_extractor(name)` for `highpipe crawl extract --site NAME`,
`SUPPORTED_SITES` (human names, Korean / English) for error messages.
"""

from __future__ import annotations

import importlib
from typing import Final

from highpipe.crawl.base import Extractor

_DEMO: Final[str] = "highpipe.crawl.demo:DemoShopExtractor"
_COUPANG: Final[str] = "highpipe.crawl.coupang:CoupangExtractor"
_NAVER: Final[str] = "highpipe.crawl.naver:NaverStoreExtractor"
_AMAZON: Final[str] = "highpipe.crawl.amazon:AmazonExtractor"
_ELEVENST: Final[str] = "highpipe.crawl.elevenst:ElevenStreetExtractor"
_GENERIC: Final[str] = "highpipe.crawl.schema_org:SchemaOrgExtractor"

# Order matters: the first whose matches(url) is true wins; the generic one matches nothing.
# Each site's matches() checks its own host names, so the order among them only matters for the demo
# shop, whose path-only match must not shadow a shop URL that happens to contain /demo/products/.
_SPECIFIC: Final[tuple[str, ...]] = (_COUPANG, _NAVER, _AMAZON, _ELEVENST, _DEMO)

# name (and aliases) -> "module:Class"
_BY_NAME: Final[dict[str, str]] = {
    "demo": _DEMO,
    "coupang": _COUPANG,
    "쿠팡": _COUPANG,
    "naver": _NAVER,
    "smartstore": _NAVER,
    "네이버": _NAVER,
    "amazon": _AMAZON,
    "11st": _ELEVENST,
    "elevenst": _ELEVENST,
    "11번가": _ELEVENST,
    "web": _GENERIC,
    "schema.org": _GENERIC,
    "schema_org": _GENERIC,
}

SUPPORTED_SITES: Final[list[str]] = [
    "쿠팡 상품 (coupang.com/vp/products/<id>) / Coupang products",
    "네이버 스마트스토어·브랜드스토어 (smartstore.naver.com, brand.naver.com) / Naver SmartStore and brand stores",
    "Amazon 상품 (amazon.<국가>/dp/<ASIN>) / Amazon products (amazon.<tld>/dp/<ASIN>)",
    "11번가 상품 (11st.co.kr/products/<id>) / 11st products",
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
