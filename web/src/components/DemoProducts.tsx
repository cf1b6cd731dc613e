// One-click demo: the built-in demo shop's products (GET /api/demo/products), each starting an analysis.
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../api/client";
import type { DemoProduct } from "../api/types";
import { useI18n } from "../i18n";

export function DemoProducts() {
  const { t, fmt } = useI18n();
  const navigate = useNavigate();
  const [products, setProducts] = useState<DemoProduct[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.demoProducts().then(setProducts, () => setProducts([]));
  }, []);

  const start = async (p: DemoProduct) => {
    setBusy(p.id);
    setError(null);
    try {
      const created = await api.createFromUrl(p.url);
      navigate(`/analyses/${created.id}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(null);
    }
  };

  return (
    <section className="card" aria-labelledby="demo-title">
      <h2 id="demo-title">{t("demoTitle")}</h2>
      <p className="muted">{t("demoLead")}</p>
      {products === null && <p aria-busy="true">{t("loading")}</p>}
      {products?.length === 0 && <p className="muted">{t("demoNone")}</p>}
      <ul className="demo-list">
        {products?.map((p) => (
          <li key={p.id}>
            <button type="button" className="demo-button" disabled={busy !== null} onClick={() => start(p)} data-demo-id={p.id}>
              <span className="demo-title">{p.title}</span>
              <span className="muted small">
                {p.category ? `${p.category} · ` : ""}
                {t("demoReviews", { n: fmt.format(p.review_count ?? 0) })}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
