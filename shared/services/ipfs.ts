/**
 * An in-process IPFS node serving the Kubo HTTP RPC API (js-ipfs: ipfs-core + ipfs-http-server),
 * for the embedded stack and for tests. docker-compose runs real Kubo instead; the rest of the
 * code only ever talks to the RPC API (kubo-rpc-client), so either works.
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { NonRetryableError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { isAlive, readOwnerFile, writeOwnerFile } from "./owner.ts";

export interface LocalIpfsOptions {
  /** Repository folder; blocks persist there across restarts. */
  repo: string;
  hostname?: string;
  /** 0 picks a free port. */
  port?: number;
  logger?: Logger;
}

export interface LocalIpfs {
  apiUrl: string;
  port: number;
  close(): Promise<void>;
}

/** js-ipfs's lock: a folder that proper-lockfile keeps fresh, and takes as stale only after 20 s. */
const REPO_LOCK = "repo.lock";
/** Which process holds the repository, so that a dead one's lock is cleared at once. */
const OWNER_FILE = "doctel-owner.json";

export async function startLocalIpfs(options: LocalIpfsOptions): Promise<LocalIpfs> {
  const hostname = options.hostname ?? "127.0.0.1";
  await clearStaleLock(options.repo, options.logger);
  const [{ create }, { HttpApi }] = await Promise.all([import("ipfs-core"), import("ipfs-http-server")]);
  const node = await create({
    repo: options.repo,
    offline: true,
    start: true,
    silent: true,
    preload: { enabled: false },
    init: { profiles: ["test"] },
    config: {
      Addresses: { API: `/ip4/${hostname}/tcp/${options.port ?? 0}`, Gateway: "", Swarm: [] },
      Bootstrap: [],
      Discovery: { MDNS: { Enabled: false }, webRTCStar: { Enabled: false } },
    },
  });
  const api = new HttpApi(node);
  await api.start();
  const ownerFile = path.join(options.repo, OWNER_FILE);
  await writeOwnerFile(ownerFile);
  // apiAddr is the listening multiaddr, e.g. /ip4/127.0.0.1/tcp/38841: the real port when 0 was asked.
  const port = Number(api.apiAddr.nodeAddress().port);
  const apiUrl = `http://${hostname}:${port}`;
  options.logger?.info({ ipfs_api_url: apiUrl }, "local IPFS node started");
  return {
    apiUrl,
    port,
    close: async () => {
      await api.stop();
      await node.stop();
      await rm(ownerFile, { force: true });
    },
  };
}

/**
 * A repository locked by a process that died (SIGKILL) would refuse every start for 20 s ("Lock
 * already being held"). If the recorded owner is dead, its lock goes now; a live owner's lock is
 * a real conflict, reported as such. A lock without an owner file is left to js-ipfs.
 */
async function clearStaleLock(repo: string, logger: Logger | undefined): Promise<void> {
  const lock = path.join(repo, REPO_LOCK);
  if (!existsSync(lock)) return;
  const owner = await readOwnerFile(path.join(repo, OWNER_FILE));
  if (!owner) return;
  if (isAlive(owner)) {
    throw new NonRetryableError(
      "CONFLICT",
      `the IPFS repository ${repo} is in use by live process ${owner.pid}`,
      { details: { repo, owner_pid: owner.pid } },
    );
  }
  await rm(lock, { recursive: true, force: true });
  logger?.info({ repo, owner_pid: owner.pid }, "removed the IPFS repository lock of a process that died");
}
