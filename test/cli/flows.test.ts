import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { computeCid } from "../../sdk/index.ts";
import { readDeployment } from "../../shared/deployment.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";
import { AADHAAR, addressOf, KEYS, PEPPER_HEX } from "../sdk/fixture.ts";
import { hasNoStack, json, type RunResult, runCli } from "./run.ts";

const chain = useTestChain();
const ipfs = useTestIpfs();
let dir: string;
let env: Record<string, string>;
const as = (key: `0x${string}`) => ({ ...env, DOCTEL_PRIVATE_KEY: key });
let treatmentId: string;

function ok(result: RunResult): RunResult {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  expect(result.stderr).toBe("");
  return result;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "doctel-cli-"));
  env = {
    RPC_URL: chain.rpcUrl,
    IPFS_API_URL: ipfs.apiUrl,
    DOCTEL_PEPPER: PEPPER_HEX,
    DEPLOYMENT_FILE: path.join(dir, "deployment.json"),
  };
});

// Each run starts a Node process that loads viem, zod and the reference tables: slow on a busy machine.
describe("doctel, end to end", { timeout: 240_000 }, () => {
  it("deploys and writes the deployment record", async () => {
    const result = ok(await runCli(["deploy", "--admin-delay", "0", "--json"], as(KEYS.governance)));
    const printed = json(result);
    const record = await readDeployment(env.DEPLOYMENT_FILE!);
    expect(printed).toMatchObject({ address: record.address, chainId: chain.chain.id });
    expect(record.governance).toBe(addressOf(KEYS.governance));
  });

  it("registers a hospital, its staff (Aadhaar from stdin) and a doctor", async () => {
    const hospital = ok(
      await runCli(
        ["hospital", "register", "--name", "AIIMS Delhi", "--state", "7", "--district", "77"],
        as(KEYS.governance),
      ),
    );
    expect(hospital.stdout).toMatch(/^hospital 1 registered \(tx 0x[0-9a-f]{64} in block \d+\)\n$/);
    const staff = ok(
      await runCli(
        ["staff", "register", addressOf(KEYS.staff), "--hospital", "1", "--aadhaar", "-"],
        as(KEYS.governance),
        `${AADHAAR.staff}\n`,
      ),
    );
    expect(staff.stdout).not.toContain(AADHAAR.staff);
    ok(
      await runCli(
        [
          "doctor",
          "register",
          addressOf(KEYS.doctor),
          "--aadhaar",
          AADHAAR.doctor,
          "--specialty",
          "cardiology",
        ],
        as(KEYS.staff),
      ),
    );
    const shown = json(await runCli(["member", "show", addressOf(KEYS.doctor), "--json"], env));
    expect(shown).toMatchObject({ kind: "DOCTOR", hospitalId: 1 });
  });

  it("registers and updates a patient, then opens a treatment and prints its id", async () => {
    const patient = [
      "--aadhaar",
      AADHAAR.patient,
      "--weight-kg",
      "70.5",
      "--height-cm",
      "172",
      "--sex",
      "female",
      "--blood-group",
      "O+",
      "--birth-date",
      "1985-04-12",
      "--state",
      "7",
      "--district",
      "77",
    ];
    ok(await runCli(["patient", "register", ...patient], as(KEYS.staff)));
    ok(
      await runCli(["patient", "update", ...patient.map((a) => (a === "70.5" ? "69" : a))], as(KEYS.doctor)),
    );
    const opened = json<{ treatmentId: string; txHash: string }>(
      ok(
        await runCli(
          ["treatment", "open", "--aadhaar", "-", "--json"],
          as(KEYS.staff),
          `${AADHAAR.patient}\n`,
        ),
      ),
    );
    expect(opened.treatmentId).toBe("1");
    treatmentId = opened.treatmentId;
  });

  it("assigns a doctor, who diagnoses; staff attach a file and record vitals; the stage advances", async () => {
    ok(await runCli(["treatment", "assign-doctor", treatmentId, addressOf(KEYS.doctor)], as(KEYS.staff)));
    const diagnosed = ok(await runCli(["treatment", "diagnose", treatmentId, "e11.9"], as(KEYS.doctor)));
    expect(diagnosed.stdout).toContain(`diagnosis recorded for treatment ${treatmentId}`);
    const file = path.join(dir, "cbc.pdf");
    const bytes = randomBytes(300 * 1024);
    await writeFile(file, bytes);
    const attached = json<{ cid: string; size: number }>(
      ok(
        await runCli(
          ["treatment", "attach", treatmentId, file, "--kind", "lab-report", "--json"],
          as(KEYS.staff),
        ),
      ),
    );
    expect(attached).toMatchObject({ cid: await computeCid(bytes), size: 300 * 1024 });
    const vitals = ok(
      await runCli(
        [
          "treatment",
          "vitals",
          treatmentId,
          "--temperature",
          "37.8",
          "--bp",
          "128/84",
          "--heart-rate",
          "92",
          "--spo2",
          "96.5",
        ],
        as(KEYS.staff),
      ),
    );
    expect(vitals.stdout).toContain(`vitals recorded for treatment ${treatmentId}`);
  });

  it("records a batch of readings from a JSON file and advances the stage by label", async () => {
    const start = Math.floor(Date.now() / 1000) - 3600;
    const readings = Array.from({ length: 20 }, (_, i) => ({
      measuredAt: start + i * 60,
      heartRateBpm: 70 + i,
    }));
    const file = path.join(dir, "buffer.json");
    await writeFile(file, JSON.stringify(readings));
    const batch = json<{ readings: number; transactions: unknown[] }>(
      ok(await runCli(["treatment", "vitals", treatmentId, "--file", file, "--json"], as(KEYS.doctor))),
    );
    expect(batch).toMatchObject({ readings: 20 });
    expect(batch.transactions).toHaveLength(1);
    const advanced = ok(await runCli(["treatment", "advance", treatmentId, "in-treatment"], as(KEYS.doctor)));
    expect(advanced.stdout).toMatch(/^treatment 1 is now IN_TREATMENT \(tx /);
    const shown = json(await runCli(["treatment", "show", treatmentId, "--json"], env));
    expect(shown).toMatchObject({ treatmentId: "1", hospitalId: 1, stage: "IN_TREATMENT", diagnosed: true });
  });

  it("grants and revokes a read role, revokes a member, and shows it all in status", async () => {
    const analyst = addressOf(KEYS.outsider);
    ok(await runCli(["role", "grant", "analyst", analyst], as(KEYS.governance)));
    const status = json<{ account: { roles: string[]; member: { kind: string } }; pepperMatches: boolean }>(
      ok(await runCli(["status", "--json"], as(KEYS.outsider))),
    );
    expect(status.account.roles).toEqual(["ANALYST"]);
    expect(status.pepperMatches).toBe(true);
    ok(await runCli(["role", "revoke", "ANALYST", analyst], as(KEYS.governance)));
    ok(await runCli(["member", "revoke", addressOf(KEYS.doctor)], as(KEYS.staff)));
    const human = ok(await runCli(["status"], as(KEYS.staff)));
    expect(human.stdout).toContain(`you         ${addressOf(KEYS.staff)}: STAFF at hospital 1; roles: none`);
    expect(human.stdout).toContain("pepper      matches the contract");
  });

  it("hands governance over with transfer and accept, the successor signing with a key file", async () => {
    const keyFile = path.join(dir, "successor.key");
    await writeFile(keyFile, `${KEYS.successor}\n`, { mode: 0o600 });
    ok(await runCli(["governance", "transfer", addressOf(KEYS.successor)], as(KEYS.governance)));
    const accepted = ok(await runCli(["--key-file", keyFile, "governance", "accept"], env));
    expect(accepted.stdout).toContain(`${addressOf(KEYS.successor)} is now governance`);
    const status = json<{ governance: string }>(await runCli(["status", "--json"], env));
    expect(status.governance).toBe(addressOf(KEYS.successor));
    expect(hasNoStack(accepted.stderr)).toBe(true);
  });
});
