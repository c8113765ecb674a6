import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { identity } from "multiformats/hashes/identity";
import { sha256, sha512 } from "multiformats/hashes/sha2";
import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "../../indexer/verify/backoff.ts";
import { assertBlockMatches } from "../../indexer/verify/block-hash.ts";
import { readCarBlocks } from "../../indexer/verify/car-reader.ts";
import { toVerifierSettings, verifyConfigSchema } from "../../indexer/verify/config.ts";
import { detectContentType } from "../../indexer/verify/content-type.ts";
import { decodeUnixfsData } from "../../indexer/verify/unixfs-data.ts";
import { type FetchBlock, verifyCid } from "../../indexer/verify/verify-cid.ts";
import { parseConfig } from "../../shared/config.ts";

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => new TextEncoder().encode(value);
const withPrefix = (prefix: Uint8Array, length = 600) => {
  const out = new Uint8Array(length);
  out.set(prefix);
  return out;
};

describe("detectContentType", () => {
  it("recognises documents and images by their magic numbers, not by any declared type", () => {
    expect(detectContentType(withPrefix(text("%PDF-1.7\n")), 600)).toBe("application/pdf");
    expect(detectContentType(withPrefix(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)), 600)).toBe(
      "image/png",
    );
    expect(detectContentType(withPrefix(bytes(0xff, 0xd8, 0xff, 0xe0)), 600)).toBe("image/jpeg");
    expect(detectContentType(withPrefix(text("GIF89a")), 600)).toBe("image/gif");
    expect(detectContentType(withPrefix(bytes(0x50, 0x4b, 0x03, 0x04)), 600)).toBe("application/zip");
  });

  it("recognises DICOM by 'DICM' after the 128-byte preamble", () => {
    const dicom = new Uint8Array(600);
    dicom.set(text("DICM"), 128);
    expect(detectContentType(dicom, 600)).toBe("application/dicom");
  });

  it("calls UTF-8 without control characters text, and JSON when it parses", () => {
    expect(detectContentType(text("Paracetamol 500 mg, twice daily\n"), 32)).toBe(
      "text/plain; charset=utf-8",
    );
    expect(detectContentType(text("रोगी का नाम\n"), text("रोगी का नाम\n").length)).toBe(
      "text/plain; charset=utf-8",
    );
    const json = text('{"dose": "500 mg", "times": [8, 20]}');
    expect(detectContentType(json, json.length)).toBe("application/json");
    const notJson = text("{ not json at all");
    expect(detectContentType(notJson, notJson.length)).toBe("text/plain; charset=utf-8");
  });

  it("does not hold a multi-byte character cut at the end of the sniffed window against a longer file", () => {
    const long = text(`${"a".repeat(1023)}é and more`);
    expect(detectContentType(long.subarray(0, 1024), long.length)).toBe("text/plain; charset=utf-8");
  });

  it("falls back to application/octet-stream for binary, invalid UTF-8 and empty files", () => {
    expect(detectContentType(bytes(0x00, 0x01, 0x02, 0xfe), 4)).toBe("application/octet-stream");
    expect(detectContentType(bytes(0xc3, 0x28), 2)).toBe("application/octet-stream");
    expect(detectContentType(new Uint8Array(0), 0)).toBe("application/octet-stream");
  });
});

describe("decodeUnixfsData", () => {
  it("reads what ipfs-unixfs writes, including the declared filesize that ipfs-unixfs drops", () => {
    const file = new UnixFS({ type: "file", data: text("abc"), blockSizes: [262144n, 1000n] });
    const decoded = decodeUnixfsData(file.marshal());
    expect(decoded.type).toBe("file");
    expect(decoded.data).toEqual(text("abc"));
    expect(decoded.blocksizes).toEqual([262144n, 1000n]);
    expect(decoded.filesize).toBe(263147n);
    expect(decodeUnixfsData(new UnixFS({ type: "directory" }).marshal()).type).toBe("directory");
  });

  it("accepts packed blocksizes, because protobuf parsers must", () => {
    // Type=file (08 02), blocksizes packed (22 len 01 02 03).
    expect(decodeUnixfsData(bytes(0x08, 0x02, 0x22, 0x03, 0x01, 0x02, 0x03)).blocksizes).toEqual([
      1n,
      2n,
      3n,
    ]);
  });

  it("refuses truncated or typeless data, saying what is wrong", () => {
    expect(() => decodeUnixfsData(bytes(0x12, 0x05, 0x61))).toThrow(/overruns/);
    expect(() => decodeUnixfsData(bytes(0x12, 0x01, 0x61))).toThrow(/no Type/);
    expect(() => decodeUnixfsData(bytes(0x08, 0x09))).toThrow(/unknown Type 9/);
    expect(() => decodeUnixfsData(bytes(0x08))).toThrow(/inside a varint/);
  });
});

describe("readCarBlocks", () => {
  const varint = (n: number) => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return out;
  };
  const car = async (blocks: Uint8Array[]) => {
    const header = text("header bytes, skipped");
    const parts: number[] = [...varint(header.length), ...header];
    const cids: CID[] = [];
    for (const block of blocks) {
      const cid = CID.createV1(raw.code, await sha256.digest(block));
      cids.push(cid);
      parts.push(...varint(cid.bytes.length + block.length), ...cid.bytes, ...block);
    }
    return { bytes: Uint8Array.from(parts), cids };
  };
  /** The stream cut into 3-byte chunks, so that every boundary falls mid-field. */
  async function* chunked(bytes: Uint8Array, size = 3) {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  const limits = { maxHeaderBytes: 1024, maxSectionBytes: 1024 };
  const collect = async (source: AsyncIterable<Uint8Array>, l = limits) => {
    const out = [];
    for await (const block of readCarBlocks(source, l)) out.push(block);
    return out;
  };

  it("reads sections across any chunk boundaries, in order", async () => {
    const blocks = [text("first block"), text("second, longer block of bytes"), new Uint8Array(300).fill(7)];
    const { bytes, cids } = await car(blocks);
    const read = await collect(chunked(bytes));
    expect(read.map((b) => b.cid.toString())).toEqual(cids.map(String));
    expect(read.map((b) => b.bytes)).toEqual(blocks);
  });

  it("refuses a truncated stream and a section over the limit, rather than buffer without bound", async () => {
    const { bytes } = await car([new Uint8Array(300).fill(1)]);
    await expect(collect(chunked(bytes.subarray(0, bytes.length - 10)))).rejects.toThrow(
      /ends inside a \d+-byte part/,
    );
    await expect(collect(chunked(bytes), { maxHeaderBytes: 1024, maxSectionBytes: 100 })).rejects.toThrow(
      /CAR section of \d+ bytes \(limit 100\)/,
    );
  });
});

describe("assertBlockMatches", () => {
  it("names the CID expected and the CID the bytes hash to", async () => {
    const cid = CID.createV1(raw.code, await sha256.digest(text("real")));
    const actual = CID.createV1(raw.code, await sha256.digest(text("fake")));
    expect(() => assertBlockMatches(cid, text("fake"))).toThrow(`block ${cid} hashes to ${actual}`);
    expect(() => assertBlockMatches(cid, text("real"))).not.toThrow();
  });

  it("shows a CIDv0 mismatch as a CIDv0", async () => {
    const node = dagPb.encode({ Data: new UnixFS({ type: "file", data: text("x") }).marshal(), Links: [] });
    const cid = CID.createV0(await sha256.digest(node));
    expect(() => assertBlockMatches(cid, text("other"))).toThrow(/hashes to Qm/);
  });
});

describe("verifyCid without a node", () => {
  const never: FetchBlock = () => Promise.reject(new Error("no node in this test"));
  const limits = { maxBytes: 1024, timeoutMs: 1000 };

  it("reads an identity CID locally: its bytes are in the CID itself", async () => {
    const cid = CID.createV1(raw.code, identity.digest(text("BP 120/80")));
    expect(await verifyCid({ cid: cid.toString(), fetchBlock: never, limits })).toEqual({
      status: "VERIFIED",
      sizeBytes: 9,
      contentType: "text/plain; charset=utf-8",
      blocks: 1,
    });
  });

  it("refuses hash functions it does not recompute, before fetching anything", async () => {
    const cid = CID.createV1(raw.code, await sha512.digest(text("x")));
    const result = await verifyCid({ cid: cid.toString(), fetchBlock: never, limits });
    expect(result).toMatchObject({ status: "INVALID", reason: expect.stringMatching(/unsupported hash/) });
  });

  it("refuses codecs that are not files (dag-cbor), before fetching anything", async () => {
    const cid = CID.createV1(0x71, await sha256.digest(text("x")));
    const result = await verifyCid({ cid: cid.toString(), fetchBlock: never, limits });
    expect(result).toMatchObject({ status: "INVALID", reason: expect.stringMatching(/not a UnixFS file/) });
  });

  it("turns a source that ignores its abort signal into UNAVAILABLE instead of waiting for ever", async () => {
    const cid = CID.createV1(raw.code, await sha256.digest(text("x")));
    const hanging: FetchBlock = () => new Promise(() => {});
    const result = await verifyCid({
      cid: cid.toString(),
      fetchBlock: hanging,
      limits: { ...limits, timeoutMs: 50 },
    });
    expect(result).toEqual({ status: "UNAVAILABLE", reason: `block ${cid} not received within 50 ms` });
  });
});

describe("backoffDelayMs", () => {
  const policy = { baseMs: 1000, factor: 2, maxMs: 10_000, jitter: 0.5 };

  it("doubles from the base per attempt and stops at the cap", () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(policy, n, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it("takes at most the jitter fraction off, so retries spread without growing", () => {
    expect(backoffDelayMs(policy, 3, () => 1)).toBe(2000);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(3000);
  });
});

describe("verifier config", () => {
  it("has working defaults, with a lease that outlasts the per-file deadline", () => {
    const settings = toVerifierSettings(parseConfig(verifyConfigSchema, {}));
    expect(settings.concurrency).toBeGreaterThan(0);
    expect(settings.leaseMs).toBeGreaterThan(settings.deadlineMs);
    expect(settings.backoff.baseMs).toBeLessThanOrEqual(settings.backoff.maxMs);
  });

  it("coerces environment strings and names a bad variable", () => {
    const settings = toVerifierSettings(
      parseConfig(verifyConfigSchema, { VERIFY_CONCURRENCY: "4", VERIFY_MAX_BYTES: "1048576" }),
    );
    expect(settings.concurrency).toBe(4);
    expect(settings.maxBytes).toBe(1_048_576);
    expect(() => parseConfig(verifyConfigSchema, { VERIFY_TIMEOUT_MS: "soon" })).toThrow(/VERIFY_TIMEOUT_MS/);
  });
});
