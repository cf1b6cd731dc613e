"""The extractor registry: specific extractors first, generic schema.org last; names for the CLI."""

from __future__ import annotations

import pytest

from highpipe.crawl.demo import DemoShopExtractor
from highpipe.crawl.registry import (
    SUPPORTED_SITES,
    UnknownSite,
    find_extractor,
    get_extractor,
    site_names,
    unsupported_message,
)
from highpipe.crawl.schema_org import SchemaOrgExtractor


@pytest.mark.parametrize(
    ("url", "cls"),
    [
        ("http://127.0.0.1:8000/demo/products/tee", DemoShopExtractor),
        ("http://127.0.0.1:8001/demo/api/products/bench-20k/reviews?page=3", DemoShopExtractor),
        ("http://127.0.0.1:8000/demo/products/tee/reviews?page=2", SchemaOrgExtractor),
        ("https://shop.example.com/goods/coffee-set", SchemaOrgExtractor),
        ("not a url", SchemaOrgExtractor),
    ],
)
def test_find_extractor(url: str, cls: type) -> None:
    assert type(find_extractor(url)) is cls


def test_find_extractor_gives_fresh_instances() -> None:
    url = "http://127.0.0.1:8000/demo/products/tee"
    assert find_extractor(url) is not find_extractor(url)


@pytest.mark.parametrize(
    ("name", "cls"),
    [("demo", DemoShopExtractor), ("web", SchemaOrgExtractor), ("schema.org", SchemaOrgExtractor),
     (" Schema_Org ", SchemaOrgExtractor)],
)  # fmt: skip
def test_get_extractor(name: str, cls: type) -> None:
    extractor = get_extractor(name)
    assert type(extractor) is cls
    assert extractor.name in site_names()


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownSite) as err:
        get_extractor("gmarket")
    for name in site_names():
        assert name in str(err.value)
    assert isinstance(err.value, LookupError)


def test_supported_sites_are_human_and_bilingual() -> None:
    assert len(SUPPORTED_SITES) == 6
    assert any("데모" in s and "demo shop" in s for s in SUPPORTED_SITES)
    assert any("JSON-LD" in s and "microdata" in s for s in SUPPORTED_SITES)
    message = unsupported_message("https://x.example/")
    assert message.index("지원") < message.index("Supported")  # Korean first
