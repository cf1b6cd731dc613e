// Starts the first API calls of a deep link (/analyses/{id}) while the page's code is still loading, so the
// network overlaps parsing the chart library instead of waiting for it. A prefetched answer is used once, and
// only while fresh; anything else is fetched as usual.
import { filtersFromSearch, filtersToQuery } from "../report/filters";
import { api } from "./client";
import type { ReviewQuery } from "./types";

const MAX_AGE_MS = 5_000;
const cache = new Map<string, { at: number; promise: Promise<unknown> }>();

function put(key: string, load: () => Promise<unknown>): void {
  const promise = load();
  promise.catch(() => {}); // a 409 for a running job is expected: whoever takes it sees the error
  cache.set(key, { at: Date.now(), promise });
}

/** The prefetched answer for `key` if there is a fresh one (consumed), else a new call. */
export function take<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  cache.delete(key);
  if (hit && Date.now() - hit.at < MAX_AGE_MS) return hit.promise as Promise<T>;
  return load();
}

export const reviewsKey = (jobId: string, query: ReviewQuery) => `reviews:${jobId}:${JSON.stringify(query)}`;

export function prefetchFor(pathname: string, search: string): void {
  const m = /^\/analyses\/([^/]+)\/?$/.exec(pathname);
  if (!m?.[1]) return;
  const id = decodeURIComponent(m[1]);
  // No status call here: the page asks for it only when there is no report yet (see AnalysisPage).
  put(`report:${id}`, () => api.report(id));
  const query = filtersToQuery(filtersFromSearch(new URLSearchParams(search)));
  put(reviewsKey(id, query), () => api.reviews(id, query));
}

export function clearPrefetch(): void {
  cache.clear();
}
