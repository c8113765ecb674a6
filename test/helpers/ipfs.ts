/**
 * An IPFS node of its own for each test file: js-ipfs serving the Kubo RPC API in-process on a
 * free port, with its repository in a temp folder, and a kubo-rpc-client on it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { afterAll, beforeAll } from "vitest";
import { type LocalIpfs, startLocalIpfs } from "../../shared/services/ipfs.ts";

export interface TestIpfs {
  readonly apiUrl: string;
  readonly client: KuboRPCClient;
  /** The repository folder (blocks persist there while the file runs). */
  readonly repo: string;
}

export function useTestIpfs(): TestIpfs {
  let state: { node: LocalIpfs; client: KuboRPCClient; repo: string } | undefined;
  const get = () => {
    if (!state) throw new Error("useTestIpfs(): the node exists only from beforeAll on");
    return state;
  };

  beforeAll(async () => {
    const repo = await mkdtemp(path.join(tmpdir(), "doctel-ipfs-"));
    try {
      const node = await startLocalIpfs({ repo, port: 0 });
      state = { node, repo, client: create({ url: node.apiUrl }) };
    } catch (error) {
      await rm(repo, { recursive: true, force: true });
      throw error;
    }
  });

  afterAll(async () => {
    if (!state) return;
    const { node, repo } = state;
    state = undefined;
    try {
      await node.close();
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  });

  return {
    get apiUrl() {
      return get().node.apiUrl;
    },
    get client() {
      return get().client;
    },
    get repo() {
      return get().repo;
    },
  };
}
