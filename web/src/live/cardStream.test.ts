import { describe, expect, it } from "vitest";
import type { JobEvent } from "../api/types";
import {
  applyEvents,
  forgetStream,
  initialStream,
  loadStream,
  orderedCards,
  parseEvent,
  saveStream,
  type StreamState,
} from "./cardStream";
import {
  card,
  cardEvent,
  completedEvent,
  failedEvent,
  JOB,
  MemoryStorage,
  progressEvent,
  rng,
  stageEvent,
} from "../test/fixtures";

const ids = (s: StreamState) => orderedCards(s).map((c) => `${c.card_id}=${c.mentions}`);

describe("applyEvents", () => {
  it("replaces a card by card_id and keeps the place where it first appeared", () => {
    let s = initialStream(JOB);
    s = applyEvents(s, [cardEvent(1, card("aspect:delivery", 3)), cardEvent(2, card("aspect:size", 4))]);
    s = applyEvents(s, [cardEvent(3, card("aspect:delivery", 9, 5, 4))]);
    expect(ids(s)).toEqual(["aspect:delivery=9", "aspect:size=4"]);
    expect(s.cards["aspect:delivery"]?.negative).toBe(4);
    expect(s.cardSeq["aspect:delivery"]).toBe(3);
    expect(s.lastSeq).toBe(3);
  });

  it("ignores events at or below the last seq (a resume overlap), counting them as duplicates", () => {
    let s = applyEvents(initialStream(JOB), [cardEvent(1, card("aspect:price", 3)), cardEvent(2, card("aspect:price", 5))]);
    const again = applyEvents(s, [cardEvent(1, card("aspect:price", 3)), cardEvent(2, card("aspect:price", 5))]);
    expect(ids(again)).toEqual(["aspect:price=5"]);
    expect(again.duplicates).toBe(2);
    expect(again.applied).toBe(2);
    // an older version of a card arriving late must not overwrite the newer one
    s = applyEvents(again, [cardEvent(2, card("aspect:price", 1))]);
    expect(s.cards["aspect:price"]?.mentions).toBe(5);
  });

  it("folds a batch in seq order whatever the arrival order", () => {
    const events = [cardEvent(3, card("aspect:size", 7)), cardEvent(1, card("aspect:size", 3)), cardEvent(2, card("aspect:design", 4))];
    const s = applyEvents(initialStream(JOB), events);
    expect(ids(s)).toEqual(["aspect:size=7", "aspect:design=4"]);
    expect(s.lastSeq).toBe(3);
    expect(s.gaps).toBe(0);
  });

  it("counts a jump in seq as a gap but still applies the event", () => {
    const s = applyEvents(initialStream(JOB), [cardEvent(1, card("aspect:size", 3)), cardEvent(5, card("aspect:size", 6))]);
    expect(s.gaps).toBe(1);
    expect(s.cards["aspect:size"]?.mentions).toBe(6);
  });

  it("tracks progress, stages and the final outcome", () => {
    const s = applyEvents(initialStream(JOB), [
      stageEvent(1, "collect", "started"),
      progressEvent(2, { collected: 300 }),
      stageEvent(3, "analyze", "started"),
      stageEvent(4, "collect", "finished"),
      completedEvent(5),
    ]);
    expect(s.stages).toEqual({ collect: "finished", analyze: "started", report: "pending" });
    expect(s.progress?.collected).toBe(300);
    expect(s.outcome).toEqual({ type: "completed", reportUrl: `/api/analyses/${JOB}/report` });
    const f = applyEvents(initialStream(JOB), [failedEvent(1, "차단됨 / blocked", "http_403")]);
    expect(f.outcome).toEqual({ type: "failed", reason: "차단됨 / blocked", code: "http_403" });
  });

  it("ignores another job's events and returns the same object when nothing changes", () => {
    const s = applyEvents(initialStream(JOB), [cardEvent(1, card("aspect:size", 3))]);
    const other = applyEvents(s, [cardEvent(2, card("aspect:taste", 3), "another-job")]);
    expect(ids(other)).toEqual(["aspect:size=3"]);
    expect(applyEvents(s, [])).toBe(s);
  });
});

describe("resume and reload", () => {
  // A job's full event log: cards created and updated many times, with progress in between.
  function eventLog(n: number): JobEvent[] {
    const next = rng(7);
    const names = ["aspect:delivery", "aspect:size", "aspect:price", "topic:향", "aspect:design", "aspect:quality"];
    const mentions = new Map<string, number>();
    const out: JobEvent[] = [];
    for (let seq = 1; seq <= n; seq++) {
      if (next() < 0.3) out.push(progressEvent(seq, { analyzed: seq }));
      else {
        const name = names[Math.floor(next() * names.length)] as string;
        const m = (mentions.get(name) ?? 2) + 1 + Math.floor(next() * 3);
        mentions.set(name, m);
        out.push(cardEvent(seq, card(name, m, Math.floor(m / 2))));
      }
    }
    out.push(completedEvent(n + 1));
    return out;
  }

  it("ends with the same cards however the stream is cut, resumed, duplicated and reloaded", () => {
    const log = eventLog(200);
    const once = applyEvents(initialStream(JOB), log);
    for (let seed = 1; seed <= 25; seed++) {
      const next = rng(seed);
      const storage = new MemoryStorage();
      let s = initialStream(JOB);
      while (!s.outcome) {
        // A connection resumes from what the client has (after=lastSeq), sometimes overlapping a little more
        // (a frame sent twice by a reconnecting server), delivers a chunk, and maybe the page is reloaded.
        const overlap = next() < 0.3 ? Math.floor(next() * 5) : 0;
        const from = Math.max(0, s.lastSeq - overlap);
        const chunk = log.filter((e) => e.seq > from).slice(0, 1 + Math.floor(next() * 30));
        for (let i = 0; i < chunk.length; i += 4) s = applyEvents(s, chunk.slice(i, i + 4));
        if (next() < 0.3) {
          saveStream(s, storage);
          s = loadStream(JOB, storage);
        }
      }
      expect(ids(s)).toEqual(ids(once));
      expect(s.lastSeq).toBe(once.lastSeq);
      expect(s.applied).toBe(log.length);
      expect(s.gaps).toBe(0);
    }
  });

  it("restores a saved state for the same job only, and forgets it on request", () => {
    const storage = new MemoryStorage();
    const s = applyEvents(initialStream(JOB), [cardEvent(1, card("aspect:size", 3)), progressEvent(2)]);
    saveStream(s, storage);
    expect(loadStream(JOB, storage)).toEqual(s);
    expect(loadStream("another-job", storage).lastSeq).toBe(0);
    forgetStream(JOB, storage);
    expect(loadStream(JOB, storage).lastSeq).toBe(0);
  });

  it("starts afresh from a corrupted or inconsistent saved state", () => {
    const storage = new MemoryStorage();
    storage.setItem(`highpipe:stream:${JOB}`, "{not json");
    expect(loadStream(JOB, storage)).toEqual(initialStream(JOB));
    const s = applyEvents(initialStream(JOB), [cardEvent(1, card("aspect:size", 3))]);
    storage.setItem(`highpipe:stream:${JOB}`, JSON.stringify({ format: 1, state: { ...s, order: [] } }));
    expect(loadStream(JOB, storage)).toEqual(initialStream(JOB));
    storage.setItem(`highpipe:stream:${JOB}`, JSON.stringify({ format: 99, state: s }));
    expect(loadStream(JOB, storage).lastSeq).toBe(0);
  });
});

describe("parseEvent", () => {
  it("accepts a frame of the schema and rejects anything else", () => {
    const frame = cardEvent(4, card("aspect:size", 3));
    expect(parseEvent(JSON.stringify(frame))).toEqual(frame);
    expect(parseEvent("not json")).toBeNull();
    expect(parseEvent(JSON.stringify({ ...frame, type: "unknown" }))).toBeNull();
    expect(parseEvent(JSON.stringify({ ...frame, seq: 0 }))).toBeNull();
    expect(parseEvent(JSON.stringify({ ...frame, seq: 1.5 }))).toBeNull();
    expect(parseEvent(JSON.stringify({ ...frame, data: { mentions: 3 } }))).toBeNull();
    expect(parseEvent(JSON.stringify({ ...frame, job_id: undefined }))).toBeNull();
  });
});
