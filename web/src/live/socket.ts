// WebSocket client for /ws/analyses/{id}?after=<seq> with reconnect, backoff and resume.
//
// The server sends every stored event with seq > after, then live ones, and closes with 1000 after a final
// event. Anything else (a dropped connection, a server restart) makes this client reconnect after an
// exponential, jittered delay, asking for `after=<last seq it delivered>`, so no event is lost or shown twice.
// Close codes 4400/4401/4404 are answers, not accidents: they stop the client.
import { FINAL_EVENT_TYPES, type JobEvent } from "../api/types";
import { parseEvent } from "./cardStream";

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed" | "error";

export interface SocketLike {
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface JobSocketOptions {
  url: (after: number) => string;
  after: number;
  onEvent: (event: JobEvent) => void;
  onState?: (state: ConnectionState, detail?: { code?: number; attempt?: number; delayMs?: number }) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** injectable for tests */
  create?: (url: string) => SocketLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  random?: () => number;
}

export const FATAL_CLOSE_CODES = new Set([4400, 4401, 4404]);

export class JobSocket {
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private stopped = false;
  private finished = false;
  lastSeq: number;

  constructor(private readonly opts: JobSocketOptions) {
    this.lastSeq = opts.after;
  }

  start(): void {
    this.stopped = false;
    this.connect("connecting");
  }

  /** Close for good (page left, or the caller no longer wants events). */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null;
      s.close(1000, "client left");
    }
  }

  /** Reconnect now (e.g. the browser came back online) instead of waiting for the backoff. */
  nudge(): void {
    if (this.stopped || this.finished || this.socket) return;
    this.clearTimer();
    this.connect("reconnecting");
  }

  /** The next backoff delay: base * 2^attempt, capped, with +-50% jitter so clients do not stampede. */
  delayFor(attempt: number): number {
    const base = this.opts.baseDelayMs ?? 500;
    const max = this.opts.maxDelayMs ?? 10_000;
    const raw = Math.min(max, base * 2 ** attempt);
    return Math.round(raw * (0.5 + (this.opts.random ?? Math.random)() * 0.5));
  }

  private clearTimer(): void {
    if (this.timer !== null) (this.opts.clearTimer ?? ((h) => clearTimeout(h as number)))(this.timer);
    this.timer = null;
  }

  private connect(state: ConnectionState): void {
    this.opts.onState?.(state, { attempt: this.attempt });
    const create = this.opts.create ?? ((url: string) => new WebSocket(url) as SocketLike);
    const socket = create(this.opts.url(this.lastSeq));
    this.socket = socket;
    socket.onopen = () => {
      this.opts.onState?.("open");
    };
    socket.onmessage = (ev: MessageEvent) => {
      const event = parseEvent(ev.data);
      if (!event || event.seq <= this.lastSeq) return; // overlap after a resume: already delivered
      this.lastSeq = event.seq;
      this.attempt = 0; // the connection works: the next drop starts the backoff afresh
      if (FINAL_EVENT_TYPES.has(event.type)) this.finished = true;
      this.opts.onEvent(event);
    };
    socket.onerror = () => {
      /* always followed by onclose, which decides what to do */
    };
    socket.onclose = (ev: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (this.finished) {
        this.opts.onState?.("closed", { code: ev.code });
        return;
      }
      if (FATAL_CLOSE_CODES.has(ev.code)) {
        this.opts.onState?.("error", { code: ev.code });
        return;
      }
      const delayMs = this.delayFor(this.attempt);
      this.attempt += 1;
      this.opts.onState?.("reconnecting", { code: ev.code, attempt: this.attempt, delayMs });
      this.timer = (this.opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms)))(() => {
        this.timer = null;
        if (!this.stopped) this.connect("reconnecting");
      }, delayMs);
    };
  }
}
