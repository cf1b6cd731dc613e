// Shapes two or three reports for the compare page: aspects side by side and each one's top complaints.
import type { EmotionCard, Report } from "../api/types";
import { aspectLabel, type Lang } from "../i18n";

export interface AspectCell {
  mentions: number;
  /** share of the aspect's mentions in this analysis that are positive / negative */
  positiveShare: number;
  negativeShare: number;
  /** share of this analysis's reviews that mention the aspect */
  reach: number;
}

export interface CompareRow {
  id: string;
  label: string;
  cells: (AspectCell | null)[];
}

/** Aspects mentioned by any report, most mentioned (over all reports, as shares of each) first. */
export function compareAspects(reports: readonly Report[], lang: Lang, limit = 12): CompareRow[] {
  const labels = new Map<string, string>();
  const weight = new Map<string, number>();
  for (const r of reports) {
    const total = r.analyzed_reviews || 1;
    for (const a of r.aspects) {
      labels.set(a.aspect_id, aspectLabel(lang, a.aspect_id, a.aspect));
      // Shares, not counts, so a 5,000-review analysis does not drown a 300-review one.
      weight.set(a.aspect_id, (weight.get(a.aspect_id) ?? 0) + a.mentions / total);
    }
  }
  const ids = [...weight.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit);
  return ids.map(([id]) => ({
    id,
    label: labels.get(id) ?? id,
    cells: reports.map((r) => {
      const a = r.aspects.find((x) => x.aspect_id === id);
      if (!a || a.mentions === 0) return null;
      return {
        mentions: a.mentions,
        positiveShare: a.positive / a.mentions,
        negativeShare: a.negative / a.mentions,
        reach: a.mentions / (r.analyzed_reviews || 1),
      };
    }),
  }));
}

export interface Complaint {
  card: EmotionCard;
  quote: string | null;
}

/** The cards with the most negative mentions, each with a negative quote when it has one. */
export function topComplaints(report: Report, n = 3): Complaint[] {
  return [...report.cards]
    .filter((c) => c.negative > 0)
    .sort((a, b) => b.negative - a.negative || b.negative_share - a.negative_share || a.card_id.localeCompare(b.card_id))
    .slice(0, n)
    .map((card) => ({ card, quote: card.quotes.find((q) => q.polarity === "negative")?.text ?? null }));
}

/** ?ids=a,b,c -> at most three distinct ids. */
export function parseCompareIds(value: string | null): string[] {
  const out: string[] = [];
  for (const id of (value ?? "").split(",").map((s) => s.trim())) if (id && !out.includes(id)) out.push(id);
  return out.slice(0, 3);
}
