// biome-ignore-all lint/correctness/useHookAtTopLevel: useTestDatabase/useTestIpfs are vitest fixtures, not React hooks
/**
 * verifyCid against a real IPFS node (js-ipfs serving the Kubo RPC API), with faults injected
 * by an HTTP proxy in front of it.
 */
import { randomBytes } from "node:crypto";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCarBlockSource } from "../../indexer/verify/car-block-source.ts";
import { createIpfsBlockSource } from "../../indexer/verify/ipfs-block-source.ts";
import { createIpfsRpc, type IpfsRpc } from "../../indexer/verify/ipfs-rpc.ts";
import { type FetchBlock, type VerifyLimits, verifyCid } from "../../indexer/verify/verify-cid.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";
import { type FaultProxy, startFaultProxy } from "./verify-fault-proxy.ts";

const MiB = 1024 * 1024;
const BIG = 50 * MiB;
/** Generous timeouts: files that are there must verify however busy the machine is. */
const limits: VerifyLimits = { maxBytes: 64 * MiB, timeoutMs: 30_000 };

const ipfs = useTestIpfs();
let proxy: FaultProxy;
let viaProxy: IpfsRpc;
let big: { v1: string; v0: string };

/** block/get through the proxy, counting the requests. */
const blocks = (timeoutMs = limits.timeoutMs): FetchBlock =>
  createIpfsBlockSource({ rpc: viaProxy, timeoutMs });

beforeAll(async () => {
  proxy = await startFaultProxy(ipfs.apiUrl);
  viaProxy = createIpfsRpc(proxy.url);
  const content = randomBytes(BIG);
  const v1 = await ipfs.client.add(content, { cidVersion: 1, rawLeaves: true, chunker: "size-262144" });
  const v0 = await ipfs.client.add(content, { cidVersion: 0, rawLeaves: false, chunker: "size-262144" });
  big = { v1: v1.cid.toString(), v0: v0.cid.toString() };
});

afterEach(() => {
  proxy.mode = { kind: "pass" };
  proxy.blockGets.length = 0;
  proxy.exports = 0;
  proxy.tampered = 0;
});

afterAll(async () => {
  viaProxy?.close();
  await proxy?.close();
});

/** A CIDv1 (raw leaves) multi-block file of `size` random bytes, and its leaves' CIDs in order. */
async function multiBlockFile(size: number): Promise<{ cid: string; leaves: CID[] }> {
  const { cid } = await ipfs.client.add(randomBytes(size), { cidVersion: 1, chunker: "size-262144" });
  const root = dagPb.decode(await ipfs.client.block.get(cid));
  return { cid: cid.toString(), leaves: root.Links.map((link) => link.Hash) };
}

describe("verifyCid on files a node really holds", () => {
  it("verifies a small text file and reports its size and a text content type", async () => {
    const note = "Rx: amoxicillin 500 mg, three times daily for 5 days\n";
    const { cid } = await ipfs.client.add(note);
    expect(await verifyCid({ cid: cid.toString(), fetchBlock: blocks(), limits })).toEqual({
      status: "VERIFIED",
      sizeBytes: note.length,
      contentType: "text/plain; charset=utf-8",
      blocks: 1,
    });
  });

  it("verifies a PDF-like file and detects application/pdf from its first bytes", async () => {
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), randomBytes(40_000)]);
    const { cid } = await ipfs.client.add(pdf, { cidVersion: 1 });
    expect(await verifyCid({ cid: cid.toString(), fetchBlock: blocks(), limits })).toEqual({
      status: "VERIFIED",
      sizeBytes: pdf.length,
      contentType: "application/pdf",
      blocks: 1,
    });
  });

  it("verifies a 50 MiB CIDv1 file of raw leaves block by block (200 leaves, 2 inner nodes, the root)", async () => {
    const result = await verifyCid({
      cid: big.v1,
      fetchBlock: blocks(),
      limits: { ...limits, parallelBlocks: 16 },
    });
    expect(result).toEqual({
      status: "VERIFIED",
      sizeBytes: BIG,
      contentType: "application/octet-stream",
      blocks: 203,
    });
    expect(proxy.blockGets).toHaveLength(203);
  });

  it("verifies the same 50 MiB as a CIDv0 file with dag-pb leaves", async () => {
    const result = await verifyCid({
      cid: big.v0,
      fetchBlock: blocks(),
      limits: { ...limits, parallelBlocks: 16 },
    });
    expect(result).toEqual({
      status: "VERIFIED",
      sizeBytes: BIG,
      contentType: "application/octet-stream",
      blocks: 203,
    });
  });

  it("verifies the 50 MiB file from one CAR export, asking block/get only for the root", async () => {
    const done = new AbortController();
    const abandoned: string[] = [];
    const fetchBlock = createCarBlockSource({
      rpc: viaProxy,
      fallback: blocks(),
      signal: done.signal,
      onAbandon: (reason) => abandoned.push(reason),
    });
    const result = await verifyCid({ cid: big.v1, fetchBlock, limits: { ...limits, parallelBlocks: 16 } });
    done.abort();
    expect(result).toMatchObject({ status: "VERIFIED", sizeBytes: BIG, blocks: 203 });
    expect(abandoned).toEqual([]);
    expect(proxy.blockGets).toEqual([big.v1]);
    expect(proxy.exports).toBe(1);
  });

  it("reads each block of a file whose chunks repeat, though the CAR export sends a repeated block once", async () => {
    const zeros = Buffer.alloc(4 * MiB);
    const { cid } = await ipfs.client.add(zeros, { cidVersion: 1, chunker: "size-262144" });
    const done = new AbortController();
    const fetchBlock = createCarBlockSource({ rpc: viaProxy, fallback: blocks(), signal: done.signal });
    const result = await verifyCid({ cid: cid.toString(), fetchBlock, limits });
    done.abort();
    expect(result).toEqual({
      status: "VERIFIED",
      sizeBytes: zeros.length,
      contentType: "application/octet-stream",
      blocks: 17,
    });
  });
});

describe("verifyCid on content it must refuse", () => {
  it("refuses a block altered in transit and names the CID asked for and the CID the bytes hash to", async () => {
    const file = await multiBlockFile(MiB);
    const leaf = file.leaves[2]!;
    proxy.mode = { kind: "tamper", cid: leaf.toString() };
    const result = await verifyCid({ cid: file.cid, fetchBlock: blocks(), limits });
    expect(proxy.tampered).toBe(1);
    expect(result.status).toBe("INVALID");
    expect(result).toMatchObject({
      reason: expect.stringMatching(new RegExp(`^block ${leaf} hashes to bafk[a-z2-7]+ `)),
    });
  });

  it("refuses bytes corrupted inside a CAR export just the same: the stream is not trusted either", async () => {
    const file = await multiBlockFile(MiB);
    // Root via block/get; the export's third leaf starts after ~512 KiB of CAR.
    proxy.mode = { kind: "tamper-export", offset: 600_000 };
    const done = new AbortController();
    const fetchBlock = createCarBlockSource({ rpc: viaProxy, fallback: blocks(), signal: done.signal });
    const result = await verifyCid({ cid: file.cid, fetchBlock, limits });
    done.abort();
    expect(proxy.tampered).toBe(1);
    expect(result).toMatchObject({
      status: "INVALID",
      reason: expect.stringMatching(/^block bafk\S+ hashes to bafk/),
    });
  });

  it("refuses malformed CID strings without asking the node", async () => {
    for (const cid of [
      "",
      "not-a-cid",
      "bafy123",
      "QmTooShort",
      " bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    ]) {
      const result = await verifyCid({ cid, fetchBlock: blocks(), limits });
      expect(result).toMatchObject({ status: "INVALID", reason: expect.stringMatching(/^malformed CID/) });
    }
    expect(proxy.blockGets).toEqual([]);
  });

  it("refuses a directory: an attachment must be a UnixFS file", async () => {
    const entries = ipfs.client.addAll([{ path: "report/summary.txt", content: "discharged" }], {
      wrapWithDirectory: true,
    });
    let root: CID | undefined;
    for await (const entry of entries) root = entry.cid;
    const result = await verifyCid({ cid: root!.toString(), fetchBlock: blocks(), limits });
    expect(result).toEqual({
      status: "INVALID",
      reason: `CID ${root} is a UnixFS directory: not a UnixFS file`,
    });
  });

  it("refuses a file over maxBytes from its root's declared size, without fetching its leaves", async () => {
    const file = await multiBlockFile(2 * MiB);
    const result = await verifyCid({
      cid: file.cid,
      fetchBlock: blocks(),
      limits: { ...limits, maxBytes: MiB },
    });
    expect(result).toEqual({
      status: "INVALID",
      reason: `file exceeds ${MiB} bytes (it declares ${2 * MiB} bytes)`,
    });
    expect(proxy.blockGets).toEqual([file.cid]);
  });

  it("refuses a block the node sends over the block size limit, without reading it all", async () => {
    const { cid } = await ipfs.client.add(randomBytes(5_000), { cidVersion: 1 });
    const fetchBlock = createIpfsBlockSource({ rpc: viaProxy, timeoutMs: 30_000, maxBlockBytes: 1_000 });
    const result = await verifyCid({ cid: cid.toString(), fetchBlock, limits });
    expect(result).toEqual({ status: "INVALID", reason: `block ${cid} is larger than 1000 bytes` });
  });

  it("refuses a DAG whose root declares a child size the child does not have", async () => {
    const leafBytes = randomBytes(1000);
    const leaf = await ipfs.client.block.put(leafBytes, { format: "raw", version: 1 });
    // A root claiming 1001 bytes for a 1000-byte leaf: every block hashes fine, the sizes lie.
    const data = new UnixFS({ type: "file", blockSizes: [1001n] }).marshal();
    const rootBytes = dagPb.encode({ Data: data, Links: [{ Hash: leaf, Tsize: 1000 }] });
    const root = await ipfs.client.block.put(rootBytes, { format: "dag-pb", version: 1 });
    const result = await verifyCid({ cid: root.toString(), fetchBlock: blocks(), limits });
    expect(result).toEqual({
      status: "INVALID",
      reason: `block ${leaf} holds 1000 bytes, its parent declared 1001`,
    });
  });
});

describe("verifyCid when the node cannot deliver", () => {
  it("reports content never uploaded as UNAVAILABLE once the block timeout passes", async () => {
    const missing = CID.createV1(raw.code, await sha256.digest(randomBytes(64)));
    const result = await verifyCid({
      cid: missing.toString(),
      fetchBlock: blocks(400),
      limits: { ...limits, timeoutMs: 400 },
    });
    expect(result).toEqual({ status: "UNAVAILABLE", reason: `block ${missing} not received within 400 ms` });
  });

  it("gives up with UNAVAILABLE, not a hang, when the node stops answering mid-file", async () => {
    const file = await multiBlockFile(2 * MiB);
    proxy.mode = { kind: "stall", after: 3 };
    // 2 s: long enough for the three blocks that do come, however busy the machine.
    const result = await verifyCid({
      cid: file.cid,
      fetchBlock: blocks(2_000),
      limits: { ...limits, timeoutMs: 2_000, parallelBlocks: 1 },
    });
    expect(result).toEqual({
      status: "UNAVAILABLE",
      reason: `block ${file.leaves[2]} not received within 2000 ms`,
    });
    expect(proxy.blockGets.slice(0, 4)).toEqual([file.cid, ...file.leaves.slice(0, 3).map(String)]);
  });

  it("reports a refused connection as UNAVAILABLE", async () => {
    const closed = createIpfsRpc("http://127.0.0.1:9");
    const { cid } = await ipfs.client.add("x");
    const result = await verifyCid({
      cid: cid.toString(),
      fetchBlock: createIpfsBlockSource({ rpc: closed, timeoutMs: 2_000 }),
      limits,
    });
    expect(result).toMatchObject({
      status: "UNAVAILABLE",
      reason: expect.stringMatching(/not received: IPFS block\/get/),
    });
  });
});
