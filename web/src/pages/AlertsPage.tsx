// Alerts: what Alertmanager sent to HighPipe's webhook and the watchlist's negative-share alerts
// (GET /api/alerts), firing first, refreshed every 30 s.
import { useCallback, useEffect, useId, useState } from "react";
import { ApiError } from "../api/client";
import { dateTime } from "../format";
import { useI18n, type Lang } from "../i18n";
import type { AlertItem, AlertList, AlertStatus } from "../api/types";

export type { AlertItem, AlertList, AlertStatus };

export const REFRESH_MS = 30_000;
type Filter = "all" | AlertStatus;

const TEXT = {
  ko: {
    title: "알림",
    intro:
      "Prometheus 경보 규칙이 Alertmanager를 거쳐 보낸 운영 알림과, 관심 상품의 부정 리뷰 비율 급등 알림입니다. 30초마다 새로 고칩니다.",
    firing: "발생 중",
    resolved: "해결됨",
    all: "전체",
    filter: "상태로 보기",
    empty: "표시할 알림이 없습니다.",
    loading: "불러오는 중…",
    failed: "알림을 불러오지 못했습니다: ",
    forbidden: "알림을 보려면 API 토큰이 필요합니다.",
    started: "시작",
    ended: "해결",
    runbook: "대응 문서",
    refresh: "새로 고침",
    severity: { critical: "긴급", warning: "주의" } as Record<string, string>,
  },
  en: {
    title: "Alerts",
    intro:
      "Operational alerts from the Prometheus rules, sent through Alertmanager, and sharp rises in negative reviews of watched products. Refreshed every 30 seconds.",
    firing: "Firing",
    resolved: "Resolved",
    all: "All",
    filter: "Show by status",
    empty: "No alerts to show.",
    loading: "Loading…",
    failed: "Could not load the alerts: ",
    forbidden: "An API token is needed to see the alerts.",
    started: "Started",
    ended: "Resolved",
    runbook: "Runbook",
    refresh: "Refresh",
    severity: { critical: "Critical", warning: "Warning" } as Record<
      string,
      string
    >,
  },
} satisfies Record<Lang, unknown>;

export async function fetchAlerts(): Promise<AlertList> {
  const res = await fetch("/api/alerts", {
    headers: { accept: "application/json" },
  });
  if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`);
  return (await res.json()) as AlertList;
}

/** The summary's part in the reader's language: rules write "한국어 / English". */
export function summaryFor(
  lang: Lang,
  summary: string | null | undefined,
  fallback: string,
): string {
  if (!summary) return fallback;
  const parts = summary.split(" / ");
  if (parts.length < 2) return summary;
  return lang === "en" ? parts.slice(1).join(" / ") : (parts[0] ?? summary);
}

export default function AlertsPage() {
  const { lang } = useI18n();
  const text = TEXT[lang];
  const id = useId();
  const [data, setData] = useState<AlertList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>("all");

  const load = useCallback(async () => {
    try {
      setData(await fetchAlerts());
      setError(null);
    } catch (e: unknown) {
      if (e instanceof ApiError && e.status === 401)
        setError(TEXT[lang].forbidden);
      else
        setError(
          TEXT[lang].failed + (e instanceof Error ? e.message : String(e)),
        );
    }
  }, [lang]);

  useEffect(() => {
    document.title = `${text.title} · HighPipe`;
  }, [text.title]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const shown = (data?.alerts ?? []).filter(
    (a) => filter === "all" || a.status === filter,
  );
  const filters: [Filter, string][] = [
    ["all", text.all],
    ["firing", `${text.firing} ${data?.firing ?? 0}`],
    ["resolved", `${text.resolved} ${data?.resolved ?? 0}`],
  ];

  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h1 id={`${id}-title`}>{text.title}</h1>
        <button type="button" onClick={() => void load()}>
          {text.refresh}
        </button>
      </div>
      <p className="muted">{text.intro}</p>
      <div className="actions" role="group" aria-label={text.filter}>
        {filters.map(([value, label]) => (
          <button
            key={value}
            type="button"
            aria-pressed={filter === value}
            onClick={() => setFilter(value)}
          >
            {label}
          </button>
        ))}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data === null && !error && <p aria-busy="true">{text.loading}</p>}
      {data && shown.length === 0 && <p className="muted">{text.empty}</p>}
      {shown.length > 0 && (
        <ul className="job-list" data-testid="alert-list">
          {shown.map((a) => (
            <li
              key={a.fingerprint}
              data-fingerprint={a.fingerprint}
              className="card"
            >
              <div className="card-head">
                <strong>{summaryFor(lang, a.summary, a.name)}</strong>
                <span className="job-meta">
                  <span
                    className={`badge ${a.status === "firing" ? "status-failed" : "status-completed"}`}
                  >
                    {a.status === "firing" ? text.firing : text.resolved}
                  </span>
                  {a.severity && (
                    <span className="badge">
                      {text.severity[a.severity] ?? a.severity}
                    </span>
                  )}
                </span>
              </div>
              <p className="muted small">
                <code>{a.name}</code>
                {a.labels.job ? ` · ${a.labels.job}` : ""}
                {a.labels.instance ? ` · ${a.labels.instance}` : ""}
              </p>
              {a.description && <p>{a.description}</p>}
              <p className="muted small">
                {text.started}:{" "}
                <time dateTime={a.starts_at}>
                  {dateTime(lang, a.starts_at)}
                </time>
                {a.ends_at && (
                  <>
                    {" · "}
                    {text.ended}:{" "}
                    <time dateTime={a.ends_at}>
                      {dateTime(lang, a.ends_at)}
                    </time>
                  </>
                )}
                {a.runbook && (
                  <>
                    {" · "}
                    {text.runbook}: <code>{a.runbook}</code>
                  </>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
