/**
 * Where the tests' services come from, chosen by one switch:
 *
 *   TEST_SERVICES=embedded   (the default) PostgreSQL from node_modules in a temp folder for the
 *                            run; a chain node and an IPFS node in-process for each test file.
 *   TEST_SERVICES=external   the servers at DATABASE_URL (an admin URL: its role must be able to
 *                            create databases), RPC_URL (a node with the usual development
 *                            accounts funded, e.g. anvil or `hardhat node`) and IPFS_API_URL (Kubo's
 *                            RPC API). Each one left unset stays embedded. With a shared RPC_URL the
 *                            test files run one at a time (their nonces and snapshots would clash).
 *   TEST_SERVICES=containers PostgreSQL, Kubo and an EVM node (anvil) in Docker containers
 *                            (testcontainers); needs a Docker engine, and says so in one line when
 *                            none answers. A chain container per test file, the rest per run.
 *
 * TEST_CHAIN=hardhat|anvil picks the node of the embedded chains: Hardhat's EDR (the default) or
 * Foundry's anvil (from npm), so that the indexer is tested against two implementations.
 *
 * The one place the test harness reads the environment for its services.
 */
import { z } from "zod";
import { parseConfig } from "../../shared/config.ts";

export const testServicesSchema = z
  .object({
    TEST_SERVICES: z.enum(["embedded", "external", "containers"]).default("embedded"),
    TEST_CHAIN: z.enum(["hardhat", "anvil"]).default("hardhat"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "expected a postgresql:// URL")
      .optional(),
    RPC_URL: z.string().url("expected a URL such as http://127.0.0.1:8545").optional(),
    IPFS_API_URL: z.string().url("expected a URL such as http://127.0.0.1:5001").optional(),
    /** Images for TEST_SERVICES=containers. */
    TEST_POSTGRES_IMAGE: z.string().default("postgres:18-alpine"),
    TEST_KUBO_IMAGE: z.string().default("ipfs/kubo:release"),
    TEST_ANVIL_IMAGE: z.string().default("ghcr.io/foundry-rs/foundry:stable"),
  })
  .refine(
    (c) =>
      c.TEST_SERVICES !== "external" ||
      c.DATABASE_URL !== undefined ||
      c.RPC_URL !== undefined ||
      c.IPFS_API_URL !== undefined,
    {
      message: "TEST_SERVICES=external needs at least one of DATABASE_URL, RPC_URL, IPFS_API_URL",
      path: ["TEST_SERVICES"],
    },
  );

export type TestServices = z.output<typeof testServicesSchema>;

/** Which kind of service each part of the harness uses. */
export interface ServicePlan {
  database: "embedded" | "external" | "container";
  chain: "hardhat" | "anvil" | "external" | "container";
  ipfs: "embedded" | "external" | "container";
}

export function readTestServices(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TestServices {
  return parseConfig(testServicesSchema, env);
}

export function planServices(services: TestServices): ServicePlan {
  switch (services.TEST_SERVICES) {
    case "containers":
      return { database: "container", chain: "container", ipfs: "container" };
    case "external":
      return {
        database: services.DATABASE_URL ? "external" : "embedded",
        chain: services.RPC_URL ? "external" : services.TEST_CHAIN,
        ipfs: services.IPFS_API_URL ? "external" : "embedded",
      };
    default:
      return { database: "embedded", chain: services.TEST_CHAIN, ipfs: "embedded" };
  }
}
