// A list of analyses (recent ones on the home page, all of them in the history).
import { Link } from "react-router";
import type { Job } from "../api/types";
import { dateTime, num } from "../format";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";

export function StatusBadge({ status }: { status: Job["status"] }) {
  const { t } = useI18n();
  return <span className={`badge status-${status}`}>{t(`status_${status}` as MessageKey)}</span>;
}

export function JobList({ jobs }: { jobs: Job[] }) {
  const { t, lang } = useI18n();
  return (
    <ul className="job-list">
      {jobs.map((j) => (
        <li key={j.job_id}>
          <Link to={`/analyses/${j.job_id}`} className="job-link">
            <span className="job-source">{j.source}</span>
            <span className="job-meta">
              <StatusBadge status={j.status} />
              <span className="muted small">
                {dateTime(lang, j.created_at)} · {t("colReviews")} {num(lang, j.analyzed)}
              </span>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
