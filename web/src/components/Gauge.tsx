// A half-ring gauge (Recharts) for a 0..1 share or a 0..100 score, with the number in words beside it.
import { Pie, PieChart } from "recharts";

interface Props {
  /** 0..1, or null when there is nothing to show */
  value: number | null;
  label: string;
  display: string;
  size?: number;
}

export function Gauge({ value, label, display, size = 180 }: Props) {
  const v = value === null ? 0 : Math.max(0, Math.min(1, value));
  const data = [
    { name: "value", value: v, fill: "var(--pos)" },
    { name: "rest", value: 1 - v, fill: "var(--track)" },
  ];
  return (
    <figure className="gauge" role="img" aria-label={`${label}: ${display}`}>
      <PieChart width={size} height={size / 2 + 10} accessibilityLayer={false}>
        <Pie
          data={data}
          dataKey="value"
          startAngle={180}
          endAngle={0}
          cx="50%"
          cy="100%"
          innerRadius={size * 0.3}
          outerRadius={size * 0.48}
          stroke="none"
          isAnimationActive={false}
        />
      </PieChart>
      <figcaption className="gauge-value" aria-hidden="true">
        {display}
      </figcaption>
    </figure>
  );
}
