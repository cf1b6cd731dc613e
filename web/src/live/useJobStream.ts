// React hook: the live state of one analysis, fed by JobSocket, restored from sessionStorage after a reload.
//
// Events are buffered and folded once per animation frame, so a burst of hundreds of events per second costs
// one render per frame rather than one per event. The state is saved (throttled, and on pagehide) so a reload
// resumes with after=<last seq> and shows the same cards, none lost and none twice.
import { useEffect, useRef, useState } from "react";
import { eventsUrl } from "../api/client";
import type { JobEvent } from "../api/types";
import { applyEvents, loadStream, saveStream, type StreamState } from "./cardStream";
import { JobSocket, type ConnectionState } from "./socket";

export interface JobStream {
  state: StreamState;
  connection: ConnectionState;
  closeCode: number | null;
}

const SAVE_EVERY_MS = 400;

export function useJobStream(jobId: string, enabled: boolean): JobStream {
  const [state, setState] = useState<StreamState>(() => loadStream(jobId));
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [closeCode, setCloseCode] = useState<number | null>(null);
  // The authoritative state lives here, outside React's render queue, so what is saved on pagehide is
  // exactly what has been folded so far, never a render behind.
  const model = useRef(state);

  useEffect(() => {
    if (model.current.jobId !== jobId) {
      model.current = loadStream(jobId);
      setState(model.current);
    }
  }, [jobId]);

  useEffect(() => {
    if (!enabled) return;
    if (model.current.jobId !== jobId) model.current = loadStream(jobId);
    let buffer: JobEvent[] = [];
    let frame: number | null = null;
    let fallback: ReturnType<typeof setTimeout> | null = null;
    let lastSave = 0;

    const flush = () => {
      if (frame !== null) cancelAnimationFrame(frame);
      if (fallback !== null) clearTimeout(fallback);
      frame = null;
      fallback = null;
      const batch = buffer;
      buffer = [];
      if (batch.length === 0) return;
      const next = applyEvents(model.current, batch);
      if (next === model.current) return;
      model.current = next;
      const now = Date.now();
      if (next.outcome || now - lastSave > SAVE_EVERY_MS) {
        saveStream(next);
        lastSave = now;
      }
      setState(next);
    };
    const schedule = () => {
      if (frame !== null || fallback !== null) return;
      // rAF does not run in a hidden tab; the timer keeps the state (and what is saved) current there.
      frame = requestAnimationFrame(flush);
      fallback = setTimeout(flush, 100);
    };

    const socket = new JobSocket({
      url: (after) => eventsUrl(jobId, after),
      after: model.current.lastSeq,
      onEvent: (event) => {
        buffer.push(event);
        schedule();
      },
      onState: (s, detail) => {
        setConnection(s);
        if (detail?.code !== undefined) setCloseCode(detail.code);
      },
    });
    const save = () => {
      flush();
      saveStream(model.current);
    };
    const online = () => socket.nudge();
    window.addEventListener("pagehide", save);
    window.addEventListener("online", online);
    socket.start();
    return () => {
      window.removeEventListener("pagehide", save);
      window.removeEventListener("online", online);
      socket.stop();
      save();
    };
  }, [jobId, enabled]);

  // Keep the saved copy in step with what is on screen when events stop arriving.
  useEffect(() => {
    const t = setTimeout(() => saveStream(model.current), SAVE_EVERY_MS);
    return () => clearTimeout(t);
  }, [state]);

  return { state, connection, closeCode };
}
