/**
 * Gas report: deploys DocTel on an in-process chain, runs every state-changing function once in a
 * realistic setting (recordVitalsBatch at 1, 64 and 512 readings; a multicall of 50
 * registerPatient calls), prints a markdown table of the gas used per transaction, and writes it
 * into docs/contract.md and README.md between `<!-- gas:start -->` and `<!-- gas:end -->`.
 *
 *   npm run gas             # measure, print, update docs/contract.md and README.md
 *   npm run gas -- --check  # measure, print, fail if either is out of date
 *
 * Gas is deterministic for a given bytecode and hardfork, so the table changes only when the
 * contract (or the compiler settings, or the hardfork) does.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { network } from "hardhat";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  getAddress,
  getContract,
  type Hash,
  type Hex,
  keccak256,
  stringToHex,
} from "viem";
import { hardhat } from "viem/chains";
import { docTelAbi, docTelBytecode } from "../shared/abi/generated/DocTel.ts";
import { completeAadhaar } from "../shared/identity/aadhaar.ts";
import { aadhaarReference, referenceKeyId } from "../shared/identity/reference.ts";

const root = path.resolve(import.meta.dirname, "..");
const docPaths = [path.join(root, "docs/contract.md"), path.join(root, "README.md")];
const START = "<!-- gas:start -->";
const END = "<!-- gas:end -->";
const check = process.argv.includes("--check");

const DAY = 86_400;
const ADMIN_DELAY = 3 * DAY;
const PEPPER = new TextEncoder().encode("doctel gas-report pepper, not a secret, 0123456789");
const ref = (first11: string): Hex => aadhaarReference(PEPPER, completeAadhaar(first11));
const patientRef = (i: number): Hex => ref(`7${String(i).padStart(10, "0")}`);
const CID = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
const ANALYST_ROLE = keccak256(stringToHex("ANALYST_ROLE"));
const AUDITOR_ROLE = keccak256(stringToHex("AUDITOR_ROLE"));

function patientData(i: number) {
  return {
    weightGrams: 55_000 + i * 10,
    heightCm: 160 + (i % 30),
    sex: 1 + (i % 2),
    bloodGroup: 1 + (i % 8),
    birthDate: 7_000 + i * 37,
    stateCode: 6,
    districtCode: 62,
  };
}

function vitalsAt(measuredAt: number, i = 0) {
  return {
    measuredAt,
    temperatureCentiC: 3_680 + (i % 50),
    systolicMmHg: 118 + (i % 20),
    diastolicMmHg: 76 + (i % 10),
    heartRateBpm: 68 + (i % 30),
    spo2Permille: 960 + (i % 40),
  };
}

interface Row {
  fn: string;
  setting: string;
  gas: bigint;
  /** Items in the transaction, for a per-item column (batches). */
  items?: number;
}

const conn = await network.create({ network: "node" });
try {
  const transport = custom(conn.provider);
  const publicClient = createPublicClient({ chain: hardhat, transport });
  const rpc = (method: string, params: unknown[] = []) => conn.provider.request({ method, params });
  const accounts = ((await rpc("eth_accounts")) as string[]).map((a) => getAddress(a));
  const account = (i: number): Address => {
    const a = accounts[i];
    if (!a) throw new Error(`the chain has no account #${i}`);
    return a;
  };
  const [governance, staff1, staff2, doctor1, doctor2, device, analyst, multisig, spare] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8,
  ].map(account) as [Address, Address, Address, Address, Address, Address, Address, Address, Address];
  const wallet = (a: Address) => createWalletClient({ account: a, chain: hardhat, transport });

  const rows: Row[] = [];
  const measured = new Set<string>();
  const gasOf = async (tx: Promise<Hash>): Promise<{ gas: bigint; blockNumber: bigint }> => {
    const hash = await tx;
    const receipt = await publicClient.getTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return { gas: receipt.gasUsed, blockNumber: receipt.blockNumber };
  };
  const record = async (fn: string, setting: string, tx: Promise<Hash>, items?: number) => {
    const { gas, blockNumber } = await gasOf(tx);
    rows.push({ fn, setting, gas, ...(items === undefined ? {} : { items }) });
    measured.add(fn);
    return blockNumber;
  };
  /** A setup transaction, not reported. */
  const run = (tx: Promise<Hash>) => gasOf(tx);
  // Calldata costs depend on its bytes, so readings use fixed times (before the chain's clock,
  // which starts at the wall clock) to keep the report identical from run to run.
  const MEASURED_AT = 1_700_000_000;

  // ---------------------------------------------------------------- deployment
  const deployHash = await wallet(governance).deployContract({
    abi: docTelAbi,
    bytecode: docTelBytecode,
    args: [ADMIN_DELAY, governance, referenceKeyId(PEPPER)],
  });
  const deployReceipt = await publicClient.getTransactionReceipt({ hash: deployHash });
  const address = deployReceipt.contractAddress;
  if (!address) throw new Error("DocTel deployment returned no contract address");
  rows.push({
    fn: "(deployment)",
    setting: "constructor, 3-day governance delay",
    gas: deployReceipt.gasUsed,
  });
  const as = (a: Address) =>
    getContract({ abi: docTelAbi, address, client: { public: publicClient, wallet: wallet(a) } });
  const gov = as(governance);
  const s1 = as(staff1);
  const s2 = as(staff2);
  const d1 = as(doctor1);
  const d2 = as(doctor2);

  // ---------------------------------------------------------------- hospitals and members
  await run(gov.write.registerHospital(["District Hospital Gurugram", 6, 62]));
  await record(
    "registerHospital",
    "second hospital, 19-byte name",
    gov.write.registerHospital(["KEM Hospital Mumbai", 27, 482]),
  );
  await record("registerStaff", "by governance", gov.write.registerStaff([staff1, 1, ref("23412341234")]));
  await run(gov.write.registerStaff([staff2, 2, ref("23412341235")]));
  await record("registerDoctor", "by staff", s1.write.registerDoctor([doctor1, ref("34534534534"), 12]));
  await run(s1.write.registerDoctor([doctor2, ref("34534534535"), 7]));

  // ---------------------------------------------------------------- patients
  await record("registerPatient", "new patient", s1.write.registerPatient([patientRef(0), patientData(0)]));
  await run(s1.write.registerPatient([patientRef(1), patientData(1)]));
  await record(
    "updatePatient",
    "new weight",
    d1.write.updatePatient([patientRef(0), { ...patientData(0), weightGrams: 54_300 }]),
  );
  const multicallData = Array.from({ length: 50 }, (_, i) =>
    encodeFunctionData({
      abi: docTelAbi,
      functionName: "registerPatient",
      args: [patientRef(100 + i), patientData(100 + i)],
    }),
  );
  await record("multicall", "50 × registerPatient", s2.write.multicall([multicallData]), 50);
  await record("registerDevice", "bound to a patient", s1.write.registerDevice([device, patientRef(0)]));

  // ---------------------------------------------------------------- treatments
  await record("openTreatment", "by staff", s1.write.openTreatment([patientRef(0)]));
  const t1 = 1n;
  await record("openTreatment", "by a doctor (also assigns them)", d1.write.openTreatment([patientRef(1)]));
  await record("assignDoctor", "by staff", s1.write.assignDoctor([t1, doctor1]));
  await run(d1.write.assignDoctor([t1, doctor2]));
  await record("unassignDoctor", "an assigned doctor steps down", d2.write.unassignDoctor([t1, doctor2]));
  await record(
    "recordDiagnosis",
    "first diagnosis (A90)",
    d1.write.recordDiagnosis([t1, stringToHex("A90", { size: 8 })]),
  );
  await record(
    "recordDiagnosis",
    "revision (A91)",
    d1.write.recordDiagnosis([t1, stringToHex("A91", { size: 8 })]),
  );
  await record("attachFile", "lab report, 59-byte CIDv1", s1.write.attachFile([t1, 1, CID]));
  await record("advanceStage", "Admitted → Diagnosed", d1.write.advanceStage([t1, 1]));
  await run(s1.write.advanceStage([t1, 2]));

  // ---------------------------------------------------------------- vitals
  const dev = as(device);
  await record(
    "recordVitals",
    "by the bound device, all five values",
    dev.write.recordVitals([t1, vitalsAt(MEASURED_AT)]),
  );
  for (const n of [1, 64, 512]) {
    const readings = Array.from({ length: n }, (_, i) => vitalsAt(MEASURED_AT - (n - i) * 30, i));
    await record(
      "recordVitalsBatch",
      `${n} reading${n === 1 ? "" : "s"} by the device`,
      dev.write.recordVitalsBatch([t1, readings]),
      n,
    );
  }

  await record("revokeMember", "a doctor, by staff", s1.write.revokeMember([doctor2]));

  // ---------------------------------------------------------------- data-access roles
  await record("grantRole", "ANALYST", gov.write.grantRole([ANALYST_ROLE, analyst]));
  await run(gov.write.grantRole([AUDITOR_ROLE, spare]));
  await record("revokeRole", "ANALYST", gov.write.revokeRole([ANALYST_ROLE, analyst]));
  await record("renounceRole", "AUDITOR, by its holder", as(spare).write.renounceRole([AUDITOR_ROLE, spare]));

  // ---------------------------------------------------------------- governance
  await record("changeDefaultAdminDelay", "3 days → 1 day", gov.write.changeDefaultAdminDelay([DAY]));
  await record("rollbackDefaultAdminDelay", "of the scheduled change", gov.write.rollbackDefaultAdminDelay());
  await record("beginDefaultAdminTransfer", "to a multisig", gov.write.beginDefaultAdminTransfer([multisig]));
  await record(
    "cancelDefaultAdminTransfer",
    "of the scheduled transfer",
    gov.write.cancelDefaultAdminTransfer(),
  );
  const begun = await run(gov.write.beginDefaultAdminTransfer([multisig]));
  const begunAt = Number((await publicClient.getBlock({ blockNumber: begun.blockNumber })).timestamp);
  await rpc("evm_setNextBlockTimestamp", [begunAt + ADMIN_DELAY + 1]);
  await record(
    "acceptDefaultAdminTransfer",
    "by the multisig, after the delay",
    as(multisig).write.acceptDefaultAdminTransfer(),
  );

  // Every state-changing function must appear in the report.
  const stateChanging = docTelAbi
    .filter((item) => item.type === "function" && item.stateMutability === "nonpayable")
    .map((item) => (item as { name: string }).name);
  const missing = stateChanging.filter((name) => !measured.has(name));
  if (missing.length > 0) throw new Error(`the gas report misses: ${missing.join(", ")}`);

  const hardfork = (conn.networkConfig as { hardfork?: string }).hardfork ?? "default";
  const table = renderTable(rows, hardfork);
  console.log(table);

  // The table lives in docs/contract.md and in the README, between the same markers.
  for (const file of docPaths) {
    const doc = await readFile(file, "utf8");
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    if (start < 0 || end < start) throw new Error(`${file} has no ${START} … ${END} markers`);
    const updated = `${doc.slice(0, start + START.length)}\n${table}\n${doc.slice(end)}`;
    if (check) {
      if (updated !== doc) {
        console.error(`${path.relative(root, file)}: the gas table is out of date; run \`npm run gas\``);
        process.exitCode = 1;
      }
    } else if (updated !== doc) {
      await writeFile(file, updated);
      console.error(`updated ${path.relative(root, file)}`);
    }
  }
} finally {
  await conn.close();
}

/** A markdown table, padded the way Biome formats markdown, so that `biome check docs` stays clean. */
function renderTable(rows: Row[], hardfork: string): string {
  const fmt = (n: bigint) => n.toLocaleString("en-US");
  const header = ["Function", "Setting", "Gas used", "Per item"];
  const rightAligned = [false, false, true, true];
  const body = rows.map((r) => [
    `\`${r.fn}\``,
    r.setting,
    fmt(r.gas),
    r.items === undefined ? "" : fmt(r.gas / BigInt(r.items)),
  ]);
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((cells) => cells[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (rightAligned[i] ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [
    "Gas used per transaction (receipt `gasUsed`: includes the 21,000 base cost and calldata), solc with",
    `the optimizer at 1,000 runs, EVM hardfork \`${hardfork}\`. Regenerate with \`npm run gas\`.`,
    "",
    line(header),
    rule,
    ...body.map(line),
  ].join("\n");
}
