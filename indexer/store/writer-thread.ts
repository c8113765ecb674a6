/**
 * The batch writer's thread: runs each planned batch (its steps, then its checkpoint) in one
 * transaction on a connection of its own. On its own thread, the round trips of a batch (about
 * twenty statements and COPYs) are answered at once, instead of waiting for the main thread to
 * finish decoding and folding the next batch. See batch-writer.ts for the other side.
 */
import { parentPort, workerData } from "node:worker_threads";
import pg from "pg";
import type { WriterReply, WriterRequest, WriterThreadData } from "./batch-writer.ts";
import { runWriteSteps, type WriteTimings } from "./bulk.ts";

const { connection } = workerData as WriterThreadData;
const port = parentPort!;
let client: pg.Client | null = null;

async function connected(): Promise<pg.Client> {
  if (client) return client;
  const c = new pg.Client(connection);
  // A connection that breaks between batches is replaced at the next one.
  c.on("error", () => {
    if (client === c) client = null;
  });
  await c.connect();
  client = c;
  return c;
}

function describe(error: unknown): Extract<WriterReply, { type: "failed" }>["error"] {
  const e = error as Partial<pg.DatabaseError> & { message?: string };
  return {
    message: e.message ?? String(error),
    // A SQLSTATE, or a socket error's code (ECONNREFUSED): the main thread classifies it.
    code: e.code,
    detail: e.detail,
    table: e.table,
    constraint: e.constraint,
  };
}

async function write(request: Extract<WriterRequest, { type: "write" }>): Promise<WriterReply> {
  const timings: WriteTimings = {};
  let c: pg.Client | undefined;
  try {
    c = await connected();
    await c.query("BEGIN");
    await runWriteSteps(c, request.steps, timings);
    const mark = performance.now();
    await c.query("COMMIT");
    timings.commit_ms = performance.now() - mark;
    return { type: "written", id: request.id, timings };
  } catch (error) {
    if (c) {
      await c.query("ROLLBACK").catch(() => {
        client = null;
        void c?.end().catch(() => undefined);
      });
    }
    return { type: "failed", id: request.id, error: describe(error) };
  }
}

let queue = Promise.resolve();
port.on("message", (request: WriterRequest) => {
  queue = queue.then(async () => {
    if (request.type === "close") {
      await client?.end().catch(() => undefined);
      client = null;
      port.close();
      return;
    }
    const reply = await write(request);
    if (reply.type === "failed") {
      port.postMessage(reply);
      return;
    }
    // The COPY buffers go back for reuse: the server has all their rows, the socket is done with them.
    const buffers = new Set<ArrayBuffer>();
    for (const step of request.steps) {
      if (step.kind !== "copy") continue;
      for (const chunk of step.chunks) if (chunk.buffer instanceof ArrayBuffer) buffers.add(chunk.buffer);
    }
    port.postMessage({ ...reply, buffers: [...buffers] } satisfies WriterReply, [...buffers]);
  });
});
