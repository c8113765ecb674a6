import { decodeEventLog } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeAttachFile } from "../../sdk/encoders/treatments.ts";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { AADHAAR, buildScenario, type Scenario, useApiWorld, W } from "./harness.ts";

const world = useApiWorld();
let s: Scenario;
let staff: string;
let doctor: string;

beforeAll(async () => {
  s = await buildScenario(world);
  staff = await world.signIn(W.staff1);
  doctor = await world.signIn(W.doctor);
});

interface TimelineEvent {
  name: string;
  time: string;
  actor: string;
  blockNumber: string;
  logIndex: number;
  txHash: string;
  args: Record<string, unknown>;
}

describe("a treatment's timeline (FHIR Provenance)", () => {
  it("lists every event of the treatment in chain order, each traceable to its block and transaction", async () => {
    const res = await world.gql<{ treatment: { timeline: { nodes: TimelineEvent[] } } }>(
      `{ treatment(id: "${s.t1}") { timeline(first: 50) { nodes { name time actor blockNumber logIndex txHash args } } } }`,
      {},
      staff,
    );
    expect(res.errors).toBeUndefined();
    const events = res.data!.treatment.timeline.nodes;
    expect(events.map((e) => e.name)).toEqual([
      "TreatmentOpened",
      "DoctorAssigned",
      "DiagnosisRecorded",
      "StageAdvanced",
      "VitalsRecorded",
      "VitalsRecorded",
      "VitalsRecorded",
    ]);
    const keys = events.map((e) => [BigInt(e.blockNumber), e.logIndex] as const);
    const sorted = [...keys].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
    expect(keys).toEqual(sorted);
    const opened = events[0]!;
    const receipt = await world.chain.publicClient.getTransactionReceipt({
      hash: opened.txHash as `0x${string}`,
    });
    expect(receipt.blockNumber).toBe(BigInt(opened.blockNumber));
    expect(opened.actor).toBe(world.wallet(W.staff1).account.address.toLowerCase());
  });

  it("gives a vitals event the args decoded from its log, though the index keeps its readings only in vital", async () => {
    const res = await world.gql<{ treatment: { timeline: { nodes: TimelineEvent[] } } }>(
      `{ treatment(id: "${s.t1}") { timeline(first: 50) { nodes { name logIndex txHash args } } } }`,
      {},
      staff,
    );
    expect(res.errors).toBeUndefined();
    const vitals = res.data!.treatment.timeline.nodes.filter((e) => e.name === "VitalsRecorded");
    expect(vitals).toHaveLength(3);
    for (const event of vitals) {
      const receipt = await world.chain.publicClient.getTransactionReceipt({
        hash: event.txHash as `0x${string}`,
      });
      const log = receipt.logs.find((l) => l.logIndex === event.logIndex)!;
      const { eventName, args } = decodeEventLog({ abi: docTelAbi, data: log.data, topics: log.topics });
      expect(eventName).toBe("VitalsRecorded");
      const a = args as unknown as Record<string, bigint | number | string>;
      expect(event.args).toEqual({
        treatmentId: String(a.treatmentId),
        recorder: String(a.recorder).toLowerCase(),
        measuredAt: a.measuredAt,
        temperatureCentiC: a.temperatureCentiC,
        systolicMmHg: a.systolicMmHg,
        diastolicMmHg: a.diastolicMmHg,
        heartRateBpm: a.heartRateBpm,
        spo2Permille: a.spo2Permille,
      });
    }
    // The last reading had no blood pressure: 0 on-chain (NULL in vital), 0 in the args.
    expect(vitals[2]!.args).toMatchObject({ systolicMmHg: 0, diastolicMmHg: 0, spo2Permille: 975 });
  });

  it("pages through the timeline with cursors, without repeating or skipping events", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: Awaited<
        ReturnType<
          typeof world.gql<{
            treatment: {
              timeline: { nodes: TimelineEvent[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
            };
          }>
        >
      > = await world.gql(
        `query ($after: String) { treatment(id: "${s.t1}") { timeline(first: 3, after: $after) { nodes { blockNumber logIndex } pageInfo { hasNextPage endCursor } } } }`,
        { after },
        staff,
      );
      const timeline = res.data!.treatment.timeline;
      seen.push(...timeline.nodes.map((e) => `${e.blockNumber}:${e.logIndex}`));
      if (!timeline.pageInfo.hasNextPage) break;
      after = timeline.pageInfo.endCursor;
    }
    expect(seen.length).toBe(7);
    expect(new Set(seen).size).toBe(7);
  });
});

describe("treatments search (FHIR Encounter)", () => {
  it("filters by diagnosis category, stage and patient, and shows the care team and diagnosis name", async () => {
    const res = await world.gql<{
      treatments: {
        nodes: {
          id: string;
          stage: string;
          diagnosis: { code: string; category: string; chapter: number; name: string };
          careTeam: { doctor: { account: string; specialty: { key: string } } }[];
        }[];
      };
    }>(
      `query ($aadhaar: String) {
        treatments(filter: { diagnosisCategory: "E11", stages: [DIAGNOSED], patientAadhaar: $aadhaar }) {
          nodes { id stage diagnosis { code category chapter name } careTeam { doctor { account specialty { key } } } }
        }
      }`,
      { aadhaar: AADHAAR.patient1 },
      staff,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.treatments.nodes).toHaveLength(1);
    const t = res.data!.treatments.nodes[0]!;
    expect(t.id).toBe(s.t1);
    expect(t.diagnosis).toMatchObject({ code: "E11.9", category: "E11", chapter: 4 });
    expect(t.diagnosis.name).toMatch(/diabetes/i);
    expect(t.careTeam.map((c) => c.doctor.specialty.key)).toEqual(["ENDOCRINOLOGY"]);
    const none = await world.gql<{ treatments: { nodes: unknown[] } }>(
      `{ treatments(filter: { stages: [CLOSED] }) { nodes { id } } }`,
      {},
      staff,
    );
    expect(none.data!.treatments.nodes).toEqual([]);
  });

  it("filters by the doctor assigned and by a date range", async () => {
    const doctorAddress = world.wallet(W.doctor).account.address;
    const res = await world.gql<{ treatments: { nodes: { id: string }[] } }>(
      `query ($d: Address) { treatments(filter: { doctor: $d }) { nodes { id } } }`,
      { d: doctorAddress },
      staff,
    );
    expect(res.data!.treatments.nodes.map((t) => t.id)).toEqual([s.t1]);
    const future = await world.gql<{ treatments: { nodes: unknown[] } }>(
      `{ treatments(filter: { openedFrom: "2999-01-01T00:00:00Z" }) { nodes { id } } }`,
      {},
      staff,
    );
    expect(future.data!.treatments.nodes).toEqual([]);
  });

  it("pages newest first with keyset cursors and can order oldest first", async () => {
    const first = await world.gql<{
      treatments: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    }>("{ treatments(first: 1) { nodes { id } pageInfo { hasNextPage endCursor } } }", {}, staff);
    expect(first.data!.treatments.nodes.map((t) => t.id)).toEqual([s.t2]);
    expect(first.data!.treatments.pageInfo.hasNextPage).toBe(true);
    const second = await world.gql<{
      treatments: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } };
    }>(
      "query ($a: String) { treatments(first: 1, after: $a) { nodes { id } pageInfo { hasNextPage } } }",
      { a: first.data!.treatments.pageInfo.endCursor },
      staff,
    );
    expect(second.data!.treatments.nodes.map((t) => t.id)).toEqual([s.t1]);
    expect(second.data!.treatments.pageInfo.hasNextPage).toBe(false);
    const asc = await world.gql<{ treatments: { nodes: { id: string }[] } }>(
      "{ treatments(orderBy: OPENED_AT_ASC) { nodes { id } } }",
      {},
      staff,
    );
    expect(asc.data!.treatments.nodes.map((t) => t.id)).toEqual([s.t1, s.t2]);
  });

  it("refuses a cursor it did not make, with BAD_USER_INPUT", async () => {
    const res = await world.gql(`{ treatments(after: "bm90LWEtY3Vyc29y") { nodes { id } } }`, {}, staff);
    expect(res.codes).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("vitals (FHIR Observation)", () => {
  it("returns the raw series in time order, scaled to °C and percent", async () => {
    const res = await world.gql<{
      patient: {
        vitals: {
          time: string;
          temperatureC: number;
          heartRateBpm: number;
          spo2Percent: number | null;
          count: number;
        }[];
      };
    }>(
      `{ patient(ref: "${s.ref1}") { vitals { time temperatureC heartRateBpm spo2Percent count } } }`,
      {},
      doctor,
    );
    expect(res.errors).toBeUndefined();
    const series = res.data!.patient.vitals;
    expect(series.map((v) => v.temperatureC)).toEqual([37, 38, 36.5]);
    expect(series.at(-1)!.spo2Percent).toBe(97.5);
    expect(series[0]!.spo2Percent).toBeNull();
  });

  it("downsamples into day buckets (averages, with the number of readings)", async () => {
    const res = await world.gql<{ treatment: { vitals: { count: number; heartRateBpm: number }[] } }>(
      `{ treatment(id: "${s.t1}") { vitals(bucket: DAY) { time count heartRateBpm } } }`,
      {},
      doctor,
    );
    const buckets = res.data!.treatment.vitals;
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(3);
    const total = buckets.reduce((sum, b) => sum + b.heartRateBpm * b.count, 0);
    expect(total).toBeCloseTo(70 + 90 + 64, 5);
  });

  it("downsamples to at most maxPoints buckets over the readings' span (AUTO), each a whole number of minutes, for charts", async () => {
    type Bucket = { time: string; count: number; heartRateBpm: number };
    const auto = async (maxPoints: number) =>
      (
        await world.gql<{ treatment: { vitals: Bucket[] } }>(
          `{ treatment(id: "${s.t1}") { vitals(bucket: AUTO, maxPoints: ${maxPoints}) { time count heartRateBpm } } }`,
          {},
          doctor,
        )
      ).data!.treatment.vitals;
    // Readings at now - 2 h, now - 1 h and now - 1 min: with 500 buckets, each its own.
    const fine = await auto(500);
    expect(fine.map((b) => b.count)).toEqual([1, 1, 1]);
    // With 2 buckets (width >= the 2-hour span), all three in at most two, averaged.
    const coarse = await auto(2);
    expect(coarse.length).toBeLessThanOrEqual(2);
    expect(coarse.reduce((n, b) => n + b.count, 0)).toBe(3);
    const total = coarse.reduce((sum, b) => sum + b.heartRateBpm * b.count, 0);
    expect(total).toBeCloseTo(70 + 90 + 64, 5);
    for (const b of [...fine, ...coarse]) expect(new Date(b.time).getUTCSeconds()).toBe(0);
  });

  it("reads the series of a whole page of treatments in one statement, not one per treatment (no N+1)", async () => {
    const query = (first: number) =>
      `{ treatments(first: ${first}) { nodes { id vitals(bucket: AUTO, maxPoints: 50) { time count } } } }`;
    const one = await world.countApiStatements(() => world.gql(query(1), {}, staff));
    const many = await world.countApiStatements(() => world.gql(query(20), {}, staff));
    const nodes = (many.result as unknown as { data: { treatments: { nodes: unknown[] } } }).data.treatments
      .nodes;
    expect(nodes.length).toBeGreaterThan(1);
    const vitalsStatements = (c: { statements: string[] }) =>
      c.statements.filter((q) => /FROM vital v/.test(q));
    expect(vitalsStatements(many)).toHaveLength(1);
    expect(many.count).toBe(one.count);
  });

  it("honours time bounds", async () => {
    const from = new Date(Date.now() - 30 * 60_000).toISOString();
    const res = await world.gql<{ patient: { vitals: unknown[] } }>(
      `query ($from: DateTime) { patient(ref: "${s.ref1}") { vitals(from: $from) { time } } }`,
      { from },
      doctor,
    );
    expect(res.data!.patient.vitals).toHaveLength(1);
  });
});

describe("attachments (FHIR DocumentReference)", () => {
  it("shows an attachment's verification status and gives no download link before it is verified", async () => {
    const staffClient = world.client(W.staff1);
    const cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    await staffClient.multicall([encodeAttachFile({ treatmentId: BigInt(s.t1), kind: "LAB_REPORT", cid })]);
    await world.indexed();
    const res = await world.gql<{
      treatment: {
        attachments: { kind: string; cid: string; url: string | null; verification: { status: string } }[];
      };
    }>(`{ treatment(id: "${s.t1}") { attachments { kind cid url verification { status } } } }`, {}, staff);
    expect(res.data!.treatment.attachments).toEqual([
      { kind: "LAB_REPORT", cid, url: null, verification: { status: "PENDING" } },
    ]);
    const download = await fetch(`${world.api.url}/files/${cid}`, {
      headers: { authorization: `Bearer ${staff}` },
    });
    expect(download.status).toBe(409);
    const stranger = await fetch(`${world.api.url}/files/${cid}`, {
      headers: { authorization: `Bearer ${await world.signIn(W.staff2)}` },
    });
    expect(stranger.status).toBe(404);
  });
});

describe("directory", () => {
  it("lists hospitals to any signed-in viewer with their region names", async () => {
    const res = await world.gql<{ hospitals: { nodes: { name: string; state: { name: string } }[] } }>(
      "{ hospitals { nodes { id name state { code name } district { code name } } } }",
      {},
      doctor,
    );
    expect(res.data!.hospitals.nodes.map((h) => h.state.name)).toEqual(["Delhi", "Maharashtra"]);
  });

  it("reports the indexing status with head, lag and finalized block", async () => {
    const res = await world.gql<{
      indexingStatus: { indexedBlock: string; headBlock: string; lagBlocks: string; finalizedBlock: string };
    }>("{ indexingStatus { indexedBlock headBlock lagBlocks finalizedBlock } }");
    const st = res.data!.indexingStatus;
    expect(BigInt(st.lagBlocks)).toBe(BigInt(st.headBlock) - BigInt(st.indexedBlock));
    expect(BigInt(st.finalizedBlock)).toBeLessThanOrEqual(BigInt(st.indexedBlock));
  });
});
