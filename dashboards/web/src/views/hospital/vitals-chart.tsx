/**
 * Vitals as a chart: the API's downsampled series (bucket AUTO, averages per bucket), one panel
 * per measure with its adult normal range shaded, times in the viewer's zone.
 */
import type { VitalsPoint } from "../../api/documents.ts";
import { formatLocalTime } from "./event-args.ts";

interface Measure {
  id: string;
  label: string;
  unit: string;
  /** Adult resting normal range, shaded. */
  normal: [number, number];
  lines: { key: keyof VitalsPoint; name: string }[];
  digits: number;
}

export const VITAL_MEASURES: readonly Measure[] = [
  {
    id: "temperature",
    label: "Temperature",
    unit: "°C",
    normal: [36.1, 37.5],
    lines: [{ key: "temperatureC", name: "temperature" }],
    digits: 1,
  },
  {
    id: "blood-pressure",
    label: "Blood pressure",
    unit: "mmHg",
    normal: [60, 120],
    lines: [
      { key: "systolicMmHg", name: "systolic" },
      { key: "diastolicMmHg", name: "diastolic" },
    ],
    digits: 0,
  },
  {
    id: "pulse",
    label: "Pulse",
    unit: "bpm",
    normal: [60, 100],
    lines: [{ key: "heartRateBpm", name: "pulse" }],
    digits: 0,
  },
  {
    id: "spo2",
    label: "SpO₂",
    unit: "%",
    normal: [95, 100],
    lines: [{ key: "spo2Percent", name: "SpO₂" }],
    digits: 1,
  },
];

const W = 720;
const H = 96;
const PAD = { left: 44, right: 8, top: 8, bottom: 18 };

function Panel({
  measure,
  points,
  t0,
  t1,
}: {
  measure: Measure;
  points: VitalsPoint[];
  t0: number;
  t1: number;
}) {
  const values = points.flatMap((p) =>
    measure.lines.map((l) => p[l.key]).filter((v): v is number => typeof v === "number"),
  );
  if (values.length === 0) return null;
  const lo = Math.min(measure.normal[0], ...values);
  const hi = Math.max(measure.normal[1], ...values);
  const pad = (hi - lo) * 0.08 || 1;
  const y = (v: number) => PAD.top + ((hi + pad - v) / (hi - lo + 2 * pad)) * (H - PAD.top - PAD.bottom);
  const x = (t: number) => PAD.left + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const last = points.at(-1);
  return (
    <figure className="vitals-panel" data-measure={measure.id} data-points={values.length}>
      <figcaption>
        {measure.label} <span className="muted">({measure.unit})</span>
        {last && measure.lines.some((l) => typeof last[l.key] === "number") && (
          <span className="latest">
            {" "}
            latest{" "}
            {measure.lines
              .map((l) => last[l.key])
              .filter((v): v is number => typeof v === "number")
              .map((v) => v.toFixed(measure.digits))
              .join("/")}{" "}
            {measure.unit}
          </span>
        )}
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${measure.label} over time, normal range shaded`}
      >
        <rect
          className="normal-range"
          x={PAD.left}
          width={W - PAD.left - PAD.right}
          y={y(measure.normal[1])}
          height={y(measure.normal[0]) - y(measure.normal[1])}
        >
          <title>
            normal {measure.normal[0]}–{measure.normal[1]} {measure.unit}
          </title>
        </rect>
        {[measure.normal[0], measure.normal[1]].map((v) => (
          <text key={v} className="axis" x={PAD.left - 4} y={y(v) + 3} textAnchor="end">
            {v}
          </text>
        ))}
        {measure.lines.map((line, i) => {
          const pts = points
            .filter((p) => typeof p[line.key] === "number")
            .map((p) => [x(Date.parse(p.time)), y(p[line.key] as number)] as const);
          return (
            <g key={line.key} className={`series series-${i}`}>
              <polyline points={pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ")} />
              {pts.length <= 60 && pts.map(([a, b]) => <circle key={`${a}-${b}`} cx={a} cy={b} r={2} />)}
            </g>
          );
        })}
        <text className="axis" x={PAD.left} y={H - 4}>
          {formatLocalTime(new Date(t0))}
        </text>
        <text className="axis" x={W - PAD.right} y={H - 4} textAnchor="end">
          {formatLocalTime(new Date(t1))}
        </text>
      </svg>
    </figure>
  );
}

export function VitalsChart({ points }: { points: VitalsPoint[] }) {
  if (points.length === 0) return <p className="muted">No vitals recorded.</p>;
  const times = points.map((p) => Date.parse(p.time));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const readings = points.reduce((n, p) => n + p.count, 0);
  return (
    <div className="vitals-chart" data-testid="vitals-chart">
      <p className="muted">
        {readings} reading{readings === 1 ? "" : "s"}
        {points.length < readings ? `, averaged into ${points.length} points` : ""}; normal adult ranges
        shaded.
      </p>
      {VITAL_MEASURES.map((m) => (
        <Panel key={m.id} measure={m} points={points} t0={t0} t1={t1} />
      ))}
    </div>
  );
}
