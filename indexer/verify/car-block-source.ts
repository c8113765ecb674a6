/**
 * A faster block source for one multi-block file: the first request (the root) goes to the
 * fallback source (block/get); the next one starts a single `dag/export` of the root, whose
 * CAR stream then serves the blocks the walk asks for. It only changes how bytes travel: the
 * verifier still hashes every block against the CID it asked for and walks the DAG from the
 * root, so a stream that lies, reorders or leaves blocks out cannot make a file VERIFIED.
 *
 * A block the stream does not bring (it ended, broke, or had already delivered that block for an
 * earlier duplicate link) is asked of the fallback, where a missing block times out as usual.
 * Blocks that arrive before they are asked for wait in a bounded buffer; past the bound, or on a
 * malformed stream, the export is abandoned and the fallback serves the rest.
 */
import { base64 } from "multiformats/bases/base64";
import type { CID } from "multiformats/cid";
import { describeError } from "../../shared/errors.ts";
import { readCarBlocks } from "./car-reader.ts";
import { DEFAULT_MAX_BLOCK_BYTES } from "./ipfs-block-source.ts";
import type { IpfsRpc } from "./ipfs-rpc.ts";
import type { FetchBlock } from "./verify-cid.ts";

export interface CarBlockSourceOptions {
  rpc: IpfsRpc;
  /** Serves the root and every block the export does not bring. */
  fallback: FetchBlock;
  /** Aborts the export: abort it when the file's verification is over. */
  signal: AbortSignal;
  /** Blocks received ahead of the walk are buffered up to this many bytes (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Largest block accepted from the stream (default 4 MiB; Kubo's own limit is 2 MiB). */
  maxBlockBytes?: number;
  /** Told why the export was given up (for logs). */
  onAbandon?: (reason: string) => void;
}

interface Waiter {
  cid: CID;
  signal: AbortSignal;
  resolve: (bytes: Uint8Array) => void;
  reject: (reason: unknown) => void;
}

const MiB = 1024 * 1024;

export function createCarBlockSource(options: CarBlockSourceOptions): FetchBlock {
  const maxBuffered = options.maxBufferedBytes ?? 8 * MiB;
  const maxBlock = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
  const stop = new AbortController();
  const exportSignal = AbortSignal.any([options.signal, stop.signal]);
  const buffered = new Map<string, Uint8Array>();
  const waiters = new Map<string, Waiter[]>();
  const delivered = new Set<string>();
  let bufferedBytes = 0;
  let root: CID | undefined;
  let state: "idle" | "streaming" | "over" = "idle";

  const viaFallback = (waiter: Waiter): void => {
    options.fallback(waiter.cid, waiter.signal).then(waiter.resolve, waiter.reject);
  };

  /** No more blocks will come from the stream: whoever still waits asks the fallback. */
  const finish = (reason: string | undefined): void => {
    if (state === "over") return;
    state = "over";
    stop.abort();
    if (reason !== undefined && !options.signal.aborted) options.onAbandon?.(reason);
    const pending = [...waiters.values()].flat();
    waiters.clear();
    for (const waiter of pending) viaFallback(waiter);
  };

  const receive = (cid: CID, bytes: Uint8Array): void => {
    const key = keyOf(cid);
    if (delivered.has(key) || buffered.has(key)) return;
    const waiting = waiters.get(key);
    if (waiting) {
      waiters.delete(key);
      delivered.add(key);
      for (const waiter of waiting) waiter.resolve(bytes);
      return;
    }
    buffered.set(key, bytes);
    bufferedBytes += bytes.length;
    if (bufferedBytes > maxBuffered)
      finish(`CAR export ran more than ${maxBuffered} bytes ahead of the walk`);
  };

  const pump = async (from: CID): Promise<void> => {
    try {
      const res = await options.rpc.post("dag/export", { arg: from.toString() }, exportSignal);
      for await (const block of readCarBlocks(res as AsyncIterable<Uint8Array>, {
        maxHeaderBytes: 64 * 1024,
        maxSectionBytes: maxBlock + 128,
      })) {
        if (state === "over") return;
        receive(block.cid, block.bytes);
      }
      finish(undefined);
    } catch (err) {
      finish(exportSignal.aborted ? undefined : `CAR export of ${from} failed: ${describeError(err)}`);
    }
  };

  return (cid: CID, signal: AbortSignal): Promise<Uint8Array> => {
    const key = keyOf(cid);
    if (root === undefined) {
      root = cid;
      delivered.add(key);
      return options.fallback(cid, signal);
    }
    const ready = buffered.get(key);
    if (ready) {
      buffered.delete(key);
      bufferedBytes -= ready.length;
      delivered.add(key);
      return Promise.resolve(ready);
    }
    if (state === "idle") {
      state = "streaming";
      void pump(root);
    }
    if (state === "over" || delivered.has(key)) return options.fallback(cid, signal);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Uint8Array>((resolve, reject) => {
      const waiter: Waiter = { cid, signal, resolve, reject };
      const list = waiters.get(key) ?? [];
      list.push(waiter);
      waiters.set(key, list);
      signal.addEventListener(
        "abort",
        () => {
          const current = waiters.get(key);
          if (!current) return;
          const rest = current.filter((w) => w !== waiter);
          if (rest.length > 0) waiters.set(key, rest);
          else waiters.delete(key);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  };
}

/** Blocks are matched by multihash: the same bytes whatever CID version or codec labels them. */
function keyOf(cid: CID): string {
  return base64.baseEncode(cid.multihash.bytes);
}
