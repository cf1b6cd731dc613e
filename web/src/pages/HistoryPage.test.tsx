import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Job } from "../api/types";
import { renderApp } from "../test/render";
import HistoryPage from "./HistoryPage";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function job(id: string, status: Job["status"], source: string): Job {
  const at = "2026-11-26T10:00:00Z";
  return { job_id: id, kind: "url", source, status, created_at: at, updated_at: at, pages: 1, collected: 3, analyzed: 3, options: {} };
}

const DONE = job("job-done", "completed", "http://127.0.0.1:8000/demo/products/tee");
const RUNNING = job("job-running", "running", "http://127.0.0.1:8000/demo/products/mug");
const FAILED = job("job-failed", "failed", "reviews.csv");

/** A fetch that serves the history and answers DELETE with `deleteStatus` (409 carries a server detail). */
function backend(deleteStatus: number) {
  return vi.fn(async (url: string, init?: RequestInit) => {
    if (init?.method === "DELETE") {
      if (deleteStatus === 204) return new Response(null, { status: 204 });
      return new Response(JSON.stringify({ detail: "실행 중 / still running" }), { status: deleteStatus });
    }
    if (url.startsWith("/api/analyses?")) return new Response(JSON.stringify([RUNNING, DONE, FAILED]), { status: 200 });
    return new Response("{}", { status: 404 });
  });
}

const deleteCalls = (fetchMock: ReturnType<typeof backend>) =>
  fetchMock.mock.calls.filter(([, init]) => init?.method === "DELETE").map(([url]) => url);

describe("HistoryPage delete", () => {
  it("offers delete for finished analyses only, asks first, then removes the row", async () => {
    const fetchMock = backend(204);
    vi.stubGlobal("fetch", fetchMock);
    renderApp(<HistoryPage />, { path: "/history" });
    await screen.findByText(DONE.source);
    const row = (id: string) => document.querySelector(`li[data-job-id="${id}"]`) as HTMLElement;
    expect(within(row(RUNNING.job_id)).queryByRole("button")).toBeNull();
    expect(within(row(FAILED.job_id)).getByRole("button", { name: `${FAILED.source} 분석 삭제` })).toBeTruthy();

    // first click only asks; "keep it" goes back without a request
    fireEvent.click(within(row(DONE.job_id)).getByRole("button", { name: `${DONE.source} 분석 삭제` }));
    expect(within(row(DONE.job_id)).getByRole("alert").textContent).toContain("되돌릴 수 없습니다");
    fireEvent.click(within(row(DONE.job_id)).getByRole("button", { name: "그대로 두기" }));
    expect(deleteCalls(fetchMock)).toEqual([]);

    fireEvent.click(within(row(DONE.job_id)).getByRole("button", { name: `${DONE.source} 분석 삭제` }));
    fireEvent.click(within(row(DONE.job_id)).getByRole("button", { name: "삭제하기" }));
    await waitFor(() => expect(row(DONE.job_id)).toBeNull());
    expect(deleteCalls(fetchMock)).toEqual([`/api/analyses/${DONE.job_id}`]);
    expect(screen.getByTestId("history-notice").textContent).toBe(`분석을 삭제했습니다: ${DONE.source}`);
    expect(screen.getByText(FAILED.source)).toBeTruthy();
  });

  it("keeps the row and shows the server's reason when the delete is refused", async () => {
    vi.stubGlobal("fetch", backend(409));
    renderApp(<HistoryPage />, { path: "/history", lang: "en" });
    await screen.findByText(DONE.source);
    fireEvent.click(screen.getByRole("button", { name: `Delete the analysis of ${DONE.source}` }));
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect((await screen.findByText(/Could not delete/)).textContent).toBe("Could not delete: 실행 중 / still running");
    expect(screen.getByText(DONE.source)).toBeTruthy();
    expect(screen.getByTestId("history-notice").textContent).toBe("");
  });
});
