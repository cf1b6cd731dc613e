import { describe, expect, it } from "vitest";
import type { AspectSummary, Report } from "../api/types";
import { card } from "../test/fixtures";
import { compareAspects, parseCompareIds, topComplaints } from "./compare";

function report(analyzed: number, aspects: AspectSummary[], cards = [card("aspect:size", 3)]): Report {
  return {
    job_id: "j",
    product: null,
    generated_at: "2026-11-26T10:00:00Z",
    total_reviews: analyzed,
    analyzed_reviews: analyzed,
    score: 50,
    sentiment_counts: {},
    sentiment_shares: {},
    rating_distribution: {},
    average_rating: null,
    aspects,
    emotions: {},
    trend: [],
    cards,
    summary: [],
  };
}
const a = (id: string, pos: number, neg: number, neu = 0): AspectSummary => ({
  aspect_id: id,
  aspect: id,
  mentions: pos + neg + neu,
  positive: pos,
  negative: neg,
  neutral: neu,
});

describe("compare", () => {
  it("lines aspects up across analyses, ranked by their share of each analysis's reviews", () => {
    const big = report(1000, [a("delivery", 100, 50), a("size", 10, 10)]);
    const small = report(100, [a("size", 20, 40), a("taste", 5, 0)]);
    const rows = compareAspects([big, small], "ko");
    expect(rows.map((r) => r.id)).toEqual(["size", "delivery", "taste"]);
    expect(rows[0]?.label).toBe("사이즈/핏");
    expect(rows[0]?.cells).toEqual([
      { mentions: 20, positiveShare: 0.5, negativeShare: 0.5, reach: 0.02 },
      { mentions: 60, positiveShare: 20 / 60, negativeShare: 40 / 60, reach: 0.6 },
    ]);
    expect(rows[1]?.cells[1]).toBeNull();
    expect(compareAspects([big, small], "ko", 1)).toHaveLength(1);
  });

  it("top complaints are the cards with the most negative mentions, with a negative quote", () => {
    const r = report(10, [], [
      card("aspect:size", 10, 2, 8, { quotes: [{ review_uid: "1", text: "작아요", polarity: "negative" }] }),
      card("aspect:price", 10, 9, 1),
      card("aspect:design", 10, 10, 0),
      card("aspect:quality", 10, 5, 5, { quotes: [{ review_uid: "2", text: "좋아요", polarity: "positive" }] }),
    ]);
    expect(topComplaints(r, 2).map((c) => [c.card.card_id, c.quote])).toEqual([
      ["aspect:size", "작아요"],
      ["aspect:quality", null],
    ]);
  });

  it("takes up to three distinct ids from the URL", () => {
    expect(parseCompareIds(" a, b,a,,c,d")).toEqual(["a", "b", "c"]);
    expect(parseCompareIds(null)).toEqual([]);
  });
});
