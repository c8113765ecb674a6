/**
 * Every panel of the Grafana dashboards (dashboards/grafana/dashboards/*.json), run as Grafana
 * would run it: PostgreSQL panels against a seeded database as the read-only role, Prometheus
 * panels against the metrics the indexer and the API really expose.
 */
import type { PoolClient } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiConfigSchema } from "../../graphql/config.ts";
import { createApiMetrics } from "../../graphql/metrics.ts";
import { type ApiServer, createApiServer } from "../../graphql/server.ts";
import { createIndexerMetrics } from "../../indexer/ops/metrics.ts";
import { type OpsServer, startOpsServer } from "../../indexer/ops/server.ts";
import { createVerifyMetrics } from "../../indexer/verify/metrics.ts";
import { parseConfig } from "../../shared/config.ts";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { seedAndPublish } from "./cases.ts";
import {
  allPanels,
  type Dashboard,
  expandSql,
  exposedSeries,
  formatSqlValues,
  loadDashboards,
  loadProvisionedDataSources,
  type Panel,
  parsePromQl,
  resolveTime,
} from "./grafana.ts";

const db = useTestDatabase();
const dashboards = loadDashboards();
const dataSources = loadProvisionedDataSources();
const uidType = new Map(dataSources.map((d) => [d.uid, d.type]));
const POSTGRES = "grafana-postgresql-datasource";

/** Columns of the views that are not counts (codes, week numbers, sort keys). */
const DIMENSION_COLUMNS = new Set(["iso_year", "iso_week", "state_code", "district_code", "age_from"]);
/** PostgreSQL's numeric types (pg_type OIDs): int2, int4, int8, float4, float8, numeric. */
const NUMERIC_TYPES = new Set([21, 23, 20, 700, 701, 1700]);

const sqlPanels = (d: Dashboard) =>
  allPanels(d).filter((p) =>
    (p.targets ?? []).some((t) => uidType.get(t.datasource?.uid ?? "") === POSTGRES),
  );
const promPanels = (d: Dashboard) =>
  allPanels(d).filter((p) =>
    (p.targets ?? []).some((t) => uidType.get(t.datasource?.uid ?? "") === "prometheus"),
  );

describe("the dashboards", () => {
  it("are the Operations and Public health dashboards, with unique panel ids and provisioned data sources only", () => {
    expect(dashboards.map((d) => d.file)).toEqual(["operations.json", "public-health.json"]);
    for (const { dashboard } of dashboards) {
      const panels = allPanels(dashboard);
      expect(new Set(panels.map((p) => p.id)).size, dashboard.uid).toBe(panels.length);
      for (const panel of panels) {
        for (const ref of [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]) {
          if (ref) expect(uidType.get(ref.uid), `${dashboard.uid} "${panel.title}"`).toBe(ref.type);
        }
        if (panel.type !== "row" && panel.type !== "text") {
          expect(panel.targets?.length ?? 0, `"${panel.title}" has queries`).toBeGreaterThan(0);
        }
      }
      for (const v of dashboard.templating.list)
        expect(uidType.get(v.datasource?.uid ?? "")).toBe(v.datasource?.type);
    }
    const [operations, publicHealth] = dashboards.map((d) => d.dashboard) as [Dashboard, Dashboard];
    expect(sqlPanels(operations)).toEqual([]);
    expect(promPanels(publicHealth)).toEqual([]);
    expect(promPanels(operations).length).toBeGreaterThan(20);
    expect(sqlPanels(publicHealth).length).toBeGreaterThan(4);
  });
});

describe("PostgreSQL panels, as the read-only role on a seeded database", () => {
  const publicHealth = dashboards.find((d) => d.file === "public-health.json")!.dashboard;

  let published: Promise<void> | undefined;
  /** Seeds and publishes a season of cases once, then runs `fn` as doctel_reporting. */
  async function asReportingRole<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    published ??= seedAndPublish(db.pool);
    await published;
    const client = await db.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL ROLE doctel_reporting");
      return await fn(client);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  }

  /** Grafana's "All" selection of each variable: its query's values, formatted for SQL. */
  async function variableValues(client: PoolClient, dashboard: Dashboard): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const v of dashboard.templating.list) {
      expect(v.type).toBe("query");
      const { rows, fields } = await client.query(v.query!);
      const column = fields.some((f) => f.name === "__value") ? "__value" : fields[0]!.name;
      const values = rows.map((r) => String(r[column]));
      expect(values.length, `variable ${v.name} has values`).toBeGreaterThan(0);
      out[v.name] = formatSqlValues(values);
    }
    return out;
  }

  it("run every variable and panel query successfully, with rows, and never show a count of 1..10", async () => {
    await asReportingRole(async (client) => {
      const now = new Date();
      const range = {
        from: resolveTime(publicHealth.time.from, now),
        to: resolveTime(publicHealth.time.to, now),
      };
      const variables = await variableValues(client, publicHealth);
      let cells = 0;
      let suppressed = 0;
      for (const panel of sqlPanels(publicHealth)) {
        for (const target of panel.targets!) {
          const sql = expandSql(target.rawSql!, range, variables);
          const result = await client.query(sql);
          expect(result.rows.length, `"${panel.title}" returns rows`).toBeGreaterThan(0);
          if (target.format === "time_series") expect(result.rows[0]!.time).toBeInstanceOf(Date);
          // Every numeric column but the known dimensions is a count, whatever its name.
          const counts = result.fields
            .filter((f) => NUMERIC_TYPES.has(f.dataTypeID) && !DIMENSION_COLUMNS.has(f.name))
            .map((f) => f.name);
          expect(counts, `"${panel.title}" shows counts`).toContain("cases");
          for (const row of result.rows) {
            for (const name of counts) {
              const n = row[name] === null ? null : Number(row[name]);
              cells++;
              if (n === null) suppressed++;
              else expect(n < 1 || n > 10, `"${panel.title}" ${name} = ${n}`).toBe(true);
            }
          }
        }
      }
      // The fixture exercises suppression: some cells are suppressed, most are not.
      expect(suppressed).toBeGreaterThan(0);
      expect(suppressed).toBeLessThan(cells);
    });
  });

  it("cannot reach raw tables through the data source either, because the role is refused there", async () => {
    await asReportingRole(async (client) => {
      for (const table of ["treatment", "patient", "event_log"]) {
        await client.query("SAVEPOINT s");
        await expect(client.query(`SELECT count(*) FROM ${table}`)).rejects.toThrow(/permission denied/);
        await client.query("ROLLBACK TO SAVEPOINT s");
      }
    });
  });
});

describe("Prometheus panels, against what the processes expose on /metrics", () => {
  let ops: OpsServer | undefined;
  let api: ApiServer | undefined;
  const exposed = new Set<string>();
  const labels = new Map<string, Set<string>>();

  beforeAll(async () => {
    // The indexer's registry, as indexer/main.ts makes it; the verification worker registers its
    // metrics on the registry it is given (indexer/verify/worker.ts), here the indexer's.
    const indexerMetrics = createIndexerMetrics({ defaultMetrics: true });
    createVerifyMetrics(indexerMetrics.registry);
    ops = await startOpsServer({
      host: "127.0.0.1",
      port: 0,
      pool: db.pool,
      metrics: indexerMetrics,
      logger: createSilentLogger(),
      isReady: () => true,
      status: () => ({}),
    });
    const pepper = Buffer.alloc(32, 0x5a);
    const deployment: DeploymentRecord = {
      chainId: 31337,
      address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      deployBlock: 1,
      deployTxHash: `0x${"11".repeat(32)}`,
      governance: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
      referenceKeyId: referenceKeyId(pepper),
      deployedAt: new Date().toISOString(),
    };
    const apiMetrics = createApiMetrics({ defaultMetrics: true });
    api = await createApiServer({
      config: parseConfig(apiConfigSchema, {
        DATABASE_URL: db.url,
        HOST: "127.0.0.1",
        PORT: "0",
        DOCTEL_PEPPER: pepper.toString("hex"),
        SESSION_SECRET: "ab".repeat(32),
        // As docker-compose.yml runs it: /metrics on a port of its own.
        METRICS_PORT: "0",
      }),
      prisma: db.prisma,
      pool: db.pool,
      logger: createSilentLogger(),
      deployment,
      metrics: apiMetrics,
    });
    for (const url of [`http://127.0.0.1:${ops.port}/metrics`, api.metricsUrl!]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      for (const name of exposedSeries(await response.text())) exposed.add(name);
    }
    for (const registry of [indexerMetrics.registry, apiMetrics.registry]) {
      for (const metric of registry.getMetricsAsArray()) {
        const names = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
        const type = (metric as unknown as { type?: string }).type;
        const series = [
          metric.name,
          ...(type === "histogram" ? ["_bucket", "_sum", "_count"].map((s) => metric.name + s) : []),
        ];
        for (const s of series) labels.set(s, new Set([...names, ...(s.endsWith("_bucket") ? ["le"] : [])]));
      }
    }
  });

  afterAll(async () => {
    await api?.close();
    await ops?.close();
  });

  /** Series Prometheus itself adds to every scrape (not registered by our code). */
  const PROMETHEUS_SERIES = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);
  /** Labels Prometheus attaches to every scraped series (prometheus.yml jobs). */
  const TARGET_LABELS = ["job", "instance"];

  it("use only metric names the indexer and the API register, with labels those metrics have", () => {
    const operations = dashboards.find((d) => d.file === "operations.json")!.dashboard;
    const used = new Set<string>();
    for (const panel of promPanels(operations)) {
      for (const target of panel.targets!) {
        const what = `"${panel.title}" ${target.refId}: ${target.expr}`;
        const { metrics, groupingLabels } = parsePromQl(target.expr!);
        expect(metrics.length, what).toBeGreaterThan(0);
        const known = new Set<string>(TARGET_LABELS);
        for (const { name, matcherLabels } of metrics) {
          used.add(name);
          if (PROMETHEUS_SERIES.has(name)) continue;
          expect(exposed.has(name), `${what}: ${name} is not exposed by the code`).toBe(true);
          const own = labels.get(name) ?? new Set<string>();
          for (const l of own) known.add(l);
          for (const l of matcherLabels)
            expect([...TARGET_LABELS, ...own], `${what}: label ${l}`).toContain(l);
        }
        for (const l of groupingLabels) expect([...known], `${what}: grouping label ${l}`).toContain(l);
      }
    }
    // What the operations dashboard must show (issue 5): each is used.
    for (const name of [
      "doctel_indexer_head_block",
      "doctel_indexer_indexed_block",
      "doctel_indexer_lag_blocks",
      "doctel_indexer_events_total",
      "doctel_indexer_events_per_second",
      "doctel_indexer_reorgs_total",
      "doctel_indexer_reorg_depth_blocks_bucket",
      "doctel_indexer_rpc_requests_total",
      "doctel_indexer_getlogs_range_blocks",
      "doctel_indexer_batch_write_seconds_bucket",
      "doctel_verify_outcomes_total",
      "doctel_verify_queue_rows",
      "doctel_api_graphql_requests_total",
      "doctel_api_graphql_request_duration_seconds_bucket",
      "doctel_api_graphql_errors_total",
    ]) {
      expect(used.has(name), name).toBe(true);
    }
  });

  it("read the API latency percentiles p50, p95 and p99 from its histogram", () => {
    const operations = dashboards.find((d) => d.file === "operations.json")!.dashboard;
    const latency = allPanels(operations).find((p: Panel) => p.title === "GraphQL latency")!;
    expect(latency.targets!.map((t) => /histogram_quantile\(([\d.]+)/.exec(t.expr!)?.[1])).toEqual([
      "0.5",
      "0.95",
      "0.99",
    ]);
  });
});
