// Client-side check of a product URL before it is submitted (the server checks again and has the last word).
import type { MessageKey } from "./i18n/messages";

export type UrlCheck = { ok: true; url: string } | { ok: false; message: MessageKey };

export function checkProductUrl(input: string): UrlCheck {
  const raw = input.trim();
  if (!raw) return { ok: false, message: "urlEmpty" };
  // "shop.example.com/p/1" is what people often paste: read it as https.
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `https://${raw}`;
  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    return { ok: false, message: "urlInvalid" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return { ok: false, message: "urlScheme" };
  if (!parsed.hostname || /\s/.test(raw)) return { ok: false, message: "urlInvalid" };
  // A bare word ("hello") parses as host "hello": ask for a dot, a port, or localhost.
  if (!parsed.hostname.includes(".") && !parsed.port && parsed.hostname !== "localhost" && !parsed.hostname.startsWith("["))
    return { ok: false, message: "urlInvalid" };
  if (parsed.username || parsed.password) return { ok: false, message: "urlCredentials" };
  return { ok: true, url: candidate };
}
