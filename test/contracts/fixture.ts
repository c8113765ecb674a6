/**
 * The contract test harness: one in-process chain per test file, DocTel deployed with viem from
 * the generated ABI, a small realistic world (two hospitals, their staff, doctors, a device,
 * two patients, one open treatment), and an EVM snapshot around every test so that each test
 * starts from that same world.
 */
import { network } from "hardhat";
import {
  type Address,
  BaseError,
  type ContractErrorName,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  custom,
  decodeErrorResult,
  getAddress,
  getContract,
  type Hash,
  type Hex,
  isHex,
  keccak256,
  parseEventLogs,
  stringToHex,
  type TransactionReceipt,
} from "viem";
import { hardhat } from "viem/chains";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { docTelAbi, docTelBytecode } from "../../shared/abi/generated/DocTel.ts";
import { completeAadhaar } from "../../shared/identity/aadhaar.ts";
import { aadhaarReference, referenceKeyId } from "../../shared/identity/reference.ts";

// ------------------------------------------------------------------ enums, as the contract numbers them
export const Kind = { None: 0, Staff: 1, Doctor: 2, Device: 3 } as const;
export const Stage = { Admitted: 0, Diagnosed: 1, InTreatment: 2, Discharged: 3, Closed: 4 } as const;
export const Sex = { Unknown: 0, Female: 1, Male: 2, Other: 3 } as const;
export const BloodGroup = {
  Unknown: 0,
  APos: 1,
  ANeg: 2,
  BPos: 3,
  BNeg: 4,
  ABPos: 5,
  ABNeg: 6,
  OPos: 7,
  ONeg: 8,
} as const;
export const FileKind = { Prescription: 0, LabReport: 1, Imaging: 2, DischargeSummary: 3, Other: 4 } as const;
/** The `field` argument of VitalOutOfRange. */
export const VitalField = {
  Temperature: 0,
  Systolic: 1,
  Diastolic: 2,
  HeartRate: 3,
  Spo2: 4,
  MeasuredAt: 5,
} as const;

export const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;
export const DEFAULT_ADMIN_ROLE: Hex = ZERO_HASH;
export const ANALYST_ROLE = keccak256(stringToHex("ANALYST_ROLE"));
export const PUBLIC_HEALTH_ROLE = keccak256(stringToHex("PUBLIC_HEALTH_ROLE"));
export const AUDITOR_ROLE = keccak256(stringToHex("AUDITOR_ROLE"));
export const DAY = 86_400;
/** Delay of the governance handover in the test deployment. */
export const ADMIN_DELAY = 3 * DAY;

/** A test pepper (never a real one): 32+ bytes, as `referenceKeyId` requires. */
export const PEPPER = new TextEncoder().encode("doctel test pepper, not a secret, 0123456789");
export const KEY_ID = referenceKeyId(PEPPER);

/** The reference of the synthetic person whose Aadhaar starts with these 11 digits. */
export function personRef(first11: string): Hex {
  return aadhaarReference(PEPPER, completeAadhaar(first11));
}

/** An ICD-10 code as the contract takes it: ASCII, left-aligned, zero-padded to 8 bytes. */
export function icd10(code: string): Hex {
  return stringToHex(code, { size: 8 });
}

export interface PatientData {
  weightGrams: number;
  heightCm: number;
  sex: number;
  bloodGroup: number;
  birthDate: number;
  stateCode: number;
  districtCode: number;
}

/** A plausible adult (born 1994-08-23, i.e. day 9000), with fields replaced by `over`. */
export function patientData(over: Partial<PatientData> = {}): PatientData {
  return {
    weightGrams: 62_500,
    heightCm: 165,
    sex: Sex.Female,
    bloodGroup: BloodGroup.OPos,
    birthDate: 9_000,
    stateCode: 7,
    districtCode: 79,
    ...over,
  };
}

export interface Vitals {
  measuredAt: number;
  temperatureCentiC: number;
  systolicMmHg: number;
  diastolicMmHg: number;
  heartRateBpm: number;
  spo2Permille: number;
}

/** A full, normal set of vitals measured at `measuredAt`, with fields replaced by `over`. */
export function vitals(measuredAt: number, over: Partial<Vitals> = {}): Vitals {
  return {
    measuredAt,
    temperatureCentiC: 3_700,
    systolicMmHg: 120,
    diastolicMmHg: 80,
    heartRateBpm: 72,
    spo2Permille: 980,
    ...over,
  };
}

// ------------------------------------------------------------------ the world
/** Who is who. Hospital 1 and 2 are registered; analyst holds ANALYST_ROLE. */
export const ACTOR_NAMES = [
  "governance",
  "staff1",
  "staff2",
  "doctor1",
  "doctor2",
  "doctor3",
  "device",
  "outsider",
  "analyst",
  "multisig",
  "spare1",
  "spare2",
] as const;
export type ActorName = (typeof ACTOR_NAMES)[number];

export const HOSPITAL_1 = {
  id: 1,
  name: "District Hospital Gurugram",
  stateCode: 6,
  districtCode: 62,
} as const;
export const HOSPITAL_2 = { id: 2, name: "KEM Hospital Mumbai", stateCode: 27, districtCode: 482 } as const;

/** References of the people in the world. */
export const REFS = {
  staff1: personRef("23412341234"),
  staff2: personRef("23412341235"),
  doctor1: personRef("34534534534"),
  doctor2: personRef("34534534535"),
  doctor3: personRef("34534534536"),
  patientA: personRef("45645645645"),
  patientB: personRef("45645645646"),
  patientC: personRef("45645645647"),
  spare: personRef("56756756756"),
} as const;

/** Specialty codes used by the world (1..64, from shared/reference). */
export const SPECIALTY = { doctor1: 12, doctor2: 7, doctor3: 30 } as const;

/** Treatment 1: patient A at hospital 1, opened by staff1, doctor1 assigned, stage Admitted. */
export const T1 = 1n;

function makeClients(conn: Awaited<ReturnType<typeof network.create>>) {
  const transport = custom(conn.provider);
  const publicClient = createPublicClient({ chain: hardhat, transport });
  const wallet = (account: Address) => createWalletClient({ account, chain: hardhat, transport });
  return { publicClient, wallet };
}

function contractAt(
  address: Address,
  publicClient: ReturnType<typeof makeClients>["publicClient"],
  wallet: ReturnType<ReturnType<typeof makeClients>["wallet"]>,
) {
  return getContract({ abi: docTelAbi, address, client: { public: publicClient, wallet } });
}

export type DocTelContract = ReturnType<typeof contractAt>;

export interface DecodedEvent {
  eventName: string;
  args: Record<string, unknown>;
}

export interface Mined {
  receipt: TransactionReceipt;
  /** Every log of the transaction decoded with the DocTel ABI, in order. */
  events: DecodedEvent[];
}

export interface Fixture {
  address: Address;
  publicClient: ReturnType<typeof makeClients>["publicClient"];
  /** Checksummed addresses of the actors. */
  actors: Record<ActorName, Address>;
  /** The contract, connected as each actor. */
  as: Record<ActorName, DocTelContract>;
  /** Any of the 20 prefunded accounts, connected. */
  connect(account: Address): DocTelContract;
  /** Waits for a transaction, asserts success, decodes its logs. */
  mined(tx: Promise<Hash>): Promise<Mined>;
  /** Deploys a fresh DocTel (for constructor tests). */
  deploy(args: { from: Address; delay?: number; governance?: Address; keyId?: Hex }): Promise<Mined>;
  /** The latest block's timestamp. */
  now(): Promise<number>;
  /** Fixes the next block's timestamp (must be later than the latest). */
  setNextTimestamp(seconds: number): Promise<void>;
  increaseTime(seconds: number): Promise<void>;
  rpc(method: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Every log of the receipt decoded with the DocTel ABI, in order, as the tests compare them:
 * without the events' numbers (`seq`) and without the AccessControlSequenced events that number
 * OpenZeppelin's; checkNumbering() checks those.
 */
export function decodeEvents(receipt: TransactionReceipt): DecodedEvent[] {
  return decodeNumbered(receipt)
    .filter((e) => e.eventName !== "AccessControlSequenced")
    .map(({ eventName, args: { seq: _seq, ...args } }) => ({ eventName, args }));
}

/** Every log decoded, numbers and AccessControlSequenced included. */
export function decodeNumbered(receipt: TransactionReceipt): DecodedEvent[] {
  return parseEventLogs({ abi: docTelAbi, logs: receipt.logs, strict: true }).map((log) => ({
    eventName: log.eventName,
    // Events without fields decode to `args: undefined`.
    args: (log.args ?? {}) as Record<string, unknown>,
  }));
}

/**
 * The numbering every transaction must keep: its events numbered on from `before` (the
 * contract's eventSequence before it) with no gap up to `after`; each run of OpenZeppelin
 * access-control events numbered by an AccessControlSequenced right after it, counting them.
 */
export function checkNumbering(receipt: TransactionReceipt, before: bigint, after: bigint): void {
  let next = before + 1n;
  let open = 0;
  for (const { eventName, args } of decodeNumbered(receipt)) {
    if (eventName === "AccessControlSequenced") {
      expect(args, `${eventName} in ${receipt.transactionHash}`).toEqual({ seq: next++, count: open });
      open = 0;
    } else if ("seq" in args) {
      expect(open, `access-control events left without a number before ${eventName}`).toBe(0);
      expect(args.seq, `${eventName} in ${receipt.transactionHash}`).toBe(next++);
    } else {
      open++;
    }
  }
  expect(open, `access-control events left without a number in ${receipt.transactionHash}`).toBe(0);
  expect(next - 1n, `the contract's eventSequence after ${receipt.transactionHash}`).toBe(after);
}

async function createFixture(conn: Awaited<ReturnType<typeof network.create>>): Promise<Fixture> {
  const { publicClient, wallet } = makeClients(conn);
  const rpc = (method: string, params: unknown[] = []) => conn.provider.request({ method, params });
  const accounts = ((await rpc("eth_accounts")) as string[]).map((a) => getAddress(a));
  const actors = Object.fromEntries(
    ACTOR_NAMES.map((name, i) => {
      const account = accounts[i];
      if (account === undefined) throw new Error(`the chain has no account #${i} for ${name}`);
      return [name, account];
    }),
  ) as Record<ActorName, Address>;

  const mined = async (tx: Promise<Hash>): Promise<Mined> => {
    const hash = await tx;
    // Every transaction is mined at once (automine), so the receipt exists when the hash returns.
    const receipt = await publicClient.getTransactionReceipt({ hash });
    expect(receipt.status, `transaction ${hash}`).toBe("success");
    // Every log is a DocTel event: nothing the indexer could not decode.
    expect(decodeNumbered(receipt).length, `decoded logs of ${hash}`).toBe(receipt.logs.length);
    // And numbered: the contract's count moved by exactly the events it emitted.
    const address = receipt.contractAddress ?? receipt.to;
    if (address && receipt.logs.length > 0) {
      const sequenceAt = (blockNumber: bigint) =>
        publicClient.readContract({ address, abi: docTelAbi, functionName: "eventSequence", blockNumber });
      const before = receipt.contractAddress ? 0n : await sequenceAt(receipt.blockNumber - 1n);
      checkNumbering(receipt, before, await sequenceAt(receipt.blockNumber));
    }
    return { receipt, events: decodeEvents(receipt) };
  };

  const deploy: Fixture["deploy"] = ({ from, delay = ADMIN_DELAY, governance = from, keyId = KEY_ID }) =>
    mined(
      wallet(from).deployContract({
        abi: docTelAbi,
        bytecode: docTelBytecode,
        args: [delay, governance, keyId],
      }),
    );

  const { receipt } = await deploy({ from: actors.governance });
  const address = receipt.contractAddress;
  if (!address) throw new Error("DocTel deployment returned no contract address");
  const connect = (account: Address) => contractAt(address, publicClient, wallet(account));
  const as = Object.fromEntries(ACTOR_NAMES.map((name) => [name, connect(actors[name])])) as Record<
    ActorName,
    DocTelContract
  >;

  const now = async () => Number((await publicClient.getBlock()).timestamp);
  const fx: Fixture = {
    address,
    publicClient,
    actors,
    as,
    connect,
    mined,
    deploy,
    now,
    setNextTimestamp: async (seconds) => {
      await rpc("evm_setNextBlockTimestamp", [seconds]);
    },
    increaseTime: async (seconds) => {
      await rpc("evm_increaseTime", [seconds]);
      await rpc("evm_mine");
    },
    rpc,
  };
  await buildWorld(fx);
  return fx;
}

/** The shared starting world of every test. */
async function buildWorld(fx: Fixture): Promise<void> {
  const { as, actors, mined } = fx;
  for (const h of [HOSPITAL_1, HOSPITAL_2]) {
    await mined(as.governance.write.registerHospital([h.name, h.stateCode, h.districtCode]));
  }
  await mined(as.governance.write.registerStaff([actors.staff1, HOSPITAL_1.id, REFS.staff1]));
  await mined(as.governance.write.registerStaff([actors.staff2, HOSPITAL_2.id, REFS.staff2]));
  await mined(as.staff1.write.registerDoctor([actors.doctor1, REFS.doctor1, SPECIALTY.doctor1]));
  await mined(as.staff1.write.registerDoctor([actors.doctor2, REFS.doctor2, SPECIALTY.doctor2]));
  await mined(as.staff2.write.registerDoctor([actors.doctor3, REFS.doctor3, SPECIALTY.doctor3]));
  await mined(as.staff1.write.registerPatient([REFS.patientA, patientData()]));
  await mined(
    as.staff1.write.registerPatient([
      REFS.patientB,
      patientData({ sex: Sex.Male, weightGrams: 80_000, heightCm: 178, birthDate: 3_000 }),
    ]),
  );
  await mined(as.staff1.write.registerDevice([actors.device, REFS.patientA]));
  await mined(as.staff1.write.openTreatment([REFS.patientA]));
  await mined(as.staff1.write.assignDoctor([T1, actors.doctor1]));
  await mined(as.governance.write.grantRole([ANALYST_ROLE, actors.analyst]));
}

/**
 * Registers the per-file chain and the per-test snapshot hooks; returns a getter for the fixture
 * (available inside tests and hooks).
 */
export function useDocTel(): () => Fixture {
  let conn: Awaited<ReturnType<typeof network.create>> | undefined;
  let fx: Fixture | undefined;
  let snapshot: unknown;
  beforeAll(async () => {
    conn = await network.create({ network: "node" });
    fx = await createFixture(conn);
  });
  afterAll(async () => {
    await conn?.close();
  });
  beforeEach(async () => {
    snapshot = await fx?.rpc("evm_snapshot");
  });
  afterEach(async () => {
    const reverted = await fx?.rpc("evm_revert", [snapshot]);
    if (reverted !== true) throw new Error(`evm_revert(${String(snapshot)}) failed: test isolation is lost`);
  });
  return () => {
    if (!fx) throw new Error("the DocTel fixture is used before its beforeAll hook ran");
    return fx;
  };
}

// ------------------------------------------------------------------ assertions
export type DocTelErrorName = ContractErrorName<typeof docTelAbi>;

/**
 * Asserts that `call` (a write, simulate or read) reverts with the custom error `errorName` and
 * exactly these arguments, decoded with the DocTel ABI.
 */
export async function expectRevert(
  call: Promise<unknown>,
  errorName: DocTelErrorName,
  args: readonly unknown[] = [],
): Promise<void> {
  const outcome = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) {
    throw new Error(`expected a revert with ${errorName}, but the call succeeded (${String(outcome.value)})`);
  }
  const { error } = outcome;
  if (!(error instanceof BaseError)) throw error;
  expect(decodeRevert(error)).toEqual({ errorName, args: [...args] });
}

/**
 * The custom error in a viem error: already decoded for contract calls, raw revert data (decoded
 * here with the DocTel ABI) for deployments.
 */
function decodeRevert(error: BaseError): { errorName: string; args: readonly unknown[] } {
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.data !== undefined) {
    return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
  const withData = error.walk((e) => isHex((e as { data?: unknown } | null)?.data));
  const data = (withData as { data?: unknown } | null)?.data;
  if (!isHex(data) || data.length < 10) {
    throw new Error(`expected a custom error, got: ${error.shortMessage}`, { cause: error });
  }
  const decoded = decodeErrorResult({ abi: docTelAbi, data });
  return { errorName: decoded.errorName, args: decoded.args ?? [] };
}

/** Asserts a transaction went through and returns its decoded events. */
export async function expectOk(fx: Fixture, tx: Promise<Hash>): Promise<DecodedEvent[]> {
  return (await fx.mined(tx)).events;
}
