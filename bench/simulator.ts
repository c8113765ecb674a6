/**
 * The simulator's throughput, end to end on the embedded services: an in-process Hardhat chain
 * (genesis a year back, so the simulated year ends near today), an in-process IPFS node, a fresh
 * deployment, then runSimulation. Progress on stderr; the summary as one JSON object on the last
 * line of stdout.
 *
 *   node bench/simulator.ts [--size demo|small|bench] [--target-events N] [--seed S] [--no-ipfs]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createPublicClient, createWalletClient, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployDocTel, type SigningWalletClient } from "../sdk/index.ts";
import { DEV_PRIVATE_KEYS, startLocalChain } from "../shared/services/chain.ts";
import { type LocalIpfs, startLocalIpfs } from "../shared/services/ipfs.ts";
import { createProgressPrinter, runSimulation, type SizePreset } from "../simulator/index.ts";

const { values } = parseArgs({
  options: {
    size: { type: "string" },
    "target-events": { type: "string" },
    seed: { type: "string", default: "bench" },
    "no-ipfs": { type: "boolean", default: false },
  },
});
const began = Date.now();
const pepper = Buffer.alloc(32, 0x5a);
const chain = await startLocalChain({ port: 0, initialDate: new Date(Date.now() - 365 * 86_400_000) });
const repo = await mkdtemp(path.join(tmpdir(), "doctel-bench-sim-ipfs-"));
let ipfs: LocalIpfs | undefined;
try {
  if (!values["no-ipfs"]) ipfs = await startLocalIpfs({ repo, port: 0 });
  const transport = http(chain.rpcUrl, { retryCount: 0 });
  const account = privateKeyToAccount(DEV_PRIVATE_KEYS[0]);
  const { record } = await deployDocTel({
    publicClient: createPublicClient({ transport }) as PublicClient,
    walletClient: createWalletClient({ account, transport }) as SigningWalletClient,
    governance: account.address,
    pepper,
    adminDelaySeconds: 0,
  });
  const servicesMs = Date.now() - began;
  const printer = createProgressPrinter(process.stderr);
  const summary = await runSimulation({
    rpcUrl: chain.rpcUrl,
    ipfsApiUrl: ipfs?.apiUrl,
    deployment: record,
    governanceKey: DEV_PRIVATE_KEYS[0],
    pepper,
    seed: values.seed,
    size: values.size as SizePreset | undefined,
    targetEvents: values["target-events"] ? Number(values["target-events"]) : undefined,
    ...(ipfs ? {} : { filesFraction: 0 }),
    castFile: false,
    onProgress: (p) => printer.update(p),
  });
  printer.finish();
  console.log(JSON.stringify({ bench: "simulator", servicesMs, totalMs: Date.now() - began, ...summary }));
} finally {
  await ipfs?.close();
  await chain.close();
  await rm(repo, { recursive: true, force: true });
}
