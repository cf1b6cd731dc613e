// Splits a review's text into runs, marking the clauses its aspect mentions were found in.
// Clauses are located in the text (first occurrence, exact, then whitespace-insensitive); overlapping
// clauses merge into one run that lists every mention covering it.
import type { AspectMention, Sentiment } from "../api/types";

export interface Segment {
  text: string;
  /** mentions covering this run; empty for plain text */
  mentions: AspectMention[];
  /** the polarity to paint: negative wins over positive over neutral where clauses overlap */
  polarity: Sentiment | null;
  /** true when a covering mention is of the focused aspect */
  focus: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** [start, end) of the clause in the text, or null when it cannot be found. */
export function locate(text: string, clause: string): [number, number] | null {
  const needle = clause.trim();
  if (!needle) return null;
  const at = text.indexOf(needle);
  if (at >= 0) return [at, at + needle.length];
  // The analyser may normalise spacing: match the words with any run of whitespace between them.
  const words = needle.split(/\s+/).map(escapeRegExp);
  const m = new RegExp(words.join("\\s*")).exec(text);
  return m ? [m.index, m.index + m[0].length] : null;
}

const RANK: Record<Sentiment, number> = { negative: 3, positive: 2, neutral: 1 };

export function segments(text: string, mentions: readonly AspectMention[], focusAspect?: string | null): Segment[] {
  const cover: AspectMention[][] = Array.from({ length: text.length }, () => []);
  for (const m of mentions) {
    const range = locate(text, m.clause);
    if (!range) continue;
    for (let i = range[0]; i < range[1]; i++) cover[i]?.push(m);
  }
  const out: Segment[] = [];
  let start = 0;
  const key = (ms: AspectMention[]) => ms.map((m) => `${m.aspect_id}/${m.polarity}`).join(",");
  for (let i = 1; i <= text.length; i++) {
    if (i < text.length && key(cover[i] ?? []) === key(cover[start] ?? [])) continue;
    const ms = cover[start] ?? [];
    let polarity: Sentiment | null = null;
    for (const m of ms) if (!polarity || RANK[m.polarity] > RANK[polarity]) polarity = m.polarity;
    out.push({
      text: text.slice(start, i),
      mentions: ms,
      polarity,
      focus: !!focusAspect && ms.some((m) => m.aspect_id === focusAspect),
    });
    start = i;
  }
  return out;
}
