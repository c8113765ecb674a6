/**
 * The API's configuration, parsed once at start from the environment (graphql/main.ts).
 * Every variable is documented in .env.example, section "API".
 */
import { availableParallelism } from "node:os";
import { z } from "zod";
import { booleanFlag, logFields, nonNegativeInt, pepper, port, positiveInt, url } from "../shared/config.ts";
import { DEFAULT_CAST_FILE, DEFAULT_DEPLOYMENT_FILE } from "../shared/deployment.ts";
import { datasetConfigFields } from "./analytics/datasets/settings.ts";
import { publicationConfigFields } from "./analytics/settings.ts";

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
     * than about twice the cores only make backends contend (docs/benchmarks.md, bench:api).
     */
    DB_POOL_SIZE: positiveInt.default(2 * availableParallelism()),
    /**
     * Optional read replica (a hot standby of DATABASE_URL's server): reads of the chain-derived
     * tables go there while it answers and lags at most READ_REPLICA_MAX_LAG_BYTES behind, checked
     * every READ_REPLICA_CHECK_MS; writes and the API's own tables stay on the primary. While it
     * cannot serve, reads go to the primary, and /ready answers 503 (READ_REPLICA_FALLBACK=unready)
     * or stays 200 (`primary`). graphql/read-replica.ts.
     */
    READ_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "expected a postgresql:// URL")
      .optional(),
    READ_DB_POOL_SIZE: positiveInt.optional(),
    READ_REPLICA_MAX_LAG_BYTES: nonNegativeInt.default(16 * 1024 * 1024),
    READ_REPLICA_CHECK_MS: positiveInt.default(1_000),
    READ_REPLICA_FALLBACK: z.enum(["unready", "primary"]).default("unready"),
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
    /**
     * A doctor reads a patient's record while treating them, and this long after: after the
     * treatment closes or the doctor is unassigned (graphql/auth/policy.ts). 0: not a moment longer.
     */
    DOCTOR_ACCESS_GRACE_HOURS: z.coerce
      .number()
      .min(0)
      .max(24 * 30)
      .default(24),
    MAX_PAGE_SIZE: positiveInt.max(1_000).default(100),
    DEFAULT_PAGE_SIZE: positiveInt.default(20),
    MAX_QUERY_DEPTH: positiveInt.default(10),
    MAX_QUERY_COST: positiveInt.default(25_000),
    /** The cost budget of a request without a session (public metadata only needs little). */
    MAX_QUERY_COST_ANONYMOUS: positiveInt.default(1_000),
    /** How many times one field may appear in one selection set (aliases). */
    MAX_ALIASES: positiveInt.default(10),
    MAX_BODY_BYTES: positiveInt.default(256 * 1024),
    /** Largest GraphQL response, in bytes; a larger one is replaced by a TOO_LARGE error. */
    MAX_RESPONSE_BYTES: positiveInt.default(8 * 1024 * 1024),
    MAX_RESPONSE_BYTES_ANONYMOUS: positiveInt.default(256 * 1024),
    /**
     * Rate limits, in requests a minute (also each bucket's burst); 0 turns one off. Requests
     * without a session count per client address, signed-in ones per account, and mutations
     * count again in a bucket of their own (graphql/limits/rate-limit.ts).
     */
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: nonNegativeInt.default(600),
    RATE_LIMIT_ACCOUNT_PER_MINUTE: nonNegativeInt.default(1_200),
    RATE_LIMIT_WRITES_PER_MINUTE: nonNegativeInt.default(120),
    /**
     * Prometheus /metrics. With METRICS_PORT, on a listener of its own (METRICS_HOST) and never on
     * PORT. Else with METRICS_TOKEN, on PORT behind `Authorization: Bearer <token>`. Else open on
     * PORT, except with NODE_ENV=production, where it is off.
     */
    METRICS_PORT: port.optional(),
    METRICS_HOST: z.string().default("127.0.0.1"),
    METRICS_TOKEN: z.string().min(32, "expected at least 32 characters").optional(),
    /** Proxies in front of the API that append to X-Forwarded-For (0: the socket's address is the client's). */
    TRUSTED_PROXIES: nonNegativeInt.default(0),
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
    /** Dataset releases (period, lag, poll) and per-account dataset/export limits. */
    ...datasetConfigFields,
    /** Public-health publications (week system, lag, interval) and the noisy answers' budget. */
    ...publicationConfigFields,
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
      // On in demo mode (the explorer's docs panel under `npm start`) and outside production.
      INTROSPECTION: c.INTROSPECTION ?? (c.DEMO_MODE || c.NODE_ENV !== "production"),
      DEFAULT_PAGE_SIZE: Math.min(c.DEFAULT_PAGE_SIZE, c.MAX_PAGE_SIZE),
    };
  });

export type ApiConfig = z.output<typeof apiConfigSchema>;
