/**
 * A Hardhat node in a process of its own (benchmarks measure the indexer, not the node, so they
 * must not share a process). Prints {"rpcUrl","wsUrl"} as one JSON line when listening.
 *
 *   node bench/support/chain-node.ts [--days-back 366]
 */
import { parseArgs } from "node:util";
import { startLocalChain } from "../../shared/services/chain.ts";

const { values } = parseArgs({ options: { "days-back": { type: "string", default: "366" } } });
const chain = await startLocalChain({
  port: 0,
  initialDate: new Date(Date.now() - Number(values["days-back"]) * 86_400_000),
});
process.stdout.write(`${JSON.stringify({ rpcUrl: chain.rpcUrl, wsUrl: chain.wsUrl })}\n`);
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => void chain.close().then(() => process.exit(0)));
