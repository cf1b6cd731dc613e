"""The demo shop's script-rendered review page (`/products/{pid}/live?page=N`), for the browser crawl path.

The server sends the product (schema.org JSON-LD, title, price) and an *empty* review list; inline
script fetches page N from the JSON API and inserts the reviews — with schema.org microdata, like the
server-rendered `/reviews` page — and a `rel=next` link while pages remain. A plain HTTP fetch therefore
sees a product with no reviews; only a browser sees them, which is what the generic extractor's
browser fallback is tested against. Text is inserted with `textContent`, never as HTML.
"""

from __future__ import annotations

from html import escape

from highpipe.demo_shop.catalog import ProductSpec
from highpipe.demo_shop.pages import _jsonld, _page, _product_jsonld

LIVE_PAGE_SIZE = 20

_LIVE_SCRIPT = """
(function () {
  var box = document.getElementById("reviews");
  var page = parseInt(box.getAttribute("data-page"), 10);
  var size = parseInt(box.getAttribute("data-size"), 10);
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function render(r) {
    var li = el("li", {"class": "review", "itemscope": "", "itemtype": "https://schema.org/Review"});
    li.appendChild(el("meta", {"itemprop": "identifier", "content": r.id}));
    var rating = el("span", {"itemprop": "reviewRating", "itemscope": "", "itemtype": "https://schema.org/Rating"});
    rating.appendChild(el("meta", {"itemprop": "bestRating", "content": "5"}));
    rating.appendChild(el("span", {"itemprop": "ratingValue"}, String(r.rating)));
    li.appendChild(rating);
    var author = el("span", {"itemprop": "author", "itemscope": "", "itemtype": "https://schema.org/Person"});
    author.appendChild(el("span", {"itemprop": "name"}, r.author));
    li.appendChild(author);
    li.appendChild(el("time", {"itemprop": "datePublished", "datetime": r.date}, r.date.slice(0, 10)));
    if (r.title) li.appendChild(el("strong", {"itemprop": "name"}, r.title));
    li.appendChild(el("div", {"class": "content", "itemprop": "reviewBody"}, r.content));
    return li;
  }
  fetch(box.getAttribute("data-api") + "?page=" + page + "&size=" + size).then(function (resp) {
    if (!resp.ok) throw new Error("HTTP " + resp.status);
    return resp.json();
  }).then(function (d) {
    d.reviews.forEach(function (r) { box.appendChild(render(r)); });
    if (page < d.total_pages) {
      document.getElementById("pager").appendChild(el("a", {"rel": "next", "href": "?page=" + (page + 1)},
        "다음 / Next"));
    }
    box.setAttribute("data-state", "loaded");
  }).catch(function (e) {
    box.setAttribute("data-state", "error");
    box.appendChild(el("p", {"class": "muted"}, "리뷰를 불러오지 못했습니다 / Could not load reviews (" + e.message + ")"));
  });
})();
"""


def live_review_page(spec: ProductSpec, meta: dict[str, object], page: int, root: str) -> str:
    api = str(meta["reviews_url"])
    body = (
        f'<h1 id="title">{escape(spec.title)}</h1>'
        f'<div class="price">{spec.price:,}원</div>'
        f'<p class="muted">리뷰 {spec.review_count:,}개 · {page} 페이지 (스크립트로 그립니다 / rendered by script)</p>'
        f'<ol id="reviews" class="reviews" data-api="{escape(api)}" data-page="{page}" '
        f'data-size="{LIVE_PAGE_SIZE}" data-state="loading"></ol><nav id="pager"></nav>'
        f"<script>{_LIVE_SCRIPT}</script>"
    )
    return _page(f"{spec.title} 리뷰", body, root, head=_jsonld(_product_jsonld(spec, meta)))
