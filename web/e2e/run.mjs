// Browser end-to-end run of the web app against a real `highpipe serve` with the demo shop (`npm run e2e`).
// Drives headless Debian Chromium through: home, a bad URL, a blocked product's failure screen, a live
// analysis (a card before completion), the report (aspect filter count = card mentions, emotion and summary
// click-through counts, CSV export), resume after a dropped connection and a reload (no card lost or twice),
// cancelling, an upload with column mapping, the English toggle, dark theme, history search and delete, compare;
// screenshots in e2e/screenshots/ and axe checks on every page.
import {
  assert,
  axeSerious,
  launchBrowser,
  parseCsv,
  readText,
  runner,
  screenshot,
  startServer,
} from "./lib.mjs";
import { liveSnapshot, serverEvents, foldCards, throttleSocket, uploadCsv, waitFor } from "./steps.mjs";

const WATCHDOG_MS = Number(process.env.HIGHPIPE_E2E_TIMEOUT_MS ?? 300_000);
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

let server = null;
let browser = null;
const cleanup = async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
};
const watchdog = setTimeout(async () => {
  console.error(`e2e: still running after ${WATCHDOG_MS} ms: stopping`);
  await cleanup();
  process.exit(2);
}, WATCHDOG_MS);

const started = Date.now();
const r = runner();
const pageErrors = [];
const a11y = [];

try {
  server = await startServer();
  console.log(`highpipe serve on ${server.base} (${Date.now() - started} ms)`);
  browser = await launchBrowser();
  const product = (id) => `${server.base}/demo/products/${id}`;
  const api = async (path, init) => {
    const res = await fetch(`${server.base}${path}`, init);
    assert(res.ok, `${path}: HTTP ${res.status}`);
    return res.json();
  };
  const watch = (page) => page.on("pageerror", (e) => pageErrors.push(String(e)));
  const checkAxe = async (page, name) => {
    const found = await axeSerious(page);
    a11y.push({ name, found });
    assert(found.length === 0, `axe on ${name}: ${found.join("\n")}`);
  };

  const desktop = await browser.newContext({ viewport: DESKTOP, locale: "ko-KR", acceptDownloads: true });
  const page = await desktop.newPage();
  watch(page);
  const urlInput = () => page.getByLabel("상품 URL");
  const submitUrl = async (url) => {
    await urlInput().fill(url);
    await page.getByRole("button", { name: "분석 시작" }).click();
  };

  await r.step("home renders with the demo products", async () => {
    await page.goto(server.base);
    await page.locator("[data-demo-id]").first().waitFor();
    assert((await page.locator("h1").innerText()).includes("리뷰"), "Korean heading");
    await screenshot(page, "home-desktop");
    await checkAxe(page, "home");
  });

  await r.step("a bad URL shows the message and goes nowhere", async () => {
    await submitUrl("not a url");
    const msg = await page.getByTestId("url-error").innerText();
    assert(msg.includes("올바른 주소가 아닙니다"), `message: ${msg}`);
    assert(new URL(page.url()).pathname === "/", "stayed on the home page");
  });

  await r.step("a blocked product ends on the failure screen with its reason", async () => {
    await page.goto(server.base);
    await submitUrl(product("blocked"));
    await page.waitForURL(/\/analyses\//);
    await page.getByTestId("failed").waitFor({ timeout: 60_000 });
    const reason = (await page.getByTestId("failure-reason").innerText()).trim();
    assert(reason.length > 5 && reason !== "–", `reason: ${reason}`);
    await screenshot(page, "failed-desktop");
  });

  let jobId = "";
  await r.step("live: a card appears before the analysis completes", async () => {
    await page.goto(server.base);
    await submitUrl(product("slow"));
    await page.waitForURL(/\/analyses\//);
    jobId = page.url().split("/analyses/")[1].split(/[?#]/)[0];
    await page.locator("[data-testid=live-cards] [data-card-id]").first().waitFor({ timeout: 60_000 });
    const status = (await api(`/api/analyses/${jobId}`)).job.status;
    assert(status !== "completed", `the job had already completed when the first card showed (${status})`);
    assert((await page.getByTestId("report").count()) === 0, "no report yet");
    await screenshot(page, "live-desktop");
    await checkAxe(page, "live");
  });

  let report = null;
  await r.step("the report replaces the live view when the analysis completes", async () => {
    await page.getByTestId("report").waitFor({ timeout: 120_000 });
    report = await api(`/api/analyses/${jobId}/report`);
    assert(report.cards.length > 0, "the report has cards");
    await page.getByTestId("review-total").and(page.locator("[data-total]:not([data-total=''])")).waitFor();
    await screenshot(page, "report-desktop");
    await checkAxe(page, "report");
  });

  await r.step("filtering reviews by a card's aspect shows as many reviews as the card's mentions", async () => {
    const card = page.locator("[data-testid=report-cards] [data-card-id]").first();
    const mentions = Number(await card.getAttribute("data-mentions"));
    await card.getByTestId("card-reviews").click();
    await waitFor(async () => Number(await page.getByTestId("review-total").getAttribute("data-total")) === mentions, 10_000,
      async () => `review total ${await page.getByTestId("review-total").getAttribute("data-total")} != card mentions ${mentions}`);
    assert(page.url().includes("aspect="), "the filter is in the URL (shareable)");
    assert((await page.locator("mark.hl.focus").count()) > 0, "the aspect's clauses are highlighted");
  });

  const reviewTotal = async () => Number(await page.getByTestId("review-total").getAttribute("data-total"));
  const totalBecomes = (expected, what) =>
    waitFor(async () => (await reviewTotal()) === expected, 10_000, async () => `${what}: review total ${await reviewTotal()} != ${expected}`);

  await r.step("an emotion and a summary sentence lead to exactly the reviews behind them", async () => {
    const [emotion, count] = Object.entries(report.emotions).sort((a, b) => b[1] - a[1])[0] ?? [];
    assert(emotion && count > 0, "the report has emotions");
    const chart = page.locator("[data-chart=emotions]");
    await chart.locator("summary").click(); // the chart's table twin
    await chart.locator(`button[data-emotion="${emotion}"]`).click();
    await totalBecomes(count, `emotion ${emotion}`);
    assert(new URL(page.url()).searchParams.get("emotion") === emotion, "the emotion filter is in the URL");
    assert((await page.getByTestId("filter-emotion").inputValue()) === emotion, "the filter shows the emotion");

    const sentence = report.summary.findIndex((s) => s.review_uids.length > 0);
    assert(sentence >= 0, "a summary sentence cites reviews");
    const uids = [...new Set(report.summary[sentence].review_uids)].slice(0, 100);
    await page.getByTestId("summary").locator("li").nth(sentence).getByRole("button").click();
    await totalBecomes(uids.length, "summary sentence");
    const shown = await page.locator("tr[data-review-uid]").evaluateAll((rows) => rows.map((r) => r.dataset.reviewUid));
    assert(shown.every((uid) => uids.includes(uid)), `rows outside the sentence's reviews: ${shown}`);
    assert((await page.getByTestId("filter-ids").count()) === 1, "the picked-reviews banner shows");
    await checkAxe(page, "report (filtered)");
  });

  await r.step("CSV export downloads every review", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    const text = readText(await download.path());
    assert(text.charCodeAt(0) === 0xfeff, "UTF-8 BOM for spreadsheet apps");
    const rows = parseCsv(text.slice(1)).filter((row) => row.length > 1);
    assert(rows[0].includes("review_id") && rows[0].includes("text"), `header: ${rows[0]}`);
    assert(rows.length - 1 === report.total_reviews, `${rows.length - 1} rows for ${report.total_reviews} reviews`);
  });

  await r.step("dark theme keeps contrast", async () => {
    await page.getByRole("button", { name: "어두운 화면" }).click();
    await screenshot(page, "report-desktop-dark");
    await checkAxe(page, "report (dark)");
    await page.getByRole("button", { name: "밝은 화면" }).click();
  });

  await r.step("resume after a dropped connection and a reload: no card lost, none twice", async () => {
    const phone = await browser.newContext({ viewport: PHONE, locale: "ko-KR", isMobile: true, hasTouch: true });
    const live = await phone.newPage();
    watch(live);
    // Events are handed to the page slowly, so it is mid-stream for long enough to drop and reload.
    const sock = await throttleSocket(live, 40);
    const created = await api("/api/analyses", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: product("slow"), full: true }), // a complete crawl: long enough to reload in
    });
    await live.goto(`${server.base}/analyses/${created.id}`);
    await waitFor(async () => (await liveSnapshot(live))?.lastSeq >= 8, 60_000, "8 events");
    await screenshot(live, "live-phone");

    const beforeDrop = await liveSnapshot(live);
    await sock.drop(1012); // the connection dies: the client must reconnect and resume
    await waitFor(async () => sock.urls.length >= 2, 15_000, "a reconnect");
    const resumedAfter = Number(new URL(sock.urls[1]).searchParams.get("after"));
    assert(resumedAfter >= beforeDrop.lastSeq && resumedAfter > 0, `reconnect asked after=${resumedAfter}`);

    await waitFor(async () => (await liveSnapshot(live))?.lastSeq >= resumedAfter + 5, 30_000, "more events");
    const beforeReload = await liveSnapshot(live);
    const urlsBefore = sock.urls.length;
    await live.reload();
    await waitFor(async () => sock.urls.length > urlsBefore, 15_000, "a socket after the reload");
    const afterReload = Number(new URL(sock.urls[urlsBefore]).searchParams.get("after"));
    assert(afterReload > 0, `the reloaded page resumed with after=${afterReload}, not from the start`);
    const restored = await liveSnapshot(live);
    for (const id of Object.keys(beforeReload.cards)) assert(id in restored.cards, `card ${id} lost in the reload`);

    await waitFor(async () => (await liveSnapshot(live))?.lastSeq >= afterReload + 5, 30_000, "events after the reload");
    const snap = await liveSnapshot(live);
    assert(snap.duplicates.length === 0, `cards shown twice: ${snap.duplicates}`);
    const events = await serverEvents(browser, server.base, created.id);
    const seqs = events.map((e) => e.seq);
    assert(seqs.every((s, i) => s === i + 1), "the server's events are 1..n");
    const expected = foldCards(events, snap.lastSeq);
    assert(JSON.stringify(snap.cards) === JSON.stringify(expected),
      `cards on screen != cards from events 1..${snap.lastSeq}\n screen: ${JSON.stringify(snap.cards)}\n events: ${JSON.stringify(expected)}`);

    sock.release(); // let the rest through at full speed
    await live.getByTestId("report").waitFor({ timeout: 120_000 });
    await screenshot(live, "report-phone");
    await live.goto(server.base);
    await live.locator("[data-demo-id]").first().waitFor();
    await screenshot(live, "home-phone");
    await checkAxe(live, "home (phone)");
    await phone.close();
  });

  await r.step("cancel: the cancel button stops a running analysis and keeps its partial cards", async () => {
    await page.goto(server.base);
    // A product not analysed earlier in this run: a re-analysis is incremental and could end before the click.
    await submitUrl(product("bench-20k"));
    await page.waitForURL(/\/analyses\//);
    await page.locator("[data-testid=live-cards] [data-card-id]").first().waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "분석 취소" }).click();
    await page.getByRole("button", { name: "분석 취소" }).click(); // the confirmation
    await page.getByTestId("cancelled").waitFor({ timeout: 30_000 });
    assert((await page.locator("[data-testid=cancelled] [data-card-id]").count()) > 0, "partial cards kept");
  });

  await r.step("upload: the column mapping is guessed from the header and the file is analysed", async () => {
    await page.goto(server.base);
    const rows = await uploadCsv(page);
    assert((await page.locator("select[data-field=text]").inputValue()) === "리뷰내용", "text column guessed");
    assert((await page.locator("select[data-field=rating]").inputValue()) === "별점", "rating column guessed");
    assert((await page.locator("table.preview tbody tr").count()) === 5, "five preview rows");
    await page.getByRole("button", { name: "이 설정으로 분석" }).click();
    await page.waitForURL(/\/analyses\//);
    await page.getByTestId("report").waitFor({ timeout: 90_000 });
    const id = page.url().split("/analyses/")[1].split(/[?#]/)[0];
    const rep = await api(`/api/analyses/${id}/report`);
    assert(rep.total_reviews === rows, `${rep.total_reviews} reviews analysed of ${rows} uploaded`);
  });

  await r.step("English toggle", async () => {
    await page.getByRole("button", { name: "Switch to English" }).click();
    await page.goto(server.base);
    assert((await page.locator("h1").innerText()).includes("Which product"), "English heading after reload");
    await page.getByRole("button", { name: "한국어로 보기" }).click();
    assert((await page.locator("h1").innerText()).includes("리뷰"), "back to Korean");
  });

  await r.step("history lists the analyses and searches them", async () => {
    await page.goto(`${server.base}/history`);
    await page.locator(".job-list li").first().waitFor();
    assert((await page.locator(".job-list li").count()) >= 5, "at least the five analyses of this run");
    await page.getByLabel("기록 검색").fill("blocked");
    await page.getByRole("button", { name: "기록 검색" }).click();
    await waitFor(async () => (await page.locator(".job-list li").count()) === 1, 10_000, "one match");
    await checkAxe(page, "history");
  });

  await r.step("history deletes a finished analysis after a confirmation", async () => {
    const row = page.locator(".job-list li").first(); // the one match of the search above: the failed analysis
    const id = await row.getAttribute("data-job-id");
    await row.getByRole("button", { name: /분석 삭제$/ }).click();
    await row.getByRole("button", { name: "삭제하기" }).waitFor();
    await checkAxe(page, "history (confirm delete)");
    await row.getByRole("button", { name: "삭제하기" }).click();
    await waitFor(async () => (await page.locator(`.job-list li[data-job-id="${id}"]`).count()) === 0, 10_000, "the row to go");
    assert((await page.getByTestId("history-notice").innerText()).includes("삭제했습니다"), "a notice says so");
    const gone = await fetch(`${server.base}/api/analyses/${id}`);
    assert(gone.status === 404, `the analysis is gone on the server (HTTP ${gone.status})`);
  });

  await r.step("compare two analyses side by side", async () => {
    await page.goto(`${server.base}/compare`);
    const boxes = page.locator("input[type=checkbox]");
    await boxes.first().waitFor();
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole("button", { name: /비교하기/ }).click();
    await page.locator(".compare-table thead th").nth(2).waitFor();
    assert((await page.locator(".compare-table thead th").count()) === 3, "two analyses side by side");
    assert((await page.locator(".compare-table tbody tr").count()) > 6, "scores, shares and aspects");
    await screenshot(page, "compare-desktop");
    await checkAxe(page, "compare");
  });

  await r.step("no uncaught errors in the pages", async () => {
    assert(pageErrors.length === 0, pageErrors.join("\n"));
  });
} catch (e) {
  r.results.push({ name: "setup", ok: false, error: e });
  console.log(`  FAIL setup: ${e?.stack ?? e}`);
} finally {
  clearTimeout(watchdog);
  await cleanup();
}

const failed = r.results.filter((x) => !x.ok).length;
const passed = r.results.length - failed;
console.log(`axe: ${a11y.map((x) => `${x.name} ${x.found.length} serious`).join(", ")}`);
console.log(`e2e finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
if (failed && server) console.log(`server log (tail):\n${server.log.join("").slice(-2000)}`);
process.exit(failed ? 1 : 0);
