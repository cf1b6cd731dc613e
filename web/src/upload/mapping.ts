// The upload's column-mapping step: read the header (and a few rows) of a CSV/TSV/JSONL file in the browser,
// guess which column holds which field the way the server does, check the user's choices, build the form.
// XLSX and .gz files are not parsed here: the user types column names, or leaves them for the server to find.
import { UPLOAD_FIELDS } from "../api/generated/vocab";

export type UploadFormat = "csv" | "tsv" | "jsonl" | "xlsx";
export type Field = (typeof UPLOAD_FIELDS)[number]["field"];
export const FIELDS: readonly Field[] = UPLOAD_FIELDS.map((f) => f.field);
/** The fields the mapping step offers (the rest are still detected by the server from their headers). */
export const MAPPED_FIELDS: readonly Field[] = ["text", "rating", "date", "author", "title", "option", "id"];
export const MAX_UPLOAD_BYTES = 20_000_000;
export const PREVIEW_ROWS = 5;

export interface FileKind {
  format: UploadFormat;
  gzip: boolean;
  /** true when the browser can show columns and rows before upload */
  previewable: boolean;
}

export function fileKind(name: string): FileKind | null {
  const lower = name.toLowerCase();
  const gzip = lower.endsWith(".gz");
  const base = gzip ? lower.slice(0, -3) : lower;
  const ext = base.slice(base.lastIndexOf(".") + 1);
  const format: UploadFormat | null =
    ext === "csv" ? "csv" : ext === "tsv" || ext === "txt" ? "tsv" : ext === "jsonl" || ext === "ndjson" ? "jsonl" : ext === "xlsx" ? "xlsx" : null;
  if (!format) return null;
  return { format, gzip, previewable: !gzip && format !== "xlsx" };
}

/** A blob's text via FileReader (Blob.text() is missing in some engines, jsdom among them). */
export function readBlobText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error ?? new Error("read failed"));
    reader.readAsText(blob, "utf-8");
  });
}

export interface Preview {
  columns: string[];
  rows: string[][];
}

/** Splits delimited text into rows (RFC 4180 quoting: "" is a quote, newlines allowed inside quotes). */
export function parseDelimited(text: string, delimiter: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  for (; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
      continue;
    }
    if (ch === '"' && cell === "") quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      cell = "";
      if (row.some((c) => c !== "")) rows.push(row);
      row = [];
      if (rows.length >= maxRows) return rows;
    } else cell += ch;
  }
  row.push(cell);
  if (row.some((c) => c !== "")) rows.push(row);
  return rows.slice(0, maxRows);
}

/** CSV: comma unless the header line has more semicolons or tabs (as the server's sniffing does for TSV). */
export function sniffDelimiter(firstLine: string, format: UploadFormat): string {
  if (format === "tsv") return "\t";
  const counts = [",", ";", "\t"].map((d) => [d, firstLine.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ",";
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function previewText(text: string, format: UploadFormat, maxRows = PREVIEW_ROWS): Preview {
  if (format === "jsonl") {
    const columns: string[] = [];
    const objects: Record<string, unknown>[] = [];
    for (const line of text.replace(/^\ufeff/, "").split(/\r?\n/)) {
      if (objects.length >= maxRows) break;
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue; // a broken line: the server reports it as a skipped row
      }
      if (!value || typeof value !== "object" || Array.isArray(value)) continue;
      const obj = value as Record<string, unknown>;
      for (const k of Object.keys(obj)) if (!columns.includes(k)) columns.push(k);
      objects.push(obj);
    }
    return { columns, rows: objects.map((o) => columns.map((c) => cellText(o[c]))) };
  }
  const firstLine = text.replace(/^\ufeff/, "").split(/\r?\n/, 1)[0] ?? "";
  const all = parseDelimited(text, sniffDelimiter(firstLine, format), maxRows + 1);
  const [header = [], ...rows] = all;
  return { columns: header.map((c) => c.trim()), rows };
}

/** The server's header normalisation (ingest/columns.py): NFC, lower case, no spaces, _ - . BOM or ZWSP. */
export function normaliseHeader(name: string): string {
  return name.normalize("NFC").trim().toLowerCase().replace(/[\s_\-.\ufeff\u200b]/g, "");
}

export type Mapping = Partial<Record<Field, string>>;

/** For each field, the first column whose header the server would recognise (a column is used once). */
export function guessMapping(columns: readonly string[]): Mapping {
  const used = new Set<string>();
  const out: Mapping = {};
  const normalised = columns.map((c) => [c, normaliseHeader(c)] as const);
  for (const { field, headers } of UPLOAD_FIELDS) {
    for (const synonym of headers as readonly string[]) {
      const hit = normalised.find(([c, n]) => n === synonym && !used.has(c));
      if (hit) {
        out[field] = hit[0];
        used.add(hit[0]);
        break;
      }
    }
  }
  return out;
}

export type MappingProblem =
  | { kind: "needText" }
  | { kind: "duplicate"; column: string }
  | { kind: "unknownColumn"; column: string };

/** What is wrong with a mapping; `columns` is null when the file's columns are not known (XLSX, .gz). */
export function checkMapping(mapping: Mapping, columns: readonly string[] | null): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const chosen = Object.values(mapping).filter((c): c is string => !!c && c.trim() !== "");
  if (columns !== null && !mapping.text?.trim()) problems.push({ kind: "needText" });
  const seen = new Set<string>();
  for (const c of chosen) {
    if (seen.has(c)) problems.push({ kind: "duplicate", column: c });
    seen.add(c);
    if (columns !== null && !columns.includes(c)) problems.push({ kind: "unknownColumn", column: c });
  }
  return problems;
}

/** The multipart body of POST /api/analyses: file, mapping (only the fields chosen), rating_scale. */
export function buildUploadForm(file: Blob, filename: string, mapping: Mapping, ratingScale: 5 | 10): FormData {
  const form = new FormData();
  form.append("file", file, filename);
  const chosen: Record<string, string> = {};
  for (const field of FIELDS) {
    const column = mapping[field]?.trim();
    if (column) chosen[field] = column;
  }
  form.append("mapping", JSON.stringify(chosen));
  form.append("rating_scale", String(ratingScale));
  return form;
}
