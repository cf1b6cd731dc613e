// The shell: header (navigation, language and theme switches), routes, and a skip link for keyboards.
import { lazy, Suspense, useEffect, useRef, type ComponentType } from "react";
import { NavLink, Route, Routes, useLocation } from "react-router";
import { useI18n } from "./i18n";
import HomePage from "./pages/HomePage";
import { useTheme } from "./theme";

// The analysis page pulls in the chart library: load it only when an analysis is opened.
const loadAnalysis = () => import("./pages/AnalysisPage");
let AnalysisPage: ComponentType = lazy(loadAnalysis);

/**
 * Opening a link to an analysis: load its page before the first render. A lazy page would first show the
 * Suspense fallback, and React holds a fallback on screen for at least 300 ms before revealing the content.
 */
export async function preloadRoute(pathname: string): Promise<void> {
  if (!/^\/analyses\//.test(pathname)) return;
  try {
    AnalysisPage = (await loadAnalysis()).default;
  } catch {
    /* the lazy route retries (and reports) the failure */
  }
}
const HistoryPage = lazy(() => import("./pages/HistoryPage"));
const ComparePage = lazy(() => import("./pages/ComparePage"));
const AlertsPage = lazy(() => import("./pages/AlertsPage"));

function NotFound() {
  const { t } = useI18n();
  return (
    <section className="card">
      <h1>404</h1>
      <NavLink to="/">{t("backHome")}</NavLink>
    </section>
  );
}

export function App() {
  const { t, lang, setLang } = useI18n();
  const [theme, toggleTheme] = useTheme();
  const main = useRef<HTMLElement>(null);
  const location = useLocation();
  const first = useRef(true);
  // After a client-side navigation, move focus to the new page (as a full page load would).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand">
          <span className="logo" aria-hidden="true">
            H
          </span>
          <span>
            {t("appName")} <small>{t("tagline")}</small>
          </span>
        </NavLink>
        <nav aria-label={lang === "en" ? "Main" : "주 메뉴"}>
          <NavLink to="/" end>
            {t("navHome")}
          </NavLink>
          <NavLink to="/history">{t("navHistory")}</NavLink>
          <NavLink to="/compare">{t("navCompare")}</NavLink>
          <NavLink to="/alerts">{lang === "en" ? "Alerts" : "알림"}</NavLink>
        </nav>
        <div className="toggles">
          <button type="button" onClick={() => setLang(lang === "ko" ? "en" : "ko")} aria-label={t("langToggleLabel")} lang={lang === "ko" ? "en" : "ko"}>
            {t("langToggle")}
          </button>
          <button type="button" onClick={toggleTheme} aria-pressed={theme === "dark"}>
            {theme === "dark" ? t("themeToggleLight") : t("themeToggleDark")}
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<p aria-busy="true">{t("loading")}</p>}>
          <Routes>
            <Route path="/" element={<HomePage />} />
            <Route path="/history" element={<HistoryPage />} />
            <Route path="/compare" element={<ComparePage />} />
            <Route path="/alerts" element={<AlertsPage />} />
            <Route path="/analyses/:id" element={<AnalysisPage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </main>
      <footer className="footer muted small">HighPipe · {lang === "en" ? "reviews analysed on this server only" : "리뷰는 이 서버 안에서만 분석됩니다"}</footer>
    </>
  );
}
