// Home: analyse a URL, upload a file, try the demo shop, or reopen a recent analysis.
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import type { Job } from "../api/types";
import { DemoProducts } from "../components/DemoProducts";
import { JobList } from "../components/JobList";
import { UploadForm } from "../components/UploadForm";
import { UrlForm } from "../components/UrlForm";
import { useI18n } from "../i18n";

export default function HomePage() {
  const { t } = useI18n();
  const [recent, setRecent] = useState<Job[] | null>(null);
  useEffect(() => {
    document.title = `HighPipe · ${t("tagline")}`;
  }, [t]);
  useEffect(() => {
    api.list({ limit: 6 }).then(setRecent, () => setRecent([]));
  }, []);
  return (
    <div className="home">
      <section className="hero" aria-labelledby="home-title">
        <h1 id="home-title">{t("homeTitle")}</h1>
        <p className="lead">{t("homeLead")}</p>
        <UrlForm />
      </section>
      <div className="home-grid">
        <DemoProducts />
        <UploadForm />
      </div>
      <section className="card" aria-labelledby="recent-title">
        <div className="section-head">
          <h2 id="recent-title">{t("recentTitle")}</h2>
          <Link to="/history">{t("navHistory")} →</Link>
        </div>
        {recent === null ? <p aria-busy="true">{t("loading")}</p> : recent.length ? <JobList jobs={recent} /> : <p className="muted">{t("recentEmpty")}</p>}
      </section>
    </div>
  );
}
