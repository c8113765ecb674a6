/**
 * The API's configuration, parsed once at start from the environment (graphql/main.ts).
 * Every variable is documented in .env.example, section "API".
 */
import { availableParallelism } from "node:os";
import { z } from "zod";
import { booleanFlag, logFields, pepper, port, positiveInt, url } from "../shared/config.ts";
import { DEFAULT_DEPLOYMENT_FILE } from "../shared/deployment.ts";
import { DEFAULT_CAST_FILE } from "../simulator/cast.ts";

const list = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== ""),
);

const origin = z.string().transform((value, ctx) => {
  try {
    return new URL(value).origin;
  } catch {
    ctx.addIssue({ code: "custom", message: `"${value}" is not an origin such as https://doctel.example` });
    return z.NEVER;
  }
});

export const apiConfigSchema = z
  .object({
    ...logFields,
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    HOST: z.string().default("127.0.0.1"),
    PORT: port.default(4000),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgresql:// URL"),
    /**
     * Connections to PostgreSQL. The API's statements are short and CPU-bound: more connections
     * than about twice the cores only make backends contend (on this 2-core machine the history
     * p99 at 200/s was 16-19 ms with 2-4 connections, 45 ms with 10).
     */
    DB_POOL_SIZE: positiveInt.default(2 * availableParallelism()),
    DEPLOYMENT_FILE: z.string().default(DEFAULT_DEPLOYMENT_FILE),
    /** The reference pepper: Aadhaar numbers in queries become references with it. */
    DOCTEL_PEPPER: pepper,
    /** HMAC key of session tokens: at least 32 bytes of hex. */
    SESSION_SECRET: z
      .string()
      .regex(/^(0x)?[0-9a-fA-F]{64,}$/, "expected at least 32 bytes as hex (64 hex digits)")
      .transform((v) => Buffer.from(v.replace(/^0x/, ""), "hex")),
    SESSION_TTL_SECONDS: positiveInt.max(86_400).default(900),
    NONCE_TTL_SECONDS: positiveInt.max(3_600).default(300),
    /** Origins of the sites allowed to ask for a sign-in (SIWE `uri`) and to call the API (CORS). */
    ALLOWED_ORIGINS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const values = v === undefined ? [] : list.parse(v);
        const out: string[] = [];
        for (const value of values) {
          const parsed = origin.safeParse(value);
          if (!parsed.success) {
            ctx.addIssue({ code: "custom", message: `"${value}" is not an origin` });
            return z.NEVER;
          }
          out.push(parsed.data);
        }
        return out;
      }),
    /** SIWE `domain`s accepted (host[:port]); by default the hosts of ALLOWED_ORIGINS. */
    SIWE_DOMAIN: list.optional(),
    /** Tolerated clock difference for SIWE issuedAt / notBefore. */
    SIWE_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
    /** Optional: a node to verify contract-wallet (ERC-1271 / ERC-6492) signatures with. */
    RPC_URL: url.optional(),
    MAX_PAGE_SIZE: positiveInt.max(1_000).default(100),
    DEFAULT_PAGE_SIZE: positiveInt.default(20),
    MAX_QUERY_DEPTH: positiveInt.default(10),
    MAX_QUERY_COST: positiveInt.default(25_000),
    MAX_BODY_BYTES: positiveInt.default(256 * 1024),
    INTROSPECTION: booleanFlag.optional(),
    /** The IPFS RPC API the file route streams verified attachments from. */
    IPFS_API_URL: url.optional(),
    IPFS_TIMEOUT_MS: positiveInt.default(30_000),
    /** Analytics (graphql/analytics): the secret de-identified datasets' pseudonyms derive from. */
    ANALYTICS_SECRET: z
      .string()
      .regex(/^(0x)?[0-9a-fA-F]{64,}$/, "expected at least 32 bytes as hex (64 hex digits)")
      .transform((v) => Buffer.from(v.replace(/^0x/, ""), "hex"))
      .optional(),
    /** Per-viewer differential-privacy budget (total epsilon) over the window; unset: recorded, not capped. */
    ANALYTICS_EPSILON_BUDGET: z.coerce.number().positive().optional(),
    ANALYTICS_EPSILON_WINDOW_DAYS: positiveInt.default(30),
    /** Public-health publications: the deployment's one week system (never both). */
    EPI_WEEK_SYSTEM: z.enum(["ISO", "MMWR"]).default("ISO"),
    /** Days after a week closes before it is published (late diagnoses after that: noisy answers only). */
    PUBLICATION_LAG_DAYS: z.coerce.number().int().min(0).max(60).default(2),
    /** Seconds between checks for weeks due; 0 turns the in-process publication job off. */
    PUBLICATION_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
    /** Privacy budget of noisy answers per week of data, for all time: the deployment, and one account. */
    NOISE_EPSILON_PER_WEEK: z.coerce.number().positive().max(10).default(0.6),
    NOISE_EPSILON_PER_WEEK_PER_ACCOUNT: z.coerce.number().positive().max(10).default(0.3),
    /** Dashboards' demo sign-in with the simulator's cast (GET /demo/accounts hands out its keys): dev chains only. */
    DEMO_MODE: booleanFlag.default(false),
    CAST_FILE: z.string().default(DEFAULT_CAST_FILE),
  })
  .transform((c) => {
    const origins =
      c.ALLOWED_ORIGINS.length > 0
        ? c.ALLOWED_ORIGINS
        : [`http://localhost:${c.PORT}`, `http://127.0.0.1:${c.PORT}`];
    return {
      ...c,
      ALLOWED_ORIGINS: origins,
      SIWE_DOMAIN:
        c.SIWE_DOMAIN && c.SIWE_DOMAIN.length > 0 ? c.SIWE_DOMAIN : origins.map((o) => new URL(o).host),
      INTROSPECTION: c.INTROSPECTION ?? c.NODE_ENV !== "production",
      DEFAULT_PAGE_SIZE: Math.min(c.DEFAULT_PAGE_SIZE, c.MAX_PAGE_SIZE),
    };
  });

export type ApiConfig = z.output<typeof apiConfigSchema>;
