// The report's charts (Recharts). Every chart has a table twin (keyboard- and screen-reader-friendly), and
// every bar or row there leads to the reviews behind the number.
import type { ReactNode } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { Sentiment } from "../api/types";
import { useI18n } from "../i18n";
import { num, pct } from "../format";
import type { AspectRow, EmotionRow, RatingRow, ShareRow, TrendRow } from "../report/shape";

const COLORS: Record<Sentiment, string> = { positive: "var(--pos)", negative: "var(--neg)", neutral: "var(--neu)" };
const tooltipStyle = { background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" };

function payloadOf<T>(entry: unknown): T {
  return (entry as { payload: T }).payload;
}

export function ChartFigure(props: { title: string; help?: string; table: ReactNode; children: ReactNode; id: string }) {
  const { t } = useI18n();
  return (
    <figure className="card chart" aria-labelledby={`${props.id}-title`} data-chart={props.id}>
      <h3 id={`${props.id}-title`}>
        {props.title}
        {props.help && <small className="muted"> · {props.help}</small>}
      </h3>
      <div className="chart-body">
        {props.children}
      </div>
      <details>
        <summary>{t("chartTable")}</summary>
        {props.table}
      </details>
    </figure>
  );
}

export function SentimentChart({ rows, onPick }: { rows: ShareRow[]; onPick: (s: Sentiment) => void }) {
  const { t, lang } = useI18n();
  const data = rows.map((r) => ({ ...r, name: t(r.key), fill: COLORS[r.key] }));
  return (
    <ChartFigure
      id="sentiment"
      title={t("sentimentShares")}
      table={
        <table className="mini-table">
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => onPick(r.key)}>
                    {t(r.key)}
                  </button>
                </th>
                <td>{num(lang, r.count)}</td>
                <td>{pct(r.share, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={200}>
        <PieChart>
          <Pie
            data={data}
            dataKey="count"
            nameKey="name"
            innerRadius="55%"
            outerRadius="85%"
            stroke="var(--surface)"
            isAnimationActive={false}
            onClick={(e) => onPick(payloadOf<ShareRow>(e).key)}
            cursor="pointer"
          />
          <Tooltip contentStyle={tooltipStyle} formatter={(v) => num(lang, Number(v))} />
          <Legend />
        </PieChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function RatingChart({ rows, onPick }: { rows: RatingRow[]; onPick: (rating: number) => void }) {
  const { t, lang } = useI18n();
  const label = (r: string) => (r === "none" ? t("ratingNone") : t("ratingStars", { n: r }));
  const data = rows.map((r) => ({ ...r, name: label(r.rating) }));
  const pick = (r: RatingRow) => r.rating !== "none" && onPick(Number(r.rating));
  return (
    <ChartFigure
      id="ratings"
      title={t("ratingDist")}
      table={
        <table className="mini-table">
          <tbody>
            {rows.map((r) => (
              <tr key={r.rating}>
                <th scope="row">
                  {r.rating === "none" ? (
                    label(r.rating)
                  ) : (
                    <button type="button" className="link-button" onClick={() => pick(r)}>
                      {label(r.rating)}
                    </button>
                  )}
                </th>
                <td>{num(lang, r.count)}</td>
                <td>{pct(r.share, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }}>
          <CartesianGrid horizontal={false} stroke="var(--border)" />
          <XAxis type="number" allowDecimals={false} />
          <YAxis type="category" dataKey="name" width={64} />
          <Tooltip contentStyle={tooltipStyle} cursor={{ fill: "var(--track)" }} />
          <Bar dataKey="count" name={t("colReviews")} fill="var(--accent)" isAnimationActive={false} cursor="pointer"
            onClick={(e) => pick(payloadOf<RatingRow>(e))} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function AspectChart({ rows, onPick }: { rows: AspectRow[]; onPick: (aspectId: string) => void }) {
  const { t, lang } = useI18n();
  const height = Math.max(160, rows.length * 30 + 50);
  return (
    <ChartFigure
      id="aspects"
      title={t("aspectChart")}
      help={t("aspectChartHelp")}
      table={
        <table className="mini-table">
          <thead>
            <tr>
              <th scope="col">{t("filterAspect")}</th>
              <th scope="col">{t("positive")}</th>
              <th scope="col">{t("negative")}</th>
              <th scope="col">{t("neutral")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => onPick(r.id)}>
                    {r.label}
                  </button>
                </th>
                <td>{num(lang, r.positive)}</td>
                <td>{num(lang, r.negative)}</td>
                <td>{num(lang, r.neutral)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={rows} layout="vertical" margin={{ left: 8, right: 16 }} stackOffset="none">
          <CartesianGrid horizontal={false} stroke="var(--border)" />
          <XAxis type="number" allowDecimals={false} />
          <YAxis type="category" dataKey="label" width={110} interval={0} />
          <Tooltip contentStyle={tooltipStyle} cursor={{ fill: "var(--track)" }} />
          <Legend />
          {(["positive", "negative"] as const).map((k) => (
            <Bar key={k} dataKey={k} name={t(k)} stackId="a" fill={COLORS[k]} isAnimationActive={false} cursor="pointer"
              onClick={(e) => onPick(payloadOf<AspectRow>(e).id)} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function EmotionChart({ rows, onPick }: { rows: EmotionRow[]; onPick: (emotionId: string) => void }) {
  const { t, lang } = useI18n();
  return (
    <ChartFigure
      id="emotions"
      title={t("emotionDist")}
      table={
        <table className="mini-table">
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <button type="button" className="link-button" data-emotion={r.id} onClick={() => onPick(r.id)}>
                    {r.label}
                  </button>
                </th>
                <td>{num(lang, r.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={Math.max(140, rows.length * 28 + 40)}>
        <BarChart data={rows} layout="vertical" margin={{ left: 8, right: 16 }}>
          <CartesianGrid horizontal={false} stroke="var(--border)" />
          <XAxis type="number" allowDecimals={false} />
          <YAxis type="category" dataKey="label" width={96} interval={0} />
          <Tooltip contentStyle={tooltipStyle} cursor={{ fill: "var(--track)" }} />
          <Bar dataKey="count" name={t("colReviews")} fill="var(--accent-2)" isAnimationActive={false} cursor="pointer"
            onClick={(e) => onPick(payloadOf<EmotionRow>(e).id)} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

export function TrendChart({ rows, onPick }: { rows: TrendRow[]; onPick: (month: string) => void }) {
  const { t, lang } = useI18n();
  return (
    <ChartFigure
      id="trend"
      title={t("trend")}
      table={
        <table className="mini-table">
          <thead>
            <tr>
              <th scope="col">{t("colDate")}</th>
              <th scope="col">{t("trendReviews")}</th>
              <th scope="col">{t("trendScore")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.month}>
                <th scope="row">
                  {r.reviews > 0 ? (
                    <button type="button" className="link-button" onClick={() => onPick(r.month)}>
                      {r.month}
                    </button>
                  ) : (
                    r.month
                  )}
                </th>
                <td>{num(lang, r.reviews)}</td>
                <td>{num(lang, r.score, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={rows} margin={{ left: 0, right: 8 }}>
          <CartesianGrid vertical={false} stroke="var(--border)" />
          <XAxis dataKey="month" minTickGap={16} />
          <YAxis yAxisId="n" allowDecimals={false} width={40} />
          <YAxis yAxisId="s" orientation="right" domain={[0, 100]} width={36} />
          <Tooltip contentStyle={tooltipStyle} />
          <Legend />
          <Bar yAxisId="n" dataKey="reviews" name={t("trendReviews")} fill="var(--accent)" opacity={0.55}
            isAnimationActive={false} cursor="pointer" onClick={(e) => onPick(payloadOf<TrendRow>(e).month)} />
          <Line yAxisId="s" dataKey="score" name={t("trendScore")} stroke="var(--pos)" strokeWidth={2} dot={false}
            connectNulls isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
