/**
 * Contract writes for indexer tests, straight through viem: a hospital network in miniature
 * with every kind of event, and helpers to add more.
 */
import { encodeFunctionData, type Hex, stringToHex } from "viem";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { completeAadhaar } from "../../shared/identity/aadhaar.ts";
import { aadhaarReference } from "../../shared/identity/reference.ts";
import type { TestChain, TestWalletClient } from "../helpers/chain.ts";

export const PEPPER = Buffer.alloc(32, 0x5e);

export const ref = (n: number): Hex => aadhaarReference(PEPPER, completeAadhaar(String(20_000_000_000 + n)));

export interface Cast {
  address: Hex;
  deployBlock: bigint;
  governance: TestWalletClient;
  staff: TestWalletClient;
  doctor: TestWalletClient;
  doctor2: TestWalletClient;
  device: TestWalletClient;
  analyst: TestWalletClient;
}

export type Send = (
  from: TestWalletClient,
  functionName: string,
  args: readonly unknown[],
) => Promise<bigint>;

export function sender(chain: TestChain, address: Hex): Send {
  return async (from, functionName, args) => {
    const hash = await from.writeContract({ address, abi: docTelAbi, functionName, args } as never);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
    return receipt.blockNumber;
  };
}

export const patientData = (i: number) => ({
  weightGrams: 50_000 + i * 100,
  heightCm: 150 + (i % 40),
  sex: 1 + (i % 2),
  bloodGroup: 1 + (i % 8),
  birthDate: 3_000 + ((i * 211) % 15_000),
  stateCode: 7,
  districtCode: 94 + (i % 3),
});

export const vitals = (measuredAt: number, i: number) => ({
  measuredAt,
  temperatureCentiC: 3650 + (i % 200),
  systolicMmHg: 110 + (i % 30),
  diastolicMmHg: 70 + (i % 15),
  heartRateBpm: 60 + (i % 60),
  spo2Permille: 940 + (i % 60),
});

/** Deploys DocTel and writes one of every kind of event; returns the actors. */
export async function seedNetwork(chain: TestChain): Promise<Cast> {
  const [governance, staff, doctor, doctor2, device, analyst] = chain.wallets as TestWalletClient[];
  const { address, deployBlock } = await chain.deployDocTel({ pepper: PEPPER });
  const send = sender(chain, address);
  await send(governance!, "registerHospital", ["District Hospital Dwarka", 7, 94]);
  await send(governance!, "registerHospital", ["Civil Hospital Pune", 27, 490]);
  await send(governance!, "registerStaff", [staff!.account.address, 1, ref(1)]);
  await send(staff!, "registerDoctor", [doctor!.account.address, ref(2), 1]);
  await send(staff!, "registerDoctor", [doctor2!.account.address, ref(3), 11]);
  await send(staff!, "multicall", [
    [10, 11, 12].map((i) =>
      encodeFunctionData({ abi: docTelAbi, functionName: "registerPatient", args: [ref(i), patientData(i)] }),
    ),
  ]);
  await send(staff!, "updatePatient", [ref(10), { ...patientData(10), weightGrams: 61_000 }]);
  await send(staff!, "registerDevice", [device!.account.address, ref(10)]);
  await send(doctor!, "openTreatment", [ref(10)]); // 1
  await send(staff!, "openTreatment", [ref(11)]); // 2
  await send(staff!, "assignDoctor", [2n, doctor2!.account.address]);
  await send(doctor!, "assignDoctor", [1n, doctor2!.account.address]);
  await send(doctor!, "recordDiagnosis", [1n, stringToHex("A90", { size: 8 })]);
  await send(doctor!, "recordDiagnosis", [1n, stringToHex("A91", { size: 8 })]);
  await send(doctor2!, "recordDiagnosis", [2n, stringToHex("E11.9", { size: 8 })]);
  await send(doctor!, "advanceStage", [1n, 2]);
  await send(doctor!, "attachFile", [1n, 1, "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"]);
  await send(staff!, "attachFile", [2n, 0, "QmVxiUDRd4WfTmmobb6dTrSpYyoV34wafgMUvJ6DSDE1S9"]);
  const now = Number((await chain.publicClient.getBlock()).timestamp);
  await send(device!, "recordVitalsBatch", [
    1n,
    Array.from({ length: 20 }, (_, i) => vitals(now - 600 + i * 30, i)),
  ]);
  await send(doctor2!, "recordVitals", [2n, { ...vitals(now, 3), systolicMmHg: 0, diastolicMmHg: 0 }]);
  await send(doctor2!, "unassignDoctor", [2n, doctor2!.account.address]);
  await send(doctor2!, "advanceStage", [1n, 4]);
  const analystRole = await chain.publicClient.readContract({
    address,
    abi: docTelAbi,
    functionName: "ANALYST_ROLE",
  });
  await send(governance!, "grantRole", [analystRole, analyst!.account.address]);
  await send(governance!, "grantRole", [analystRole, device!.account.address]);
  await send(governance!, "revokeRole", [analystRole, device!.account.address]);
  return {
    address,
    deployBlock,
    governance: governance!,
    staff: staff!,
    doctor: doctor!,
    doctor2: doctor2!,
    device: device!,
    analyst: analyst!,
  };
}

/**
 * `rounds` × 3 more blocks of patients, treatments and vitals batches: a backfill long enough to
 * interrupt (kill the indexer, stop the database) in its middle.
 */
export async function addBackfill(
  chain: TestChain,
  cast: Cast,
  rounds: number,
  readings = 10,
): Promise<void> {
  const send = sender(chain, cast.address);
  for (let i = 0; i < rounds; i++) {
    await send(cast.staff, "multicall", [
      [0, 1, 2].map((j) =>
        encodeFunctionData({
          abi: docTelAbi,
          functionName: "registerPatient",
          args: [ref(1000 + i * 3 + j), patientData(i * 3 + j)],
        }),
      ),
    ]);
    await send(cast.staff, "openTreatment", [ref(1000 + i * 3)]);
    const now = Number((await chain.publicClient.getBlock()).timestamp);
    await send(cast.staff, "recordVitalsBatch", [
      BigInt(3 + i),
      Array.from({ length: readings }, (_, k) => vitals(now - k, k + i)),
    ]);
  }
}
