import { describe, expect, it } from "vitest";
import type { AspectSummary, MonthTrend } from "../api/types";
import { card } from "../test/fixtures";
import {
  aspectRows,
  emotionRows,
  etaSeconds,
  liveGauge,
  phraseCloud,
  ratingRows,
  sentimentRows,
  sortedCards,
  stageFraction,
  trendRows,
} from "./shape";

const aspect = (id: string, label: string, pos: number, neg: number, neu = 0): AspectSummary => ({
  aspect_id: id,
  aspect: label,
  mentions: pos + neg + neu,
  positive: pos,
  negative: neg,
  neutral: neu,
});

const month = (m: string, reviews: number, score: number | null = 50): MonthTrend => ({
  month: m,
  reviews,
  positive: 0,
  negative: 0,
  neutral: 0,
  score,
  average_rating: null,
});

describe("report data shaping", () => {
  it("sentiment rows come in a fixed order, with shares from the counts when the report has none", () => {
    const rows = sentimentRows({ sentiment_counts: { negative: 1, positive: 3 }, sentiment_shares: {} });
    expect(rows.map((r) => [r.key, r.count, r.share])).toEqual([
      ["positive", 3, 0.75],
      ["negative", 1, 0.25],
      ["neutral", 0, 0],
    ]);
  });

  it("rating rows run 5 to 1 and list reviews without a rating only when there are some", () => {
    expect(ratingRows({ "5": 6, "1": 2 }).map((r) => r.rating)).toEqual(["5", "4", "3", "2", "1"]);
    const rows = ratingRows({ "5": 6, "3": 2, none: 2 });
    expect(rows.map((r) => [r.rating, r.count])).toEqual([["5", 6], ["4", 0], ["3", 2], ["2", 0], ["1", 0], ["none", 2]]);
    expect(rows[0]?.share).toBeCloseTo(0.6);
  });

  it("aspects are sorted by mentions, ties by negatives, labelled in the UI language", () => {
    const rows = aspectRows(
      { aspects: [aspect("price", "가격/가성비", 5, 1), aspect("size", "사이즈/핏", 2, 4), aspect("topic:향기", "향기", 9, 0), aspect("delivery", "배송", 1, 1)] },
      "en",
    );
    expect(rows.map((r) => r.id)).toEqual(["topic:향기", "size", "price", "delivery"]);
    expect(rows.map((r) => r.label)).toEqual(["향기", "Size / fit", "Price / value", "Delivery"]);
    expect(aspectRows({ aspects: [aspect("size", "사이즈/핏", 1, 0)] }, "ko")[0]?.label).toBe("사이즈/핏");
    expect(aspectRows({ aspects: Array.from({ length: 20 }, (_, i) => aspect(`topic:${i}`, `${i}`, i, 0)) }, "ko", 5)).toHaveLength(5);
  });

  it("emotions drop zeros, sort by count and take the vocabulary's labels", () => {
    expect(emotionRows({ joy: 2, anger: 5, worry: 0, regret: 2 }, "ko")).toEqual([
      { id: "anger", label: "짜증/분노", count: 5 },
      { id: "joy", label: "기쁨/감동", count: 2 },
      { id: "regret", label: "후회", count: 2 },
    ]);
  });

  it("the trend is in month order with empty months filled in, across a year boundary", () => {
    const rows = trendRows([month("2026-02", 4, 80), month("2025-11", 2, 40)]);
    expect(rows.map((r) => [r.month, r.reviews, r.score])).toEqual([
      ["2025-11", 2, 40],
      ["2025-12", 0, null],
      ["2026-01", 0, null],
      ["2026-02", 4, 80],
    ]);
    expect(trendRows([])).toEqual([]);
    expect(trendRows([month("bad", 1)])).toEqual([]);
    expect(trendRows([month("2000-01", 1), month("2030-01", 1)], 12)).toHaveLength(12);
  });

  it("the phrase cloud merges phrases across cards and weights them by mentions and rank", () => {
    const cloud = phraseCloud([
      card("aspect:delivery", 30, 30, 0, { top_phrases: ["배송 빠름", "포장 꼼꼼"] }),
      card("aspect:packaging", 10, 10, 0, { top_phrases: ["포장 꼼꼼", " "] }),
    ]);
    expect(cloud.map((p) => [p.text, p.weight])).toEqual([
      ["배송 빠름", 30],
      ["포장 꼼꼼", 25],
    ]);
    expect(cloud.map((p) => p.size)).toEqual([5, 1]);
    expect(phraseCloud([card("aspect:a", 4, 4, 0, { top_phrases: ["하나"] })])[0]?.size).toBe(3);
  });

  it("the live gauge counts aspect mentions, falling back to topics when there is no aspect card", () => {
    expect(liveGauge([card("aspect:size", 10, 6, 2), card("topic:향", 50, 0, 50)])).toEqual({ positive: 6, negative: 2, share: 0.75 });
    expect(liveGauge([card("topic:향", 4, 1, 3)]).share).toBe(0.25);
    expect(liveGauge([card("aspect:size", 3, 0, 0)]).share).toBeNull();
  });

  it("ETA and stage progress come from the progress event", () => {
    const p = { pages: 3, collected: 300, analyzed: 200, total_estimate: 1000, rate_per_s: 40 };
    expect(etaSeconds(p)).toBe(20);
    expect(etaSeconds({ ...p, rate_per_s: 0 })).toBeNull();
    expect(etaSeconds({ ...p, total_estimate: null })).toBeNull();
    expect(stageFraction(p, "collect")).toBeCloseTo(0.3);
    expect(stageFraction(p, "analyze")).toBeCloseTo(0.2);
    expect(stageFraction({ ...p, total_estimate: null }, "collect")).toBeNull();
    expect(stageFraction({ ...p, total_estimate: null }, "analyze")).toBeCloseTo(200 / 300);
    expect(stageFraction(null, "analyze")).toBeNull();
  });

  it("report cards are most mentioned first", () => {
    expect(sortedCards([card("aspect:a", 2), card("aspect:c", 9), card("aspect:b", 9)]).map((c) => c.card_id)).toEqual([
      "aspect:b",
      "aspect:c",
      "aspect:a",
    ]);
  });
});
