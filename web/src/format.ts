// Number, percent, date and duration formatting for the UI's two languages.
import type { Lang } from "./i18n";

const locale = (lang: Lang) => (lang === "en" ? "en-US" : "ko-KR");

export function pct(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return `${(value * 100).toFixed(digits)}%`;
}

export function num(lang: Lang, value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return value.toLocaleString(locale(lang), { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function dateTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "–";
  return d.toLocaleString(locale(lang), { dateStyle: "medium", timeStyle: "short" });
}

export function dateOnly(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "–";
  return d.toLocaleDateString(locale(lang), { dateStyle: "medium" });
}
