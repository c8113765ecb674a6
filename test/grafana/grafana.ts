/**
 * Reading the Grafana dashboards of dashboards/grafana as Grafana would: their panels and queries,
 * the SQL macros and template variables Grafana expands before sending a query to PostgreSQL, and
 * the metric names and labels of PromQL expressions.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";

export const GRAFANA_DIR = path.join(import.meta.dirname, "../../dashboards/grafana");
export const DASHBOARDS_DIR = path.join(GRAFANA_DIR, "dashboards");
export const PROVISIONING_DIR = path.join(GRAFANA_DIR, "provisioning");

export interface DataSourceRef {
  type: string;
  uid: string;
}

export interface Target {
  refId: string;
  datasource?: DataSourceRef;
  expr?: string;
  rawSql?: string;
  format?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DataSourceRef;
  targets?: Target[];
  panels?: Panel[];
}

export interface Variable {
  name: string;
  type: string;
  datasource?: DataSourceRef;
  query?: string;
  multi?: boolean;
  includeAll?: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  time: { from: string; to: string };
  panels: Panel[];
  templating: { list: Variable[] };
}

export interface LoadedDashboard {
  file: string;
  dashboard: Dashboard;
}

export function loadDashboards(): LoadedDashboard[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, file), "utf8")) as Dashboard,
    }));
}

/** Every panel, rows' collapsed children included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      out.push(panel);
      if (panel.panels) visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

export interface ProvisionedDataSource {
  name: string;
  uid: string;
  type: string;
  url?: string;
  user?: string;
  jsonData?: Record<string, unknown>;
}

export function loadProvisionedDataSources(): ProvisionedDataSource[] {
  const dir = path.join(PROVISIONING_DIR, "datasources");
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap(
      (f) =>
        (parseYaml(readFileSync(path.join(dir, f), "utf8")) as { datasources: ProvisionedDataSource[] })
          .datasources,
    );
}

// ------------------------------------------------------------------------------ SQL (PostgreSQL)

/** Grafana's relative time ("now", "now-1y", "now-6h") at `now`. */
export function resolveTime(expr: string, now: Date): Date {
  if (expr === "now") return now;
  const match = /^now-(\d+)([smhdwMy])$/.exec(expr);
  if (!match) throw new Error(`unsupported relative time "${expr}"`);
  const n = Number(match[1]);
  const d = new Date(now);
  switch (match[2]) {
    case "s":
      d.setUTCSeconds(d.getUTCSeconds() - n);
      break;
    case "m":
      d.setUTCMinutes(d.getUTCMinutes() - n);
      break;
    case "h":
      d.setUTCHours(d.getUTCHours() - n);
      break;
    case "d":
      d.setUTCDate(d.getUTCDate() - n);
      break;
    case "w":
      d.setUTCDate(d.getUTCDate() - 7 * n);
      break;
    case "M":
      d.setUTCMonth(d.getUTCMonth() - n);
      break;
    default:
      d.setUTCFullYear(d.getUTCFullYear() - n);
  }
  return d;
}

const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** Grafana's SQL formatting of a multi-value variable: every value quoted, comma-separated. */
export function formatSqlValues(values: readonly string[]): string {
  return values.map((v) => `'${v.replaceAll("'", "''")}'`).join(",");
}

/**
 * Expands what Grafana's PostgreSQL data source expands: the time macros of the dashboard's range
 * and the template variables (given as their formatted values). Anything else that looks like a
 * macro or a variable is refused, so a new one cannot slip into a dashboard untested.
 */
export function expandSql(
  sql: string,
  range: { from: Date; to: Date },
  variables: Readonly<Record<string, string>>,
): string {
  let out = sql
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      (_m, col: string) => `${col.trim()} BETWEEN '${iso(range.from)}' AND '${iso(range.to)}'`,
    )
    .replace(/\$__timeFrom\(\)/g, `'${iso(range.from)}'`)
    .replace(/\$__timeTo\(\)/g, `'${iso(range.to)}'`);
  out = out.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (m, name: string) => {
    if (name.startsWith("__")) throw new Error(`unsupported Grafana macro ${m} in: ${sql}`);
    const value = variables[name];
    if (value === undefined) throw new Error(`unknown template variable ${m} in: ${sql}`);
    return value;
  });
  return out;
}

// ------------------------------------------------------------------------------ PromQL

/** What a PromQL expression reads: each metric with the label names it matches on, and grouping labels. */
export interface PromQlUse {
  metrics: { name: string; matcherLabels: string[] }[];
  groupingLabels: string[];
}

const PROMQL_KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "atan2",
]);

/** Aggregation operators, which may be followed by `by (…)` / `without (…)` instead of "(". */
const PROMQL_AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);

export function parsePromQl(expr: string): PromQlUse {
  const metrics: PromQlUse["metrics"] = [];
  const groupingLabels: string[] = [];
  // Strings and range selectors ([5m], [$__rate_interval]) hold no names.
  const src = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""').replace(/\[[^\]]*\]/g, "");
  const token = /([A-Za-z_:][A-Za-z0-9_:]*)|(\{[^}]*\})|(\()|(\d+(?:\.\d+)?)|(.)/gs;
  const tokens: string[] = [];
  for (const m of src.matchAll(token)) if (m[0].trim() !== "") tokens.push(m[0]);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!/^[A-Za-z_:]/.test(t)) continue;
    const next = tokens[i + 1];
    if (PROMQL_KEYWORDS.has(t)) {
      if (next === "(") {
        let j = i + 2;
        for (; j < tokens.length && tokens[j] !== ")"; j++) {
          if (/^[A-Za-z_]/.test(tokens[j]!)) groupingLabels.push(tokens[j]!);
        }
        i = j;
      }
      continue;
    }
    if (next === "(") continue; // a function or an aggregation
    if (PROMQL_AGGREGATIONS.has(t) && (next === "by" || next === "without")) continue;
    const matcherLabels: string[] = [];
    if (next?.startsWith("{")) {
      for (const m of next.slice(1, -1).matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g))
        matcherLabels.push(m[1]!);
      i++;
    }
    metrics.push({ name: t, matcherLabels });
  }
  return { metrics, groupingLabels };
}

/** Series names a /metrics exposition makes queryable: histogram and summary parts included. */
export function exposedSeries(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split("\n")) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (!m) continue;
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
    if (type === "summary") for (const s of ["_sum", "_count"]) names.add(name + s);
  }
  return names;
}
