// Thin fetch wrappers over the REST API (docs/api.md). Errors carry the server's Korean/English `detail`.
import type {
  AnalysisCreated,
  AnalysisStatus,
  DemoProduct,
  Job,
  Report,
  ReviewPage,
  ReviewQuery,
} from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function detailText(detail: unknown): string {
  if (typeof detail === "string") return detail;
  // FastAPI validation errors: [{loc, msg, ...}]
  if (Array.isArray(detail)) {
    return detail
      .map((d) => (d && typeof d === "object" && "msg" in d ? String((d as { msg: unknown }).msg) : String(d)))
      .join("; ");
  }
  return JSON.stringify(detail);
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { ...init, headers: { accept: "application/json", ...init?.headers } });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const body: unknown = await res.json();
      if (body && typeof body === "object" && "detail" in body) message = detailText(body.detail);
    } catch {
      /* not JSON: keep the status line */
    }
    throw new ApiError(res.status, message);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export function queryString(params: Record<string, string | number | null | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  const s = qs.toString();
  return s ? `?${s}` : "";
}

export const api = {
  createFromUrl: (url: string) =>
    request<AnalysisCreated>("/api/analyses", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url }),
    }),
  createFromUpload: (form: FormData) => request<AnalysisCreated>("/api/analyses", { method: "POST", body: form }),
  list: (params: { q?: string; limit?: number; offset?: number } = {}) =>
    request<Job[]>(`/api/analyses${queryString(params)}`),
  status: (id: string) => request<AnalysisStatus>(`/api/analyses/${encodeURIComponent(id)}`),
  report: (id: string) => request<Report>(`/api/analyses/${encodeURIComponent(id)}/report`),
  reviews: (id: string, query: ReviewQuery) =>
    request<ReviewPage>(`/api/analyses/${encodeURIComponent(id)}/reviews${queryString(query)}`),
  cancel: (id: string) => request<Job>(`/api/analyses/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
  /** Deletes a finished analysis with its reviews and report (204; 409 while it runs). */
  remove: (id: string) => request<void>(`/api/analyses/${encodeURIComponent(id)}`, { method: "DELETE" }),
  demoProducts: () => request<DemoProduct[]>("/api/demo/products"),
};

export const exportUrl = (id: string, format: "csv" | "json") =>
  `/api/analyses/${encodeURIComponent(id)}/export?format=${format}`;

export function eventsUrl(id: string, after: number, loc: Location = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws/analyses/${encodeURIComponent(id)}?after=${after}`;
}
