// The review table's filters, kept in the page URL (?aspect=…&page=…) so a filtered view is shareable.
import { EMOTIONS } from "../api/generated/vocab";
import type { ReviewQuery, Sentiment } from "../api/types";

export interface ReviewFilters {
  sentiment: Sentiment | null;
  aspect: string | null;
  rating: number | null;
  q: string;
  from: string; // YYYY-MM-DD or ""
  to: string;
  page: number;
  /** an emotion id of the vocabulary (reviews whose analysis lists it) */
  emotion: string | null;
  /** only these reviews (a summary sentence's or a quote's review_uids); empty: no such filter */
  ids: string[];
}

export const EMPTY_FILTERS: ReviewFilters = {
  sentiment: null,
  aspect: null,
  rating: null,
  q: "",
  from: "",
  to: "",
  page: 1,
  emotion: null,
  ids: [],
};
export const PAGE_SIZE = 20;
/** The API's limit for `review_ids`. */
export const MAX_REVIEW_IDS = 100;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const EMOTION_IDS = new Set<string>(EMOTIONS.map((e) => e.id));

/** Distinct, non-blank uids in their first order, at most MAX_REVIEW_IDS (the API refuses more). */
export function reviewIds(uids: readonly string[]): string[] {
  return [...new Set(uids.map((u) => u.trim()).filter(Boolean))].slice(0, MAX_REVIEW_IDS);
}

export function filtersFromSearch(search: URLSearchParams): ReviewFilters {
  const sentiment = search.get("sentiment");
  const rating = Number(search.get("rating"));
  const page = Number(search.get("page"));
  const from = search.get("from") ?? "";
  const to = search.get("to") ?? "";
  const emotion = search.get("emotion") ?? "";
  return {
    sentiment: sentiment === "positive" || sentiment === "negative" || sentiment === "neutral" ? sentiment : null,
    aspect: search.get("aspect") || null,
    rating: Number.isInteger(rating) && rating >= 1 && rating <= 5 ? rating : null,
    q: (search.get("q") ?? "").slice(0, 200),
    from: DAY.test(from) ? from : "",
    to: DAY.test(to) ? to : "",
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    emotion: EMOTION_IDS.has(emotion) ? emotion : null,
    ids: reviewIds((search.get("ids") ?? "").split(",")),
  };
}

export function filtersToSearch(f: ReviewFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (f.sentiment) out.set("sentiment", f.sentiment);
  if (f.aspect) out.set("aspect", f.aspect);
  if (f.rating) out.set("rating", String(f.rating));
  if (f.q.trim()) out.set("q", f.q.trim());
  if (f.from) out.set("from", f.from);
  if (f.to) out.set("to", f.to);
  if (f.emotion) out.set("emotion", f.emotion);
  if (f.ids.length) out.set("ids", reviewIds(f.ids).join(","));
  if (f.page > 1) out.set("page", String(f.page));
  return out;
}

/** The API query for the filters (dates become the whole day, in UTC, as the API compares datetimes). */
export function filtersToQuery(f: ReviewFilters, pageSize = PAGE_SIZE): ReviewQuery {
  const q: ReviewQuery = { page: f.page, page_size: pageSize };
  if (f.sentiment) q.sentiment = f.sentiment;
  if (f.aspect) q.aspect = f.aspect;
  if (f.rating) q.rating = f.rating;
  if (f.q.trim()) q.q = f.q.trim();
  if (f.from) q.date_from = `${f.from}T00:00:00Z`;
  if (f.to) q.date_to = `${f.to}T23:59:59Z`;
  if (f.emotion) q.emotion = f.emotion;
  if (f.ids.length) q.review_ids = reviewIds(f.ids).join(",");
  return q;
}

/** First and last day of a YYYY-MM month, for a click on the trend chart. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, "0");
  return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${String(last).padStart(2, "0")}` };
}

export function activeFilterCount(f: ReviewFilters): number {
  return [f.sentiment, f.aspect, f.rating, f.q.trim(), f.from, f.to, f.emotion, f.ids.length].filter(Boolean).length;
}
