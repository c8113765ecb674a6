import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";
import { readTestServices } from "./test/helpers/services.ts";

const require = createRequire(import.meta.url);
const services = readTestServices(process.env);

/**
 * The indexer's integration with a chain node (logs, headers, reorgs seen through block hashes,
 * confirmations, readiness): run on a second node implementation too, anvil. The fault and crash
 * tests inject their faults through proxies and kills, the same on any node: not repeated.
 */
const INDEXER_ON_A_NODE = [
  "test/harness/chain.test.ts",
  "test/indexer/indexing.test.ts",
  "test/indexer/reorg.test.ts",
  "test/indexer/confirmations.test.ts",
  "test/indexer/ops.test.ts",
];

/** Migrations, the indexer and the API: run on the oldest PostgreSQL DocTel supports too (15). */
const ON_POSTGRES_15 = [
  "test/prisma/migrations.test.ts",
  "test/harness/database-a.test.ts",
  "test/indexer/indexing.test.ts",
  "test/indexer/batch-writer.test.ts",
  "test/graphql/clinical.test.ts",
];

export default defineConfig({
  resolve: {
    // graphql ships CommonJS (main) and ESM (module) builds. Node, and so @apollo/server, loads
    // the CommonJS one; Vite would give our sources the ESM one: two "graphql" instances, and
    // Apollo refuses types from "another realm". Everyone gets Node's.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    // Each file gets its own database, chain and IPFS node; two cores run two files at once. A
    // shared external chain node (RPC_URL) takes one file at a time: nonces and snapshots would clash.
    pool: "forks",
    maxWorkers: services.TEST_SERVICES === "external" && services.RPC_URL ? 1 : 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
    projects: [
      {
        // The suite, on the services TEST_SERVICES names (test/helpers/services.ts).
        extends: true,
        test: { name: "main", include: ["test/**/*.test.ts"], globalSetup: ["test/helpers/global-setup.ts"] },
      },
      ...(services.TEST_SERVICES === "embedded"
        ? [
            {
              extends: true,
              test: {
                name: "anvil",
                include: INDEXER_ON_A_NODE,
                globalSetup: ["test/helpers/global-setup.ts"],
                env: { TEST_CHAIN: "anvil" },
              },
            },
            {
              extends: true,
              test: {
                name: "postgres-15",
                include: ON_POSTGRES_15,
                globalSetup: ["test/helpers/postgres15-setup.ts"],
              },
            },
          ]
        : []),
    ],
  },
});
