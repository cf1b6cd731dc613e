import { describe, expect, it } from "vitest";
import type { JobEvent } from "../api/types";
import { card, cardEvent, completedEvent, progressEvent } from "../test/fixtures";
import { JobSocket, type ConnectionState, type SocketLike } from "./socket";

class FakeSocket implements SocketLike {
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  closedByClient: number | null = null;
  constructor(readonly url: string) {}
  open() {
    this.onopen?.(new Event("open"));
  }
  send(e: JobEvent | string) {
    this.onmessage?.({ data: typeof e === "string" ? e : JSON.stringify(e) } as MessageEvent);
  }
  drop(code: number) {
    this.onclose?.({ code } as CloseEvent);
  }
  close(code?: number) {
    this.closedByClient = code ?? 1000;
  }
}

function harness(after = 0) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const events: JobEvent[] = [];
  const states: { state: ConnectionState; code?: number; delayMs?: number }[] = [];
  const client = new JobSocket({
    url: (a) => `ws://test/ws/analyses/x?after=${a}`,
    after,
    onEvent: (e) => events.push(e),
    onState: (state, d) => states.push({ state, code: d?.code, delayMs: d?.delayMs }),
    create: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => timers.splice(timers.indexOf(h as (typeof timers)[number]), 1),
    random: () => 1, // no jitter: delays are exactly base * 2^attempt
    baseDelayMs: 100,
    maxDelayMs: 1000,
  });
  const fire = () => timers.shift()?.fn();
  return { client, sockets, timers, events, states, fire };
}

describe("JobSocket", () => {
  it("starts from the given seq and reconnects after a drop with after=<last delivered seq>", () => {
    const h = harness(3);
    h.client.start();
    expect(h.sockets[0]?.url).toMatch(/after=3$/);
    h.sockets[0]?.open();
    h.sockets[0]?.send(progressEvent(4));
    h.sockets[0]?.send(cardEvent(5, card("aspect:size", 3)));
    h.sockets[0]?.drop(1006);
    expect(h.states.at(-1)).toMatchObject({ state: "reconnecting", code: 1006, delayMs: 100 });
    h.fire();
    expect(h.sockets[1]?.url).toMatch(/after=5$/);
    // the server repeats seq 5 (an overlap): it is not delivered twice
    h.sockets[1]?.send(cardEvent(5, card("aspect:size", 3)));
    h.sockets[1]?.send(cardEvent(6, card("aspect:size", 4)));
    expect(h.events.map((e) => e.seq)).toEqual([4, 5, 6]);
  });

  it("backs off exponentially up to the cap while the server stays away, and resets after a frame", () => {
    const h = harness();
    h.client.start();
    for (let i = 0; i < 6; i++) {
      h.sockets.at(-1)?.drop(1006);
      h.fire();
    }
    const delays = h.states.filter((s) => s.state === "reconnecting" && s.delayMs !== undefined).map((s) => s.delayMs);
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    h.sockets.at(-1)?.send(progressEvent(1));
    h.sockets.at(-1)?.drop(1006);
    expect(h.states.at(-1)?.delayMs).toBe(100);
  });

  it("jitters the delay between half and all of the nominal backoff", () => {
    const half = new JobSocket({ url: () => "", after: 0, onEvent: () => {}, random: () => 0, baseDelayMs: 400 });
    expect(half.delayFor(0)).toBe(200);
    expect(half.delayFor(2)).toBe(800);
  });

  it("stops after the final event and does not reconnect when the server then closes", () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.send(completedEvent(1));
    h.sockets[0]?.drop(1000);
    expect(h.states.at(-1)?.state).toBe("closed");
    expect(h.timers).toHaveLength(0);
    expect(h.sockets).toHaveLength(1);
  });

  it("treats 4404, 4401 and 4400 as answers: no reconnect", () => {
    for (const code of [4404, 4401, 4400]) {
      const h = harness();
      h.client.start();
      h.sockets[0]?.drop(code);
      expect(h.states.at(-1)).toMatchObject({ state: "error", code });
      expect(h.timers).toHaveLength(0);
    }
  });

  it("ignores frames that are not events and closes for good on stop()", () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.send("garbage");
    h.sockets[0]?.send(JSON.stringify({ type: "card", seq: 1 }));
    expect(h.events).toHaveLength(0);
    h.sockets[0]?.drop(1006);
    h.client.stop();
    expect(h.timers).toHaveLength(0);
    h.fire();
    expect(h.sockets).toHaveLength(1);
  });

  it("nudge() reconnects at once while waiting for the backoff", () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.drop(1006);
    expect(h.timers).toHaveLength(1);
    h.client.nudge();
    expect(h.timers).toHaveLength(0);
    expect(h.sockets).toHaveLength(2);
  });
});
