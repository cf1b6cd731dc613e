// Builders for test data shaped like the backend's (typed by the generated schema types).
import type { AspectMention, EmotionCard, JobEvent, LiveCard, ProgressData } from "../api/types";

export const JOB = "00000000-0000-4000-8000-000000000001";

export function card(id: string, mentions: number, positive = mentions, negative = 0, extra: Partial<EmotionCard> = {}): EmotionCard {
  const neutral = mentions - positive - negative;
  const aspectId = id.startsWith("aspect:") ? id.slice(7) : id;
  return {
    card_id: id,
    kind: id.startsWith("topic:") ? "topic" : "aspect",
    aspect_id: aspectId,
    label: aspectId,
    label_en: null,
    mentions,
    positive,
    negative,
    neutral,
    positive_share: mentions ? positive / mentions : 0,
    negative_share: mentions ? negative / mentions : 0,
    positive_ci: [0.1, 0.9],
    top_phrases: [],
    emotions: {},
    quotes: [],
    review_uids: [],
    ...extra,
  };
}

const ts = "2026-11-26T10:00:00.000Z";

export function cardEvent(seq: number, c: LiveCard, job = JOB): JobEvent {
  return { version: 1, type: "card", job_id: job, seq, ts, data: c };
}

export function progressEvent(seq: number, p: Partial<ProgressData> = {}): JobEvent {
  return {
    version: 1,
    type: "progress",
    job_id: JOB,
    seq,
    ts,
    data: { pages: 1, collected: 100, analyzed: 50, total_estimate: 1000, rate_per_s: 25, ...p },
  };
}

export function stageEvent(seq: number, stage: "collect" | "analyze" | "report", state: "started" | "finished"): JobEvent {
  return { version: 1, type: "stage", job_id: JOB, seq, ts, data: { stage, state } };
}

export function completedEvent(seq: number): JobEvent {
  return { version: 1, type: "completed", job_id: JOB, seq, ts, data: { report_url: `/api/analyses/${JOB}/report` } };
}

export function failedEvent(seq: number, reason: string, code = "blocked"): JobEvent {
  return { version: 1, type: "failed", job_id: JOB, seq, ts, data: { reason, code } };
}

export function mention(aspectId: string, polarity: AspectMention["polarity"], clause: string): AspectMention {
  return { aspect_id: aspectId, aspect: aspectId, polarity, clause, score: 0.9 };
}

/** A small deterministic PRNG (mulberry32), so randomised tests replay exactly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An in-memory Storage for persistence tests. */
export class MemoryStorage implements Storage {
  private data = new Map<string, string>();
  get length() {
    return this.data.size;
  }
  clear() {
    this.data.clear();
  }
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  key(i: number) {
    return [...this.data.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}
