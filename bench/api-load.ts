/**
 * The load generator of `npm run bench:api`, in a process of its own (forked by bench/api.ts) so
 * that the client never competes with the server's event loop. Open loop: request i is due at
 * start + i / rate whatever happened to earlier ones, and its latency counts from when it was due
 * (no coordinated omission). Also times plain SQL, closed loop, for the API/SQL ratio.
 */
import http from "node:http";
import pg from "pg";

export interface LoadRequest {
  body: string;
  token: string;
}

export type LoadCommand =
  | { type: "http"; url: string; requests: LoadRequest[]; rate: number; durationS: number }
  | { type: "sql"; databaseUrl: string; queries: { text: string; values: unknown[] }[]; count: number };

export interface LoadResult {
  latenciesMs: number[];
  errors: number;
  firstError: string | null;
  achievedRate: number;
}

async function runHttp(command: Extract<LoadCommand, { type: "http" }>): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  const target = new URL(`${command.url}/graphql`);
  const total = Math.round(command.rate * command.durationS);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let done = 0;
  const start = performance.now() + 50;
  const interval = 1000 / command.rate;
  return new Promise((resolve) => {
    const finish = () => {
      agent.destroy();
      resolve({
        latenciesMs: latencies,
        errors,
        firstError,
        achievedRate: total / ((performance.now() - start) / 1000),
      });
    };
    const fire = (i: number) => {
      const due = start + i * interval;
      const request = command.requests[i % command.requests.length]!;
      const req = http.request(
        target,
        {
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${request.token}`,
            "content-length": Buffer.byteLength(request.body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            latencies.push(performance.now() - due);
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200 || text.includes('"errors"')) {
              errors++;
              firstError ??= `${res.statusCode} ${text.slice(0, 300)}`;
            }
            if (++done === total) finish();
          });
        },
      );
      req.on("error", (error) => {
        errors++;
        firstError ??= error.message;
        latencies.push(performance.now() - due);
        if (++done === total) finish();
      });
      req.end(request.body);
    };
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) fire(next++);
      // Sleep until the next request is due; never spin (setImmediate) in between: a spinning
      // client took a fifth of a core from the server it measures. A timer fires up to ~1 ms
      // late, and that delay counts against the server (latency runs from when a request was due).
      if (next < total)
        setTimeout(tick, Math.min(Math.max(start + next * interval - performance.now(), 0), 20));
    };
    setTimeout(tick, 50);
  });
}

async function runSql(command: Extract<LoadCommand, { type: "sql" }>): Promise<LoadResult> {
  const client = new pg.Client({ connectionString: command.databaseUrl });
  await client.connect();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < command.count; i++) {
      const q = command.queries[i % command.queries.length]!;
      const started = performance.now();
      await client.query(q);
      latencies.push(performance.now() - started);
    }
  } finally {
    await client.end();
  }
  return { latenciesMs: latencies, errors: 0, firstError: null, achievedRate: 0 };
}

process.on("message", (command: LoadCommand) => {
  const run = command.type === "http" ? runHttp(command) : runSql(command);
  run.then(
    (result) => process.send?.(result),
    (error: unknown) =>
      process.send?.({
        latenciesMs: [],
        errors: 1,
        firstError: String(error),
        achievedRate: 0,
      } satisfies LoadResult),
  );
});
