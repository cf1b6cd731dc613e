"""Chromium's configuration for the browser pool: settings, command line, init script, memory readings.

- `BrowserConfig` (read from Settings with defaults: `browser_pool_size`, `browser_max_pages_per_driver`,
  `browser_page_timeout_s`, `browser_binary`, `browser_driver`, `user_agent`);
- `chrome_args()`: headless, quiet, a fresh profile, and the guard proxy as the only way out;
- `INIT_SCRIPT`: injected into every document so the fetcher can tell when script-rendered content settled;
- `process_tree_memory()`: RSS and PSS of a driver's process tree (Linux /proc).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from highpipe.ports.fetch import FetchError

# Runs in every document before the page's own scripts: counts fetch/XHR in flight and remembers when
# the DOM last changed, so the fetcher can wait until script-rendered content has settled.
INIT_SCRIPT = """
(() => {
  if (window.__hp) return;
  const hp = window.__hp = {pending: 0, last: Date.now()};
  const touch = () => { hp.last = Date.now(); };
  const realFetch = window.fetch;
  if (realFetch) {
    window.fetch = function (...args) {
      hp.pending++; touch();
      return realFetch.apply(this, args).finally(() => { hp.pending--; touch(); });
    };
  }
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    hp.pending++; touch();
    this.addEventListener("loadend", () => { hp.pending--; touch(); }, {once: true});
    return send.apply(this, args);
  };
  new MutationObserver(touch).observe(document, {subtree: true, childList: true, attributes: true,
                                                 characterData: true});
})();
"""


@dataclass(frozen=True, slots=True)
class BrowserConfig:
    binary: str = "/usr/bin/chromium"
    driver: str = "/usr/bin/chromedriver"
    pool_size: int = 2
    max_pages_per_driver: int = 100
    page_timeout_s: float = 30.0
    settle_quiet_ms: int = 300
    settle_max_s: float = 8.0
    acquire_timeout_s: float = 60.0
    user_agent: str = "HighPipeBot/0.1 (+review analysis)"
    window_size: str = "1280,900"
    extra_args: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: object) -> BrowserConfig:
        """Read the browser settings (getattr with defaults, so older Settings classes work too)."""
        d = cls()
        return cls(
            binary=str(getattr(settings, "browser_binary", d.binary)),
            driver=str(getattr(settings, "browser_driver", d.driver)),
            pool_size=int(getattr(settings, "browser_pool_size", d.pool_size)),
            max_pages_per_driver=int(
                getattr(settings, "browser_max_pages_per_driver", d.max_pages_per_driver)
            ),
            page_timeout_s=float(getattr(settings, "browser_page_timeout_s", d.page_timeout_s)),
            user_agent=str(getattr(settings, "user_agent", d.user_agent)),
        )


# Background services that would otherwise call Google from the crawler's browser.
_DISABLED_FEATURES = (
    "Translate",
    "OptimizationHints",
    "MediaRouter",
    "DialMediaRouteProvider",
    "AutofillServerCommunication",
    "CertificateTransparencyComponentUpdater",
    "InterestFeedContentSuggestions",
    "PrivacySandboxSettings4",
    "AccountConsistency",
    "SigninInterception",
    "PreconnectToSearch",
    "NetworkTimeServiceQuerying",
)


def chrome_args(config: BrowserConfig, *, proxy: str, profile: str) -> list[str]:
    """Chromium's command line: headless, quiet, and with the guard proxy as its only way out."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--disable-default-apps",
        "--mute-audio",
        "--no-pings",
        "--disable-client-side-phishing-detection",
        "--disable-component-extensions-with-background-pages",
        "--disable-domain-reliability",
        "--disable-breakpad",
        "--metrics-recording-only",
        "--password-store=basic",
        "--use-mock-keychain",
        "--no-service-autorun",
        "--no-default-browser-check",
        "--disable-search-engine-choice-screen",
        "--gaia-url=http://127.0.0.1:9",  # sign-in checks: to a refused loopback port, never to Google
        "--disable-features=" + ",".join(_DISABLED_FEATURES),
        f"--user-data-dir={profile}",
        f"--proxy-server=http://{proxy}",
        "--proxy-bypass-list=<-loopback>",  # no implicit bypass: loopback goes through the guard too
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",  # the proxy resolves, never Chrome
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--lang=ko-KR",
        f"--window-size={config.window_size}",
        f"--user-agent={config.user_agent}",
        *config.extra_args,
    ]


def browser_unavailable(why: str) -> FetchError:
    return FetchError(
        "브라우저(Chromium)를 시작할 수 없습니다 / The headless browser could not be started: " + why,
        code="browser_unavailable",
    )


def process_tree_memory(root: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over `root` and all its descendants (Linux /proc; 0 where unreadable).

    RSS counts pages shared between Chromium's processes once per process, so its sum overstates the
    tree; PSS splits each shared page among its sharers, so the PSS sum is the tree's real footprint.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        rss += _kb_field(Path(f"/proc/{pid}/status"), "VmRSS:")
        pss += _kb_field(Path(f"/proc/{pid}/smaps_rollup"), "Pss:")
    return rss, pss


def _kb_field(path: Path, name: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return 0
