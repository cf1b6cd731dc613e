// A list of analyses (recent ones on the home page, all of them in the history). With `onDeleted`, each
// finished analysis gets a delete button with a confirm step (DELETE /api/analyses/{id}); a queued or
// running one has none, as the server refuses to delete it (409) until it ends or is cancelled.
import { useState } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import { FINAL_STATUSES, type Job } from "../api/types";
import { dateTime, num } from "../format";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";

export function StatusBadge({ status }: { status: Job["status"] }) {
  const { t } = useI18n();
  return <span className={`badge status-${status}`}>{t(`status_${status}` as MessageKey)}</span>;
}

interface Props {
  jobs: Job[];
  /** called once the server has deleted the analysis; without it no delete buttons are shown */
  onDeleted?: (job: Job) => void;
}

export function JobList({ jobs, onDeleted }: Props) {
  return (
    <ul className="job-list">
      {jobs.map((j) => (
        <li key={j.job_id} data-job-id={j.job_id}>
          <JobRow job={j} onDeleted={onDeleted} />
        </li>
      ))}
    </ul>
  );
}

type Step = "idle" | "confirm" | "busy";

function JobRow({ job, onDeleted }: { job: Job; onDeleted?: (job: Job) => void }) {
  const { t, lang } = useI18n();
  const [step, setStep] = useState<Step>("idle");
  const [error, setError] = useState<string | null>(null);
  const link = (
    <Link to={`/analyses/${job.job_id}`} className="job-link">
      <span className="job-source">{job.source}</span>
      <span className="job-meta">
        <StatusBadge status={job.status} />
        <span className="muted small">
          {dateTime(lang, job.created_at)} · {t("colReviews")} {num(lang, job.analyzed)}
        </span>
      </span>
    </Link>
  );
  if (!onDeleted || !FINAL_STATUSES.has(job.status)) return link;

  const remove = async () => {
    setStep("busy");
    setError(null);
    try {
      await api.remove(job.job_id);
      onDeleted(job);
    } catch (e) {
      setError(t("deleteFailed", { reason: e instanceof Error ? e.message : String(e) }));
      setStep("idle");
    }
  };

  return (
    <div className="job-row">
      {link}
      <div className="job-delete">
        {step === "idle" ? (
          <button
            type="button"
            className="danger-outline"
            aria-label={t("deleteAnalysisLabel", { source: job.source })}
            onClick={() => setStep("confirm")}
          >
            {t("deleteAnalysis")}
          </button>
        ) : (
          <>
            <span role="alert">{t("deleteConfirm")}</span>
            <button type="button" className="danger" disabled={step === "busy"} onClick={remove} autoFocus>
              {step === "busy" ? t("deleting") : t("deleteYes")}
            </button>
            <button type="button" disabled={step === "busy"} onClick={() => setStep("idle")}>
              {t("deleteNo")}
            </button>
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
