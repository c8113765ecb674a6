/**
 * A Hardhat node in a process of its own (benchmarks measure the indexer, not the node, so they
 * must not share a process). Prints {"rpcUrl","wsUrl"} as one JSON line when listening.
 *
 *   node bench/support/chain-node.ts --initial-date 2025-11-24T00:00:00Z
 *
 * The fixed genesis date makes a simulation on it repeatable: the simulator starts at the first
 * hour after the chain's latest block, so the seasons it simulates follow the chain's clock.
 */
import { parseArgs } from "node:util";
import { startLocalChain } from "../../shared/services/chain.ts";

const { values } = parseArgs({
  options: { "initial-date": { type: "string", default: "2025-11-24T00:00:00Z" } },
});
const chain = await startLocalChain({ port: 0, initialDate: new Date(values["initial-date"]) });
process.stdout.write(`${JSON.stringify({ rpcUrl: chain.rpcUrl, wsUrl: chain.wsUrl })}\n`);
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => void chain.close().then(() => process.exit(0)));
