/**
 * Hands planned batches to the writer thread (writer-thread.ts), which commits each in one
 * transaction on its own connection, in the order they were handed over. COPY payloads move
 * to the thread without a copy (their memory is transferred).
 */
import { Worker } from "node:worker_threads";
import type pg from "pg";
import { DatabaseUnavailableError } from "../../shared/errors.ts";
import type { WriteStep, WriteTimings } from "./bulk.ts";
import { classifyWriteError } from "./checkpoint.ts";
import { recycleCopyBuffers } from "./copy-writer.ts";

export interface WriterThreadData {
  connection: pg.ClientConfig;
}

export type WriterRequest = { type: "write"; id: number; steps: WriteStep[] } | { type: "close" };

export type WriterReply = (
  | { type: "written"; id: number; timings: WriteTimings }
  | {
      type: "failed";
      id: number;
      error: { message: string; code?: string; detail?: string; table?: string; constraint?: string };
    }
) & { buffers?: ArrayBuffer[] };

export interface BatchWriter {
  /** Runs `steps` in one transaction; resolves with the time spent per step label. */
  write(steps: readonly (WriteStep | null)[], label: string): Promise<WriteTimings>;
  /** The thread died: every later write fails. Make a new writer. */
  readonly broken: boolean;
  close(): Promise<void>;
}

/** The connection settings of a pool, for a connection of the writer's own. */
export function connectionOf(pool: pg.Pool): pg.ClientConfig {
  const o = pool.options;
  const config: pg.ClientConfig = {};
  if (o.connectionString !== undefined) config.connectionString = o.connectionString;
  if (o.host !== undefined) config.host = o.host;
  if (o.port !== undefined) config.port = o.port;
  if (o.user !== undefined) config.user = o.user;
  if (typeof o.password === "string") config.password = o.password;
  if (o.database !== undefined) config.database = o.database;
  if (typeof o.ssl === "boolean" || (o.ssl && typeof o.ssl === "object")) config.ssl = o.ssl;
  return config;
}

/**
 * COPY payloads move to the thread. A buffer larger than Node's pool slab is an allocation of
 * its own (CopyWriter hands out one view per allocation); smaller ones may share the pool with
 * unrelated buffers, so they are copied instead.
 */
function transferables(steps: readonly WriteStep[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const step of steps) {
    if (step.kind !== "copy") continue;
    for (const chunk of step.chunks) {
      const buffer = chunk.buffer;
      if (buffer instanceof ArrayBuffer && buffer.byteLength > Buffer.poolSize) out.add(buffer);
    }
  }
  return [...out];
}

export function createBatchWriter(connection: pg.ClientConfig): BatchWriter {
  const worker = new Worker(new URL("./writer-thread.ts", import.meta.url), {
    workerData: { connection } satisfies WriterThreadData,
  });
  const waiting = new Map<
    number,
    { label: string; resolve: (t: WriteTimings) => void; reject: (e: unknown) => void }
  >();
  let nextId = 1;
  let failure: unknown = null;
  let exited = false;

  const failAll = (error: unknown) => {
    failure ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on("message", (reply: WriterReply) => {
    if (reply.buffers) recycleCopyBuffers(reply.buffers);
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.type === "written") {
      w.resolve(reply.timings);
      return;
    }
    // Rebuilt from what the thread could send, then classified by SQLSTATE like any pg error:
    // a lost connection or a shutdown is retryable, a constraint violation is not, a failed
    // fence means another process leads.
    const { message, ...fields } = reply.error;
    const cause = Object.assign(new Error(message), fields);
    w.reject(classifyWriteError(cause, `writing ${w.label}`));
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => {
    exited = true;
    failAll(new DatabaseUnavailableError(`the database writer thread exited (code ${code})`));
  });

  return {
    get broken() {
      return failure !== null;
    },
    write(steps, label) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const request: WriterRequest = {
        type: "write",
        id,
        steps: steps.filter((s): s is WriteStep => s !== null),
      };
      return new Promise<WriteTimings>((resolve, reject) => {
        waiting.set(id, { label, resolve, reject });
        worker.postMessage(request, transferables(request.steps));
      });
    },
    async close() {
      if (exited) return;
      const done = new Promise((resolve) => worker.once("exit", resolve));
      worker.postMessage({ type: "close" } satisfies WriterRequest);
      await done;
    },
  };
}
