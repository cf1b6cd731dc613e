// History: every analysis, newest first, with a search over URLs and file names (GET /api/analyses?q=), and
// deletion of finished analyses (confirmed first).
import { useEffect, useId, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../api/client";
import type { Job } from "../api/types";
import { JobList } from "../components/JobList";
import { useI18n } from "../i18n";

const PAGE = 30;

export default function HistoryPage() {
  const { t } = useI18n();
  const id = useId();
  const [search, setSearch] = useSearchParams();
  const q = search.get("q") ?? "";
  const [draft, setDraft] = useState(q);
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const notice = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    document.title = `${t("historyTitle")} · HighPipe`;
  }, [t]);
  useEffect(() => {
    let live = true;
    setJobs(null);
    api
      .list({ q: q || undefined, limit: PAGE + 1 })
      .then((list) => {
        if (!live) return;
        setMore(list.length > PAGE);
        setJobs(list.slice(0, PAGE));
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [q]);

  const onDeleted = (job: Job) => {
    setJobs((list) => (list ?? []).filter((j) => j.job_id !== job.job_id));
    setDeleted(job.source);
    // The row (and the focused button) is gone: keep keyboard users in place, on the notice.
    requestAnimationFrame(() => notice.current?.focus());
  };

  const loadMore = async () => {
    const list = await api.list({ q: q || undefined, limit: PAGE + 1, offset: jobs?.length ?? 0 });
    setMore(list.length > PAGE);
    setJobs([...(jobs ?? []), ...list.slice(0, PAGE)]);
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h1 id={`${id}-title`}>{t("historyTitle")}</h1>
        <Link to="/compare">{t("comparePick")} →</Link>
      </div>
      <form
        role="search"
        className="history-search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(draft.trim() ? { q: draft.trim() } : {});
        }}
      >
        <label htmlFor={`${id}-q`}>{t("historySearch")}</label>
        <input id={`${id}-q`} type="search" value={draft} placeholder={t("historySearchPlaceholder")} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">{t("historySearch")}</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {t("loadFailed", { reason: error })}
        </p>
      )}
      {jobs === null && !error && <p aria-busy="true">{t("loading")}</p>}
      {jobs?.length === 0 && <p className="muted">{t("historyEmpty")}</p>}
      <p className="muted" role="status" tabIndex={-1} ref={notice} data-testid="history-notice">
        {deleted ? t("deleted", { source: deleted }) : ""}
      </p>
      {jobs && jobs.length > 0 && <JobList jobs={jobs} onDeleted={onDeleted} />}
      {more && (
        <button type="button" onClick={loadMore}>
          {t("historyMore")}
        </button>
      )}
    </section>
  );
}
