"""Reading Amazon's product (`/dp/`) and review (`/product-reviews/`) pages, and spotting its walls.

Built in 2026-11 against Amazon's markup as public scrapers and saved pages describe it; UNVERIFIED
against the live site until someone runs it there.

- Review block: `div[data-hook="review"]` with id `R…` (on /dp/ pages `customer_review-R…`);
  stars `i[data-hook="review-star-rating"]` or `cmps-review-star-rating` (class `a-star-4` / `a-star-4-5`,
  else the "4.0 out of 5 stars" text); `review-title` (minus the star text inside it); `review-date`
  ("Reviewed in the United States on November 2, 2026", also the UK, German, French, Spanish, Italian
  and Japanese wordings); author `.a-profile-name`; `review-body`; `avp-badge` = verified purchase;
  `format-strip` = option ("Color: Black | Size: 1.7 L"); `helpful-vote-statement` ("12 people found
  this helpful", "One person found this helpful").
- Dates are calendar dates: midnight UTC, or +09:00 on amazon.co.jp.
- Product: `#productTitle` (or `[data-hook="product-link"]` on review pages), price `.a-offscreen` in the
  core-price block (decimal comma understood), `#acrPopover` / `rating-out-of-text`,
  `#acrCustomerReviewText` / `total-review-count`, `#wayfinding-breadcrumbs_feature_div`, `#landingImage`.
- Walls: the sign-in page (`/ap/signin`, `form[name=signIn]`, `#ap_email`) and the robot check
  (`/errors/validateCaptcha`, "Robot Check") become `FetchError(code="blocked_by_site")`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit

from highpipe.crawl.base import UnsupportedPage
from highpipe.crawl.schema_org_markup import parse_html
from highpipe.crawl.shop_common import (
    Element,
    ShopReview,
    blocked,
    elements,
    find_text,
    first,
    first_of,
    has_class,
    itertext,
    meta,
    multiline_text,
    text_of,
)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january janvier januar enero gennaio jan",
            "february février fevrier februar febrero febbraio feb",
            "march mars märz marz marzo mar",
            "april avril abril aprile apr",
            "may mai mayo maggio",
            "june juin juni junio giugno jun",
            "july juillet juli julio luglio jul",
            "august août aout agosto aug",
            "september septembre septiembre settembre sep sept",
            "october octobre oktober octubre ottobre oct okt",
            "november novembre noviembre nov",
            "december décembre decembre dezember diciembre dicembre dec dez",
        ),
        start=1,
    )
    for name in names.split()
}
# "2 November 2026", "2. November 2026", "2 de noviembre de 2026" | "November 2, 2026"
_WORD_DATE = re.compile(
    r"(?:(\d{1,2})\.?\s+(?:de\s+)?([^\W\d_]+)\.?\s+(?:de\s+)?(\d{4}))"
    r"|(?:([^\W\d_]+)\.?\s+(\d{1,2}),\s*(\d{4}))"
)
_JA_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_STAR_CLASS = re.compile(r"\ba-star(?:-mini)?-(\d)(?:-(\d))?\b")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")
JST = timezone(timedelta(hours=9))


@dataclass(slots=True)
class AmazonProduct:
    title: str | None = None
    price: float | None = None
    average_rating: float | None = None
    review_count: int | None = None
    category: str | None = None
    image: str | None = None


def hook(name: str) -> str:
    return f"@data-hook='{name}'"


def parse_review_date(text: str | None, tld: str = "com") -> datetime | None:
    if not text:
        return None
    zone = JST if tld == "co.jp" else UTC
    m = _JA_DATE.search(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        for m in _WORD_DATE.finditer(text.lower()):
            day, month, year = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
            if month in _MONTHS:
                y, mo, d = int(year), _MONTHS[month], int(day)
                break
        else:
            return None
    try:
        return datetime(y, mo, d, tzinfo=zone)
    except ValueError:
        return None


def parse_stars(el: Element | None) -> float | None:
    """Stars from the icon's class (language-free), else from its "4.0 out of 5" / "5つ星のうち4.0" text."""
    if el is None:
        return None
    m = _STAR_CLASS.search(el.get("class") or "")
    if m:
        return float(m[1]) + (0.5 if m[2] else 0.0)
    return rating_from_text(text_of(el))


def rating_from_text(text: str | None) -> float | None:
    values = [float(v.replace(",", ".")) for v in _DECIMAL.findall(text or "")]
    if len(values) >= 2 and values[0] == 5 and values[1] != 5:
        return values[1]  # "5つ星のうち4.0": the scale comes first
    return values[0] if values and 0 < values[0] <= 5 else None


def parse_price(text: str | None) -> float | None:
    """ "$1,299.99", "1.299,99 €", "￥3,980" -> float; a separator followed by exactly 2 digits at the end
    is the decimal one."""
    m = re.search(r"\d[\d.,\s]*", text or "")
    if not m:
        return None
    raw = re.sub(r"\s", "", m.group()).rstrip(".,")
    decimal = re.search(r"[.,](\d{2})$", raw)
    whole = re.sub(r"[.,]", "", raw[: decimal.start()] if decimal else raw)
    try:
        return float(f"{whole}.{decimal.group(1)}" if decimal else whole)
    except ValueError:
        return None


def parse_count(text: str | None) -> int | None:
    m = re.search(r"\d[\d.,\s]*", text or "")
    return int(re.sub(r"\D", "", m.group())) if m else None


def _helpful(text: str | None) -> int | None:
    if not text:
        return None
    count = parse_count(text)
    return count if count is not None else 1  # "One person found this helpful" and its translations


def _title(el: Element | None) -> str | None:
    if el is None:
        return None
    parts = [text_of(s) for s in elements(el, ".//span[not(ancestor::i)][not(*)]")]
    return " ".join(p for p in parts if p) or text_of(el)


def _option(el: Element | None) -> str | None:
    """The format strip, with Amazon's separator icons turned into " | "."""
    if el is None:
        return None
    pieces = [el.text or ""]
    for child in el:
        pieces.append(" | " if child.tag == "i" else itertext(child))
        pieces.append(child.tail or "")
    return " ".join("".join(pieces).split()) or None


def read_reviews(root: Element, tld: str = "com") -> list[ShopReview]:
    out = []
    for block in elements(root, f"//*[{hook('review')}]"):
        body = first(block, f".//*[{hook('review-body')}]")
        if body is not None:
            body = first_of(body, ".//*[@data-hook='review-collapsed']", ".")
        review_id = (
            (block.get("id") or "").removeprefix("customer_review-").removeprefix("customer_review_foreign-")
        )
        out.append(
            ShopReview(
                text=multiline_text(body) or "",
                site_review_id=review_id or None,
                rating=parse_stars(
                    first(block, f".//*[{hook('review-star-rating')} or {hook('cmps-review-star-rating')}]")
                ),
                title=_title(first(block, f".//*[{hook('review-title')}]")),
                date=parse_review_date(find_text(block, f".//*[{hook('review-date')}]"), tld),
                author=find_text(block, f".//*[{has_class('a-profile-name')}]"),
                option=_option(first(block, f".//*[{hook('format-strip')}]")),
                helpful=_helpful(find_text(block, f".//*[{hook('helpful-vote-statement')}]")),
                verified_purchase=first(block, ".//*[starts-with(@data-hook, 'avp-badge')]") is not None,
            )
        )
    return out


def read_product(root: Element) -> AmazonProduct:
    facts = AmazonProduct()
    facts.title = find_text(root, "//*[@id='productTitle']") or find_text(
        root, f"//*[{hook('product-link')}]"
    )
    for xpath in (
        "//*[@id='corePriceDisplay_desktop_feature_div']//*[contains(@class, 'a-offscreen')]",
        "//*[@id='corePrice_feature_div']//*[contains(@class, 'a-offscreen')]",
        "//*[@id='priceblock_ourprice' or @id='priceblock_dealprice']",
        f"//*[@id='centerCol']//*[{has_class('a-price')}]//*[{has_class('a-offscreen')}]",
    ):
        facts.price = parse_price(find_text(root, xpath))
        if facts.price is not None:
            break
    popover = first(root, "//*[@id='acrPopover']")
    facts.average_rating = rating_from_text(
        (popover.get("title") if popover is not None else None)
        or find_text(root, f"//*[{hook('rating-out-of-text')}]")
        or find_text(root, "//*[@id='acrPopover']//*[contains(@class, 'a-icon-alt')]")
    )
    facts.review_count = parse_count(
        find_text(root, "//*[@id='acrCustomerReviewText']")
        or find_text(root, f"//*[{hook('total-review-count')}]")
        or find_text(root, f"//*[{hook('cr-filter-info-review-rating-count')}]")
    )
    crumbs = [text_of(a) for a in elements(root, "//*[@id='wayfinding-breadcrumbs_feature_div']//li//a")]
    facts.category = " > ".join(c for c in crumbs if c) or None
    img = first_of(root, "//img[@id='landingImage']", "//*[@id='imgTagWrapperId']//img")
    image = (img.get("data-old-hires") or img.get("src")) if img is not None else None
    facts.image = image or meta(root, "og:image")
    return facts


def next_page(root: Element) -> str | None:
    link = first(root, f"//li[{has_class('a-last')}][not({has_class('a-disabled')})]/a[@href]")
    return link.get("href") if link is not None else None


def check_wall(content: str, url: str) -> None:
    """Raise blocked_by_site when the page is Amazon's sign-in page or robot check instead of content."""
    path = urlsplit(url).path
    head = content[:200_000]
    if "/errors/validatecaptcha" in head.lower() or re.search(r"<title>\s*robot check", head, re.I):
        raise blocked(
            "Amazon이 로봇 확인(캡차) 페이지를 보여 주었습니다",
            "Amazon answered with its robot check (captcha) page instead of the reviews",
        )
    if (
        path.startswith("/ap/signin")
        or re.search(r"<form[^>]+name=[\"']signIn[\"']", head)
        or 'id="ap_email"' in head
        or re.search(r"<title>\s*Amazon Sign[- ]In", head, re.I)
    ):
        raise blocked(
            "Amazon이 리뷰를 보여 주기 전에 로그인을 요구합니다 (로그인 페이지가 나왔습니다)",
            "Amazon asks to sign in before showing the reviews (it answered with its sign-in page)",
        )


def parse(content: str, url: str) -> Element:
    """The page's element tree, after the wall check (FetchError for walls, UnsupportedPage if empty)."""
    check_wall(content, url)
    root = parse_html(content)
    if root is None:
        raise UnsupportedPage("Amazon 페이지가 비어 있습니다 / the Amazon page is empty")
    return root
