/**
 * The verification worker: takes due rows from the file_verification queue, verifies their CIDs
 * against an IPFS node (trustlessly, see verify-cid.ts) and writes the results.
 *
 * It never slows indexing: it uses its own pool (give it one; it keeps one connection for
 * LISTEN), every statement is a single short transaction, and claims skip locked rows. It wakes
 * on NOTIFY VERIFY_CHANNEL, on a finished file, or every pollIntervalMs.
 *
 * stop() stops claiming and lets in-flight files finish; after stopGraceMs it aborts them and
 * gives their rows back (the attempt is not counted). Any worker can die at any point: its
 * claims name its instance (instance.ts), whose lock dies with it, and the next claim by any
 * worker takes them over at once (the lease is only the last resort).
 */
import type pg from "pg";
import { Registry } from "prom-client";
import { ConfigError, classifyDatabaseError, describeError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import { createCarBlockSource } from "./car-block-source.ts";
import type { VerifierSettings } from "./config.ts";
import { registerInstance, type VerifierInstance } from "./instance.ts";
import { createIpfsBlockSource } from "./ipfs-block-source.ts";
import { createIpfsRpc } from "./ipfs-rpc.ts";
import { createVerifyMetrics, type VerifyMetrics } from "./metrics.ts";
import {
  type ClaimedRow,
  claimVerifications,
  countQueue,
  releaseVerification,
  VERIFY_CHANNEL,
} from "./queue.ts";
import { createResultWriter } from "./result-writer.ts";
import { type FetchBlock, type VerifyResult, verifyCid } from "./verify-cid.ts";

export interface VerificationWorkerOptions {
  /** A pool for the worker alone (at least 2 connections: one stays on LISTEN). */
  pool: pg.Pool;
  /** The IPFS node's RPC API, e.g. http://127.0.0.1:5001 (Kubo, or js-ipfs's compatible server). */
  ipfsUrl: string;
  config: VerifierSettings;
  logger: Logger;
  /** Registry for the verifier's metrics; none means they are kept but not exported. */
  metrics?: Registry;
  /** Replaces the IPFS block source and turns CAR export off (the bytes are verified all the same). */
  fetchBlock?: FetchBlock;
  /** Random source for the backoff jitter. */
  random?: () => number;
}

export interface VerificationWorkerStats {
  inFlight: number;
  claimed: number;
  verified: number;
  invalid: number;
  unavailable: number;
  leaseLost: number;
}

export interface VerificationWorker {
  /** Connects LISTEN and starts claiming work. */
  start(): Promise<void>;
  /** Stops claiming, lets in-flight files finish (aborting them after stopGraceMs), disconnects. */
  stop(): Promise<void>;
  stats(): VerificationWorkerStats;
  /** The instance claims are made in the name of (null while none is registered). */
  instanceId(): number | null;
  /** The database failure being retried (null while claims work). */
  failure(): string | null;
}

const QUEUE_GAUGE_INTERVAL_MS = 5_000;

export function createVerificationWorker(options: VerificationWorkerOptions): VerificationWorker {
  const { pool, config, logger } = options;
  if (config.leaseMs <= config.deadlineMs) {
    throw new ConfigError(
      `verification lease (${config.leaseMs} ms) must outlast the per-file deadline (${config.deadlineMs} ms)`,
    );
  }
  const metrics: VerifyMetrics = createVerifyMetrics(options.metrics ?? new Registry());
  const rpc = createIpfsRpc(options.ipfsUrl, { maxSockets: Math.max(16, config.concurrency * 4) });
  const blockSource = options.fetchBlock ?? createIpfsBlockSource({ rpc, timeoutMs: config.timeoutMs });
  const limits = {
    maxBytes: config.maxBytes,
    timeoutMs: config.timeoutMs,
    deadlineMs: config.deadlineMs,
    parallelBlocks: config.parallelBlocks,
  };
  const writer = createResultWriter(pool, {
    maxAttempts: config.maxAttempts,
    backoff: config.backoff,
    maxBatch: Math.max(config.batchSize, config.concurrency),
    ...(options.random ? { random: options.random } : {}),
  });
  const claimThreshold = Math.max(1, Math.floor(Math.min(config.concurrency, config.batchSize) / 4));

  const stats: VerificationWorkerStats = {
    inFlight: 0,
    claimed: 0,
    verified: 0,
    invalid: 0,
    unavailable: 0,
    leaseLost: 0,
  };
  const tasks = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let state: "idle" | "running" | "stopping" | "stopped" = "idle";
  /** This worker's instance: claims are made in its name while its lock lives. */
  let instance: VerifierInstance | null = null;
  let instanceRetryAt = 0;
  /** The database failure being retried, if any (the verifier's /health). */
  let failure: string | null = null;
  let loopDone: Promise<void> | undefined;
  let listener: pg.PoolClient | undefined;
  let listenRetryAt = 0;
  /** True after a claim came back short: finished files alone do not make more rows due. */
  let queueDrained = false;
  let wake: (() => void) | undefined;
  /** A wake-up that came while the loop was not sleeping: its next sleep returns at once. */
  let wakePending = false;
  let lastGauge = 0;
  let gaugeRunning = false;

  const wakeUp = (): void => {
    const resolve = wake;
    wake = undefined;
    if (resolve) resolve();
    else wakePending = true;
  };

  const sleep = (ms: number): Promise<void> => {
    if (wakePending) {
      wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  };

  async function listen(): Promise<void> {
    if (listener || Date.now() < listenRetryAt) return;
    let client: pg.PoolClient | undefined;
    try {
      client = await pool.connect();
      await client.query(`LISTEN ${VERIFY_CHANNEL}`);
    } catch (err) {
      client?.release(true);
      listenRetryAt = Date.now() + config.pollIntervalMs * 5;
      logger.warn({ err }, "verification worker could not LISTEN; polling only");
      return;
    }
    const connected = client;
    connected.on("notification", () => {
      queueDrained = false;
      wakeUp();
    });
    connected.on("error", (err) => {
      logger.warn({ err }, "verification worker lost its LISTEN connection; polling until it reconnects");
      if (listener === connected) listener = undefined;
      connected.release(true);
    });
    listener = connected;
  }

  async function unlisten(): Promise<void> {
    const client = listener;
    listener = undefined;
    if (!client) return;
    try {
      await client.query(`UNLISTEN ${VERIFY_CHANNEL}`);
      client.release();
    } catch (err) {
      client.release(true);
      logger.debug({ err }, "UNLISTEN failed; connection discarded");
    }
  }

  /** The live instance, registering a new one when there is none (null: the database is away). */
  async function currentInstance(): Promise<VerifierInstance | null> {
    if (instance && !instance.lost.aborted) return instance;
    if (instance) {
      logger.warn(
        { instance: instance.id },
        "verifier instance lost its lock session; its claims are others' to take: registering a new one",
      );
      void instance.release();
      instance = null;
    }
    if (Date.now() < instanceRetryAt) return null;
    try {
      instance = await registerInstance(pool, logger);
      logger.info({ instance: instance.id }, "verifier instance registered");
      return instance;
    } catch (err) {
      instanceRetryAt = Date.now() + config.pollIntervalMs;
      failure = describeError(err);
      logger.warn({ err }, "cannot register a verifier instance; claiming nothing until it can");
      return null;
    }
  }

  function refreshQueueGauge(): void {
    if (gaugeRunning || Date.now() - lastGauge < QUEUE_GAUGE_INTERVAL_MS) return;
    gaugeRunning = true;
    lastGauge = Date.now();
    countQueue(pool, config.maxAttempts)
      .then((counts) => {
        for (const [key, value] of Object.entries(counts)) metrics.queue.set({ state: key }, value);
      })
      .catch((err: unknown) => logger.debug({ err }, "could not count the verification queue"))
      .finally(() => {
        gaugeRunning = false;
      });
  }

  async function loop(): Promise<void> {
    while (state === "running") {
      await listen();
      refreshQueueGauge();
      const free = config.concurrency - tasks.size;
      const wanted = Math.min(free, config.batchSize);
      if (wanted > 0 && (free >= claimThreshold || tasks.size === 0)) {
        const claimant = await currentInstance();
        if (!claimant) {
          await sleep(config.pollIntervalMs);
          continue;
        }
        let rows: ClaimedRow[];
        try {
          rows = await claimVerifications(pool, {
            limit: wanted,
            leaseMs: config.leaseMs,
            maxAttempts: config.maxAttempts,
            instance: claimant.id,
          });
        } catch (cause) {
          // Retried either way (a missing table comes with the indexer's migrations), but said
          // as what it is: an outage (warn) or a fault that needs someone (error).
          const err = classifyDatabaseError(cause, "claiming verification work");
          failure = describeError(err);
          logger[err.retryable ? "warn" : "error"](
            { err, code: err.code },
            "could not claim verification work; retrying after the poll interval",
          );
          await sleep(config.pollIntervalMs);
          continue;
        }
        failure = null;
        stats.claimed += rows.length;
        for (const row of rows) startTask(row);
        queueDrained = rows.length < wanted;
        if (!queueDrained && tasks.size < config.concurrency) continue;
      }
      if (state !== "running") break;
      await sleep(config.pollIntervalMs);
    }
  }

  function startTask(row: ClaimedRow): void {
    const controller = new AbortController();
    const done = runTask(row, controller.signal).finally(() => {
      tasks.delete(row.cid);
      stats.inFlight = tasks.size;
      metrics.inFlight.set(tasks.size);
      // A free slot is worth a claim only while due rows remain.
      if (!queueDrained) wakeUp();
    });
    tasks.set(row.cid, { controller, done });
    stats.inFlight = tasks.size;
    metrics.inFlight.set(tasks.size);
  }

  async function runTask(row: ClaimedRow, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const file = new AbortController();
    const fetchBlock =
      config.carExport && !options.fetchBlock
        ? createCarBlockSource({
            rpc,
            fallback: blockSource,
            signal: AbortSignal.any([signal, file.signal]),
            onAbandon: (reason) =>
              logger.debug({ cid: row.cid, reason }, "CAR export abandoned; using block/get"),
          })
        : blockSource;
    let result: VerifyResult;
    try {
      result = await verifyCid({ cid: row.cid, fetchBlock, limits, signal });
    } catch (err) {
      // A bug, not a property of the content: retried like an unavailable file.
      logger.error({ err, cid: row.cid }, "verification failed unexpectedly");
      result = { status: "UNAVAILABLE", reason: `internal error: ${describeError(err)}` };
    } finally {
      file.abort();
    }
    const durationMs = performance.now() - started;
    try {
      if (signal.aborted) {
        const released = await releaseVerification(pool, row);
        logger.info({ cid: row.cid, released }, "verification abandoned on stop; row released");
        return;
      }
      const outcome = await writer.write({ row, result });
      if (!outcome.recorded) {
        stats.leaseLost += 1;
        metrics.leaseLost.inc();
        logger.warn(
          { cid: row.cid, status: result.status, duration_ms: Math.round(durationMs) },
          "verification result discarded: the row's lease ran out or it was requeued",
        );
        return;
      }
      metrics.outcomes.inc({ status: result.status });
      metrics.duration.observe({ status: result.status }, durationMs / 1000);
      const fields = { cid: row.cid, attempts: row.attempts, duration_ms: Math.round(durationMs) };
      if (result.status === "VERIFIED") {
        stats.verified += 1;
        metrics.bytes.inc(result.sizeBytes);
        logger.debug(
          {
            ...fields,
            size_bytes: result.sizeBytes,
            content_type: result.contentType,
            blocks: result.blocks,
          },
          "CID verified",
        );
      } else if (result.status === "INVALID") {
        stats.invalid += 1;
        logger.warn({ ...fields, reason: result.reason }, "CID invalid");
      } else if (outcome.status === "UNAVAILABLE") {
        stats.unavailable += 1;
        if (outcome.exhausted) metrics.exhausted.inc();
        logger.info(
          { ...fields, reason: result.reason, retry_in_ms: outcome.retryInMs, exhausted: outcome.exhausted },
          outcome.exhausted
            ? "CID unavailable; out of attempts, left for an operator"
            : "CID unavailable; will retry",
        );
      }
    } catch (err) {
      // The row comes back to be claimed again (at once when this instance is gone); nothing
      // else to do.
      const classified = classifyDatabaseError(err, "writing a verification result");
      logger.warn(
        { err: classified, code: classified.code, cid: row.cid },
        "could not write the verification result; the row will be verified again",
      );
    }
  }

  return {
    async start() {
      if (state !== "idle") throw new Error(`verification worker cannot start: it is ${state}`);
      state = "running";
      await listen();
      loopDone = loop().catch((err: unknown) => {
        logger.error({ err }, "verification worker loop failed");
      });
      logger.info(
        { concurrency: config.concurrency, batch_size: config.batchSize, max_attempts: config.maxAttempts },
        "verification worker started",
      );
    },

    async stop() {
      if (state !== "running") return;
      state = "stopping";
      wakeUp();
      await loopDone;
      const inFlight = [...tasks.values()];
      const grace = setTimeout(() => {
        if (tasks.size > 0)
          logger.warn({ in_flight: tasks.size }, "aborting in-flight verifications on stop");
        for (const task of tasks.values()) task.controller.abort(new Error("verification worker stopping"));
      }, config.stopGraceMs);
      await Promise.allSettled(inFlight.map((task) => task.done));
      clearTimeout(grace);
      await unlisten();
      await instance?.release();
      instance = null;
      rpc.close();
      state = "stopped";
      logger.info({ ...stats }, "verification worker stopped");
    },

    stats: () => ({ ...stats }),
    instanceId: () => (instance && !instance.lost.aborted ? instance.id : null),
    failure: () => failure,
  };
}
