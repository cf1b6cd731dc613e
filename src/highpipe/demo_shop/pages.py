"""HTML of the demo shop: catalogue, product page (reviews rendered by inline script), a server-rendered
review page with schema.org microdata, the bot-check page and a product image. No external assets.

Every interpolated value goes through `html.escape` (or `_jsonld` inside script tags); the product page's
script inserts review text with `textContent`, never as HTML.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from highpipe.demo_shop.catalog import ProductSpec
from highpipe.demo_shop.generator import DemoReview

_STYLE = """
body{font-family:system-ui,-apple-system,"Apple SD Gothic Neo","Noto Sans KR",sans-serif;margin:0;color:#222;
background:#fafafa}header{background:#1f3a5f;color:#fff;padding:12px 24px}header a{color:#fff;text-decoration:none}
main{max-width:960px;margin:0 auto;padding:16px 24px}.grid{display:grid;gap:16px;
grid-template-columns:repeat(auto-fill,minmax(220px,1fr))}.card{background:#fff;border:1px solid #ddd;
border-radius:8px;padding:12px}.card img,.hero img{width:100%;border-radius:6px}.price{font-weight:700}
.stars{color:#e8a400}.muted{color:#777;font-size:.9em}ol.reviews{list-style:none;padding:0}
li.review{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:10px 12px;margin:8px 0}
.review .content{white-space:pre-line;margin:6px 0}.hero{display:flex;gap:24px}.hero img{width:240px}
"""


def _page(title: str, body: str, root: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style>{head}</head><body>"
        f'<header><a href="{escape(root)}/">HighPipe 데모 상점 · Demo shop</a></header>'
        f"<main>{body}</main></body></html>"
    )


def _jsonld(data: Any) -> str:
    # "</" would close the script element early; "<\/" is the same string to a JSON parser.
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _stars(value: float | None) -> str:
    if value is None:
        return "☆☆☆☆☆"
    full = round(value)
    return "★" * full + "☆" * (5 - full)


def catalogue_page(items: list[dict[str, object]], root: str) -> str:
    cards = []
    for item in items:
        avg = item["average_rating"]
        avg_text = f"{avg:.2f}" if isinstance(avg, float) else "-"
        cards.append(
            f'<div class="card"><a href="{escape(str(item["url"]))}">'
            f'<img src="{escape(str(item["image"]))}" alt=""><h3>{escape(str(item["title"]))}</h3></a>'
            f'<div class="muted">{escape(str(item["category"]))}</div>'
            f'<div class="price">{item["price"]:,}원</div>'
            f'<div><span class="stars">{_stars(avg if isinstance(avg, float) else None)}</span> {avg_text}'
            f' <span class="muted">(리뷰 {item["review_count"]:,}개)</span></div></div>'
        )
    body = f'<h1>상품 목록 <span class="muted">Products</span></h1><div class="grid">{"".join(cards)}</div>'
    return _page("HighPipe 데모 상점", body, root)


def _product_jsonld(spec: ProductSpec, meta: dict[str, object]) -> dict[str, object]:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": spec.title,
        "sku": spec.pid,
        "brand": {"@type": "Brand", "name": spec.brand},
        "category": spec.category,
        "image": meta["image"],
        "description": spec.description,
        "offers": {"@type": "Offer", "price": spec.price, "priceCurrency": "KRW"},
    }
    if meta["average_rating"] is not None:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": meta["average_rating"],
            "reviewCount": spec.review_count,
            "bestRating": 5,
        }
    return data


_PRODUCT_SCRIPT = """
(function () {
  var box = document.getElementById("reviews");
  var api = box.getAttribute("data-api");
  var list = document.createElement("ol"); list.className = "reviews";
  var status = document.createElement("p"); status.className = "muted";
  var more = document.createElement("button"); more.type = "button";
  more.textContent = "리뷰 더 보기 / More reviews"; more.hidden = true;
  box.appendChild(status); box.appendChild(list); box.appendChild(more);
  var page = 1;
  function el(tag, cls, text) {
    var e = document.createElement(tag); e.className = cls; e.textContent = text; return e;
  }
  function render(r) {
    var li = document.createElement("li"); li.className = "review";
    li.setAttribute("data-review-id", r.id);
    li.appendChild(el("span", "stars", "★".repeat(r.rating) + "☆".repeat(5 - r.rating)));
    li.appendChild(el("span", "rating", " " + r.rating + "점 "));
    li.appendChild(el("span", "author muted", r.author + " · "));
    li.appendChild(el("time", "date muted", r.date.slice(0, 10)));
    li.lastChild.setAttribute("datetime", r.date);
    if (r.title) li.appendChild(el("strong", "title", " " + r.title));
    li.appendChild(el("div", "option muted", r.option));
    li.appendChild(el("div", "content", r.content));
    li.appendChild(el("div", "helpful muted", "도움돼요 " + r.helpful));
    return li;
  }
  function load() {
    more.disabled = true;
    status.textContent = "리뷰를 불러오는 중… / Loading reviews…";
    fetch(api + "?page=" + page + "&size=20").then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      return resp.json();
    }).then(function (d) {
      d.reviews.forEach(function (r) { list.appendChild(render(r)); });
      page += 1;
      status.textContent = "리뷰 " + list.children.length + " / " + d.total + "개";
      more.hidden = page > d.total_pages;
      box.setAttribute("data-state", "loaded");
    }).catch(function (e) {
      status.textContent = "리뷰를 불러오지 못했습니다 / Could not load reviews (" + e.message + ")";
      box.setAttribute("data-state", "error");
    }).finally(function () { more.disabled = false; });
  }
  more.addEventListener("click", load);
  load();
})();
"""


def product_page(spec: ProductSpec, meta: dict[str, object], root: str) -> str:
    avg = meta["average_rating"]
    avg_f = avg if isinstance(avg, float) else None
    options = "".join(
        f"<li>{escape(name)}: {escape(', '.join(values))}</li>" for name, values in spec.options
    )
    body = (
        f'<div class="hero"><img src="{escape(str(meta["image"]))}" alt=""><div>'
        f'<div class="muted">{escape(spec.category)} · {escape(spec.brand)}</div>'
        f'<h1 id="title">{escape(spec.title)}</h1>'
        f'<div class="price" id="price">{spec.price:,}원</div>'
        f'<div id="rating"><span class="stars">{_stars(avg_f)}</span> '
        f"{'-' if avg_f is None else f'{avg_f:.2f}'} "
        f'<span class="muted">(리뷰 <span id="review-count">{spec.review_count:,}</span>개)</span></div>'
        f'<p>{escape(spec.description)}</p><ul class="muted">{options}</ul></div></div>'
        f'<h2>리뷰 <span class="muted">Reviews</span></h2>'
        f'<div id="reviews" data-api="{escape(str(meta["reviews_url"]))}" data-state="loading"></div>'
        f"<script>{_PRODUCT_SCRIPT}</script>"
    )
    return _page(spec.title, body, root, head=_jsonld(_product_jsonld(spec, meta)))


def _review_item(r: DemoReview) -> str:
    title = f'<strong itemprop="name">{escape(r.title)}</strong> ' if r.title else ""
    return (
        f'<li class="review" itemscope itemtype="https://schema.org/Review">'
        f'<meta itemprop="identifier" content="{escape(r.id)}">'
        f'<span itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
        f'<meta itemprop="worstRating" content="1"><meta itemprop="bestRating" content="5">'
        f'<span class="stars">{_stars(r.rating)}</span> <span itemprop="ratingValue">{r.rating}</span>점</span> '
        f'<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        f'<span itemprop="name">{escape(r.author)}</span></span> · '
        f'<time itemprop="datePublished" datetime="{r.date.isoformat()}">{r.date:%Y.%m.%d}</time> '
        f'{title}<div class="muted">{escape(r.option)}</div>'
        f'<div class="content" itemprop="reviewBody">{escape(r.content)}</div></li>'
    )


def review_list_page(
    spec: ProductSpec, meta: dict[str, object], reviews: list[DemoReview], page: int, pages: int, root: str
) -> str:
    """Server-rendered reviews (schema.org microdata, rel=next/prev), for the generic extractor."""
    nav = []
    head = _jsonld(_product_jsonld(spec, meta))
    if page > 1:
        nav.append(f'<a rel="prev" href="?page={page - 1}">이전 / Previous</a>')
        head += f'<link rel="prev" href="?page={page - 1}">'
    if page < pages:
        nav.append(f'<a rel="next" href="?page={page + 1}">다음 / Next</a>')
        head += f'<link rel="next" href="?page={page + 1}">'
    body = (
        f'<h1><a href="{escape(str(meta["url"]))}">{escape(spec.title)}</a></h1>'
        f'<p class="muted">리뷰 {spec.review_count:,}개 · {page} / {max(pages, 1)} 페이지</p>'
        f'<ol class="reviews">{"".join(_review_item(r) for r in reviews)}</ol>'
        f"<nav>{' '.join(nav)}</nav>"
    )
    return _page(f"{spec.title} 리뷰", body, root, head=head)


def bot_check_page(root: str) -> str:
    body = (
        "<h1>보안 확인이 필요합니다</h1><p>자동화된 접근이 감지되어 요청을 차단했습니다. "
        "잠시 후 다시 시도하거나 아래 확인을 완료해 주세요.</p>"
        '<p class="muted">Access denied: automated traffic detected. Please verify you are human.</p>'
        '<div class="card"><label><input type="checkbox" disabled> 로봇이 아닙니다 / I\'m not a robot'
        "</label></div>"
    )
    return _page("보안 확인 / Security check", body, root)


def not_found_page(root: str) -> str:
    body = '<h1>상품을 찾을 수 없습니다</h1><p class="muted">Product not found.</p>'
    return _page("404", body, root)


_COLOURS = ("#1f3a5f", "#7a3e65", "#2f6f4f", "#8a5a14", "#3d4f8a", "#6b2f2f")


def product_image(spec: ProductSpec) -> str:
    colour = _COLOURS[sum(map(ord, spec.pid)) % len(_COLOURS)]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">'
        f'<rect width="400" height="400" fill="{colour}"/>'
        '<text x="200" y="215" font-size="120" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{escape(spec.brand[:1])}</text>'
        '<text x="200" y="300" font-size="26" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{escape(spec.category)}</text></svg>'
    )
