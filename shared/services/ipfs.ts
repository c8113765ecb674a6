/**
 * An in-process IPFS node serving the Kubo HTTP RPC API (js-ipfs: ipfs-core + ipfs-http-server),
 * for the embedded stack and for tests. docker-compose runs real Kubo instead; the rest of the
 * code only ever talks to the RPC API (kubo-rpc-client), so either works.
 */
import type { Logger } from "../logger.ts";

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

export async function startLocalIpfs(options: LocalIpfsOptions): Promise<LocalIpfs> {
  const hostname = options.hostname ?? "127.0.0.1";
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
    },
  };
}
