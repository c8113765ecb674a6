/**
 * `doctel start` settings. Every embedded part is replaced by a real service through its URL:
 * DATABASE_URL (PostgreSQL), RPC_URL (a chain node), IPFS_API_URL (Kubo). Everything else the
 * indexer and the API take (.env.example) passes through to them.
 */
import { z } from "zod";
import { booleanFlag, logFields, port, url } from "../../shared/config.ts";

export const startConfigSchema = z.object({
  ...logFields,
  LOG_FORMAT: z.enum(["json", "pretty"]).default("pretty"),
  /** Where embedded data lives: PostgreSQL, IPFS, the chain journal, secrets, the cast. */
  DOCTEL_HOME: z.string().default(".doctel"),
  HOST: z.string().default("127.0.0.1"),
  PORT: port.default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgresql:// URL")
    .optional(),
  EMBEDDED_POSTGRES_PORT: port.default(54329),
  RPC_URL: url.optional(),
  EMBEDDED_CHAIN_PORT: port.default(8545),
  IPFS_API_URL: url.optional(),
  EMBEDDED_IPFS_PORT: port.default(5001),
  /** Governance key for the first deployment on an external chain (the embedded chain uses its first dev account). */
  DOCTEL_PRIVATE_KEY: z
    .string()
    .regex(/^(0x)?[0-9a-fA-F]{64}$/, "expected 32 bytes as 64 hex digits")
    .transform((v) => `0x${v.replace(/^0x/, "").toLowerCase()}` as `0x${string}`)
    .optional(),
  /** Simulated data on first start: a demo-sized year of a hospital network, or none. */
  SIMULATE: z.enum(["demo", "small", "none"]).default("demo"),
  SIMULATION_SEED: z.string().default("doctel-demo"),
  /**
   * The first start's density: events to simulate instead of the preset's (110,000 for demo); at
   * least 100, for a quick start.
   */
  SIMULATE_EVENTS: z.coerce.number().int().min(100).max(10_000_000).optional(),
  /** Demo sign-in with the simulated accounts (never in production). */
  DEMO_MODE: booleanFlag.default(true),
  INDEXER_OPS_PORT: port.default(9464),
});

export type StartConfig = z.output<typeof startConfigSchema>;
