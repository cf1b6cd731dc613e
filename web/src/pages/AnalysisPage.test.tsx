import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Job, Report } from "../api/types";
import { I18nProvider } from "../i18n";
import { JOB } from "../test/fixtures";
import AnalysisPage from "./AnalysisPage";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const at = "2026-11-26T10:00:00Z";
const job = (status: Job["status"]): Job => ({
  job_id: JOB,
  kind: "url",
  source: "http://127.0.0.1:8000/demo/products/blocked",
  status,
  created_at: at,
  updated_at: at,
  pages: 0,
  collected: 0,
  analyzed: 0,
  options: {},
  ...(status === "failed" ? { failure_reason: "사이트가 요청을 차단했습니다 (HTTP 403)", failure_code: "blocked_by_site" } : {}),
});

// The empty report that a blocked crawl leaves, stored just before the job's status becomes `failed`.
const emptyReport: Report = {
  job_id: JOB,
  product: null,
  generated_at: at,
  total_reviews: 0,
  analyzed_reviews: 0,
  score: null,
  sentiment_counts: { positive: 0, negative: 0, neutral: 0 },
  sentiment_shares: { positive: 0, negative: 0, neutral: 0 },
  rating_distribution: { none: 0 },
  average_rating: null,
  aspects: [],
  emotions: {},
  trend: [],
  cards: [],
  summary: [],
  empty_reason: "리뷰를 찾지 못했습니다",
};

describe("AnalysisPage", () => {
  it("a report seen before the job's final status waits for it: a failure is shown as one", async () => {
    const statuses: Job["status"][] = ["running", "running", "failed"];
    let calls = 0;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        if (url.endsWith("/report")) return new Response(JSON.stringify(emptyReport), { status: 200 });
        const status = statuses[Math.min(calls++, statuses.length - 1)] ?? "failed";
        const body = { id: JOB, job: job(status), stages: { collect: "finished", analyze: "finished", report: "finished" }, links: {} };
        return new Response(JSON.stringify(body), { status: 200 });
      }),
    );
    render(
      <MemoryRouter initialEntries={[`/analyses/${JOB}`]}>
        <I18nProvider lang="ko">
          <Routes>
            <Route path="/analyses/:id" element={<AnalysisPage />} />
          </Routes>
        </I18nProvider>
      </MemoryRouter>,
    );
    expect((await screen.findByTestId("failed", {}, { timeout: 4000 })).textContent).toContain("분석에 실패했습니다");
    expect(screen.getByText(/HTTP 403/)).toBeTruthy();
    expect(screen.queryByTestId("report")).toBeNull(); // never the empty report
    expect(calls).toBe(3); // asked again until the status was final, then stopped
    await new Promise((r) => setTimeout(r, 700));
    expect(calls).toBe(3);
  });
});
