// The report's review table: filters (sentiment, aspect, emotion, rating, period, text, a set of picked reviews),
// pagination, highlighted clauses.
import { useEffect, useId, useState } from "react";
import { api } from "../api/client";
import { EMOTIONS } from "../api/generated/vocab";
import { reviewsKey, take } from "../api/prefetch";
import type { ReviewPage, Sentiment } from "../api/types";
import { aspectLabel, useI18n } from "../i18n";
import { dateOnly, num } from "../format";
import { activeFilterCount, EMPTY_FILTERS, filtersToQuery, type ReviewFilters } from "../report/filters";
import type { AspectRow, EmotionRow } from "../report/shape";
import { ReviewText } from "./ReviewText";

interface Props {
  jobId: string;
  filters: ReviewFilters;
  onChange: (next: ReviewFilters) => void;
  aspects: AspectRow[];
  /** the report's emotion counts, shown next to each emotion of the filter */
  emotions?: EmotionRow[];
}

export function ReviewTable({ jobId, filters, onChange, aspects, emotions = [] }: Props) {
  const { t, lang } = useI18n();
  const [page, setPage] = useState<ReviewPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [query, setQuery] = useState(filters.q);
  const ids = useId();
  useEffect(() => setQuery(filters.q), [filters.q]);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    const query = filtersToQuery(filters);
    take(reviewsKey(jobId, query), () => api.reviews(jobId, query))
      .then((p) => live && setPage(p))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [jobId, filters]);

  const set = (patch: Partial<ReviewFilters>) => onChange({ ...filters, page: 1, ...patch });
  const pages = page?.pages ?? 1;
  const knownAspect = !filters.aspect || aspects.some((a) => a.id === filters.aspect);
  const emotionCount = new Map(emotions.map((e) => [e.id, e.count]));

  return (
    <section className="reviews" aria-labelledby={`${ids}-title`} id="reviews">
      <div className="section-head">
        <h2 id={`${ids}-title`}>{t("reviewsTitle")}</h2>
        <p className="muted" aria-live="polite" data-testid="review-total" data-total={page?.total ?? ""}>
          {page ? t("reviewsCount", { n: num(lang, page.total) }) : t("loading")}
        </p>
      </div>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: query });
        }}
      >
        <label>
          {t("filterSentiment")}
          <select
            value={filters.sentiment ?? ""}
            onChange={(e) => set({ sentiment: (e.target.value || null) as Sentiment | null })}
          >
            <option value="">{t("filterAll")}</option>
            <option value="positive">{t("positive")}</option>
            <option value="negative">{t("negative")}</option>
            <option value="neutral">{t("neutral")}</option>
          </select>
        </label>
        <label>
          {t("filterAspect")}
          <select value={filters.aspect ?? ""} onChange={(e) => set({ aspect: e.target.value || null })}>
            <option value="">{t("filterAll")}</option>
            {!knownAspect && filters.aspect && <option value={filters.aspect}>{aspectLabel(lang, filters.aspect)}</option>}
            {aspects.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label} ({a.mentions})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("filterEmotion")}
          <select
            value={filters.emotion ?? ""}
            onChange={(e) => set({ emotion: e.target.value || null })}
            data-testid="filter-emotion"
          >
            <option value="">{t("filterAll")}</option>
            {EMOTIONS.map((e) => (
              <option key={e.id} value={e.id}>
                {e[lang]}
                {emotionCount.has(e.id) ? ` (${num(lang, emotionCount.get(e.id) ?? 0)})` : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("filterRating")}
          <select value={filters.rating ?? ""} onChange={(e) => set({ rating: e.target.value ? Number(e.target.value) : null })}>
            <option value="">{t("filterAll")}</option>
            {[5, 4, 3, 2, 1].map((r) => (
              <option key={r} value={r}>
                {t("ratingStars", { n: r })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("filterFrom")}
          <input type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label>
          {t("filterTo")}
          <input type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
        </label>
        <label className="grow">
          {t("filterQuery")}
          <input type="search" value={query} maxLength={200} onChange={(e) => setQuery(e.target.value)} />
        </label>
        <button type="submit">{lang === "en" ? "Search" : "검색"}</button>
        {activeFilterCount(filters) > 0 && (
          <button type="button" onClick={() => onChange(EMPTY_FILTERS)}>
            {t("filterReset")}
          </button>
        )}
      </form>
      {filters.ids.length > 0 && (
        <p className="banner picked" data-testid="filter-ids">
          {t("filterIds", { n: num(lang, filters.ids.length) })}{" "}
          <button type="button" className="link-button" onClick={() => set({ ids: [] })}>
            {t("filterIdsClear")}
          </button>
        </p>
      )}
      <p className="muted small">{t("highlightLegend")}</p>
      {error && (
        <p className="error" role="alert">
          {t("loadFailed", { reason: error })}
        </p>
      )}
      {page && page.items.length === 0 && <p className="muted">{t("reviewsNone")}</p>}
      {page && page.items.length > 0 && (
        <table className={`review-table${loading ? " loading" : ""}`} aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">{t("colDate")}</th>
              <th scope="col">{t("colRating")}</th>
              <th scope="col">{t("colSentiment")}</th>
              <th scope="col">{t("colReview")}</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((item) => {
              const s = item.analysis?.sentiment.label;
              return (
                <tr key={item.review.review_uid} data-review-uid={item.review.review_uid}>
                  <td data-label={t("colDate")}>{item.review.date ? dateOnly(lang, item.review.date) : t("noDate")}</td>
                  <td data-label={t("colRating")}>{item.review.rating != null ? `★ ${num(lang, item.review.rating, 0)}` : "–"}</td>
                  <td data-label={t("colSentiment")}>{s ? <span className={`badge ${s}`}>{t(s)}</span> : "–"}</td>
                  <td data-label={t("colReview")}>
                    {item.review.title && <strong className="review-title">{item.review.title}</strong>}
                    <ReviewText item={item} focusAspect={filters.aspect} />
                    {item.review.author_display && <span className="muted small">{item.review.author_display}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {page && pages > 1 && (
        <nav className="pager" aria-label={lang === "en" ? "Pages" : "쪽 이동"}>
          <button type="button" disabled={filters.page <= 1} onClick={() => onChange({ ...filters, page: filters.page - 1 })}>
            {t("prevPage")}
          </button>
          <span>{t("pageOf", { page: filters.page, pages })}</span>
          <button
            type="button"
            disabled={filters.page >= pages}
            onClick={() => onChange({ ...filters, page: filters.page + 1 })}
          >
            {t("nextPage")}
          </button>
        </nav>
      )}
    </section>
  );
}
