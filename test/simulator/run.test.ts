/**
 * runSimulation against a real chain (Hardhat's JSON-RPC server) and a real IPFS node (js-ipfs),
 * at a tiny size: nothing reverts, every event kind appears, files are retrievable under the
 * CIDs on-chain, the cast's keys hold the roles they claim.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { beforeAll, describe, expect, it } from "vitest";
import { computeCid, DEFAULT_ADMIN_ROLE, docTelAbi, ROLE_IDS } from "../../sdk/index.ts";
import { ConfigError } from "../../shared/errors.ts";
import { isValidAadhaar, parseAadhaar } from "../../shared/identity/aadhaar.ts";
import { aadhaarReference } from "../../shared/identity/reference.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import { type CastFile, runSimulation, type SimulationSummary } from "../../simulator/index.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";

const chain = useTestChain();
const ipfs = useTestIpfs();
const PEPPER = Buffer.alloc(32, 0x5a);
let contract: Hex;
let summary: SimulationSummary;
let cast: CastFile;
let castFile: string;

const read = <T>(functionName: string, args: readonly unknown[] = []) =>
  chain.publicClient.readContract({
    address: contract,
    abi: docTelAbi,
    functionName,
    args,
  } as never) as Promise<T>;

beforeAll(async () => {
  ({ address: contract } = await chain.deployDocTel({ pepper: PEPPER }));
  castFile = path.join(await mkdtemp(path.join(tmpdir(), "doctel-sim-")), "cast.json");
  summary = await runSimulation({
    rpcUrl: chain.rpcUrl,
    ipfsApiUrl: ipfs.apiUrl,
    contract,
    governanceKey: DEV_PRIVATE_KEYS[0],
    pepper: PEPPER,
    seed: "run-test",
    targetEvents: 3_000,
    hospitals: 3,
    days: 150,
    filesFraction: 0.3,
    castFile,
  });
  cast = JSON.parse(await readFile(castFile, "utf8")) as CastFile;
}, 600_000);

describe("runSimulation on a development chain", { timeout: 120_000 }, () => {
  it("writes every planned event without a single reverted transaction", () => {
    // runSimulation checks every receipt and throws on a revert; the receipts hold exactly the plan.
    expect(summary.events).toBe(summary.plannedEvents);
    expect(summary.events).toBeGreaterThan(2_000);
    expect(summary.transactions).toBeGreaterThan(0);
    expect(summary.lastBlock - summary.firstBlock + 1).toBe(summary.blocks);
  });

  it("emits every kind of DocTel event", async () => {
    const logs = await chain.publicClient.getContractEvents({
      address: contract,
      abi: docTelAbi,
      fromBlock: 0n,
    });
    const kinds = new Set(logs.map((l) => l.eventName));
    for (const kind of [
      "HospitalRegistered",
      "StaffRegistered",
      "DoctorRegistered",
      "DeviceRegistered",
      "MemberRevoked",
      "PatientRegistered",
      "PatientUpdated",
      "TreatmentOpened",
      "DoctorAssigned",
      "DoctorUnassigned",
      "DiagnosisRecorded",
      "FileAttached",
      "StageAdvanced",
      "VitalsRecorded",
      "RoleGranted",
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    // AccessControlSequenced numbers OpenZeppelin's events: not an event of the plan.
    const simulated = logs.filter(
      (l) => l.blockNumber >= BigInt(summary.firstBlock) && l.eventName !== "AccessControlSequenced",
    );
    expect(simulated.length).toBe(summary.events);
    const stages = simulated.flatMap((l) => (l.eventName === "StageAdvanced" ? [l.args.toStage] : []));
    for (const stage of [1, 2, 3, 4]) expect(stages).toContain(stage);
  });

  it("spreads the events over the simulated period, one block per busy hour, timestamps rising", async () => {
    const first = await chain.publicClient.getBlock({ blockNumber: BigInt(summary.firstBlock) });
    const last = await chain.publicClient.getBlock({ blockNumber: BigInt(summary.lastBlock) });
    expect(Number(first.timestamp)).toBe(Date.parse(summary.simulatedFrom) / 1000);
    expect(Number(last.timestamp - first.timestamp)).toBeGreaterThan(140 * 86_400);
    expect(Number(last.timestamp)).toBeLessThanOrEqual(Date.parse(summary.simulatedTo) / 1000);
  });

  it("attaches files that IPFS serves, each hashing to the CID recorded on-chain", async () => {
    const attached = await chain.publicClient.getContractEvents({
      address: contract,
      abi: docTelAbi,
      eventName: "FileAttached",
      fromBlock: 0n,
    });
    expect(attached.length).toBe(summary.files);
    expect(attached.length).toBeGreaterThan(5);
    const kinds = new Set(attached.map((a) => a.args.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(3);
    for (const event of attached) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of ipfs.client.cat(event.args.cid!, { signal: AbortSignal.timeout(10_000) })) {
        chunks.push(chunk);
      }
      const bytes = Buffer.concat(chunks);
      expect(await computeCid(bytes)).toBe(event.args.cid);
      // Synthetic documents say so, and carry no Aadhaar number.
      if (event.args.kind === 0 || event.args.kind === 4) {
        expect(bytes.toString("utf8")).toContain("SYNTHETIC");
      }
      expect(bytes.toString("latin1")).not.toMatch(/\b[2-9]\d{11}\b/);
    }
  });

  it("writes a cast whose keys hold the roles they claim", async () => {
    expect(cast.warning).toMatch(/SYNTHETIC DEMO DATA/);
    expect(cast.contract).toBe(contract);
    const check = (a: { address: Hex; privateKey: Hex | null }) => {
      expect(a.privateKey).not.toBeNull();
      expect(privateKeyToAddress(a.privateKey!)).toBe(a.address);
    };
    expect(await read<boolean>("hasRole", [DEFAULT_ADMIN_ROLE, cast.governance.address])).toBe(true);
    for (const [holder, role] of [
      [cast.analyst, ROLE_IDS.ANALYST],
      [cast.publicHealth, ROLE_IDS.PUBLIC_HEALTH],
      [cast.auditor, ROLE_IDS.AUDITOR],
    ] as const) {
      check(holder);
      expect(await read<boolean>("hasRole", [role, holder.address])).toBe(true);
    }
    expect(cast.hospitals).toHaveLength(3);
    for (const hospital of cast.hospitals) {
      expect(await read<boolean>("hospitalExists", [hospital.id])).toBe(true);
      for (const staff of hospital.staff) {
        check(staff);
        expect(await read<readonly [number, number]>("members", [staff.address])).toEqual([1, hospital.id]);
      }
      for (const doctor of hospital.doctors) {
        check(doctor);
        expect(await read<readonly [number, number]>("members", [doctor.address])).toEqual([2, hospital.id]);
      }
      for (const device of hospital.devices) {
        check(device);
        // A device is bound while its patient is admitted, revoked after discharge.
        const [kind, id] = await read<readonly [number, number]>("members", [device.address]);
        expect([kind, id]).toEqual(kind === 0 ? [0, 0] : [3, hospital.id]);
      }
    }
  });

  it("lists sample patients whose synthetic Aadhaar numbers resolve to registered references", async () => {
    expect(cast.samplePatients.length).toBe(10);
    for (const patient of cast.samplePatients) {
      expect(isValidAadhaar(patient.aadhaar)).toBe(true);
      expect(patient.masked).toBe(`XXXX XXXX ${patient.aadhaar.slice(8)}`);
      const ref = aadhaarReference(PEPPER, parseAadhaar(patient.aadhaar));
      expect(ref).toBe(patient.reference);
      expect(await read<boolean>("patientExists", [ref])).toBe(true);
    }
  });

  it("refuses to run the same seed twice on one contract, because its accounts already exist", async () => {
    await expect(
      runSimulation({
        rpcUrl: chain.rpcUrl,
        contract,
        governanceKey: DEV_PRIVATE_KEYS[0],
        pepper: PEPPER,
        seed: "run-test",
        targetEvents: 3_000,
        hospitals: 3,
        days: 150,
        filesFraction: 0,
        castFile: false,
      }),
    ).rejects.toThrow(/already simulated/);
  });

  it("refuses a key that is not governance and a pepper that is not the contract's", async () => {
    const base = {
      rpcUrl: chain.rpcUrl,
      contract,
      seed: "other",
      targetEvents: 500,
      filesFraction: 0,
      castFile: false as const,
    };
    await expect(
      runSimulation({ ...base, governanceKey: DEV_PRIVATE_KEYS[1], pepper: PEPPER }),
    ).rejects.toThrow(ConfigError);
    await expect(
      runSimulation({ ...base, governanceKey: DEV_PRIVATE_KEYS[0], pepper: Buffer.alloc(32, 1) }),
    ).rejects.toThrow(/pepper does not match/);
  });
});
