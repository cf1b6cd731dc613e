// The report of a finished analysis: score, shares, charts, phrases, cards with quotes and the review table.
// Every number leads to its reviews: clicking sets the table's filters, which live in the URL (shareable).
// Summary sentences and quotes lead to exactly the reviews they were drawn from (`ids`), emotions to the
// reviews whose analysis lists them.
import { useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { exportUrl } from "../api/client";
import type { Report } from "../api/types";
import { AspectChart, EmotionChart, RatingChart, SentimentChart, TrendChart } from "../components/Charts";
import { EmotionCardView } from "../components/EmotionCardView";
import { Gauge } from "../components/Gauge";
import { ReviewTable } from "../components/ReviewTable";
import { dateTime, num, pct } from "../format";
import { useI18n } from "../i18n";
import {
  filtersFromSearch,
  filtersToSearch,
  monthRange,
  reviewIds,
  EMPTY_FILTERS,
  type ReviewFilters,
} from "../report/filters";
import {
  aspectRows,
  emotionRows,
  phraseCloud,
  ratingRows,
  sentimentRows,
  sortedCards,
  trendRows,
} from "../report/shape";

/** Cards shown before "show all": the vocabulary aspects first, then the most mentioned topics. */
const CARDS_SHOWN = 12;

/** How an analysis that did not complete ended; its report then holds the partial results. */
export interface Ended {
  status: "failed" | "cancelled";
  reason: string | null;
  code: string | null;
}

interface Props {
  jobId: string;
  source: string | null;
  report: Report;
  ended?: Ended | null;
}

export function ReportView({ jobId, source, report, ended }: Props) {
  const { t, lang } = useI18n();
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const tableRef = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState(false);
  const [allCards, setAllCards] = useState(false);

  const aspects = useMemo(() => aspectRows(report, lang, 100), [report, lang]);
  const shares = useMemo(() => sentimentRows(report), [report]);
  const ratings = useMemo(() => ratingRows(report.rating_distribution), [report]);
  const emotions = useMemo(() => emotionRows(report.emotions, lang), [report, lang]);
  const trend = useMemo(() => trendRows(report.trend), [report]);
  const cards = useMemo(() => {
    const sorted = sortedCards(report.cards);
    return [...sorted.filter((c) => c.kind === "aspect"), ...sorted.filter((c) => c.kind !== "aspect")];
  }, [report]);
  const phrases = useMemo(() => phraseCloud(report.cards), [report]);

  const setFilters = (next: ReviewFilters, scroll = false) => {
    setSearch(filtersToSearch(next), { replace: !scroll, preventScrollReset: true });
    if (scroll) tableRef.current?.scrollIntoView({ behavior: "smooth", block: "start" });
  };
  const pick = (patch: Partial<ReviewFilters>) => setFilters({ ...EMPTY_FILTERS, ...patch }, true);

  const share = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      window.prompt(t("share"), window.location.href);
    }
  };

  const title = report.product?.title ?? source ?? report.product?.product_id ?? jobId;
  return (
    <article className="report" data-testid="report" aria-labelledby="report-title">
      <header className="section-head report-head">
        <div>
          <p className="eyebrow">{t("reportTitle")}</p>
          <h1 id="report-title">{title}</h1>
          <p className="muted small">
            {report.product?.url ? (
              <a href={report.product.url} rel="noreferrer noopener" target="_blank">
                {report.product.url}
              </a>
            ) : (
              source
            )}{" "}
            · {dateTime(lang, report.generated_at)}
          </p>
        </div>
        <div className="actions no-print">
          <button type="button" onClick={share}>
            {copied ? t("shared") : t("share")}
          </button>
          <a className="button" href={exportUrl(jobId, "csv")} download data-testid="export-csv">
            {t("exportCsv")}
          </a>
          <a className="button" href={exportUrl(jobId, "json")} download>
            {t("exportJson")}
          </a>
          <button type="button" onClick={() => window.print()}>
            {t("print")}
          </button>
        </div>
      </header>
      {ended && (
        <div className={`card ${ended.status === "failed" ? "failure-box" : ""}`} role="alert" data-testid={ended.status}>
          <strong>{ended.status === "failed" ? t("failedTitle") : t("cancelledTitle")}</strong>
          {ended.reason && (
            <p>
              {t("failedReason")}: <span data-testid="failure-reason">{ended.reason}</span>
              {ended.code && <code className="muted small"> ({ended.code})</code>}
            </p>
          )}
          <p className="muted small">{t("partialReport")}</p>
        </div>
      )}
      {report.empty_reason && <p className="banner">{report.empty_reason}</p>}

      <section className="kpis" aria-label={t("score")}>
        <div className="card kpi">
          <h2>{t("score")}</h2>
          <Gauge
            value={report.score === null ? null : report.score / 100}
            label={t("score")}
            display={report.score === null ? "–" : num(lang, report.score, 0)}
          />
          <p className="muted small" data-testid="score" data-score={report.score ?? ""}>
            {report.score === null ? t("scoreNone") : t("scoreHelp")}
          </p>
        </div>
        <div className="card kpi">
          <h2>{t("totalReviews", { n: num(lang, report.analyzed_reviews) })}</h2>
          <ul className="share-list">
            {shares.map((s) => (
              <li key={s.key}>
                <button type="button" className={`share-pill ${s.key}`} onClick={() => pick({ sentiment: s.key })}>
                  <span>{t(s.key)}</span>
                  <strong>{pct(s.share, 0)}</strong>
                  <small>{num(lang, s.count)}</small>
                </button>
              </li>
            ))}
          </ul>
          {report.average_rating !== null && (
            <p className="muted">{t("avgRating", { r: num(lang, report.average_rating, 2) })}</p>
          )}
        </div>
      </section>

      {report.summary.length > 0 && (
        <section className="card summary" aria-labelledby="summary-title">
          <h2 id="summary-title">{t("summary")}</h2>
          <ul data-testid="summary">
            {report.summary.map((s, i) => (
              <li key={i}>
                {s.review_uids.length > 0 ? (
                  <button
                    type="button"
                    className="link-button"
                    title={t("summaryReviews", { n: reviewIds(s.review_uids).length })}
                    data-reviews={reviewIds(s.review_uids).length}
                    onClick={() => pick({ ids: s.review_uids })}
                  >
                    {s.text}
                  </button>
                ) : (
                  s.text
                )}
              </li>
            ))}
          </ul>
          <p className="muted small no-print">{t("summaryHelp")}</p>
        </section>
      )}

      <div className="charts">
        <SentimentChart rows={shares} onPick={(sentiment) => pick({ sentiment })} />
        <RatingChart rows={ratings} onPick={(rating) => pick({ rating })} />
        <AspectChart rows={aspects.slice(0, 15)} onPick={(aspect) => pick({ aspect })} />
        {emotions.length > 0 && <EmotionChart rows={emotions} onPick={(emotion) => pick({ emotion })} />}
      </div>
      {trend.length > 0 ? (
        <TrendChart rows={trend} onPick={(month) => pick(monthRange(month))} />
      ) : (
        <p className="muted">{t("trendEmpty")}</p>
      )}

      {phrases.length > 0 && (
        <section className="card" aria-labelledby="phrases-title">
          <h2 id="phrases-title">{t("phrases")}</h2>
          <ul className="cloud">
            {phrases.map((p) => (
              <li key={p.text}>
                <button type="button" className={`cloud-word size-${p.size}`} onClick={() => pick({ q: p.text })}>
                  {p.text}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}

      <div className="section-head">
        <h2>{t("cardsTitle")}</h2>
        {cards.length > CARDS_SHOWN && (
          <button type="button" onClick={() => setAllCards(!allCards)} aria-expanded={allCards}>
            {allCards ? t("cardsFewer") : t("cardsAll", { n: cards.length })}
          </button>
        )}
      </div>
      <div className="cards" data-testid="report-cards">
        {(allCards ? cards : cards.slice(0, CARDS_SHOWN)).map((card) => (
          <EmotionCardView
            key={card.card_id}
            card={card}
            maxQuotes={3}
            onQuote={(quote) => pick({ ids: [quote.review_uid] })}
            onEmotion={(emotion) => pick({ aspect: card.aspect_id, emotion })}
            action={
              <button
                type="button"
                className="link-button"
                data-testid="card-reviews"
                onClick={() => pick({ aspect: card.aspect_id })}
              >
                {t("showReviews", { n: card.mentions })}
              </button>
            }
          />
        ))}
      </div>

      <div ref={tableRef}>
        <ReviewTable
          jobId={jobId}
          filters={filters}
          onChange={(f) => setFilters(f)}
          aspects={aspects}
          emotions={emotions}
        />
      </div>
    </article>
  );
}
