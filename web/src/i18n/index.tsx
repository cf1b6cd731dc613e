// Language (Korean by default, English on request) and the t() function; the choice is remembered.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { ASPECTS, EMOTIONS } from "../api/generated/vocab";
import { en, ko, type MessageKey } from "./messages";

export type Lang = "ko" | "en";
const STORAGE_KEY = "highpipe:lang";

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = (lang === "en" ? en : ko)[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

const ASPECT_LABELS = new Map<string, { ko: string; en: string }>(ASPECTS.map((a) => [a.id, a]));
const EMOTION_LABELS = new Map<string, { ko: string; en: string }>(EMOTIONS.map((e) => [e.id, e]));

/** An aspect's label: the vocabulary's for known ids, the phrase itself for open topics. */
export function aspectLabel(lang: Lang, aspectId: string, fallback?: string | null): string {
  const known = ASPECT_LABELS.get(aspectId);
  if (known) return known[lang];
  if (fallback) return fallback;
  return aspectId.startsWith("topic:") ? aspectId.slice(6) : aspectId;
}

export function emotionLabel(lang: Lang, emotionId: string): string {
  return EMOTION_LABELS.get(emotionId)?.[lang] ?? emotionId;
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  fmt: Intl.NumberFormat;
}

const Ctx = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "en" || saved === "ko") return saved;
  } catch {
    /* storage unavailable */
  }
  return "ko";
}

export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(fixed ?? initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* not remembered */
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, params) => translate(lang, key, params),
      fmt: new Intl.NumberFormat(lang === "en" ? "en-US" : "ko-KR"),
    }),
    [lang, setLang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error("useI18n outside I18nProvider");
  return ctx;
}
