/** A weekly trend as hand-rolled SVG: counts, moving average, EARS upper bound, suppression, alarms. */
import { useId } from "react";
import { type ChartBox, chartModel, isAlarm, pointKind, type WeekPoint } from "./chart-model.ts";

const BOX: ChartBox = { width: 720, height: 260, margin: { top: 16, right: 16, bottom: 44, left: 58 } };

export function TrendChart({ title, points }: { title: string; points: WeekPoint[] }) {
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, "");
  const m = chartModel(points, BOX);
  const suppressedCount = m.suppressed.length;
  const alarmCount = points.filter(isAlarm).length;
  const pendingCount = m.pending.length;
  const summary = `${title}: ${points.length} weeks, ${m.values.length} released counts, ${suppressedCount} suppressed, ${pendingCount} not published yet, ${alarmCount} aberration alarms.`;
  return (
    <figure
      className="chart"
      data-suppressed={suppressedCount}
      data-alarms={alarmCount}
      data-points={m.values.length}
      data-pending={pendingCount}
    >
      <figcaption>
        <strong>{title}</strong>
        <span className="muted">
          {" "}
          {m.values.length} weeks released · {suppressedCount} suppressed
          {pendingCount > 0 ? ` · ${pendingCount} not published yet` : ""} · {alarmCount} alarm
          {alarmCount === 1 ? "" : "s"}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-labelledby={`${id}-t`}>
        <title id={`${id}-t`}>{summary}</title>
        <defs>
          <pattern
            id={`${id}-hatch`}
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <rect width="6" height="6" className="hatch-bg" />
            <line x1="0" y1="0" x2="0" y2="6" className="hatch-line" />
          </pattern>
        </defs>
        {m.suppressed.map((s) => (
          <g key={`s-${s.point.week}`} className="suppressed-band" data-week={s.point.week}>
            <rect
              x={s.x}
              y={m.plot.top}
              width={Math.max(1, s.width)}
              height={m.plot.bottom - m.plot.top}
              fill={`url(#${id}-hatch)`}
            />
            <title>{`${s.point.week}: suppressed (fewer than the release threshold, or a complement)`}</title>
          </g>
        ))}
        {m.pending.map((s) => (
          <g key={`p-${s.point.week}`} className="pending-band" data-week={s.point.week}>
            <rect x={s.x} y={m.plot.top} width={Math.max(1, s.width)} height={m.plot.bottom - m.plot.top} />
            <title>{`${s.point.week}: not published yet (the week is open, or within the publication lag)`}</title>
          </g>
        ))}
        <text
          className="axis axis-title"
          transform={`translate(14 ${(m.plot.top + m.plot.bottom) / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          Cases per week
        </text>
        {m.yTicks.map((t) => (
          <g key={`y-${t.value}`} className="axis">
            <line x1={m.plot.left} x2={m.plot.right} y1={t.y} y2={t.y} className="grid" />
            <text x={m.plot.left - 6} y={t.y} dy="0.32em" textAnchor="end">
              {t.value}
            </text>
          </g>
        ))}
        {m.xLabels.map((l) => (
          <text key={`x-${l.text}`} className="axis" x={l.x} y={m.plot.bottom + 16} textAnchor="middle">
            {l.text}
          </text>
        ))}
        {m.upperPaths.map((d) => (
          <path key={`u-${d}`} d={d} className="line-upper" />
        ))}
        {m.averagePaths.map((d) => (
          <path key={`a-${d}`} d={d} className="line-average" />
        ))}
        {m.countPaths.map((d) => (
          <path key={`c-${d}`} d={d} className="line-count" />
        ))}
        {m.values.map((v) => (
          <circle key={`v-${v.point.week}`} cx={v.x} cy={v.y} r={2.5} className="dot">
            <title>{`${v.point.week}: ${v.point.count} cases`}</title>
          </circle>
        ))}
        {m.alarms.map((a) => (
          <g key={`al-${a.point.week}`} className="alarm" data-week={a.point.week}>
            <path d={`M${a.x},${a.y - 12} l6,10 h-12 z`} />
            <title>{`${a.point.week}: aberration (${[a.point.c2Alarm && "C2", a.point.c3Alarm && "C3"].filter(Boolean).join(", ")})`}</title>
          </g>
        ))}
        {m.suppressed.length > 0 && (
          <text x={m.plot.right} y={BOX.height - 6} textAnchor="end" className="axis suppressed-label">
            hatched weeks: suppressed
          </text>
        )}
      </svg>
      <details>
        <summary>Data table</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Week</th>
                <th scope="col">Starts</th>
                <th scope="col">Cases</th>
                <th scope="col">Moving average</th>
                <th scope="col">Upper bound</th>
                <th scope="col">Aberration</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.week}>
                  <td>{p.week}</td>
                  <td>{p.weekStart}</td>
                  <td>
                    {pointKind(p) === "suppressed" ? (
                      <em>suppressed</em>
                    ) : pointKind(p) === "pending" ? (
                      <em className="pending">not published yet</em>
                    ) : (
                      (p.count ?? "—")
                    )}
                  </td>
                  <td>{p.movingAverage?.toFixed(1) ?? "—"}</td>
                  <td>{p.upperBound?.toFixed(1) ?? "—"}</td>
                  <td>
                    {isAlarm(p) ? [p.c2Alarm && "C2", p.c3Alarm && "C3"].filter(Boolean).join(", ") : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

export function ChartLegend() {
  return (
    <ul className="legend" aria-label="Chart legend">
      <li>
        <span className="key key-count" /> weekly cases
      </li>
      <li>
        <span className="key key-average" /> moving average
      </li>
      <li>
        <span className="key key-upper" /> EARS upper bound
      </li>
      <li>
        <span className="key key-alarm">▲</span> aberration (C2/C3 alarm)
      </li>
      <li>
        <span className="key key-suppressed" /> suppressed (not released)
      </li>
      <li>
        <span className="key key-pending" /> not published yet
      </li>
    </ul>
  );
}
