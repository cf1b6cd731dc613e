import { act, cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp } from "../test/render";
import AlertsPage, { REFRESH_MS, summaryFor, type AlertItem, type AlertList } from "./AlertsPage";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

function alert(fingerprint: string, name: string, status: AlertItem["status"], severity = "warning"): AlertItem {
  return {
    fingerprint,
    status,
    name,
    severity,
    summary: `${name} 한국어 요약 / ${name} English summary`,
    description: `${name} description`,
    runbook: `docs/observability.md#${name.toLowerCase()}`,
    labels: { alertname: name, severity, team: "highpipe", job: "highpipe-api", instance: "api-1" },
    annotations: {},
    starts_at: "2026-11-26T10:00:00Z",
    ends_at: status === "resolved" ? "2026-11-26T10:05:00Z" : null,
    generator_url: "",
    received_at: "2026-11-26T10:05:00Z",
  };
}

const LIST: AlertList = {
  firing: 1,
  resolved: 1,
  alerts: [alert("aa", "HighPipeCrawlerBlockRateHigh", "firing"), alert("bb", "HighPipeTargetDown", "resolved", "critical")],
};

function backend(body: unknown, status = 200) {
  return vi.fn(async (url: string) => {
    expect(url).toBe("/api/alerts");
    return new Response(JSON.stringify(body), { status });
  });
}

describe("AlertsPage", () => {
  it("lists firing then resolved alerts in Korean, and filters by status", async () => {
    vi.stubGlobal("fetch", backend(LIST));
    renderApp(<AlertsPage />, { path: "/alerts" });
    const list = await screen.findByTestId("alert-list");
    const rows = within(list).getAllByRole("listitem");
    expect(rows.map((r) => r.getAttribute("data-fingerprint"))).toEqual(["aa", "bb"]);
    const [firing, resolved] = rows as [HTMLElement, HTMLElement];
    expect(within(firing).getByText("HighPipeCrawlerBlockRateHigh 한국어 요약")).toBeTruthy();
    expect(within(firing).getByText("발생 중")).toBeTruthy();
    expect(within(resolved).getByText("해결됨")).toBeTruthy();
    expect(within(resolved).getByText("긴급")).toBeTruthy();
    expect(resolved.querySelectorAll("time")).toHaveLength(2); // started and resolved
    expect(firing.querySelectorAll("time")).toHaveLength(1);

    fireEvent.click(screen.getByRole("button", { name: "해결됨 1" }));
    expect(within(screen.getByTestId("alert-list")).getAllByRole("listitem").map((r) => r.dataset.fingerprint)).toEqual(["bb"]);
    expect(screen.getByRole("button", { name: "해결됨 1" }).getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(screen.getByRole("button", { name: "발생 중 1" }));
    expect(within(screen.getByTestId("alert-list")).getAllByRole("listitem").map((r) => r.dataset.fingerprint)).toEqual(["aa"]);
  });

  it("shows the English half of the summary in English, and an empty state", async () => {
    vi.stubGlobal("fetch", backend(LIST));
    renderApp(<AlertsPage />, { path: "/alerts", lang: "en" });
    expect(await screen.findByText("HighPipeCrawlerBlockRateHigh English summary")).toBeTruthy();
    cleanup();
    vi.stubGlobal("fetch", backend({ firing: 0, resolved: 0, alerts: [] }));
    renderApp(<AlertsPage />, { path: "/alerts", lang: "en" });
    expect(await screen.findByText("No alerts to show.")).toBeTruthy();
  });

  it("says a token is needed on 401", async () => {
    vi.stubGlobal("fetch", backend({ detail: "인증이 필요합니다" }, 401));
    renderApp(<AlertsPage />, { path: "/alerts" });
    expect((await screen.findByRole("alert")).textContent).toBe("알림을 보려면 API 토큰이 필요합니다.");
  });

  it("refreshes every 30 seconds", async () => {
    vi.useFakeTimers();
    const fetchMock = backend(LIST);
    vi.stubGlobal("fetch", fetchMock);
    renderApp(<AlertsPage />, { path: "/alerts" });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(REFRESH_MS);
    });
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("summaryFor falls back to the whole text or the alert name", () => {
    expect(summaryFor("ko", "하나 / one", "X")).toBe("하나");
    expect(summaryFor("en", "하나 / one / two", "X")).toBe("one / two");
    expect(summaryFor("en", "only one language", "X")).toBe("only one language");
    expect(summaryFor("ko", null, "X")).toBe("X");
  });
});
