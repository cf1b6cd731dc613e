// A review's text with the clauses behind its aspect mentions highlighted (see report/highlight.ts).
import type { ReviewItem } from "../api/types";
import { aspectLabel, useI18n } from "../i18n";
import { segments } from "../report/highlight";

export function ReviewText({ item, focusAspect }: { item: ReviewItem; focusAspect?: string | null }) {
  const { lang, t } = useI18n();
  const mentions = item.analysis?.aspects ?? [];
  const parts = segments(item.review.text, mentions, focusAspect);
  return (
    <p className="review-text">
      {parts.map((s, i) =>
        s.polarity ? (
          <mark
            key={i}
            className={`hl ${s.polarity}${s.focus ? " focus" : ""}`}
            title={s.mentions.map((m) => `${aspectLabel(lang, m.aspect_id, m.aspect)} · ${t(m.polarity)}`).join(", ")}
            data-aspects={s.mentions.map((m) => m.aspect_id).join(" ")}
          >
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </p>
  );
}
