// The live analysis: stages with progress, counters, the sentiment gauge and the cards as they arrive.
import { useState } from "react";
import { api } from "../api/client";
import type { Job } from "../api/types";
import { Gauge } from "../components/Gauge";
import { EmotionCardView } from "../components/EmotionCardView";
import { ReviewPeek } from "../components/ReviewPeek";
import { num, pct } from "../format";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { orderedCards, type StageStatus, type StreamState } from "../live/cardStream";
import type { ConnectionState } from "../live/socket";
import { etaSeconds, liveGauge, stageFraction } from "../report/shape";

interface Props {
  job: Job;
  state: StreamState;
  connection: ConnectionState;
  closeCode: number | null;
}

const STAGE_WORD: Record<StageStatus | "skipped", MessageKey> = {
  pending: "stagePending",
  started: "stageActive",
  finished: "stageFinished",
  skipped: "stageSkipped",
};

function Stage(props: { name: MessageKey; status: StageStatus | "skipped"; fraction: number | null; step: number }) {
  const { t } = useI18n();
  const { name, status, fraction, step } = props;
  const value = status === "finished" ? 1 : status === "skipped" ? 1 : fraction;
  const id = `stage-${step}`;
  return (
    <li className={`stage stage-${status}`} aria-current={status === "started" ? "step" : undefined}>
      <div className="stage-head">
        <span className="stage-num" aria-hidden="true">
          {step}
        </span>
        <span id={id} className="stage-name">
          {t(name)}
        </span>
        <span className="stage-state">{t(STAGE_WORD[status])}</span>
      </div>
      {value === null ? (
        <progress aria-labelledby={id} className={status === "started" ? "indeterminate" : ""} />
      ) : (
        <progress aria-labelledby={id} max={1} value={value} />
      )}
    </li>
  );
}

function eta(t: ReturnType<typeof useI18n>["t"], seconds: number | null): string {
  if (seconds === null) return t("etaUnknown");
  if (seconds < 90) return t("etaSeconds", { n: seconds });
  return t("etaMinutes", { n: Math.round(seconds / 60) });
}

export function LiveView({ job, state, connection, closeCode }: Props) {
  const { t, lang } = useI18n();
  const [cancelStep, setCancelStep] = useState<"idle" | "confirm" | "busy">("idle");
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [peek, setPeek] = useState<string | null>(null);
  const p = state.progress;
  const cards = orderedCards(state);
  const gauge = liveGauge(cards);
  const upload = job.kind === "upload";
  const collect: StageStatus | "skipped" = upload && state.stages.collect === "pending" ? "skipped" : state.stages.collect;
  const doneStatus: StageStatus = state.outcome?.type === "completed" ? "finished" : state.stages.report;

  const cancel = async () => {
    setCancelStep("busy");
    setCancelError(null);
    try {
      await api.cancel(job.job_id);
    } catch (e) {
      setCancelError(e instanceof Error ? e.message : String(e));
      setCancelStep("idle");
    }
  };

  return (
    <section className="live" data-testid="live" data-last-seq={state.lastSeq} aria-labelledby="live-title">
      <div className="section-head">
        <h1 id="live-title">{t("liveTitle")}</h1>
        <div className="actions">
          {cancelStep === "confirm" ? (
            <>
              <span>{t("cancelConfirm")}</span>
              <button type="button" className="danger" onClick={cancel}>
                {t("cancel")}
              </button>
              <button type="button" onClick={() => setCancelStep("idle")}>
                {t("cancelKeep")}
              </button>
            </>
          ) : (
            <button
              type="button"
              className="danger-outline"
              disabled={cancelStep === "busy" || !!state.outcome}
              onClick={() => setCancelStep("confirm")}
            >
              {cancelStep === "busy" ? t("cancelling") : t("cancel")}
            </button>
          )}
        </div>
      </div>
      <p className="muted source">{job.source}</p>
      {cancelError && (
        <p className="error" role="alert">
          {cancelError}
        </p>
      )}
      {connection === "reconnecting" && (
        <p className="banner" role="status">
          {t("connReconnecting", { seq: state.lastSeq })}
        </p>
      )}
      {connection === "error" && (
        <p className="error" role="alert">
          {t("connError", { code: closeCode ?? "?" })}
        </p>
      )}

      <ol className="stages" aria-label={t("stages")}>
        <Stage name="stageCollect" status={collect} fraction={stageFraction(p, "collect")} step={1} />
        <Stage name="stageAnalyze" status={state.stages.analyze} fraction={stageFraction(p, "analyze")} step={2} />
        <Stage name="stageDone" status={doneStatus} fraction={null} step={3} />
      </ol>

      <div className="live-top">
        <dl className="counters" aria-live="off">
          <div>
            <dt>{t("counterPages")}</dt>
            <dd data-counter="pages">{num(lang, p?.pages ?? job.pages)}</dd>
          </div>
          <div>
            <dt>{t("counterCollected")}</dt>
            <dd data-counter="collected">
              {num(lang, p?.collected ?? job.collected)}
              {p?.total_estimate ? <small> / {num(lang, p.total_estimate)}</small> : null}
            </dd>
          </div>
          <div>
            <dt>{t("counterAnalyzed")}</dt>
            <dd data-counter="analyzed">{num(lang, p?.analyzed ?? job.analyzed)}</dd>
          </div>
          <div>
            <dt>{t("counterRate")}</dt>
            <dd>
              {p ? num(lang, p.rate_per_s, 1) : "–"} <small>{t("perSecond")}</small>
            </dd>
          </div>
          <div>
            <dt>{t("counterEta")}</dt>
            <dd>{eta(t, etaSeconds(p))}</dd>
          </div>
        </dl>
        <div className="card gauge-card">
          <h2>{t("gaugeTitle")}</h2>
          <Gauge value={gauge.share} label={t("gaugeLive")} display={gauge.share === null ? "–" : pct(gauge.share)} />
          <p className="muted small">{gauge.share === null ? t("gaugeNone") : t("gaugeLive")}</p>
        </div>
      </div>

      <h2>{t("cardsTitle")}</h2>
      {cards.length === 0 ? (
        <p className="muted">{t("cardsWaiting")}</p>
      ) : (
        <div className="cards" data-testid="live-cards">
          {cards.map((card) => (
            <EmotionCardView
              key={card.card_id}
              card={card}
              version={state.cardSeq[card.card_id]}
              action={
                <button
                  type="button"
                  className="link-button"
                  aria-expanded={peek === card.card_id}
                  onClick={() => setPeek(peek === card.card_id ? null : card.card_id)}
                >
                  {t("showReviews", { n: card.mentions })}
                </button>
              }
            />
          ))}
        </div>
      )}
      {peek && state.cards[peek] && (
        <ReviewPeek jobId={job.job_id} aspectId={state.cards[peek].aspect_id} onClose={() => setPeek(null)} />
      )}
    </section>
  );
}
