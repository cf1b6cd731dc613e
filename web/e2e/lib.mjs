// Helpers for the browser end-to-end run: a real `highpipe serve` on a free loopback port, headless Debian
// Chromium (never a downloaded browser) that can reach nothing but loopback, axe checks, a tiny test runner.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";

export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = resolve(WEB, "..");
export const SHOTS = join(WEB, "e2e/screenshots");
export const CHROMIUM = process.env.HIGHPIPE_CHROMIUM ?? "/usr/bin/chromium";

// No proxy bypass list: Chromium then bypasses the (dead) proxy for loopback only, so every other address is
// unreachable. (`--proxy-bypass-list=<-loopback>` would do the opposite: send loopback to the dead proxy.)
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--proxy-server=127.0.0.1:9",
];

export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `uv run highpipe serve` in a scratch folder (its own database, lake, uploads); resolves when healthy. */
export async function startServer() {
  const port = await freePort();
  const work = mkdtempSync(join(tmpdir(), "highpipe-e2e-"));
  const [cmd, ...pre] = (process.env.UV || "uv").split(/\s+/).filter(Boolean);
  // HIGHPIPE_E2E_SERVE replaces the command (e.g. to point at another build); {port} is substituted.
  const custom = process.env.HIGHPIPE_E2E_SERVE;
  const argv = custom
    ? custom.replaceAll("{port}", String(port)).split(/\s+/)
    : [cmd, ...pre, "run", "--project", ROOT, "--no-sync", "highpipe", "serve", "--port", String(port)];
  const log = [];
  const proc = spawn(argv[0], argv.slice(1), {
    cwd: work,
    detached: true, // its own process group, so stopping it also stops anything it started
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      HIGHPIPE_WEB_DIST: join(WEB, "dist"),
      HIGHPIPE_RATE_LIMIT_PER_MINUTE: "1000",
      HIGHPIPE_LOG_LEVEL: "WARNING",
      PYTHONUNBUFFERED: "1",
    },
  });
  for (const s of [proc.stdout, proc.stderr]) s.on("data", (d) => log.push(String(d)));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null) {
      try {
        process.kill(-proc.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 50 && proc.exitCode === null; i++) await sleep(100);
      if (proc.exitCode === null) {
        try {
          process.kill(-proc.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }
    rmSync(work, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) break;
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return { base, port, stop, log };
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`highpipe serve did not start:\n${log.join("").slice(-3000)}`);
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** axe-core (WCAG 2 A/AA rules): the serious and critical violations, with where they are. */
export async function axeSerious(page) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

/** Minimal CSV reader for the export check (RFC 4180 quotes, newlines inside quotes). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) row.push(cell), rows.push(row);
  return rows;
}

export function readText(path) {
  return readFileSync(path, "utf8");
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Runs named steps in order; a failed step is reported and the run goes on where later steps allow. */
export function runner() {
  const results = [];
  return {
    results,
    async step(name, fn) {
      const t0 = Date.now();
      try {
        await fn();
        results.push({ name, ok: true, ms: Date.now() - t0 });
        console.log(`  ok   ${name} (${Date.now() - t0} ms)`);
        return true;
      } catch (e) {
        results.push({ name, ok: false, ms: Date.now() - t0, error: e });
        console.log(`  FAIL ${name} (${Date.now() - t0} ms)\n       ${String(e?.stack ?? e).split("\n").slice(0, 6).join("\n       ")}`);
        return false;
      }
    },
  };
}
