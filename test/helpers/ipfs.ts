/**
 * An IPFS node for each test file: js-ipfs serving the Kubo RPC API in-process on a free port,
 * with its repository in a temp folder, and a kubo-rpc-client on it. With TEST_SERVICES=external
 * or containers, the run's shared node (Kubo) instead: content addressing keeps files apart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { afterAll, beforeAll, inject } from "vitest";
import { type LocalIpfs, startLocalIpfs } from "../../shared/services/ipfs.ts";

export interface TestIpfs {
  readonly apiUrl: string;
  readonly client: KuboRPCClient;
}

export function useTestIpfs(): TestIpfs {
  let state: { apiUrl: string; client: KuboRPCClient; close: () => Promise<void> } | undefined;
  const get = () => {
    if (!state) throw new Error("useTestIpfs(): the node exists only from beforeAll on");
    return state;
  };

  beforeAll(async () => {
    const shared = inject("sharedIpfsApiUrl");
    if (shared) {
      state = { apiUrl: shared, client: create({ url: shared }), close: async () => {} };
      return;
    }
    const repo = await mkdtemp(path.join(tmpdir(), "doctel-ipfs-"));
    try {
      const node: LocalIpfs = await startLocalIpfs({ repo, port: 0 });
      const close = async () => {
        try {
          await node.close();
        } finally {
          await rm(repo, { recursive: true, force: true });
        }
      };
      state = { apiUrl: node.apiUrl, client: create({ url: node.apiUrl }), close };
    } catch (error) {
      await rm(repo, { recursive: true, force: true });
      throw error;
    }
  });

  afterAll(async () => {
    const close = state?.close;
    state = undefined;
    await close?.();
  });

  return {
    get apiUrl() {
      return get().apiUrl;
    },
    get client() {
      return get().client;
    },
  };
}
