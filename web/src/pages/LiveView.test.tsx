import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Job } from "../api/types";
import { applyEvents, initialStream } from "../live/cardStream";
import { card, cardEvent, JOB, progressEvent, stageEvent } from "../test/fixtures";
import { renderApp } from "../test/render";
import { LiveView } from "./LiveView";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const job: Job = {
  job_id: JOB,
  kind: "url",
  source: "http://127.0.0.1:8000/demo/products/tee",
  status: "running",
  created_at: "2026-11-26T10:00:00Z",
  updated_at: "2026-11-26T10:00:01Z",
  pages: 0,
  collected: 0,
  analyzed: 0,
  options: {},
};

const state = applyEvents(initialStream(JOB), [
  stageEvent(1, "collect", "started"),
  cardEvent(2, card("aspect:size", 5, 1, 4, { label: "사이즈/핏" })),
  progressEvent(3, { pages: 4, collected: 400, analyzed: 300, total_estimate: 1000, rate_per_s: 70 }),
  cardEvent(4, card("aspect:delivery", 8, 7, 1, { label: "배송" })),
  cardEvent(5, card("aspect:size", 9, 3, 6, { label: "사이즈/핏" })),
]);

describe("LiveView", () => {
  it("shows the counters, ETA, one card per card_id in order of appearance and the live gauge", () => {
    renderApp(<LiveView job={job} state={state} connection="open" closeCode={null} />);
    const live = screen.getByTestId("live");
    expect(live.dataset.lastSeq).toBe("5");
    expect(screen.getByText("400", { selector: "[data-counter=collected]" }).textContent).toBe("400 / 1,000");
    expect(screen.getByText("300", { selector: "[data-counter=analyzed]" })).toBeTruthy();
    expect(screen.getByText("약 10초")).toBeTruthy(); // (1000 - 300) / 70
    const cards = within(screen.getByTestId("live-cards")).getAllByRole("article");
    expect(cards.map((c) => [c.dataset.cardId, c.dataset.mentions])).toEqual([
      ["aspect:size", "9"],
      ["aspect:delivery", "8"],
    ]);
    // gauge: aspect mentions so far, 10 positive of 10 + 7 polar
    expect(screen.getByRole("img", { name: /지금까지 언급된 측면 기준 긍정 비율: 59%/ })).toBeTruthy();
    expect(screen.getByRole("listitem", { current: "step" }).textContent).toContain("수집");
  });

  it("says it is reconnecting and from which event it resumes", () => {
    renderApp(<LiveView job={job} state={state} connection="reconnecting" closeCode={1006} />);
    expect(screen.getByText(/다시 연결하는 중/).textContent).toContain("#5부터 이어 받기");
  });

  it("cancels after a confirmation", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ ...job, status: "cancelled" }), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    renderApp(<LiveView job={job} state={state} connection="open" closeCode={null} />);
    fireEvent.click(screen.getByRole("button", { name: "분석 취소" }));
    expect(fetchMock).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "분석 취소" }));
    expect(fetchMock).toHaveBeenCalledWith(`/api/analyses/${JOB}/cancel`, expect.objectContaining({ method: "POST" }));
  });
});
