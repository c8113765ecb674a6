/**
 * `npm run bench:api`: the read API under load on a realistic dataset.
 *
 *  1. an embedded PostgreSQL, migrated; ≥ 1,000,000 treatments and ≥ 5,000,000 events written by
 *     the bulk generator (bench/api-data.ts: the indexer's tables and value shapes, generated in
 *     SQL, because the chain → indexer pipeline cannot produce this volume within the run);
 *  2. the real API server (createApiServer) in this process; staff and a public-health account
 *     sign in with real SIWE signatures;
 *  3. a separate load process (bench/api-load.ts) sends open-loop traffic: a patient's treatment
 *     history at 200 requests/s (target p99 ≤ 30 ms), a case trend at 50 requests/s (p99 ≤ 100 ms),
 *     then history at rising rates for the highest rate whose p99 stays under 30 ms;
 *  4. the same history query as one plain SQL statement, timed in the same run: sql_ratio is the
 *     API's unloaded median latency (20 requests/s) over the SQL median.
 *
 * Before the load, every closed week of the generated data is published (bench/support/publish.ts),
 * as the API's publication job would: caseTrends reads the publications.
 *
 * `--help` lists the options and every field of the JSON on the last line.
 */
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import pino from "pino";
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { z } from "zod";
import { apiConfigSchema } from "../graphql/config.ts";
import { openApiPool } from "../graphql/db-pool.ts";
import { createApiServer } from "../graphql/server.ts";
import { PrismaClient } from "../prisma/generated/client.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { parseConfig, positiveInt } from "../shared/config.ts";
import { createPgPool } from "../shared/db/pool.ts";
import { referenceKeyId } from "../shared/identity/reference.ts";
import { createSilentLogger } from "../shared/logger.ts";
import { createDatabase, databaseUrl as databaseUrlOf, dropDatabase } from "../shared/services/postgres.ts";
import { type Dataset, generateDataset } from "./api-data.ts";
import type { LoadCommand, LoadRequest, LoadResult } from "./api-load.ts";
import { startBenchPostgres } from "./support/postgres.ts";
import { publishBenchData } from "./support/publish.ts";

const HELP = `npm run bench:api [-- options]

The read API under open-loop load on a generated dataset (bench/api-data.ts, bulk SQL in the
indexer's table shapes). Progress on stderr; one JSON object on the last line of stdout.

Options (each also as an environment variable):
  --treatments N   treatments (BENCH_TREATMENTS, default 1000000; about 7.7 events each)
  --patients N     patients (BENCH_PATIENTS, default 0.3 per treatment: 300000 at 1000000)
  --hospitals N    hospitals (BENCH_HOSPITALS, default 300)
  --duration S     seconds per measured load step (BENCH_DURATION_S, default 20)
  --pool N         the API's DB_POOL_SIZE (BENCH_DB_POOL_SIZE, default: the API's)
  --data-dir DIR   keep the generated database under DIR and reuse it next time at the same size
                   (BENCH_DATA_DIR; generation is most of the time)
  --generate-only  generate the dataset, report its size and generation time, and stop
  --help           this text

Examples:
  npm run bench:api
  npm run bench:api -- --treatments 10000000 --data-dir /var/tmp/doctel-bench

Fields of the JSON:
  treatments, patients, events     the dataset (events: rows of event_record and vital)
  generate_s                       time to generate it (null when reused from --data-dir)
  generate_phases_s                where that time went, by phase
  db_mb                            size of the database: every table with its indexes and TOAST
  history_p99_ms, history_p50_ms   a patient's treatment history at 200 requests/s (target p99 ≤ 30)
  trends_p99_ms, trends_p50_ms     caseTrends at 50 requests/s (target p99 ≤ 100)
  max_rps                          highest history rate whose p99 stays ≤ 30 ms (ramp: each step)
  history_unloaded_p50_ms/_p99_ms  history at 20 requests/s
  sql_history_p50_ms/_p99_ms       the same history as one plain SQL statement
  sql_ratio                        unloaded API median / SQL median (sql_ratio_at_200: at 200/s)
  trend_sql_ratio                  caseTrends median / the weekly rollup's SQL median
  published_weeks, publication_s   weeks published before the load (as the API's job would) and the
                                   time it took; publication_lp_solves, publication_slowest_week_ms
  load_average, cpus               1-minute load average when measuring began and ended; cores
`;

const { values: flags } = parseArgs({
  options: {
    treatments: { type: "string" },
    patients: { type: "string" },
    hospitals: { type: "string" },
    duration: { type: "string" },
    pool: { type: "string" },
    "data-dir": { type: "string" },
    "generate-only": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const fromFlags = Object.fromEntries(
  Object.entries({
    BENCH_TREATMENTS: flags.treatments,
    BENCH_PATIENTS: flags.patients,
    BENCH_HOSPITALS: flags.hospitals,
    BENCH_DURATION_S: flags.duration,
    BENCH_DB_POOL_SIZE: flags.pool,
    BENCH_DATA_DIR: flags["data-dir"],
  }).filter(([, v]) => v !== undefined),
);
const config = parseConfig(
  z.object({
    BENCH_TREATMENTS: positiveInt.default(1_000_000),
    /** Unset: 0.3 per treatment (300,000 at the default size). */
    BENCH_PATIENTS: positiveInt.optional(),
    BENCH_HOSPITALS: positiveInt.default(300),
    BENCH_DURATION_S: positiveInt.default(20),
    /** The API's DB_POOL_SIZE; unset: the API's default. */
    BENCH_DB_POOL_SIZE: positiveInt.optional(),
    /** Keep the generated database here and reuse it next time (same size); unset: a throwaway one. */
    BENCH_DATA_DIR: z.string().optional(),
  }),
  { ...process.env, ...fromFlags },
);
const patients = config.BENCH_PATIENTS ?? Math.max(1, Math.round(config.BENCH_TREATMENTS * 0.3));
const PEPPER = Buffer.alloc(32, 0x7b);
const ORIGIN = "https://bench.doctel.test";
const log = (message: string) => process.stderr.write(`[bench:api] ${message}\n`);

const HISTORY_QUERY = `query PatientHistory($aadhaar: String!) {
  patient(aadhaar: $aadhaar) {
    ref sex birthDate
    treatments(first: 20) {
      nodes {
        id stage openedAt dischargedAt
        diagnosis { code name }
        hospital { id name }
        careTeam { doctor { account specialty { name } } }
        attachments { kind cid verification { status } }
      }
    }
  }
}`;

/** The weekly series caseTrends starts from, as one plain SQL statement over the same rollup. */
const TREND_SQL = `SELECT week_start::text AS "weekStart", sum(count)::int AS count FROM case_trend_weekly
  WHERE system = $1::week_system AND state_code = $2 AND diagnosis_category = $3
    AND week_start >= $4::date AND week_start < $5::date
  GROUP BY week_start ORDER BY week_start`;

const HISTORY_SQL = `SELECT p.ref, p.sex, p.birth_date,
  (SELECT json_agg(x) FROM (
     SELECT t.id::text, t.stage, t.opened_at, t.discharged_at, t.diagnosis, h.id AS hospital_id, h.name AS hospital_name,
       (SELECT json_agg(json_build_object('account', m.account, 'specialty', m.specialty))
          FROM treatment_doctor d JOIN member m ON m.account = d.doctor WHERE d.treatment_id = t.id) AS care_team,
       (SELECT json_agg(json_build_object('kind', a.kind, 'cid', a.cid, 'status', f.status))
          FROM attachment a JOIN file_verification f ON f.cid = a.cid WHERE a.treatment_id = t.id) AS attachments
       FROM treatment t JOIN hospital h ON h.id = t.hospital_id
      WHERE t.patient_ref = p.ref AND t.hospital_id = $2
      ORDER BY t.opened_at DESC, t.id DESC LIMIT 21) x) AS treatments
  FROM patient p WHERE p.ref = $1`;

async function withPool<T>(url: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = createPgPool({ connectionString: url, name: "bench", logger: createSilentLogger(), max: 1 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const round = (v: number) => Math.round(v * 100) / 100;

async function main(): Promise<void> {
  const started = Date.now();
  const sizeKey = `${config.BENCH_TREATMENTS}-${patients}-${config.BENCH_HOSPITALS}`;
  const dataDir = config.BENCH_DATA_DIR ? path.resolve(config.BENCH_DATA_DIR, sizeKey) : undefined;
  const server = await startBenchPostgres(dataDir);
  const loader = fork(path.join(import.meta.dirname, "api-load.ts"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const load = (command: LoadCommand) =>
    new Promise<LoadResult>((resolve) => {
      loader.once("message", (m) => resolve(m as LoadResult));
      loader.send(command);
    });
  let api: Awaited<ReturnType<typeof createApiServer>> | undefined;
  let apiPool: pg.Pool | undefined;
  try {
    const saved = dataDir ? path.join(dataDir, "dataset.json") : undefined;
    let data: Dataset;
    let generateMs: number | null = null;
    const databaseUrl = databaseUrlOf(server.url, "doctel_bench");
    if (saved && existsSync(saved)) {
      data = JSON.parse(await readFile(saved, "utf8")) as Dataset;
      await applyMigrations({ databaseUrl });
      log(`reusing the dataset in ${dataDir}`);
    } else {
      await dropDatabase(server.url, "doctel_bench");
      await createDatabase(server.url, "doctel_bench");
      await applyMigrations({ databaseUrl });
      const dataPool = createPgPool({
        connectionString: databaseUrl,
        name: "bench-data",
        logger: createSilentLogger(),
        max: 2,
      });
      log(`generating ${config.BENCH_TREATMENTS} treatments for ${patients} patients…`);
      const generating = Date.now();
      data = await generateDataset(
        dataPool,
        {
          hospitals: config.BENCH_HOSPITALS,
          patients,
          treatments: config.BENCH_TREATMENTS,
        },
        PEPPER,
        log,
      );
      await dataPool.end();
      generateMs = Date.now() - generating;
      if (saved) await writeFile(saved, JSON.stringify(data));
    }
    const dbBytes = await withPool(databaseUrl, async (pool) =>
      Number(
        (
          await pool.query<{ b: string }>(
            // Tables with their indexes and TOAST; not the generator's temporary tables, which a
            // backend that just disconnected may still be deleting (pg_database_size counts them).
            `SELECT coalesce(sum(pg_total_relation_size(oid)), 0)::text AS b FROM pg_class
              WHERE relkind IN ('r', 'm') AND relpersistence <> 't'`,
          )
        ).rows[0]!.b,
      ),
    );
    const datasetFacts = {
      treatments: data.treatments,
      patients,
      hospitals: config.BENCH_HOSPITALS,
      events: data.events,
      generate_s: generateMs === null ? null : Math.round(generateMs / 1000),
      generate_phases_s: Object.fromEntries(
        Object.entries(data.phasesMs).map(([phase, ms]) => [phase, Math.round(ms / 100) / 10]),
      ),
      dataset_reused: generateMs === null,
      db_mb: Math.round(dbBytes / 1024 / 1024),
    };
    log(
      `dataset ready: ${data.treatments} treatments, ${data.events} events, ${datasetFacts.db_mb} MB (${Math.round((Date.now() - started) / 1000)} s)`,
    );
    if (flags["generate-only"]) {
      process.stdout.write(
        `${JSON.stringify({ ...datasetFacts, load_average: [round(loadavg()[0]!)], cpus: availableParallelism() })}\n`,
      );
      return;
    }
    const publication = await publishBenchData(databaseUrl, log);

    const apiConfig = parseConfig(apiConfigSchema, {
      DATABASE_URL: databaseUrl,
      PORT: "0",
      DOCTEL_PEPPER: PEPPER.toString("hex"),
      SESSION_SECRET: "cd".repeat(32),
      SESSION_TTL_SECONDS: "3600",
      ALLOWED_ORIGINS: ORIGIN,
      NODE_ENV: "production",
      INTROSPECTION: "true",
      // The account's bucket stays on (its cost is part of every request: it is taken in the
      // session check's statement), sized above the load; sign-ins of the setup are not limited.
      RATE_LIMIT_ACCOUNT_PER_MINUTE: "100000000",
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: "0",
      RATE_LIMIT_WRITES_PER_MINUTE: "0",
      // Published above; the API's own job stays off so it does not compete with the load.
      PUBLICATION_INTERVAL_SECONDS: "0",
      ...(config.BENCH_DB_POOL_SIZE ? { DB_POOL_SIZE: String(config.BENCH_DB_POOL_SIZE) } : {}),
    });
    apiPool = await openApiPool({ databaseUrl, size: apiConfig.DB_POOL_SIZE });
    const { rows: state } = await apiPool.query<{ contract_address: string }>(
      "SELECT contract_address FROM indexer_state",
    );
    api = await createApiServer({
      config: apiConfig,
      pool: apiPool,
      prisma: new PrismaClient({ adapter: new PrismaPg(apiPool) }),
      // Request logs are written (their cost is part of a request), to /dev/null.
      logger: pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false })),
      deployment: {
        chainId: 31337,
        address: state[0]!.contract_address as `0x${string}`,
        deployBlock: 1,
        deployTxHash: `0x${"11".repeat(32)}`,
        governance: `0x${"22".repeat(20)}`,
        referenceKeyId: referenceKeyId(PEPPER),
        deployedAt: new Date().toISOString(),
      },
    });

    const gql = async (body: object, token?: string) => {
      const res = await fetch(`${api!.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return (await res.json()) as {
        data?: Record<string, { token?: string; nonce?: string }>;
        errors?: unknown;
      };
    };
    const signIn = async (privateKey: `0x${string}`) => {
      const account = privateKeyToAccount(privateKey);
      const nonce = (await gql({ query: "mutation { nonce { nonce } }" })).data!.nonce!.nonce!;
      const message = createSiweMessage({
        domain: new URL(ORIGIN).host,
        uri: ORIGIN,
        address: account.address,
        chainId: 31337,
        nonce,
        version: "1",
        issuedAt: new Date(),
      });
      const signature = await account.signMessage({ message });
      const res = await gql({
        query: "mutation ($m: String!, $s: String!) { signIn(message: $m, signature: $s) { token } }",
        variables: { m: message, s: signature },
      });
      if (!res.data?.signIn?.token) throw new Error(`bench sign-in failed: ${JSON.stringify(res.errors)}`);
      return res.data.signIn.token;
    };
    const tokens = new Map<number, string>();
    for (const staff of data.staff) {
      if (data.sample.some((p) => p.hospitalId === staff.hospitalId))
        tokens.set(staff.hospitalId, await signIn(staff.privateKey));
    }
    const publicHealth = await signIn(data.publicHealthKey);
    log(`${tokens.size} staff and one public-health account signed in`);

    const historyRequests: LoadRequest[] = data.sample.map((p) => ({
      token: tokens.get(p.hospitalId)!,
      body: JSON.stringify({
        query: HISTORY_QUERY,
        operationName: "PatientHistory",
        variables: { aadhaar: p.aadhaar },
      }),
    }));
    const today = new Date();
    const yearAgo = new Date(today.getTime() - 365 * 86_400_000);
    const trendVariables = data.categories.flatMap((category) =>
      data.states.map((stateCode) => ({
        system: "ISO",
        category,
        stateCode,
        from: yearAgo.toISOString().slice(0, 10),
        to: today.toISOString().slice(0, 10),
      })),
    );
    const trendRequests: LoadRequest[] = trendVariables.map((v) => ({
      token: publicHealth,
      body: JSON.stringify({
        query: `query CaseTrends($input: CaseTrendsInput!) { caseTrends(input: $input) {
          series { points { weekStart published count suppressed movingAverage c2Alarm } } disclosure { suppressedCells } } }`,
        operationName: "CaseTrends",
        variables: {
          input: {
            from: v.from,
            to: v.to,
            diagnoses: [{ level: "CATEGORY", code: v.category }],
            region: { state: v.stateCode },
          },
        },
      }),
    }));
    const check = (name: string, r: LoadResult) => {
      if (r.errors > 0) log(`${name}: ${r.errors} errors, first: ${r.firstError}`);
    };
    const duration = config.BENCH_DURATION_S;
    // The server runs in this process: a stalled event loop shows here, not in the SQL.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const http = async (requests: LoadRequest[], rate: number, durationS = duration) => {
      loopDelay.reset();
      const result = await load({ type: "http", url: api!.url, requests, rate, durationS });
      log(
        `  @${rate}/s: event loop delay p99 ${round(loopDelay.percentile(99) / 1e6)} ms, max ${round(loopDelay.max / 1e6)} ms`,
      );
      return result;
    };

    // Every sampled patient once, so the measured runs see the warm cache a running server has.
    log(`warming up: ${historyRequests.length} histories`);
    check("warm-up", await http(historyRequests, 100, Math.ceil(historyRequests.length / 100)));
    check("warm-up trends", await http(trendRequests, 50, 4));

    const loadAtStart = loadavg()[0]!;
    const idle = await http(historyRequests, 20, 5);
    log(
      `history @20/s (unloaded latency): p50 ${round(percentile(idle.latenciesMs, 50))} ms, p99 ${round(percentile(idle.latenciesMs, 99))} ms`,
    );
    const history = await http(historyRequests, 200);
    check("history", history);
    const historyP50 = percentile(history.latenciesMs, 50);
    const historyP99 = percentile(history.latenciesMs, 99);
    log(`history @200/s: p50 ${round(historyP50)} ms, p99 ${round(historyP99)} ms`);
    const trends = await http(trendRequests, 50);
    check("caseTrends", trends);
    const trendsP50 = percentile(trends.latenciesMs, 50);
    const trendsP99 = percentile(trends.latenciesMs, 99);
    log(`caseTrends @50/s: p50 ${round(trendsP50)} ms, p99 ${round(trendsP99)} ms`);

    // Highest open-loop rate whose p99 stays under 30 ms: upwards from 200 when 200 passes, else downwards.
    const passes = (r: LoadResult) => r.errors === 0 && percentile(r.latenciesMs, 99) <= 30;
    let maxRps = passes(history) ? 200 : 0;
    const ramp: { rate: number; p50: number; p99: number; errors: number }[] = [];
    const rates = maxRps === 200 ? [300, 400, 500, 600, 800, 1000, 1200] : [150, 100, 75, 50, 25];
    for (const rate of rates) {
      const r = await http(historyRequests, rate, Math.max(8, Math.round(duration / 2)));
      const p99 = percentile(r.latenciesMs, 99);
      ramp.push({ rate, p50: round(percentile(r.latenciesMs, 50)), p99: round(p99), errors: r.errors });
      log(`history @${rate}/s: p99 ${round(p99)} ms, errors ${r.errors}`);
      if (maxRps >= 200) {
        if (!passes(r)) break;
        maxRps = rate;
      } else if (passes(r)) {
        maxRps = rate;
        break;
      }
    }

    const sqlQueries = data.sample.map((p) => ({ text: HISTORY_SQL, values: [p.ref, p.hospitalId] }));
    const sql = await load({ type: "sql", databaseUrl, queries: sqlQueries, count: 3_000 });
    const sqlP50 = percentile(sql.latenciesMs, 50);
    const sqlP99 = percentile(sql.latenciesMs, 99);
    const trendSql = await load({
      type: "sql",
      databaseUrl,
      queries: trendVariables.map((v) => ({
        text: TREND_SQL,
        values: [v.system, v.stateCode, v.category, v.from, v.to],
      })),
      count: 1_000,
    });
    log(
      `plain SQL history: p50 ${round(sqlP50)} ms, p99 ${round(sqlP99)} ms; trend p50 ${round(percentile(trendSql.latenciesMs, 50))} ms`,
    );

    const result = {
      ...datasetFacts,
      history_p99_ms: round(historyP99),
      trends_p99_ms: round(trendsP99),
      max_rps: maxRps,
      // Median API latency unloaded (20 requests/s) over the median of the same history as one plain
      // SQL statement; at 200/s the API's queueing would dominate (history_p50_ms / sql_history_p50_ms).
      sql_ratio: round(percentile(idle.latenciesMs, 50) / sqlP50),
      sql_ratio_at_200: round(historyP50 / sqlP50),
      history_unloaded_p50_ms: round(percentile(idle.latenciesMs, 50)),
      history_unloaded_p99_ms: round(percentile(idle.latenciesMs, 99)),
      history_p50_ms: round(historyP50),
      trends_p50_ms: round(trendsP50),
      sql_history_p50_ms: round(sqlP50),
      sql_history_p99_ms: round(sqlP99),
      trend_sql_ratio: round(trendsP50 / percentile(trendSql.latenciesMs, 50)),
      ramp,
      history_errors: history.errors,
      trends_errors: trends.errors,
      dataset: "bulk SQL generator (bench/api-data.ts), indexer table shapes",
      trend_query: "caseTrends over the published weeks (moving average, EARS C2/C3)",
      published_weeks: publication.weeks,
      publication_s: publication.seconds,
      publication_lp_solves: publication.lpSolves,
      publication_slowest_week_ms: publication.slowestWeekMs,
      duration_s: Math.round((Date.now() - started) / 1000),
      // Other work on the machine skews every figure: the 1-minute load average when measuring began and ended.
      load_average: [round(loadAtStart), round(loadavg()[0]!)],
      cpus: availableParallelism(),
      db_pool_size: apiConfig.DB_POOL_SIZE,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    loader.kill();
    await api?.close();
    await apiPool?.end().catch(() => undefined);
    await server.stop();
  }
}

await main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
