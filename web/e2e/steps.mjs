// Pieces of the e2e scenarios: reading the live page's state, the server's own event log, a throttling
// WebSocket proxy (to be mid-stream long enough to drop the connection and reload), an upload file.

export async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      const detail = typeof what === "function" ? await what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${detail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sortedObject = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/** The live view in one read (one React commit): last seq, card_id -> mentions, ids shown more than once. */
export async function liveSnapshot(page) {
  const snap = await page.evaluate(() => {
    const root = document.querySelector("[data-testid=live]");
    if (!root) return null;
    const cards = {};
    const duplicates = [];
    for (const el of root.querySelectorAll("[data-testid=live-cards] [data-card-id]")) {
      const id = el.getAttribute("data-card-id");
      if (id in cards) duplicates.push(id);
      cards[id] = Number(el.getAttribute("data-mentions"));
    }
    return { lastSeq: Number(root.getAttribute("data-last-seq")), cards, duplicates };
  });
  return snap && { ...snap, cards: sortedObject(snap.cards) };
}

/** Every stored event of a job from a fresh WebSocket (after=0), read until `minSeq` or the socket closes. */
export async function serverEvents(browser, base, jobId, minSeq = Infinity) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/healthz`);
  const events = await page.evaluate(
    ({ id, minSeq }) =>
      new Promise((resolve, reject) => {
        const out = [];
        const ws = new WebSocket(`ws://${location.host}/ws/analyses/${id}?after=0`);
        const timer = setTimeout(() => (ws.close(), resolve(out)), 60_000);
        ws.onmessage = (m) => {
          const e = JSON.parse(m.data);
          out.push(e);
          if (e.seq >= minSeq) (clearTimeout(timer), ws.close(), resolve(out));
        };
        ws.onclose = () => (clearTimeout(timer), resolve(out));
        ws.onerror = () => reject(new Error("event socket failed"));
      }),
    { id: jobId, minSeq: Number.isFinite(minSeq) ? minSeq : Number.MAX_SAFE_INTEGER },
  );
  await context.close();
  return events;
}

/** card_id -> mentions after folding the card events with seq <= lastSeq (a later event replaces an earlier). */
export function foldCards(events, lastSeq) {
  const cards = {};
  for (const e of events) if (e.type === "card" && e.seq <= lastSeq) cards[e.data.card_id] = e.data.mentions;
  return sortedObject(cards);
}

/**
 * Routes the page's analysis sockets through a proxy that hands server frames over one per `intervalMs`.
 * `drop(code)` kills the current connection (both sides) as a network failure would; `release()` stops throttling.
 */
export async function throttleSocket(page, intervalMs) {
  const state = { urls: [], current: null, fast: false };
  await page.routeWebSocket(/\/ws\/analyses\//, (ws) => {
    state.urls.push(ws.url());
    const server = ws.connectToServer();
    const queue = [];
    let serverClose = null;
    let done = false;
    const finish = () => {
      done = true;
      clearInterval(timer);
    };
    server.onMessage((m) => queue.push(m));
    server.onClose((code, reason) => {
      serverClose = { code: code ?? 1000, reason: reason ?? "" };
    });
    ws.onClose((code, reason) => {
      finish();
      server.close({ code, reason }).catch(() => {});
    });
    const timer = setInterval(() => {
      if (done) return;
      for (let n = state.fast ? queue.length : 1; n > 0 && queue.length; n--) ws.send(queue.shift());
      if (queue.length === 0 && serverClose) {
        finish();
        ws.close(serverClose).catch(() => {});
      }
    }, intervalMs);
    state.current = {
      drop: async (code) => {
        finish();
        await ws.close({ code, reason: "dropped by the e2e test" }).catch(() => {});
        await server.close().catch(() => {});
      },
    };
  });
  return {
    urls: state.urls,
    drop: (code) => state.current.drop(code),
    release: () => {
      state.fast = true;
    },
  };
}

const OPENINGS = ["배송이 빨라서 좋았어요", "배송은 조금 늦었지만 괜찮아요", "포장이 꼼꼼했어요", "가격 대비 만족합니다"];
const MIDDLES = ["사이즈는 딱 맞아요", "사이즈가 생각보다 작아요", "품질이 기대 이상이에요", "색상이 사진과 달라서 실망했어요", "디자인이 예뻐요"];
const ENDINGS = ["재구매 의사 있어요.", "다시는 안 살 것 같아요.", "추천합니다.", "그냥 그래요."];

/** Picks a 40-row CSV (Korean headers the server and the client both recognise) in the upload field. */
export async function uploadCsv(page, count = 40) {
  const lines = ["작성일,별점,리뷰내용,작성자"];
  for (let i = 0; i < count; i++) {
    const text = `${OPENINGS[i % 4]}, ${MIDDLES[(i * 3) % 5]}. ${ENDINGS[(i * 7) % 4]} (${i + 1}번째 구매)`;
    const day = String((i % 28) + 1).padStart(2, "0");
    const month = String((i % 6) + 1).padStart(2, "0");
    lines.push(`2025-${month}-${day},${(i % 5) + 1},"${text}",구매자${i}`);
  }
  await page.getByTestId("upload-input").setInputFiles({
    name: "reviews.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`\ufeff${lines.join("\r\n")}\r\n`, "utf8"),
  });
  await page.getByTestId("upload-mapping").waitFor();
  return count;
}
