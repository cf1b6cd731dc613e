// Upload a review export: pick (or drop) a file, check the column mapping against a preview, then analyse.
import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../api/client";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import {
  buildUploadForm,
  checkMapping,
  fileKind,
  guessMapping,
  MAPPED_FIELDS,
  MAX_UPLOAD_BYTES,
  PREVIEW_ROWS,
  previewText,
  readBlobText,
  type Field,
  type FileKind,
  type Mapping,
  type MappingProblem,
  type Preview,
} from "../upload/mapping";

const FIELD_LABEL: Record<Field, MessageKey> = {
  text: "fieldText",
  rating: "fieldRating",
  date: "fieldDate",
  author: "fieldAuthor",
  id: "fieldId",
  product: "fieldProduct",
  title: "fieldTitle",
  option: "fieldOption",
  helpful: "fieldHelpful",
};

interface Chosen {
  file: File;
  kind: FileKind;
  preview: Preview | null;
}

// The header and first rows sit in the first bytes: no need to read a 20 MB file to preview it.
const PREVIEW_BYTES = 256 * 1024;

export function UploadForm() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const id = useId();
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [scale, setScale] = useState<5 | 10>(5);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  const problemText = (p: MappingProblem) =>
    p.kind === "needText" ? t("uploadNeedText") : t(p.kind === "duplicate" ? "uploadDuplicate" : "uploadUnknownColumn", { column: p.column });

  const pick = async (file: File | undefined) => {
    setError(null);
    if (!file) return;
    const kind = fileKind(file.name);
    if (!kind) return setError(t("uploadUnsupported"));
    if (file.size > MAX_UPLOAD_BYTES) return setError(t("uploadTooLarge"));
    let preview: Preview | null = null;
    if (kind.previewable) {
      const head = await readBlobText(file.slice(0, PREVIEW_BYTES));
      preview = previewText(head, kind.format);
    }
    setChosen({ file, kind, preview });
    setMapping(preview ? guessMapping(preview.columns) : {});
  };

  const columns = chosen?.preview?.columns ?? null;
  const problems = chosen ? checkMapping(mapping, columns) : [];

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!chosen || problems.length) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api.createFromUpload(buildUploadForm(chosen.file, chosen.file.name, mapping, scale));
      navigate(`/analyses/${created.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("uploadTitle")}</h2>
      <p className="muted">{t("uploadLead")}</p>
      {!chosen && (
        <label
          className={`dropzone${dragging ? " dragging" : ""}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            void pick(e.dataTransfer.files[0]);
          }}
        >
          <span>{t("uploadDrop")}</span>
          <span className="button" aria-hidden="true">
            {t("uploadChoose")}
          </span>
          <input
            type="file"
            className="file-input"
            aria-label={t("uploadChoose")}
            accept=".csv,.tsv,.txt,.jsonl,.ndjson,.xlsx,.gz"
            onChange={(e) => void pick(e.target.files?.[0])}
            data-testid="upload-input"
          />
        </label>
      )}
      {chosen && (
        <form onSubmit={submit} className="mapping" data-testid="upload-mapping">
          <p>
            <strong>{chosen.file.name}</strong>{" "}
            <button type="button" className="link-button" onClick={() => setChosen(null)}>
              {t("uploadReset")}
            </button>
          </p>
          {chosen.preview ? (
            <div className="table-scroll" tabIndex={0} aria-label={t("uploadPreview", { n: PREVIEW_ROWS })}>
              <table className="mini-table preview">
                <caption>{t("uploadPreview", { n: Math.min(PREVIEW_ROWS, chosen.preview.rows.length) })}</caption>
                <thead>
                  <tr>
                    {chosen.preview.columns.map((c, i) => (
                      <th key={i} scope="col">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {chosen.preview.rows.map((row, r) => (
                    <tr key={r}>
                      {chosen.preview!.columns.map((_, c) => (
                        <td key={c}>{(row[c] ?? "").slice(0, 80)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">{t("uploadNoPreview")}</p>
          )}
          <fieldset>
            <legend>{t("uploadMapping")}</legend>
            <p className="muted small">{t("uploadMappingLead")}</p>
            <div className="mapping-grid">
              {MAPPED_FIELDS.map((field) => (
                <label key={field}>
                  {t(FIELD_LABEL[field])}
                  {field === "text" && columns && <span aria-hidden="true"> *</span>}
                  {columns ? (
                    <select
                      value={mapping[field] ?? ""}
                      required={field === "text"}
                      onChange={(e) => setMapping({ ...mapping, [field]: e.target.value || undefined })}
                      data-field={field}
                    >
                      <option value="">{t("uploadNone")}</option>
                      {columns.map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      type="text"
                      value={mapping[field] ?? ""}
                      placeholder={t("uploadAuto")}
                      onChange={(e) => setMapping({ ...mapping, [field]: e.target.value || undefined })}
                      data-field={field}
                    />
                  )}
                </label>
              ))}
              <label>
                {t("uploadScale")}
                <select value={scale} onChange={(e) => setScale(Number(e.target.value) === 10 ? 10 : 5)}>
                  <option value={5}>{t("uploadScale5")}</option>
                  <option value={10}>{t("uploadScale10")}</option>
                </select>
              </label>
            </div>
          </fieldset>
          {problems.length > 0 && (
            <ul className="error" role="alert">
              {problems.map((p, i) => (
                <li key={i}>{problemText(p)}</li>
              ))}
            </ul>
          )}
          <button type="submit" className="primary" disabled={busy || problems.length > 0}>
            {t("uploadSubmit")}
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
