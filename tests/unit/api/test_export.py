"""CSV export: formula injection is neutralised, names stay masked, every review is a row."""

from __future__ import annotations

import csv
import io

from highpipe.domain.models import AspectMention, Review, ReviewAnalysis, SentimentResult
from highpipe.entrypoints.api.export import safe_cell, to_csv
from highpipe.ports.store import ReviewRow


def test_cells_starting_with_formula_characters_are_escaped() -> None:
    for dangerous in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx"):
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell("배송 빨라요") == "배송 빨라요"
    assert safe_cell(None) == ""
    assert safe_cell(4.5) == "4.5"


def test_csv_rows() -> None:
    review = Review(
        review_uid="demo:1",
        product_id="demo:p",
        site="demo",
        text="=cmd|' /C calc'!A0 배송 빨라요",
        rating=5,
        author_display="김**",
        author_hash="abc",
    )
    analysis = ReviewAnalysis(
        review_uid="demo:1",
        sentiment=SentimentResult(label="positive", score=0.9),
        aspects=[
            AspectMention(aspect_id="delivery", aspect="배송", polarity="positive", clause="배송 빨라요")
        ],
        emotions=["satisfaction"],
    )
    body = to_csv(
        [ReviewRow(review, analysis), ReviewRow(review.model_copy(update={"review_uid": "demo:2"}), None)]
    )
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[0]["text"].startswith("'=cmd")
    assert rows[0]["aspects"] == "delivery:positive"
    assert rows[0]["author"] == "김**"
    assert "abc" not in body.decode("utf-8-sig")
    assert rows[1]["sentiment"] == ""
