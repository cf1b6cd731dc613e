// Entry point: starts a deep link's API calls, loads its page, then mounts the app (router, language).
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App, preloadRoute } from "./App";
import { prefetchFor } from "./api/prefetch";
import { I18nProvider } from "./i18n";
import "./styles.css";

prefetchFor(window.location.pathname, window.location.search);

void preloadRoute(window.location.pathname).then(() => {
  createRoot(document.getElementById("root") as HTMLElement).render(
    <StrictMode>
      <BrowserRouter>
        <I18nProvider>
          <App />
        </I18nProvider>
      </BrowserRouter>
    </StrictMode>,
  );
});
