import { randomBytes } from "node:crypto";
import { mkdtemp, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "kubo-rpc-client";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CidMismatchError,
  computeCid,
  docTelAbi,
  eventsNamed,
  FileTooLargeError,
  IpfsUnavailableError,
} from "../../sdk/index.ts";
import { ForbiddenError } from "../../shared/errors.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";
import { AADHAAR, addressOf, careNetwork, clients, closedPort, KEYS } from "./fixture.ts";
import { type IpfsProxy, startIpfsProxy } from "./ipfs-proxy.ts";

const chain = useTestChain();
const ipfs = useTestIpfs();
let net: Awaited<ReturnType<typeof careNetwork>>;
let treatmentId: bigint;
let ipfsUrl: string;
let dir: string;
const proxies: IpfsProxy[] = [];

beforeAll(async () => {
  ipfsUrl = ipfs.apiUrl;
  net = await careNetwork(chain.rpcUrl, ipfsUrl);
  ({ treatmentId } = await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient }));
  dir = await mkdtemp(path.join(tmpdir(), "doctel-files-"));
});
afterEach(async () => {
  while (proxies.length > 0) await proxies.pop()?.close();
});

async function proxy(mode: Parameters<typeof startIpfsProxy>[1]): Promise<IpfsProxy> {
  const p = await startIpfsProxy(ipfsUrl, mode);
  proxies.push(p);
  return p;
}

/** The staff member's nonce and the treatment's attached files: both must stay put on failure. */
async function chainState() {
  const { publicClient } = clients(chain.rpcUrl);
  const nonce = await publicClient.getTransactionCount({
    address: addressOf(KEYS.staff),
    blockTag: "pending",
  });
  const files = await publicClient.getContractEvents({
    address: net.record.address,
    abi: docTelAbi,
    eventName: "FileAttached",
    args: { treatmentId },
    fromBlock: 0n,
  });
  return { nonce, files: files.length };
}

describe("attachFile", () => {
  it("uploads, pins and attaches: the CID computed locally is the one the node computes for the same bytes", async () => {
    const bytes = randomBytes(700 * 1024);
    const result = await net.staff.attachFile({ treatmentId, kind: "lab-report", file: bytes });
    const node = create({ url: ipfsUrl });
    const byNode = await node.add(bytes, {
      cidVersion: 1,
      onlyHash: true,
      signal: AbortSignal.timeout(30_000),
    });
    expect(result.cid).toBe(byNode.cid.toString());
    expect(result.cid).toBe(await computeCid(bytes));
    expect(eventsNamed(result, "FileAttached")[0]?.args).toMatchObject({
      treatmentId,
      kind: 1,
      cid: result.cid,
    });
    const pins = [];
    for await (const pin of node.pin.ls({ paths: [byNode.cid], signal: AbortSignal.timeout(30_000) }))
      pins.push(pin);
    expect(pins[0]?.type).toBe("recursive");
  });

  it("computes the same CID as the node for a one-block file, an empty file and a file over 174 chunks (two DAG levels)", async () => {
    const node = create({ url: ipfsUrl });
    for (const size of [0, 10, 256 * 1024, 174 * 256 * 1024 + 1]) {
      const bytes = randomBytes(size);
      const byNode = await node.add(bytes, {
        cidVersion: 1,
        onlyHash: true,
        signal: AbortSignal.timeout(60_000),
      });
      expect(await computeCid(bytes), `size ${size}`).toBe(byNode.cid.toString());
    }
  });

  it("reads a file from a path and attaches it by kind label", async () => {
    const file = path.join(dir, "discharge.pdf");
    const bytes = randomBytes(3000);
    await writeFile(file, bytes);
    const result = await net.staff.attachFile({ treatmentId, kind: "DISCHARGE_SUMMARY", file });
    expect(result.cid).toBe(await computeCid(bytes));
    expect(result.size).toBe(3000);
  });

  it("refuses when the node reports a different CID, and sends no transaction", async () => {
    const decoy = await computeCid(Buffer.from("something else"));
    const lying = await proxy({ kind: "rewrite-add-hash", hash: decoy });
    const client = net.as(KEYS.staff, { ipfsUrl: lying.url });
    const bytes = randomBytes(5000);
    const before = await chainState();
    const error = await client
      .attachFile({ treatmentId, kind: "IMAGING", file: bytes })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CidMismatchError);
    expect((error as Error).message).toBe(
      `CID computed locally ${await computeCid(bytes)} but the node reported ${decoy}`,
    );
    expect(lying.seen).toContain("/api/v0/add");
    expect(lying.seen).not.toContain("/api/v0/pin/add");
    expect(await chainState()).toEqual(before);
  });

  it("gives up cleanly when the node stops responding mid-upload, and sends no transaction", async () => {
    const stalled = await proxy({ kind: "stall-add" });
    const client = net.as(KEYS.staff, { ipfsUrl: stalled.url, ipfsTimeoutMs: 1500 });
    const before = await chainState();
    const error = await client
      .attachFile({ treatmentId, kind: "IMAGING", file: randomBytes(2 * 1024 * 1024) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpfsUnavailableError);
    expect((error as Error).message).toBe(
      `IPFS upload failed at ${stalled.url}/: it did not finish within 1.5 s`,
    );
    expect((error as IpfsUnavailableError).retryable).toBe(true);
    expect(await chainState()).toEqual(before);
  });

  it("reports an unreachable IPFS node (closed port) as retryable, and sends no transaction", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const client = net.as(KEYS.staff, { ipfsUrl: url });
    const before = await chainState();
    const error = await client
      .attachFile({ treatmentId, kind: 0, file: randomBytes(100) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpfsUnavailableError);
    expect((error as Error).message).toBe(`cannot reach the IPFS node at ${url}/: connection refused`);
    expect(await chainState()).toEqual(before);
  });

  it("refuses a file over the limit before reading it or contacting IPFS", async () => {
    const watcher = await proxy({ kind: "pass" });
    const client = net.as(KEYS.staff, { ipfsUrl: watcher.url });
    const file = path.join(dir, "scan.dcm");
    await writeFile(file, "");
    await truncate(file, Math.ceil(61.2 * 1024 * 1024)); // sparse: no 61 MiB written
    const before = await chainState();
    const error = await client.attachFile({ treatmentId, kind: "IMAGING", file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileTooLargeError);
    expect((error as Error).message).toBe("file is 61.2 MiB; the limit is 50 MiB");
    const small = net.as(KEYS.staff, { ipfsUrl: watcher.url, maxFileBytes: 1024 });
    await expect(small.attachFile({ treatmentId, kind: 0, file: randomBytes(2048) })).rejects.toThrow(
      "file is 2 KiB; the limit is 1 KiB",
    );
    expect(watcher.seen).toEqual([]);
    expect(await chainState()).toEqual(before);
  });

  it("checks the caller's permission before uploading anything", async () => {
    const watcher = await proxy({ kind: "pass" });
    const outsider = net.as(KEYS.outsider, { ipfsUrl: watcher.url });
    const error = await outsider
      .attachFile({ treatmentId, kind: 0, file: randomBytes(100) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as Error).message).toBe(
      `${addressOf(KEYS.outsider)} is neither staff of treatment ${treatmentId}'s hospital nor a doctor assigned to it`,
    );
    expect(watcher.seen).toEqual([]);
  });
});
