// The live analysis state, folded from the job's events (docs/events.schema.json) in `seq` order.
//
// Rules (DESIGN.md, "The event contract"):
// - an event whose seq is not above the last applied one is a duplicate (a resume overlap) and is ignored;
// - a `card` event replaces the card with the same card_id; cards keep the place where they first appeared,
//   so an update changes a card in place instead of moving it around the grid;
// - `completed`, `failed` and `cancelled` end the stream.
// The state is plain JSON so it can be kept in sessionStorage and restored after a reload.
import type { FailedData, JobEvent, LiveCard, ProgressData } from "../api/types";
import type { Stage, State as StageState } from "../api/generated/events";

export type StageStatus = "pending" | StageState;

export type Outcome =
  | { type: "completed"; reportUrl: string }
  | { type: "failed"; reason: string; code: string }
  | { type: "cancelled" };

export interface StreamState {
  jobId: string;
  lastSeq: number;
  /** card_id -> the latest card */
  cards: Record<string, LiveCard>;
  /** card_ids in order of first appearance */
  order: string[];
  /** card_id -> seq of the event that last changed it (drives the "updated" flash) */
  cardSeq: Record<string, number>;
  progress: ProgressData | null;
  stages: Record<Stage, StageStatus>;
  outcome: Outcome | null;
  applied: number;
  duplicates: number;
  /** times a seq jumped by more than one (should stay 0: the server sends every event) */
  gaps: number;
}

export function initialStream(jobId: string): StreamState {
  return {
    jobId,
    lastSeq: 0,
    cards: {},
    order: [],
    cardSeq: {},
    progress: null,
    stages: { collect: "pending", analyze: "pending", report: "pending" },
    outcome: null,
    applied: 0,
    duplicates: 0,
    gaps: 0,
  };
}

const TYPES = new Set(["stage", "progress", "card", "completed", "failed", "cancelled"]);

/** A frame from the socket as a typed event, or null when it is not one (never trusted blindly). */
export function parseEvent(raw: unknown): JobEvent | null {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== "object") return null;
  const e = value as Record<string, unknown>;
  if (typeof e.type !== "string" || !TYPES.has(e.type)) return null;
  if (typeof e.seq !== "number" || !Number.isInteger(e.seq) || e.seq < 1) return null;
  if (typeof e.job_id !== "string" || !e.data || typeof e.data !== "object") return null;
  if (e.type === "card" && typeof (e.data as { card_id?: unknown }).card_id !== "string") return null;
  return value as JobEvent;
}

/** Fold a batch of events into the state; returns the same object when nothing changed. */
export function applyEvents(state: StreamState, events: readonly JobEvent[]): StreamState {
  if (events.length === 0) return state;
  // A batch is normally already ordered; sorting a copy makes the fold independent of arrival order.
  const batch = events.length > 1 ? [...events].sort((a, b) => a.seq - b.seq) : events;
  let next: StreamState | null = null;
  let cards = state.cards;
  let cardSeq = state.cardSeq;
  let order = state.order;
  let duplicates = state.duplicates;
  for (const event of batch) {
    const last: number = next ? next.lastSeq : state.lastSeq;
    if (event.job_id !== state.jobId || event.seq <= last) {
      duplicates += 1;
      continue;
    }
    if (next === null) next = { ...state };
    if (event.seq > last + 1) next.gaps += 1;
    next.lastSeq = event.seq;
    next.applied += 1;
    switch (event.type) {
      case "card": {
        const id = event.data.card_id;
        if (cards === state.cards) cards = { ...cards };
        if (cardSeq === state.cardSeq) cardSeq = { ...cardSeq };
        if (!(id in cards)) order = [...order, id];
        cards[id] = event.data;
        cardSeq[id] = event.seq;
        break;
      }
      case "progress":
        next.progress = event.data;
        break;
      case "stage":
        next.stages = { ...next.stages, [event.data.stage]: event.data.state };
        break;
      case "completed":
        next.outcome = { type: "completed", reportUrl: event.data.report_url };
        break;
      case "failed":
        next.outcome = { type: "failed", reason: event.data.reason, code: event.data.code };
        break;
      case "cancelled":
        next.outcome = { type: "cancelled" };
        break;
    }
  }
  if (next === null) return duplicates === state.duplicates ? state : { ...state, duplicates };
  next.cards = cards;
  next.cardSeq = cardSeq;
  next.order = order;
  next.duplicates = duplicates;
  return next;
}

/** Cards in display order (first appearance). */
export function orderedCards(state: StreamState): LiveCard[] {
  return state.order.map((id) => state.cards[id]).filter((c): c is LiveCard => c !== undefined);
}

export function failureOf(state: StreamState): FailedData | null {
  return state.outcome?.type === "failed" ? { reason: state.outcome.reason, code: state.outcome.code } : null;
}

// ---- persistence across reloads (sessionStorage: per tab, gone when the tab closes) ----

const KEY = "highpipe:stream:";
const FORMAT = 1;

export function saveStream(state: StreamState, storage: Storage | undefined = globalThis.sessionStorage): void {
  if (!storage || state.lastSeq === 0) return;
  try {
    storage.setItem(KEY + state.jobId, JSON.stringify({ format: FORMAT, state }));
  } catch {
    /* quota or privacy mode: resuming from seq 0 is still correct, only slower */
  }
}

export function loadStream(jobId: string, storage: Storage | undefined = globalThis.sessionStorage): StreamState {
  const fresh = initialStream(jobId);
  if (!storage) return fresh;
  try {
    const raw = storage.getItem(KEY + jobId);
    if (!raw) return fresh;
    const parsed = JSON.parse(raw) as { format?: number; state?: StreamState };
    const s = parsed.state;
    if (parsed.format !== FORMAT || !s || s.jobId !== jobId || !Number.isInteger(s.lastSeq)) return fresh;
    // Re-check the invariants instead of trusting stored JSON: every ordered id has a card and vice versa.
    const order = s.order.filter((id) => id in s.cards);
    if (order.length !== Object.keys(s.cards).length) return fresh;
    return { ...fresh, ...s, order };
  } catch {
    return fresh;
  }
}

export function forgetStream(jobId: string, storage: Storage | undefined = globalThis.sessionStorage): void {
  try {
    storage?.removeItem(KEY + jobId);
  } catch {
    /* nothing to forget */
  }
}
