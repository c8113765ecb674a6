import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as indexerErrors from "../../indexer/errors.ts";
import * as verifyErrors from "../../indexer/verify/errors.ts";
import * as sdkErrors from "../../sdk/errors/classes.ts";
import * as shared from "../../shared/errors.ts";

const root = path.resolve(import.meta.dirname, "../..");

interface ErrorClass {
  name: string;
  parent: string;
  file: string;
  codes: string[];
}

/** Every class of the project's source (tests aside) that descends from DocTelError. */
function errorClasses(): ErrorClass[] {
  const files = execFileSync("git", ["ls-files", "*.ts", "*.tsx"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((f) => f && !f.startsWith("test/") && !f.includes("/generated/"));
  const all: ErrorClass[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(root, file), "utf8");
    const declaration = /^(?:export )?(?:abstract )?class (\w+) extends (\w+)/gm;
    for (let m = declaration.exec(text); m; m = declaration.exec(text)) {
      const end = text.indexOf("\n}", m.index);
      const body = text.slice(m.index, end < 0 ? undefined : end);
      const codes = [...body.matchAll(/"([A-Z][A-Z0-9_]{2,})"/g)].map((c) => c[1]!);
      all.push({ name: m[1]!, parent: m[2]!, file, codes });
    }
  }
  const ours = new Set(["DocTelError"]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of all) {
      if (ours.has(c.parent) && !ours.has(c.name)) {
        ours.add(c.name);
        grew = true;
      }
    }
  }
  return all.filter((c) => ours.has(c.name));
}

describe("one error taxonomy", () => {
  const classes = errorClasses();
  const concrete = classes.filter(
    (c) => !["DocTelError", "RetryableError", "NonRetryableError"].includes(c.name),
  );

  it("finds the project's error classes (the scan itself works)", () => {
    expect(classes.map((c) => c.name)).toEqual(
      expect.arrayContaining(["RetryableError", "RpcUnavailableError", "LogRangeTooLargeError"]),
    );
    expect(concrete.length).toBeGreaterThan(20);
  });

  it("keeps every error class in an errors.ts (or an errors/ folder), where a reader looks for them", () => {
    const elsewhere = classes
      .filter((c) => !/(^|\/)errors(\.ts$|\/)/.test(c.file))
      .map((c) => `${c.name} in ${c.file}`);
    expect(elsewhere).toEqual([]);
  });

  it("gives each failure one class with a code of its own, so a code names one failure", () => {
    const byCode = new Map<string, string[]>();
    for (const c of concrete) {
      expect(c.codes, `${c.name} (${c.file}) names exactly one code`).toHaveLength(1);
      byCode.set(c.codes[0]!, [...(byCode.get(c.codes[0]!) ?? []), c.name]);
    }
    const shared = [...byCode].filter(([, names]) => names.length > 1);
    expect(shared).toEqual([]);
  });

  it("defines the RPC and IPFS failures once, for the SDK, the simulator and the indexer", () => {
    expect(sdkErrors.RpcUnavailableError).toBe(shared.RpcUnavailableError);
    expect(indexerErrors.RpcUnavailableError).toBe(shared.RpcUnavailableError);
    expect(sdkErrors.IpfsUnavailableError).toBe(shared.IpfsUnavailableError);
    expect(verifyErrors.IpfsUnavailableError).toBe(shared.IpfsUnavailableError);
    const rpc = new shared.RpcUnavailableError("eth_call timed out", "http://node:8545");
    expect(rpc).toMatchObject({ retryable: true, code: "RPC_UNAVAILABLE", url: "http://node:8545" });
  });

  it("tells the three eth_getLogs failures apart by code: range too large, request refused, inconsistent data", () => {
    const codes = [
      new indexerErrors.LogRangeTooLargeError("x").code,
      new indexerErrors.RpcRequestError("x").code,
      new indexerErrors.InconsistentChainDataError("x").code,
      new shared.RpcUnavailableError("x", undefined).code,
    ];
    expect(new Set(codes).size).toBe(4);
  });
});
