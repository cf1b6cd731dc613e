// One emotion card: an aspect (or topic), how often and how people felt about it, phrases and quotes.
// Keyed by card_id by the caller, so a newer version of the card updates this element in place; the
// change is signalled with a short highlight (skipped for users who prefer reduced motion).
import { memo, useEffect, useRef, type ReactNode } from "react";
import type { EmotionCard, LiveCard } from "../api/types";
import { aspectLabel, emotionLabel, useI18n } from "../i18n";
import { pct } from "../format";

interface Props {
  card: EmotionCard | LiveCard;
  /** seq of the event that last changed the card (live); a change triggers the highlight */
  version?: number;
  maxQuotes?: number;
  /** a click on a quote (the report leads to the review it comes from) */
  onQuote?: (quote: Quote) => void;
  /** a click on an emotion chip (the report leads to this card's reviews with that emotion) */
  onEmotion?: (emotionId: string) => void;
  action?: ReactNode;
}

type Quote = EmotionCard["quotes"][number];

function CardInner({ card, version, maxQuotes = 2, onQuote, onEmotion, action }: Props) {
  const { t, lang, fmt } = useI18n();
  const ref = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const el = ref.current;
    if (!el || typeof el.animate !== "function") return;
    if (matchMedia?.("(prefers-reduced-motion: reduce)").matches) return;
    el.animate([{ outlineColor: "var(--accent)" }, { outlineColor: "transparent" }], { duration: 700, easing: "ease-out" });
  }, [version]);

  const label = card.kind === "aspect" ? aspectLabel(lang, card.aspect_id, card.label) : card.label;
  const total = card.mentions || 1;
  const emotions = Object.entries(card.emotions ?? {})
    .map(([id, n]) => [id, n ?? 0] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3);
  const [lo, hi] = card.positive_ci as [number, number];
  return (
    <article
      ref={ref}
      className="card emotion-card"
      data-card-id={card.card_id}
      data-mentions={card.mentions}
      aria-labelledby={`card-${card.card_id}`}
    >
      <header className="card-head">
        <h3 id={`card-${card.card_id}`}>
          {label}
          {card.kind === "topic" && <span className="chip chip-muted">#</span>}
        </h3>
        <span className="card-mentions">{t("mentions", { n: fmt.format(card.mentions) })}</span>
      </header>
      <div
        className="stack-bar"
        role="img"
        aria-label={`${t("positive")} ${card.positive}, ${t("negative")} ${card.negative}, ${t("neutral")} ${card.neutral}`}
      >
        <span className="seg pos" style={{ width: `${(card.positive / total) * 100}%` }} />
        <span className="seg neu" style={{ width: `${(card.neutral / total) * 100}%` }} />
        <span className="seg neg" style={{ width: `${(card.negative / total) * 100}%` }} />
      </div>
      <p className="card-share">
        <strong className="pos-text">{t("positiveShare", { p: pct(card.positive_share) })}</strong>{" "}
        <span className="muted">{t("ciLabel", { lo: pct(lo), hi: pct(hi) })}</span>
      </p>
      {card.top_phrases.length > 0 && (
        <ul className="chips" aria-label={t("phrases")}>
          {card.top_phrases.slice(0, 4).map((p) => (
            <li key={p} className="chip">
              {p}
            </li>
          ))}
        </ul>
      )}
      {emotions.length > 0 && (
        <ul className="chips" aria-label={t("emotionDist")}>
          {emotions.map(([id, n]) => (
            <li key={id} className="chip chip-emotion">
              {onEmotion ? (
                <button
                  type="button"
                  className="chip-button"
                  data-emotion={id}
                  aria-label={t("emotionReviews", { label: emotionLabel(lang, id), n })}
                  onClick={() => onEmotion(id)}
                >
                  {emotionLabel(lang, id)} {n}
                </button>
              ) : (
                <>
                  {emotionLabel(lang, id)} {n}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {card.quotes.slice(0, maxQuotes).map((q) => (
        <blockquote key={q.review_uid} className={`quote ${q.polarity}`}>
          {onQuote ? (
            <button
              type="button"
              className="link-button"
              title={t("quoteReviews")}
              data-review-uid={q.review_uid}
              onClick={() => onQuote(q)}
            >
              “{q.text}”
            </button>
          ) : (
            <>“{q.text}”</>
          )}
        </blockquote>
      ))}
      {action}
    </article>
  );
}

export const EmotionCardView = memo(CardInner);
