import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { create } from "kubo-rpc-client";
import { describe, expect, it } from "vitest";
import { startLocalIpfs } from "../../shared/services/ipfs.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";

describe("useTestIpfs", () => {
  const ipfs = useTestIpfs();

  it("adds and reads back a file through the Kubo RPC API", async () => {
    const content = new TextEncoder().encode("discharge summary\n");
    const { cid } = await ipfs.client.add(content, { cidVersion: 1 });
    const chunks: Uint8Array[] = [];
    for await (const chunk of ipfs.client.cat(cid, { timeout: 5_000 })) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString("utf8")).toBe("discharge summary\n");
    expect(ipfs.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("startLocalIpfs", () => {
  it("starts at once on a repository whose owner was killed with SIGKILL, clearing the dead process's lock", async () => {
    const repo = await mkdtemp(path.join(tmpdir(), "doctel-ipfs-lock-"));
    try {
      const child = spawn(
        process.execPath,
        [path.join(import.meta.dirname, "fixtures/ipfs-child.ts"), repo],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      let cid = "";
      for await (const line of createInterface({ input: child.stdout! })) {
        cid = (JSON.parse(line) as { cid: string }).cid;
        break;
      }
      expect(cid).not.toBe("");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      // The dead process's lock is still there, and fresh: js-ipfs alone would refuse for 20 s.
      expect(existsSync(path.join(repo, "repo.lock"))).toBe(true);

      const node = await startLocalIpfs({ repo, port: 0 });
      try {
        const chunks: Uint8Array[] = [];
        for await (const chunk of create({ url: node.apiUrl }).cat(cid, { timeout: 5_000 }))
          chunks.push(chunk);
        expect(Buffer.concat(chunks).toString("utf8")).toBe("kept across a SIGKILL\n");
        // A second node on the same repository, while the first lives, is a conflict, not a takeover.
        await expect(startLocalIpfs({ repo, port: 0 })).rejects.toThrow(/in use by live process/);
      } finally {
        await node.close();
      }
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  });
});
