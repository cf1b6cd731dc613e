// /analyses/:id — the live view while the analysis runs, the report once it is complete, and a failure
// (or cancellation) screen with the reason and whatever partial results exist. One URL for all three, so
// the link shared during the analysis shows the report later.
//
// The report is asked for first: when it exists it is shown at once, and the job's status (which replays
// the job's events on the server, slower for a large analysis) follows after the first paint, only to add
// a banner when the analysis failed or was cancelled with partial results. Without a report (409), the
// status decides between the live view and the failure screen. The report is stored just before the job's
// final status, so a page that loads in between sees a report and a running job: it asks again (every
// STATUS_RETRY_MS) until the status is final, or a failure would show as an empty report.
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { api, ApiError } from "../api/client";
import { take } from "../api/prefetch";
import { FINAL_STATUSES, type Job, type Report } from "../api/types";
import { EmotionCardView } from "../components/EmotionCardView";
import { useI18n } from "../i18n";
import { forgetStream, orderedCards, type StreamState } from "../live/cardStream";
import { useJobStream } from "../live/useJobStream";
import { LiveView } from "./LiveView";
import { ReportView, type Ended } from "./ReportView";

/** How often, and how many times, a page with a report asks again for a status that is not final yet. */
const STATUS_RETRY_MS = 500;
const STATUS_RETRIES = 120;

type Problem = { kind: "missing" } | { kind: "error"; message: string };

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export default function AnalysisPage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const [report, setReport] = useState<Report | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [reportError, setReportError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const statusTries = useRef(0);

  useEffect(() => {
    let live = true;
    setReport(null);
    setJob(null);
    statusTries.current = 0;
    setProblem(null);
    const fail = (e: unknown) => {
      if (!live) return;
      setProblem(e instanceof ApiError && e.status === 404 ? { kind: "missing" } : { kind: "error", message: errorText(e) });
    };
    take(`report:${id}`, () => api.report(id))
      .then((r) => live && setReport(r))
      .catch((e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 409)
          api.status(id).then((s) => live && setJob(s.job), fail);
        else fail(e);
      });
    return () => {
      live = false;
    };
  }, [id, attempt]);

  // With the report on screen, learn how the analysis ended (after the first paint: not on the critical path).
  const jobFinal = job !== null && FINAL_STATUSES.has(job.status);
  useEffect(() => {
    if (!report || jobFinal || statusTries.current++ > STATUS_RETRIES) return;
    let live = true;
    const timer = setTimeout(
      () => api.status(id).then((s) => live && setJob(s.job), () => {}),
      job ? STATUS_RETRY_MS : 0,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [report, job, jobFinal, id]);

  // A running analysis streams; a failed or cancelled one without a report replays its events for partial cards.
  const streaming = !report && job !== null && job.status !== "completed";
  const { state, connection, closeCode } = useJobStream(id, streaming);
  const finished = !report && (job?.status === "completed" || state.outcome?.type === "completed");

  useEffect(() => {
    if (!finished) return;
    let live = true;
    let tries = 0;
    // The `completed` event follows the stored report, but a cache or replica may lag: retry a 409 briefly.
    const fetchReport = () => {
      api
        .report(id)
        .then((r) => {
          if (!live) return;
          setReport(r);
          forgetStream(id);
        })
        .catch((e: unknown) => {
          if (!live) return;
          if (e instanceof ApiError && e.status === 409 && tries++ < 10) setTimeout(fetchReport, 500);
          else setReportError(errorText(e));
        });
    };
    fetchReport();
    return () => {
      live = false;
    };
  }, [finished, id]);

  useEffect(() => {
    document.title = `${report?.product?.title ?? t("liveTitle")} · HighPipe`;
  }, [report, t]);

  if (problem?.kind === "missing")
    return (
      <section className="card">
        <h1>{t("notFound")}</h1>
        <Link to="/">{t("backHome")}</Link>
      </section>
    );
  if (problem?.kind === "error")
    return (
      <section className="card">
        <p className="error" role="alert">
          {t("loadFailed", { reason: problem.message })}
        </p>
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          {t("retry")}
        </button>
      </section>
    );

  const ended: Ended | null =
    job && (job.status === "failed" || job.status === "cancelled")
      ? { status: job.status, reason: job.failure_reason ?? null, code: job.failure_code ?? null }
      : null;
  if (report) {
    // An analysis that ended with nothing analysed has nothing to report: its failure screen says why.
    if (report.analyzed_reviews === 0 && !jobFinal) return <p aria-busy="true">{t("loading")}</p>;
    if (!(report.analyzed_reviews === 0 && ended))
      return <ReportView jobId={id} source={job?.source ?? null} report={report} ended={ended} />;
  }
  if (!job) return <p aria-busy="true">{t("loading")}</p>;

  const outcome = state.outcome;
  const failed = outcome?.type === "failed" || (job.status === "failed" && !outcome);
  const cancelled = outcome?.type === "cancelled" || (job.status === "cancelled" && !outcome);
  if (failed || cancelled) return <FailureScreen job={job} state={state} failed={failed} />;

  return (
    <>
      <LiveView job={job} state={state} connection={connection} closeCode={closeCode} />
      {finished && (
        <p className="banner" role="status">
          {reportError ? t("loadFailed", { reason: reportError }) : t("reportLoading")}
        </p>
      )}
    </>
  );
}

function FailureScreen({ job, state, failed }: { job: Job; state: StreamState; failed: boolean }) {
  const { t } = useI18n();
  const outcome = state.outcome;
  const reason = outcome?.type === "failed" ? outcome.reason : job.failure_reason;
  const code = outcome?.type === "failed" ? outcome.code : job.failure_code;
  const cards = orderedCards(state);
  return (
    <section className="failure" data-testid={failed ? "failed" : "cancelled"} aria-labelledby="failure-title">
      <div className={`card ${failed ? "failure-box" : ""}`} role={failed ? "alert" : "status"}>
        <h1 id="failure-title">{failed ? t("failedTitle") : t("cancelledTitle")}</h1>
        {failed && (
          <p>
            <strong>{t("failedReason")}:</strong> <span data-testid="failure-reason">{reason ?? "–"}</span>
            {code && <code className="muted small"> ({code})</code>}
          </p>
        )}
        <p className="muted">{job.source}</p>
        <p>
          {t("counterCollected")} {state.progress?.collected ?? job.collected} · {t("counterAnalyzed")}{" "}
          {state.progress?.analyzed ?? job.analyzed}
        </p>
        <Link to="/">{t("backHome")}</Link>
      </div>
      {cards.length > 0 && (
        <>
          <h2>{t("failedPartial")}</h2>
          <div className="cards">
            {cards.map((c) => (
              <EmotionCardView key={c.card_id} card={c} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
