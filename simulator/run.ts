/**
 * runSimulation: plan a synthetic hospital network's year, then write it to a development chain
 * (and its files to IPFS) as fast as the node mines. Used by `doctel simulate`, the embedded
 * demo (`npm start`) and the indexer benchmark.
 */
import { decodeFunctionResult, encodeFunctionData } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { connectIpfs, DEFAULT_ADMIN_ROLE, docTelAbi } from "../sdk/index.ts";
import type { DeploymentRecord } from "../shared/deployment.ts";
import { ConfigError } from "../shared/errors.ts";
import { referenceKeyId } from "../shared/identity/reference.ts";
import { createSilentLogger, type Logger } from "../shared/logger.ts";
import { redactUrl } from "../shared/redact.ts";
import { fromEpochDay } from "../shared/reference/weeks.ts";
import { planForTarget } from "./calibrate.ts";
import { buildCast, DEFAULT_CAST_FILE, writeCast } from "./cast.ts";
import { connectDevChain } from "./devchain.ts";
import { documentBytes } from "./documents.ts";
import { createEncoder } from "./encode.ts";
import type { Hex } from "./model.ts";
import type { Phase, Progress } from "./progress.ts";
import { createReceiptChecker } from "./receipts.ts";
import { connectRpc } from "./rpc.ts";
import type { Plan } from "./schedule.ts";
import { sendPlan } from "./sender.ts";
import { createSigner } from "./signer.ts";
import { resolveSizes, type SizeInput } from "./sizing.ts";
import { createUploader, type Uploader } from "./uploads.ts";

export interface SimulationOptions extends SizeInput {
  rpcUrl: string;
  /** WebSocket JSON-RPC (default: the HTTP URL's host and port, as Hardhat's node serves it). */
  wsUrl?: string | undefined;
  /** The IPFS RPC API; without it no files are attached. */
  ipfsApiUrl?: string | undefined;
  ipfsTimeoutMs?: number | undefined;
  /** Where the contract is: a deployment record, or its address. */
  deployment?: DeploymentRecord | undefined;
  contract?: Hex | undefined;
  /** Governance's key: registers hospitals and staff, grants the data-access roles. */
  governanceKey: Hex;
  pepper: Uint8Array;
  seed?: string | number | undefined;
  /** Start of the simulated period (default and minimum: the hour after the chain's latest block). */
  start?: Date | undefined;
  /** Where to write the cast file; false: do not write one. */
  castFile?: string | false | undefined;
  uploadConcurrency?: number | undefined;
  logger?: Logger | undefined;
  onProgress?: ((progress: Progress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

export interface SimulationSummary {
  seed: string;
  chainId: number;
  contract: Hex;
  transport: "ws" | "http";
  simulatedFrom: string;
  simulatedTo: string;
  days: number;
  hospitals: number;
  staff: number;
  doctors: number;
  devices: number;
  patients: number;
  treatments: number;
  outbreaks: {
    district: string;
    districtCode: number;
    icd10: string;
    from: string;
    weeks: number;
    cases: number;
  }[];
  targetEvents: number;
  plannedEvents: number;
  /** Events counted in the receipts, by event name. */
  events: number;
  eventsByKind: Record<string, number>;
  transactions: number;
  blocks: number;
  firstBlock: number;
  lastBlock: number;
  gasUsed: string;
  files: number;
  fileBytes: number;
  readingIntervalSeconds: number;
  durationMs: number;
  /** Where the sending time went, ms: waiting for blocks to be prepared (uploads, encoding, signing), sending, mining, receipts. */
  timingsMs: { planning: number; prepareWait: number; send: number; mine: number; receipts: number };
  /** CPU time of this process during the run (includes an in-process chain's mining). */
  cpuMs: number;
  eventsPerSecond: number;
  txPerSecond: number;
  castFile?: string | undefined;
}

const FUNDING_WEI = 10n ** 24n;

async function readContract<T>(
  rpc: Awaited<ReturnType<typeof connectRpc>>,
  to: Hex,
  functionName: string,
  args: readonly unknown[] = [],
): Promise<T> {
  const data = encodeFunctionData({ abi: docTelAbi, functionName, args } as Parameters<
    typeof encodeFunctionData
  >[0]);
  const result = await rpc.request<Hex>("eth_call", [{ to, data }, "latest"]);
  return decodeFunctionResult({ abi: docTelAbi, functionName, data: result } as Parameters<
    typeof decodeFunctionResult
  >[0]) as T;
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  const logger = options.logger ?? createSilentLogger();
  const began = Date.now();
  const cpuBefore = process.cpuUsage();
  const seed = String(options.seed ?? "doctel");
  const sizes = resolveSizes(options);
  const contract = (options.contract ?? options.deployment?.address) as Hex | undefined;
  if (!contract)
    throw new ConfigError("runSimulation needs the contract: a deployment record or its address");

  const rpc = await connectRpc(options.rpcUrl, { wsUrl: options.wsUrl });
  let uploader: Uploader | undefined;
  try {
    const chain = await connectDevChain(rpc);
    if (options.deployment && options.deployment.chainId !== chain.chainId) {
      throw new ConfigError(
        `the deployment record is for chain ${options.deployment.chainId}, but ${redactUrl(options.rpcUrl)} serves chain ${chain.chainId}`,
      );
    }
    const code = await rpc.request<string>("eth_getCode", [contract, "latest"]);
    if (code === "0x") throw new ConfigError(`no contract at ${contract} on chain ${chain.chainId}`);
    const keyId = await readContract<Hex>(rpc, contract, "referenceKeyId");
    if (keyId.toLowerCase() !== referenceKeyId(options.pepper).toLowerCase()) {
      throw new ConfigError(
        `the reference pepper does not match the contract at ${contract} (its referenceKeyId is ${keyId}): wrong DOCTEL_PEPPER?`,
      );
    }
    const governanceAddress = privateKeyToAddress(options.governanceKey);
    const isGovernance = await readContract<boolean>(rpc, contract, "hasRole", [
      DEFAULT_ADMIN_ROLE,
      governanceAddress,
    ]);
    if (!isGovernance) {
      throw new ConfigError(
        `${governanceAddress} is not DocTel's governance: the simulator needs the governance key to register hospitals`,
      );
    }
    const [hospitalCount, treatmentCount, head] = await Promise.all([
      readContract<number>(rpc, contract, "hospitalCount"),
      readContract<bigint>(rpc, contract, "treatmentCount"),
      chain.latestBlock(),
    ]);

    const progress = reporter(options.onProgress, sizes.targetEvents);
    progress.set("planning");
    const planningSince = Date.now();
    // The first hour boundary after the chain's latest block.
    const earliest = Math.ceil((head.timestamp + 1) / 3600) * 3600;
    const requested = options.start ? Math.floor(options.start.getTime() / 1000) : 0;
    const startTs = Math.max(earliest, requested);
    const withFiles = options.ipfsApiUrl !== undefined;
    if (!withFiles && (options.filesFraction ?? 0) > 0) {
      throw new ConfigError(
        "attaching files needs an IPFS node (ipfsApiUrl); give one or set the files fraction to 0",
      );
    }
    const plan = planForTarget(
      { ...sizes, filesFraction: withFiles ? sizes.filesFraction : 0 },
      {
        seed,
        pepper: options.pepper,
        governance: { address: governanceAddress, key: options.governanceKey },
        startTs,
        filesFraction: withFiles ? sizes.filesFraction : 0,
        staffPerHospital: sizes.staffPerHospital,
        doctorsPerHospital: sizes.doctorsPerHospital,
        firstHospitalId: hospitalCount,
      },
    );
    progress.plan(plan);
    const planningMs = Date.now() - planningSince;
    logger.info(
      {
        seed,
        events: plan.events,
        episodes: plan.episodes.length,
        actions: plan.actions.length,
        files: plan.files.length,
      },
      "simulation planned",
    );

    progress.set("setup");
    const firstStaff = plan.hospitals[0]?.staff[0];
    if (firstStaff) {
      const [kind] = await readContract<readonly [number, number]>(rpc, contract, "members", [
        firstStaff.address,
      ]);
      if (kind !== 0) {
        throw new ConfigError(
          `seed "${seed}" was already simulated on this contract (its first staff account ${firstStaff.address} is a member): use another seed or a fresh deployment`,
        );
      }
    }
    const keyed = plan.actors.filter((a) => a.key !== undefined);
    await chain.fund(
      keyed.filter((a) => a.role !== "governance").map((a) => a.address),
      FUNDING_WEI,
    );
    const signer = createSigner(chain.chainId);
    const nonces = await rpc.batch(
      keyed.map((a) => ["eth_getTransactionCount", [a.address, "pending"]] as const),
    );
    keyed.forEach((actor, i) => {
      const answer = nonces[i]!;
      if (!answer.ok)
        throw new ConfigError(`reading the nonce of ${actor.address} failed: ${answer.error.message}`);
      signer.setNonce(actor, Number(answer.result));
    });

    if (plan.files.length > 0) {
      const ipfs = connectIpfs({ url: options.ipfsApiUrl!, timeoutMs: options.ipfsTimeoutMs ?? 60_000 });
      uploader = createUploader({
        ipfs,
        files: plan.files,
        contentOf: (file) => documentBytes(seed, file, plan.hospitals, plan.clock),
        concurrency: options.uploadConcurrency ?? 8,
      });
      progress.uploader(uploader);
    }

    const checker = createReceiptChecker(rpc, contract);
    const encoder = createEncoder(seed, plan.clock, treatmentCount + 1n);
    await chain.setAutomine(false);
    let sent: Awaited<ReturnType<typeof sendPlan>>;
    const sendingSince = Date.now();
    try {
      progress.set("sending", sendingSince);
      sent = await sendPlan({
        rpc,
        chain,
        plan,
        contract,
        encoder,
        signer,
        checker,
        uploader,
        blockBudget: Math.floor(head.gasLimit * 0.9),
        headBefore: head.number,
        headTimestamp: head.timestamp,
        onBlock: (state) => progress.block(state, plan),
        signal: options.signal,
      });
    } finally {
      await chain.setAutomine(chain.automineBefore).catch((error: unknown) => {
        logger.warn({ err: error }, "could not restore the node's automine setting");
      });
    }
    progress.set("done");

    let castFile: string | undefined;
    if (options.castFile !== false) {
      castFile = options.castFile ?? DEFAULT_CAST_FILE;
      await writeCast(castFile, buildCast(plan, { chainId: chain.chainId, contract }));
    }
    const durationMs = Date.now() - began;
    const sendingMs = Math.max(1, Date.now() - sendingSince);
    const events = Object.values(checker.eventsByName).reduce((a, b) => a + b, 0);
    const summary: SimulationSummary = {
      seed,
      chainId: chain.chainId,
      contract,
      transport: rpc.transport,
      simulatedFrom: new Date(plan.clock.ts(0) * 1000).toISOString(),
      simulatedTo: new Date(plan.clock.ts(plan.clock.slots) * 1000).toISOString(),
      days: sizes.days,
      hospitals: plan.hospitals.length,
      staff: plan.hospitals.reduce((a, h) => a + h.staff.length, 0),
      doctors: plan.hospitals.reduce((a, h) => a + h.doctors.length, 0),
      devices: plan.hospitals.reduce((a, h) => a + h.devices.length, 0),
      patients: plan.patients.filter((p) => p.registered).length,
      treatments: Number(encoder.nextTreatmentId - 1n - treatmentCount),
      outbreaks: plan.outbreaks.map((o) => ({
        district: plan.hospitals[o.hospital]!.district.name,
        districtCode: plan.hospitals[o.hospital]!.district.code,
        icd10: o.disease.code,
        from: fromEpochDay(plan.clock.epochDay(o.startSlot)),
        weeks: o.weeks,
        cases: o.cases,
      })),
      targetEvents: sizes.targetEvents,
      plannedEvents: plan.events,
      events,
      eventsByKind: { ...checker.eventsByName },
      transactions: sent.transactions,
      blocks: sent.blocks,
      firstBlock: head.number + 1,
      lastBlock: sent.lastBlockNumber,
      gasUsed: checker.gasUsed.toString(),
      files: uploader?.uploaded ?? 0,
      fileBytes: uploader?.bytes ?? 0,
      readingIntervalSeconds: plan.readingIntervalSeconds,
      durationMs,
      timingsMs: {
        planning: Math.round(planningMs),
        prepareWait: Math.round(sent.timings.prepareWait),
        send: Math.round(sent.timings.send),
        mine: Math.round(sent.timings.mine),
        receipts: Math.round(sent.timings.receipts),
      },
      cpuMs: Math.round((process.cpuUsage(cpuBefore).user + process.cpuUsage(cpuBefore).system) / 1000),
      eventsPerSecond: Math.round((events / sendingMs) * 1000),
      txPerSecond: Math.round((sent.transactions / sendingMs) * 1000),
      castFile,
    };
    logger.info(
      { events, transactions: sent.transactions, blocks: sent.blocks, duration_ms: durationMs },
      "simulation done",
    );
    return summary;
  } finally {
    uploader?.stop();
    await rpc.close();
  }
}

function reporter(onProgress: SimulationOptions["onProgress"], targetEvents: number) {
  let phase: Phase = "planning";
  let since = Date.now();
  let plannedEvents = targetEvents;
  let filesTotal = 0;
  let up: Uploader | undefined;
  let last = { events: 0, transactions: 0, blocks: 0, date: undefined as string | undefined };
  const emit = () => {
    if (!onProgress) return;
    const elapsedMs = Date.now() - since;
    const seconds = Math.max(0.001, elapsedMs / 1000);
    const eventsPerSecond = phase === "sending" || phase === "done" ? last.events / seconds : 0;
    onProgress({
      phase,
      events: last.events,
      targetEvents: plannedEvents,
      transactions: last.transactions,
      blocks: last.blocks,
      filesUploaded: up?.uploaded ?? 0,
      filesTotal,
      elapsedMs,
      txPerSecond: phase === "sending" || phase === "done" ? last.transactions / seconds : 0,
      eventsPerSecond,
      etaSeconds: eventsPerSecond > 0 ? (plannedEvents - last.events) / eventsPerSecond : undefined,
      simulatedDate: last.date,
    });
  };
  return {
    set(next: Phase, at = Date.now()) {
      phase = next;
      if (next === "sending") since = at;
      emit();
    },
    plan(plan: Plan) {
      plannedEvents = plan.events;
      filesTotal = plan.files.length;
    },
    uploader(u: Uploader) {
      up = u;
    },
    block(state: { events: number; transactions: number; blocks: number; lastSlot: number }, plan: Plan) {
      last = {
        events: state.events,
        transactions: state.transactions,
        blocks: state.blocks,
        date: fromEpochDay(plan.clock.epochDay(state.lastSlot)),
      };
      emit();
    },
  };
}
