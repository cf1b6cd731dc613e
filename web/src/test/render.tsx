// Renders a component inside the app's providers (router, language) for component tests.
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { I18nProvider, type Lang } from "../i18n";

export function LocationProbe() {
  const loc = useLocation();
  return <output data-testid="location">{loc.pathname + loc.search}</output>;
}

export function renderApp(ui: ReactElement, { lang = "ko", path = "/" }: { lang?: Lang; path?: string } = {}) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <I18nProvider lang={lang}>
        <Routes>
          <Route path="*" element={ui} />
        </Routes>
        <LocationProbe />
      </I18nProvider>
    </MemoryRouter>,
  );
}
