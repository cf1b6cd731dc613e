// Turns the report (and the live cards) into the rows the charts and widgets draw. Pure functions, no React.
import type { EmotionCard, LiveCard, MonthTrend, ProgressData, Report, Sentiment } from "../api/types";
import { aspectLabel, emotionLabel, type Lang } from "../i18n";

export const SENTIMENTS: readonly Sentiment[] = ["positive", "negative", "neutral"];

export interface ShareRow {
  key: Sentiment;
  count: number;
  share: number;
}

/** Sentiment counts and shares in a fixed order; shares recomputed from counts when absent. */
export function sentimentRows(report: Pick<Report, "sentiment_counts" | "sentiment_shares">): ShareRow[] {
  const total = SENTIMENTS.reduce((n, k) => n + (report.sentiment_counts[k] ?? 0), 0);
  return SENTIMENTS.map((key) => {
    const count = report.sentiment_counts[key] ?? 0;
    const share = report.sentiment_shares[key] ?? (total ? count / total : 0);
    return { key, count, share };
  });
}

export interface RatingRow {
  rating: string;
  count: number;
  share: number;
}

/** 5★ down to 1★, then "none" only when some reviews have no rating. */
export function ratingRows(distribution: Record<string, number>): RatingRow[] {
  const keys = ["5", "4", "3", "2", "1"];
  if ((distribution.none ?? 0) > 0) keys.push("none");
  const total = keys.reduce((n, k) => n + (distribution[k] ?? 0), 0);
  return keys.map((rating) => {
    const count = distribution[rating] ?? 0;
    return { rating, count, share: total ? count / total : 0 };
  });
}

export interface AspectRow {
  id: string;
  label: string;
  mentions: number;
  positive: number;
  negative: number;
  neutral: number;
}

/** Aspects sorted by mentions (ties: more negative first, then by id, so the order is stable). */
export function aspectRows(report: Pick<Report, "aspects">, lang: Lang, limit = 15): AspectRow[] {
  return [...report.aspects]
    .sort((a, b) => b.mentions - a.mentions || b.negative - a.negative || a.aspect_id.localeCompare(b.aspect_id))
    .slice(0, limit)
    .map((a) => ({
      id: a.aspect_id,
      label: aspectLabel(lang, a.aspect_id, a.aspect),
      mentions: a.mentions,
      positive: a.positive,
      negative: a.negative,
      neutral: a.neutral,
    }));
}

export interface EmotionRow {
  id: string;
  label: string;
  count: number;
}

export function emotionRows(emotions: Record<string, number>, lang: Lang): EmotionRow[] {
  return Object.entries(emotions)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([id, count]) => ({ id, label: emotionLabel(lang, id), count }));
}

export interface TrendRow {
  month: string;
  reviews: number;
  score: number | null;
  averageRating: number | null;
}

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

/** Months in order with the gaps filled (a month without reviews has 0 reviews and no score). */
export function trendRows(trend: readonly MonthTrend[], maxMonths = 120): TrendRow[] {
  const valid = trend.filter((t) => /^\d{4}-\d{2}$/.test(t.month));
  if (valid.length === 0) return [];
  const byMonth = new Map(valid.map((t) => [t.month, t]));
  const months = [...byMonth.keys()].sort();
  const first = months[0] as string;
  const last = months[months.length - 1] as string;
  const rows: TrendRow[] = [];
  for (let m = first; rows.length < maxMonths; m = nextMonth(m)) {
    const t = byMonth.get(m);
    rows.push({
      month: m,
      reviews: t?.reviews ?? 0,
      score: t?.score ?? null,
      averageRating: t?.average_rating ?? null,
    });
    if (m === last) break;
  }
  return rows;
}

export interface PhraseWeight {
  text: string;
  weight: number;
  /** 1 (small) .. 5 (large) */
  size: number;
  cardId: string;
  aspectId: string;
}

/** Phrases from the cards, weighted by the card's mentions and the phrase's rank in it; top `limit`. */
export function phraseCloud(cards: readonly (EmotionCard | LiveCard)[], limit = 40): PhraseWeight[] {
  const merged = new Map<string, PhraseWeight>();
  for (const card of cards) {
    card.top_phrases.forEach((phrase, rank) => {
      const text = phrase.trim();
      if (!text) return;
      const weight = card.mentions / (rank + 1);
      const seen = merged.get(text);
      if (seen) seen.weight += weight;
      else merged.set(text, { text, weight, size: 1, cardId: card.card_id, aspectId: card.aspect_id });
    });
  }
  const top = [...merged.values()].sort((a, b) => b.weight - a.weight || a.text.localeCompare(b.text)).slice(0, limit);
  const max = top[0]?.weight ?? 0;
  const min = top[top.length - 1]?.weight ?? 0;
  for (const p of top) p.size = max === min ? 3 : 1 + Math.round(((p.weight - min) / (max - min)) * 4);
  return top;
}

export interface Gauge {
  positive: number;
  negative: number;
  /** positive / (positive + negative), null with no polar mention */
  share: number | null;
}

/** Live gauge from the cards so far: aspect mentions, not reviews (the report has the review-level score). */
export function liveGauge(cards: readonly LiveCard[]): Gauge {
  // Topics overlap the aspects, so they only count when there is no aspect card yet.
  const aspects = cards.filter((c) => c.kind === "aspect");
  let positive = 0;
  let negative = 0;
  for (const c of aspects.length ? aspects : cards) {
    positive += c.positive;
    negative += c.negative;
  }
  const polar = positive + negative;
  return { positive, negative, share: polar ? positive / polar : null };
}

/** Seconds left, from the rate and the estimate; null when either is unknown. */
export function etaSeconds(p: ProgressData | null): number | null {
  if (!p || !p.total_estimate || p.rate_per_s <= 0) return null;
  const left = Math.max(0, p.total_estimate - p.analyzed);
  return Math.round(left / p.rate_per_s);
}

/** 0..1 progress of a stage; null when there is nothing to measure against yet. */
export function stageFraction(p: ProgressData | null, stage: "collect" | "analyze"): number | null {
  if (!p) return null;
  if (stage === "collect") return p.total_estimate ? Math.min(1, p.collected / p.total_estimate) : null;
  const of = p.total_estimate ?? p.collected;
  return of ? Math.min(1, p.analyzed / of) : null;
}

/** Cards for the report, most mentioned first. */
export function sortedCards<T extends EmotionCard | LiveCard>(cards: readonly T[]): T[] {
  return [...cards].sort((a, b) => b.mentions - a.mentions || a.card_id.localeCompare(b.card_id));
}
