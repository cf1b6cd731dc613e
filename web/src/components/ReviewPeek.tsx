// A short look at the reviews behind a live card (GET /reviews?aspect=), while the analysis is still running.
import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import type { ReviewPage } from "../api/types";
import { aspectLabel, useI18n } from "../i18n";
import { ReviewText } from "./ReviewText";

export function ReviewPeek({ jobId, aspectId, onClose }: { jobId: string; aspectId: string; onClose: () => void }) {
  const { t, lang } = useI18n();
  const [page, setPage] = useState<ReviewPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLElement>(null);
  // The panel opens below the card grid: bring it into view (and the keyboard focus with it).
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
    ref.current?.focus({ preventScroll: true });
  }, [aspectId]);
  useEffect(() => {
    let live = true;
    setPage(null);
    api
      .reviews(jobId, { aspect: aspectId, page_size: 5 })
      .then((p) => live && setPage(p))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [jobId, aspectId]);
  return (
    <section ref={ref} tabIndex={-1} className="card peek" aria-labelledby="peek-title" data-testid="review-peek">
      <div className="section-head">
        <h3 id="peek-title">
          {aspectLabel(lang, aspectId)} · {page ? t("reviewsCount", { n: page.total }) : t("loading")}
        </h3>
        <button type="button" onClick={onClose}>
          ✕<span className="sr-only">{lang === "en" ? "Close" : "닫기"}</span>
        </button>
      </div>
      {error && <p className="error">{t("loadFailed", { reason: error })}</p>}
      <ul className="peek-list">
        {page?.items.map((item) => (
          <li key={item.review.review_uid}>
            <ReviewText item={item} focusAspect={aspectId} />
          </li>
        ))}
      </ul>
    </section>
  );
}
