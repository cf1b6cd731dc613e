// /compare?ids=a,b,c — two or three finished analyses side by side: scores, sentiment, aspects, complaints.
// Without ids it lists the completed analyses to pick from.
import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api } from "../api/client";
import type { Job, Report } from "../api/types";
import { StatusBadge } from "../components/JobList";
import { num, pct } from "../format";
import { aspectLabel, useI18n } from "../i18n";
import { compareAspects, parseCompareIds, topComplaints } from "../report/compare";

const SERIES = ["var(--accent)", "var(--accent-2)", "var(--neu)"];

interface Loaded {
  job: Job;
  report: Report | null;
}

function Picker() {
  const { t, lang } = useI18n();
  const [, setSearch] = useSearchParams();
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  useEffect(() => {
    api.list({ limit: 100 }).then((all) => setJobs(all.filter((j) => j.status === "completed")), () => setJobs([]));
  }, []);
  const toggle = (id: string) =>
    setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : c.length < 3 ? [...c, id] : c));
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        setSearch({ ids: chosen.join(",") });
      }}
    >
      <fieldset className="plain">
        <legend>{t("comparePick")}</legend>
        {jobs === null && <p aria-busy="true">{t("loading")}</p>}
        {jobs?.length === 0 && <p className="muted">{t("recentEmpty")}</p>}
        <ul className="job-list">
          {jobs?.map((j) => (
            <li key={j.job_id}>
              <label className="check-row">
                <input
                  type="checkbox"
                  checked={chosen.includes(j.job_id)}
                  disabled={!chosen.includes(j.job_id) && chosen.length >= 3}
                  onChange={() => toggle(j.job_id)}
                />
                <span className="job-source">{j.source}</span>
                <span className="muted small">
                  {t("colReviews")} {num(lang, j.analyzed)}
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <button type="submit" className="primary" disabled={chosen.length < 2}>
        {t("compareGo", { n: chosen.length })}
      </button>
    </form>
  );
}

export default function ComparePage() {
  const { t, lang } = useI18n();
  const [search] = useSearchParams();
  const ids = useMemo(() => parseCompareIds(search.get("ids")), [search]);
  const [loaded, setLoaded] = useState<Loaded[] | null>(null);

  useEffect(() => {
    document.title = `${t("compareTitle")} · HighPipe`;
  }, [t]);
  useEffect(() => {
    if (ids.length === 0) return;
    let live = true;
    setLoaded(null);
    Promise.all(
      ids.map(async (id): Promise<Loaded | null> => {
        try {
          const status = await api.status(id);
          const report = status.job.status === "completed" ? await api.report(id) : null;
          return { job: status.job, report };
        } catch {
          return null; // a deleted or unknown id: left out
        }
      }),
    ).then((all) => live && setLoaded(all.filter((x): x is Loaded => x !== null)));
    return () => {
      live = false;
    };
  }, [ids]);

  const ready = (loaded ?? []).filter((l): l is Loaded & { report: Report } => l.report !== null);
  const reports = ready.map((l) => l.report);
  const rows = useMemo(() => compareAspects(reports, lang), [reports, lang]);
  const name = (l: Loaded) => l.report?.product?.title ?? l.job.source;

  return (
    <section aria-labelledby="compare-title" data-testid="compare">
      <h1 id="compare-title">{t("compareTitle")}</h1>
      {ids.length === 0 && <Picker />}
      {ids.length > 0 && loaded === null && <p aria-busy="true">{t("loading")}</p>}
      {loaded && loaded.length > ready.length && (
        <ul className="banner">
          {loaded
            .filter((l) => !l.report)
            .map((l) => (
              <li key={l.job.job_id}>
                {l.job.source} <StatusBadge status={l.job.status} /> — {t("compareNotReady")}
              </li>
            ))}
        </ul>
      )}
      {ready.length > 0 && (
        <>
          <div className="table-scroll" tabIndex={0} role="region" aria-label={t("compareTitle")}>
            <table className="mini-table compare-table">
              <thead>
                <tr>
                  <th scope="col">
                    <span className="sr-only">{t("colSource")}</span>
                  </th>
                  {ready.map((l) => (
                    <th key={l.job.job_id} scope="col">
                      <Link to={`/analyses/${l.job.job_id}`}>{name(l)}</Link>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">{t("score")}</th>
                  {reports.map((r, i) => (
                    <td key={i} className="big-number">
                      {num(lang, r.score, 0)}
                    </td>
                  ))}
                </tr>
                <tr>
                  <th scope="row">{t("colReviews")}</th>
                  {reports.map((r, i) => (
                    <td key={i}>{num(lang, r.analyzed_reviews)}</td>
                  ))}
                </tr>
                {(["positive", "negative", "neutral"] as const).map((s) => (
                  <tr key={s}>
                    <th scope="row">{t(s)}</th>
                    {reports.map((r, i) => (
                      <td key={i}>{pct(r.sentiment_shares[s] ?? 0, 0)}</td>
                    ))}
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t("compareAvgRating")}</th>
                  {reports.map((r, i) => (
                    <td key={i}>{num(lang, r.average_rating, 2)}</td>
                  ))}
                </tr>
                {rows.map((row) => (
                  <tr key={row.id}>
                    <th scope="row">{row.label}</th>
                    {row.cells.map((c, i) => (
                      <td key={i}>
                        {c ? t("compareCell", { pos: pct(c.positiveShare), reach: pct(c.reach), n: c.mentions }) : "–"}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <figure className="card chart">
            <h2>{t("compareChart")}</h2>
            <ResponsiveContainer width="100%" height={Math.max(220, rows.length * 34 + 60)}>
              <BarChart
                layout="vertical"
                data={rows.map((r) => ({
                  label: r.label,
                  ...Object.fromEntries(r.cells.map((c, i) => [`s${i}`, c ? Math.round(c.positiveShare * 100) : null])),
                }))}
                margin={{ left: 8, right: 16 }}
              >
                <CartesianGrid horizontal={false} stroke="var(--border)" />
                <XAxis type="number" domain={[0, 100]} unit="%" />
                <YAxis type="category" dataKey="label" width={110} interval={0} />
                <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)" }} />
                <Legend />
                {ready.map((l, i) => (
                  <Bar key={l.job.job_id} dataKey={`s${i}`} name={name(l)} fill={SERIES[i]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <h2>{t("compareComplaints")}</h2>
          <div className="cards">
            {ready.map((l) => (
              <section key={l.job.job_id} className="card" aria-label={name(l)}>
                <h3>{name(l)}</h3>
                <ol>
                  {topComplaints(l.report).map(({ card, quote }) => (
                    <li key={card.card_id}>
                      <Link to={`/analyses/${l.job.job_id}?aspect=${encodeURIComponent(card.aspect_id)}`}>
                        {aspectLabel(lang, card.aspect_id, card.label)}
                      </Link>{" "}
                      <span className="muted small">
                        {t("negative")} {card.negative} ({pct(card.negative_share)})
                      </span>
                      {quote && <blockquote className="quote negative">“{quote}”</blockquote>}
                    </li>
                  ))}
                </ol>
              </section>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
