// The product-URL form: checked as the user submits, with the server's own message when it refuses.
import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../api/client";
import { useI18n } from "../i18n";
import { checkProductUrl } from "../urlCheck";

export function UrlForm() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkProductUrl(value);
    if (!checked.ok) {
      setError(t(checked.message));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await api.createFromUrl(checked.url);
      navigate(`/analyses/${created.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <form className="url-form" onSubmit={submit} noValidate>
      <label htmlFor={`${id}-url`} className="label">
        {t("urlLabel")}
      </label>
      <div className="url-row">
        <input
          id={`${id}-url`}
          name="url"
          type="text"
          inputMode="url"
          autoComplete="url"
          spellCheck={false}
          placeholder={t("urlPlaceholder")}
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            if (error) setError(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-sites${error ? ` ${id}-error` : ""}`}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("urlSubmitting") : t("urlSubmit")}
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} className="error" role="alert" data-testid="url-error">
          {error}
        </p>
      )}
      <div id={`${id}-sites`} className="muted small supported">
        {t("supportedSites")}:
        <ul>
          <li>{t("supportedDemo")}</li>
          <li>{t("supportedSchema")}</li>
        </ul>
      </div>
    </form>
  );
}
