import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Report, ReviewPage } from "../api/types";
import { card, JOB } from "../test/fixtures";
import { renderApp } from "../test/render";
import { ReportView } from "./ReportView";

beforeAll(() => {
  // jsdom does not lay out, so it has no scrollIntoView; the report scrolls to the table on a pick.
  Element.prototype.scrollIntoView = vi.fn();
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const delivery = card("aspect:delivery", 3, 2, 1, {
  label: "배송",
  emotions: { joy: 2 },
  quotes: [{ review_uid: "demo:q1", text: "배송이 빨라요", polarity: "positive" }],
  review_uids: ["demo:q1", "demo:q2", "demo:q3"],
});

const manyUids = Array.from({ length: 130 }, (_, i) => `demo:s${i}`);
const report: Report = {
  job_id: JOB,
  product: null,
  generated_at: "2026-11-26T10:00:00Z",
  total_reviews: 3,
  analyzed_reviews: 3,
  score: 66.7,
  sentiment_counts: { positive: 2, negative: 1, neutral: 0 },
  sentiment_shares: { positive: 0.667, negative: 0.333, neutral: 0 },
  rating_distribution: { "5": 2, "1": 1 },
  average_rating: 3.7,
  aspects: [{ aspect_id: "delivery", aspect: "배송", mentions: 3, positive: 2, negative: 1, neutral: 0 }],
  emotions: { joy: 2, anger: 1 },
  trend: [],
  cards: [delivery],
  summary: [
    { text: "배송이 빠르다는 평이 많습니다.", card_ids: [delivery.card_id], review_uids: ["demo:q1", "demo:q2"] },
    { text: "근거가 아주 많은 문장.", card_ids: [delivery.card_id], review_uids: manyUids },
    { text: "근거 없는 문장.", card_ids: [], review_uids: [] },
  ],
};

const empty: ReviewPage = { items: [], total: 0, page: 1, page_size: 20, pages: 1 };

/** Renders the report with a fetch that answers every review query empty, and returns the review queries. */
function renderReport() {
  const fetchMock = vi.fn(async () => new Response(JSON.stringify(empty), { status: 200 }));
  vi.stubGlobal("fetch", fetchMock);
  renderApp(<ReportView jobId={JOB} source="src" report={report} />, { path: `/analyses/${JOB}` });
  const lastQuery = () => {
    const url = String(fetchMock.mock.calls.at(-1)?.[0 as never]);
    expect(url.startsWith(`/api/analyses/${JOB}/reviews?`)).toBe(true);
    return new URL(url, "http://x").searchParams;
  };
  return { fetchMock, lastQuery, location: () => screen.getByTestId("location").textContent ?? "" };
}

describe("ReportView click-through", () => {
  it("a summary sentence leads to exactly the reviews behind it (at most 100)", async () => {
    const { lastQuery, location } = renderReport();
    const summary = screen.getByTestId("summary");
    expect(within(summary).getByText("근거 없는 문장.").tagName).toBe("LI"); // nothing to open
    fireEvent.click(within(summary).getByRole("button", { name: "배송이 빠르다는 평이 많습니다." }));
    await waitFor(() => expect(lastQuery().get("review_ids")).toBe("demo:q1,demo:q2"));
    expect(location()).toContain("ids=demo%3Aq1%2Cdemo%3Aq2");
    expect(screen.getByTestId("filter-ids").textContent).toContain("선택한 리뷰 2개만");

    fireEvent.click(within(summary).getByRole("button", { name: "근거가 아주 많은 문장." }));
    await waitFor(() => expect(lastQuery().get("review_ids")?.split(",")).toEqual(manyUids.slice(0, 100)));
    fireEvent.click(screen.getByRole("button", { name: "선택 해제" }));
    await waitFor(() => expect(lastQuery().has("review_ids")).toBe(false));
  });

  it("an emotion, a card's emotion chip and a quote set the matching filters", async () => {
    const { lastQuery } = renderReport();
    const chart = document.querySelector('[data-chart="emotions"]') as HTMLElement;
    fireEvent.click(within(chart).getByRole("button", { name: "짜증/분노" }));
    await waitFor(() => expect(lastQuery().get("emotion")).toBe("anger"));
    expect((screen.getByTestId("filter-emotion") as HTMLSelectElement).value).toBe("anger");

    fireEvent.click(screen.getByRole("button", { name: "기쁨/감동 리뷰 2개 보기" }));
    await waitFor(() => expect(lastQuery().get("emotion")).toBe("joy"));
    expect(lastQuery().get("aspect")).toBe("delivery");

    fireEvent.click(screen.getByRole("button", { name: "“배송이 빨라요”" }));
    await waitFor(() => expect(lastQuery().get("review_ids")).toBe("demo:q1"));
    expect(lastQuery().has("emotion")).toBe(false); // a new pick starts from no filter
  });
});
