/**
 * files: the attachment verification queue, for operators. Reads and writes PostgreSQL
 * directly (DATABASE_URL or --database-url), not the chain.
 */
import pg from "pg";
import {
  countQueue,
  requeue,
  VERIFICATION_STATUSES,
  type VerificationStatus,
} from "../../indexer/verify/queue.ts";
import { ConfigError, ValidationError } from "../../shared/errors.ts";
import { redactUrl } from "../../shared/redact.ts";
import type { CliContext } from "../context.ts";
import { examples } from "../parse.ts";
import type { CommandModule } from "./types.ts";

async function withDatabase<T>(
  ctx: CliContext,
  flag: string | undefined,
  fn: (pool: pg.Pool) => Promise<T>,
): Promise<T> {
  const url = flag ?? ctx.settings().databaseUrl;
  if (!url)
    throw new ConfigError(
      "this command reads the index: set DATABASE_URL or pass --database-url <url> (under `npm start`, the running stack's is used)",
    );
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new ConfigError(`--database-url: expected a postgresql:// URL (got ${redactUrl(url)})`);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

function parseStatus(value: string): VerificationStatus {
  const status = value.toUpperCase() as VerificationStatus;
  if (!VERIFICATION_STATUSES.includes(status)) {
    throw new ValidationError(`--status must be one of ${VERIFICATION_STATUSES.join(", ")}, got "${value}"`);
  }
  return status;
}

export const filesCommands: CommandModule = {
  name: "files",
  register(program, ctx) {
    const files = program
      .command("files")
      .description("attachment verification: queue status and requeue (operators)");

    files
      .command("status")
      .description("count attachments by verification status, and the retry queue")
      .option(
        "--database-url <url>",
        "the index database (default DATABASE_URL, else the running npm start stack's)",
      )
      .option("--max-attempts <n>", "attempts after which a file waits for an operator", "12")
      .addHelpText("after", examples("doctel files status", "doctel files status --json"))
      .action(async (opts: { databaseUrl?: string; maxAttempts: string }) => {
        await withDatabase(ctx, opts.databaseUrl, async (pool) => {
          const { rows } = await pool.query<{ status: string; n: number }>(
            "SELECT status::text, count(*)::int AS n FROM file_verification GROUP BY 1 ORDER BY 1",
          );
          const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
          const queue = await countQueue(pool, Number(opts.maxAttempts));
          ctx.print({ byStatus, queue }, [
            ...VERIFICATION_STATUSES.map((s) => `${s.padEnd(12)}${byStatus[s] ?? 0}`),
            `queue       ${queue.pending} pending, ${queue.retrying} retrying, ${queue.due} due now, ${queue.exhausted} waiting for an operator`,
          ]);
        });
      });

    files
      .command("requeue")
      .description("put files back in the verification queue, with their attempts reset")
      .option("--cid <cid>", "one file, by CID")
      .option("--status <status>", "every file with this status (e.g. UNAVAILABLE)")
      .option(
        "--database-url <url>",
        "the index database (default DATABASE_URL, else the running npm start stack's)",
      )
      .addHelpText(
        "after",
        examples(
          "doctel files requeue --status UNAVAILABLE",
          "doctel files requeue --cid bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
        ),
      )
      .action(async (opts: { cid?: string; status?: string; databaseUrl?: string }) => {
        if (!opts.cid && !opts.status)
          throw new ValidationError("name the files to requeue: --cid <cid> and/or --status <status>");
        await withDatabase(ctx, opts.databaseUrl, async (pool) => {
          const count = await requeue(pool, {
            ...(opts.cid ? { cid: opts.cid } : {}),
            ...(opts.status ? { status: parseStatus(opts.status) } : {}),
          });
          ctx.print({ requeued: count }, `${count} file(s) requeued for verification`);
        });
      });
  },
};
