/**
 * The first start's simulated year, which runs once. `cast.json` marks it done; while it runs,
 * `simulating.json` says on which contract, and whether that contract may be thrown away if the
 * run is interrupted (Ctrl-C, a crash): only one that held nothing before the simulation and
 * that nothing has indexed. The next start then begins again on a fresh contract (and, on the
 * embedded chain, a fresh chain), instead of failing on a half-simulated one for good.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import { ConfigError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import { withClient } from "../../shared/services/postgres.ts";

const MARKER = "simulating.json";

interface Marker {
  seed: string;
  contract: string;
  /** The contract (and, with `wipeChain`, the embedded chain) may be thrown away. */
  startOver: boolean;
  /** The embedded chain held nothing before this contract: it goes too. */
  wipeChain: boolean;
}

/**
 * Before the chain starts: if a simulation was interrupted, clears what it left so that this
 * start simulates again from scratch, or refuses in one line when that would lose data.
 */
export async function recoverInterruptedSimulation(args: {
  home: string;
  deploymentFile: string;
  embeddedChain: boolean;
  logger: Logger;
}): Promise<void> {
  const marker = await readMarker(args.home);
  if (!marker) return;
  if (!marker.startOver) {
    throw new ConfigError(
      `the simulation of seed "${marker.seed}" was interrupted on contract ${marker.contract}, which held data before it: start with SIMULATE=none to keep that contract without demo data, or with a new DOCTEL_HOME`,
    );
  }
  if (args.embeddedChain && marker.wipeChain) {
    await rm(path.join(args.home, "chain"), { recursive: true, force: true });
  }
  await rm(args.deploymentFile, { force: true });
  await rm(path.join(args.home, MARKER), { force: true });
  args.logger.warn(
    { contract: marker.contract, seed: marker.seed, chain_reset: args.embeddedChain && marker.wipeChain },
    "the first start's simulation was interrupted: starting it over on a fresh contract",
  );
}

/** Right before the simulation sends anything: records whether its contract may be thrown away. */
export async function markSimulationStarted(args: {
  home: string;
  seed: string;
  record: DeploymentRecord;
  /** Deployed by this start. */
  fresh: boolean;
  rpcUrl: string;
  databaseUrl: string;
  embeddedChain: boolean;
}): Promise<void> {
  const startOver =
    args.fresh ||
    ((await isEmptyContract(args.rpcUrl, args.record)) && !(await hasIndexed(args.databaseUrl)));
  const marker: Marker = {
    seed: args.seed,
    contract: args.record.address,
    startOver,
    wipeChain: startOver && args.embeddedChain && args.record.deployBlock <= 1,
  };
  await writeFile(path.join(args.home, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}

/** After the cast file is written: the simulation is done. */
export async function markSimulationDone(home: string): Promise<void> {
  await rm(path.join(home, MARKER), { force: true });
}

async function readMarker(home: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(path.join(home, MARKER), "utf8")) as Marker;
  } catch {
    return undefined;
  }
}

async function isEmptyContract(rpcUrl: string, record: DeploymentRecord): Promise<boolean> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  const read = (functionName: "hospitalCount" | "treatmentCount") =>
    client.readContract({ address: record.address, abi: docTelAbi, functionName });
  const [hospitals, treatments] = await Promise.all([read("hospitalCount"), read("treatmentCount")]);
  return Number(hospitals) === 0 && Number(treatments) === 0;
}

async function hasIndexed(databaseUrl: string): Promise<boolean> {
  const { rowCount } = await withClient(databaseUrl, (client) =>
    client.query("SELECT 1 FROM indexer_state LIMIT 1"),
  );
  return (rowCount ?? 0) > 0;
}
