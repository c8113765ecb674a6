/**
 * The benchmarks' publication step: publishes every closed week of the generated data (as the API's
 * publication job would, in this process), and reports how long it took. Idempotent: a reused data
 * directory that is already published publishes nothing more.
 */
import pg from "pg";
import { publishDue } from "../../graphql/analytics/publications/publish.ts";
import { createSilentLogger } from "../../shared/logger.ts";

export interface PublicationRun {
  weeks: number;
  seconds: number;
  lpSolves: number;
  slowestWeekMs: number;
}

export async function publishBenchData(
  databaseUrl: string,
  log: (m: string) => void,
): Promise<PublicationRun> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on("error", () => undefined);
  const started = performance.now();
  try {
    const now = new Date();
    const published = await publishDue({
      pool,
      settings: { system: "ISO", lagDays: 2 },
      logger: createSilentLogger(),
      now,
      // The generated data has no chain to wait for: it is complete up to now.
      indexed: now,
    });
    const weeks = published.filter((p) => p.node.level === "WEEK");
    const run = {
      weeks: weeks.length,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      lpSolves: weeks.reduce((a, p) => a + (p.outcome?.lp.solves ?? 0), 0),
      slowestWeekMs: Math.max(0, ...weeks.map((p) => p.durationMs)),
    };
    log(
      `published ${run.weeks} weeks in ${run.seconds} s (${run.lpSolves} LP solves, slowest week ${run.slowestWeekMs} ms)`,
    );
    return run;
  } finally {
    await pool.end();
  }
}
