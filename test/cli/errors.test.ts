import { mkdtemp, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeDeployment } from "../../shared/deployment.ts";
import { useTestChain } from "../helpers/chain.ts";
import {
  AADHAAR,
  addressOf,
  careNetwork,
  closedPort,
  KEYS,
  OTHER_PEPPER,
  PEPPER_HEX,
} from "../sdk/fixture.ts";
import { hasNoStack, type RunResult, runCli } from "./run.ts";

const chain = useTestChain();
let dir: string;
let env: Record<string, string>;
let treatmentId: string;
const as = (key: `0x${string}`) => ({ ...env, DOCTEL_PRIVATE_KEY: key });

beforeAll(async () => {
  const net = await careNetwork(chain.rpcUrl);
  treatmentId = String((await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient })).treatmentId);
  dir = await mkdtemp(path.join(tmpdir(), "doctel-cli-errors-"));
  const deploymentFile = path.join(dir, "deployment.json");
  await writeDeployment(deploymentFile, net.record);
  env = { RPC_URL: chain.rpcUrl, DOCTEL_PEPPER: PEPPER_HEX, DEPLOYMENT_FILE: deploymentFile };
});

/** One clear line on stderr, nothing on stdout, no stack. */
function failsWith(result: RunResult, code: number, line: string | RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  if (typeof line === "string") expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(hasNoStack(result.stderr)).toBe(true);
}

describe("doctel reports every failure in one line, with exit 2 for bad input and 1 otherwise", {
  timeout: 240_000,
}, () => {
  it("exit 2: a malformed Aadhaar number, never echoed", async () => {
    const result = await runCli(["treatment", "open", "--aadhaar", "234567890125"], as(KEYS.staff));
    failsWith(result, 2, "error: Aadhaar number fails its Verhoeff checksum (mistyped digit?)");
    expect(result.stderr).not.toContain("234567890125");
  });

  it("exit 1: an unknown patient, without the Aadhaar number", async () => {
    const result = await runCli(
      ["treatment", "open", "--aadhaar", "-"],
      as(KEYS.staff),
      `${AADHAAR.unregistered}\n`,
    );
    failsWith(result, 1, "error: no patient is registered with that Aadhaar number");
  });

  it("exit 1: an unknown treatment, and a caller without the governance role", async () => {
    const [unknown, forbidden] = await Promise.all([
      runCli(["treatment", "advance", "999", "closed"], as(KEYS.staff)),
      runCli(["role", "grant", "AUDITOR", addressOf(KEYS.outsider)], as(KEYS.staff)),
    ]);
    failsWith(unknown, 1, "error: treatment 999 does not exist");
    failsWith(forbidden, 1, `error: ${addressOf(KEYS.staff)} does not hold governance (DEFAULT_ADMIN_ROLE)`);
  });

  it("exit 1: someone outside the care team", async () => {
    const result = await runCli(
      ["treatment", "assign-doctor", treatmentId, addressOf(KEYS.doctor)],
      as(KEYS.outsider),
    );
    failsWith(
      result,
      1,
      `error: ${addressOf(KEYS.outsider)} is neither staff of treatment ${treatmentId}'s hospital nor a doctor assigned to it`,
    );
  });

  it("exit 1: an unreachable JSON-RPC node, with its URL redacted", async () => {
    const port = await closedPort();
    const result = await runCli(["treatment", "show", "1", "--contract", addressOf(KEYS.outsider)], {
      ...env,
      RPC_URL: `http://admin:hunter2@127.0.0.1:${port}`,
    });
    failsWith(
      result,
      1,
      `error: cannot reach the JSON-RPC node at http://***:***@127.0.0.1:${port}/: connection refused`,
    );
  });

  it("exit 1: an unreachable IPFS node; exit 2: a file over the limit", async () => {
    const port = await closedPort();
    const small = path.join(dir, "note.txt");
    await writeFile(small, "prescription: rest");
    const big = path.join(dir, "scan.dcm");
    await writeFile(big, "");
    await truncate(big, Math.ceil(61.2 * 1024 * 1024));
    const ipfsEnv = { ...as(KEYS.staff), IPFS_API_URL: `http://127.0.0.1:${port}` };
    const [unreachable, tooLarge] = await Promise.all([
      runCli(["treatment", "attach", treatmentId, small, "--kind", "prescription"], ipfsEnv),
      runCli(["treatment", "attach", treatmentId, big, "--kind", "imaging"], ipfsEnv),
    ]);
    failsWith(
      unreachable,
      1,
      `error: cannot reach the IPFS node at http://127.0.0.1:${port}/: connection refused`,
    );
    failsWith(tooLarge, 2, "error: file is 61.2 MiB; the limit is 50 MiB");
  });

  it("exit 2: a wrong pepper, a missing key, bad configuration, an unknown option", async () => {
    const [wrongPepper, noKey, badUrl, badKey, unknownOption] = await Promise.all([
      runCli(["treatment", "open", "--aadhaar", AADHAAR.patient], {
        ...as(KEYS.staff),
        DOCTEL_PEPPER: OTHER_PEPPER.toString("hex"),
      }),
      runCli(["hospital", "register", "--name", "X", "--state", "7", "--district", "77"], env),
      runCli(["status"], { ...env, RPC_URL: "not a url" }),
      runCli(["status"], { ...env, DOCTEL_PRIVATE_KEY: "0x1234" }),
      runCli(["status", "--colour"], env),
    ]);
    failsWith(
      wrongPepper,
      2,
      /^error: the reference pepper does not match the contract at 0x[0-9a-fA-F]{40}: /,
    );
    failsWith(
      noKey,
      2,
      "error: this command signs a transaction: set DOCTEL_PRIVATE_KEY or pass --key-file <file>",
    );
    failsWith(
      badUrl,
      2,
      'error: invalid configuration: RPC_URL: expected a URL such as http://127.0.0.1:8545 (got "not a url")',
    );
    failsWith(
      badKey,
      2,
      "error: DOCTEL_PRIVATE_KEY: expected a private key, 32 bytes as 64 hex digits (value not shown)",
    );
    failsWith(unknownOption, 2, "error: unknown option '--colour'");
  });

  it("exit 2: invalid patient fields, named by field; a deployment record for another chain", async () => {
    const otherChain = path.join(dir, "other-chain.json");
    await writeFile(
      otherChain,
      JSON.stringify({
        ...JSON.parse("{}"),
        chainId: 1,
        address: addressOf(KEYS.outsider),
        deployBlock: 1,
        deployTxHash: `0x${"11".repeat(32)}`,
        governance: addressOf(KEYS.governance),
        referenceKeyId: `0x${"22".repeat(32)}`,
        deployedAt: "2026-01-01T00:00:00.000Z",
      }),
    );
    const [patient, wrongChain] = await Promise.all([
      runCli(
        [
          "patient",
          "register",
          "--aadhaar",
          AADHAAR.patient2,
          "--weight-kg",
          "900",
          "--height-cm",
          "172",
          "--sex",
          "female",
          "--blood-group",
          "O+",
          "--birth-date",
          "2999-01-01",
          "--state",
          "7",
          "--district",
          "77",
        ],
        as(KEYS.staff),
      ),
      runCli(["status"], { ...env, DEPLOYMENT_FILE: otherChain }),
    ]);
    failsWith(
      patient,
      2,
      "error: invalid patient data: weightGrams must be a whole number from 200 g to 500000 g (got 900000); birthDate must not be in the future (got 2999-01-01)",
    );
    failsWith(
      wrongChain,
      2,
      `error: the deployment record ${otherChain} is for chain 1, but ${chain.rpcUrl}/ serves chain ${chain.chain.id}`,
    );
  });

  it("prints the stack and causes only with --debug", async () => {
    const result = await runCli(["treatment", "advance", "999", "closed", "--debug"], as(KEYS.staff));
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe("error: treatment 999 does not exist");
    expect(result.stderr).toMatch(/^\s+at\s/m);
  });
});
