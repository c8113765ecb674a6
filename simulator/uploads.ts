/**
 * Uploads the plan's files to IPFS through the SDK's flow: the CID computed locally
 * (computeCid), the bytes added with the same parameters, the node's CID checked against it,
 * then pinned (uploadVerified). A bounded number run at once, in plan order, ahead of the
 * blocks that attach them; `ready(file)` waits for one.
 */
import { computeCid, type DocTelIpfs, uploadVerified } from "../sdk/index.ts";
import { isRetryable } from "../shared/errors.ts";
import type { FileSpec } from "./model.ts";

export interface Uploader {
  /** Resolves once the file is uploaded and its CID set; rejects if the upload failed. */
  ready(file: FileSpec): Promise<void>;
  readonly uploaded: number;
  readonly bytes: number;
  /** Stops starting new uploads. */
  stop(): void;
}

export function createUploader(options: {
  ipfs: DocTelIpfs;
  files: readonly FileSpec[];
  contentOf(file: FileSpec): Uint8Array;
  concurrency?: number;
}): Uploader {
  const { files } = options;
  const done = new Map<FileSpec, Promise<void>>();
  const resolvers = new Map<FileSpec, { resolve: () => void; reject: (e: unknown) => void }>();
  for (const file of files) {
    done.set(
      file,
      new Promise<void>((resolve, reject) => {
        resolvers.set(file, { resolve, reject });
      }),
    );
    // A failure is reported by ready(); keep Node from flagging it as unhandled before that.
    done.get(file)!.catch(() => {});
  }
  let next = 0;
  let uploaded = 0;
  let bytes = 0;
  let stopped = false;

  async function uploadOne(file: FileSpec): Promise<void> {
    const content = options.contentOf(file);
    const cid = await computeCid(content);
    for (let attempt = 1; ; attempt++) {
      try {
        await uploadVerified(options.ipfs, content, cid);
        break;
      } catch (error) {
        if (attempt >= 3 || !isRetryable(error)) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    file.cid = cid;
    file.bytes = content.length;
    uploaded++;
    bytes += content.length;
  }

  async function worker(): Promise<void> {
    while (!stopped && next < files.length) {
      const file = files[next++]!;
      const r = resolvers.get(file)!;
      try {
        await uploadOne(file);
        r.resolve();
      } catch (error) {
        stopped = true;
        r.reject(error);
        // Fail the files still waiting too, so nobody waits forever.
        for (let i = next; i < files.length; i++) resolvers.get(files[i]!)!.reject(error);
        return;
      }
    }
  }

  for (let i = 0; i < Math.max(1, options.concurrency ?? 8); i++) void worker();
  return {
    ready(file) {
      const p = done.get(file);
      if (!p) return Promise.reject(new Error(`file ${file.index} is not in the upload plan`));
      return p;
    },
    get uploaded() {
      return uploaded;
    },
    get bytes() {
      return bytes;
    },
    stop() {
      stopped = true;
    },
  };
}
