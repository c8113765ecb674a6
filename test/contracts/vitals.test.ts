/**
 * Vitals: scaled integers where 0 means "not measured", each range checked from both sides, blood
 * pressure as a pair, the measurement time, who may record, and batches of up to 512 readings.
 */
import { describe, expect, it } from "vitest";
import {
  expectRevert,
  type Fixture,
  REFS,
  T1,
  useDocTel,
  VitalField,
  type Vitals,
  vitals,
} from "./fixture.ts";

const get = useDocTel();

/** Only one field measured (plus the time). */
function only(measuredAt: number, over: Partial<Vitals>): Vitals {
  return vitals(measuredAt, {
    temperatureCentiC: 0,
    systolicMmHg: 0,
    diastolicMmHg: 0,
    heartRateBpm: 0,
    spo2Permille: 0,
    ...over,
  });
}

interface Bound {
  what: string;
  accepted: Partial<Vitals>;
  rejected: Partial<Vitals>;
  field: number;
  value: bigint;
}

const bounds: Bound[] = [
  {
    what: "lowest temperature (25.00 °C)",
    accepted: { temperatureCentiC: 2_500 },
    rejected: { temperatureCentiC: 2_499 },
    field: VitalField.Temperature,
    value: 2_499n,
  },
  {
    what: "highest temperature (45.00 °C)",
    accepted: { temperatureCentiC: 4_500 },
    rejected: { temperatureCentiC: 4_501 },
    field: VitalField.Temperature,
    value: 4_501n,
  },
  {
    what: "lowest systolic pressure (40 mmHg)",
    accepted: { systolicMmHg: 40, diastolicMmHg: 20 },
    rejected: { systolicMmHg: 39, diastolicMmHg: 20 },
    field: VitalField.Systolic,
    value: 39n,
  },
  {
    what: "highest systolic pressure (300 mmHg)",
    accepted: { systolicMmHg: 300, diastolicMmHg: 120 },
    rejected: { systolicMmHg: 301, diastolicMmHg: 120 },
    field: VitalField.Systolic,
    value: 301n,
  },
  {
    what: "lowest diastolic pressure (20 mmHg)",
    accepted: { systolicMmHg: 90, diastolicMmHg: 20 },
    rejected: { systolicMmHg: 90, diastolicMmHg: 19 },
    field: VitalField.Diastolic,
    value: 19n,
  },
  {
    what: "highest diastolic pressure (200 mmHg)",
    accepted: { systolicMmHg: 260, diastolicMmHg: 200 },
    rejected: { systolicMmHg: 260, diastolicMmHg: 201 },
    field: VitalField.Diastolic,
    value: 201n,
  },
  {
    what: "lowest heart rate (20 bpm)",
    accepted: { heartRateBpm: 20 },
    rejected: { heartRateBpm: 19 },
    field: VitalField.HeartRate,
    value: 19n,
  },
  {
    what: "highest heart rate (300 bpm)",
    accepted: { heartRateBpm: 300 },
    rejected: { heartRateBpm: 301 },
    field: VitalField.HeartRate,
    value: 301n,
  },
  {
    what: "lowest SpO2 (50.0 %)",
    accepted: { spo2Permille: 500 },
    rejected: { spo2Permille: 499 },
    field: VitalField.Spo2,
    value: 499n,
  },
  {
    what: "highest SpO2 (100.0 %)",
    accepted: { spo2Permille: 1_000 },
    rejected: { spo2Permille: 1_001 },
    field: VitalField.Spo2,
    value: 1_001n,
  },
  {
    what: "diastolic just below systolic",
    accepted: { systolicMmHg: 100, diastolicMmHg: 99 },
    rejected: { systolicMmHg: 100, diastolicMmHg: 100 },
    field: VitalField.Diastolic,
    value: 100n,
  },
];

describe("recordVitals ranges", () => {
  for (const b of bounds) {
    it(`accepts the ${b.what}, because it is inside the range`, async () => {
      const fx = get();
      const v = only(await fx.now(), b.accepted);
      const { events } = await fx.mined(fx.as.staff1.write.recordVitals([T1, v]));
      expect(events).toEqual([
        { eventName: "VitalsRecorded", args: { treatmentId: T1, recorder: fx.actors.staff1, ...v } },
      ]);
    });

    it(`refuses one step past the ${b.what} with VitalOutOfRange, because it is outside the range`, async () => {
      const fx = get();
      await expectRevert(
        fx.as.staff1.write.recordVitals([T1, only(await fx.now(), b.rejected)]),
        "VitalOutOfRange",
        [b.field, b.value],
      );
    });
  }

  it("accepts a full normal set, because every value is in range", async () => {
    const fx = get();
    await fx.mined(fx.as.device.write.recordVitals([T1, vitals(await fx.now())]));
  });

  it("refuses a systolic pressure without its diastolic with VitalOutOfRange(diastolic, 0), because pressure is a pair", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.recordVitals([T1, only(await fx.now(), { systolicMmHg: 120 })]),
      "VitalOutOfRange",
      [VitalField.Diastolic, 0n],
    );
  });

  it("refuses a diastolic pressure without its systolic with VitalOutOfRange(diastolic), because pressure is a pair", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.recordVitals([T1, only(await fx.now(), { diastolicMmHg: 80 })]),
      "VitalOutOfRange",
      [VitalField.Diastolic, 80n],
    );
  });

  it("refuses a reading with nothing measured with EmptyVitals, because it carries no information", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.recordVitals([T1, only(await fx.now(), {})]), "EmptyVitals");
  });

  for (const [field, over] of [
    ["temperature", { temperatureCentiC: 3_650 }],
    ["blood pressure", { systolicMmHg: 118, diastolicMmHg: 76 }],
    ["heart rate", { heartRateBpm: 64 }],
    ["SpO2", { spo2Permille: 970 }],
  ] as const) {
    it(`accepts ${field} alone, because 0 means "not measured" for the other fields`, async () => {
      const fx = get();
      const v = only(await fx.now(), over);
      const { events } = await fx.mined(fx.as.device.write.recordVitals([T1, v]));
      expect(events[0]?.args).toEqual({ treatmentId: T1, recorder: fx.actors.device, ...v });
    });
  }
});

describe("measurement time", () => {
  /** Pins the next block's timestamp and returns it. */
  async function pinNext(fx: Fixture): Promise<number> {
    const next = (await fx.now()) + 100;
    await fx.setNextTimestamp(next);
    return next;
  }

  it("accepts a reading measured in the block's own second, because it is not in the future", async () => {
    const fx = get();
    const next = await pinNext(fx);
    const { events } = await fx.mined(fx.as.device.write.recordVitals([T1, vitals(next)]));
    expect(events[0]?.args.measuredAt).toBe(next);
  });

  it("refuses a reading measured one second after the block with VitalOutOfRange(measuredAt), because it is in the future", async () => {
    const fx = get();
    const next = await pinNext(fx);
    await expectRevert(fx.as.device.write.recordVitals([T1, vitals(next + 1)]), "VitalOutOfRange", [
      VitalField.MeasuredAt,
      BigInt(next + 1),
    ]);
  });

  it("accepts measuredAt 1, because the only lower bound is that a time is given", async () => {
    const fx = get();
    await fx.mined(fx.as.device.write.recordVitals([T1, vitals(1)]));
  });

  it("refuses measuredAt 0 with VitalOutOfRange(measuredAt, 0), because a reading needs its time", async () => {
    const fx = get();
    await expectRevert(fx.as.device.write.recordVitals([T1, vitals(0)]), "VitalOutOfRange", [
      VitalField.MeasuredAt,
      0n,
    ]);
  });
});

describe("devices", () => {
  it("refuses a device bound to another patient with NotVitalsRecorder, because a device records for its patient only", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.registerDevice([fx.actors.spare1, REFS.patientB]));
    await expectRevert(fx.as.spare1.write.recordVitals([T1, vitals(await fx.now())]), "NotVitalsRecorder", [
      fx.actors.spare1,
      T1,
    ]);
  });

  it("lets a device record for every treatment of its patient at its hospital, because the binding is per patient", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.openTreatment([REFS.patientA]));
    await fx.mined(fx.as.device.write.recordVitals([2n, vitals(await fx.now())]));
  });

  it("refuses a device writing into its patient's treatment at another hospital with NotVitalsRecorder, because only its own hospital can revoke it", async () => {
    const fx = get();
    await fx.mined(fx.as.staff2.write.openTreatment([REFS.patientA]));
    await expectRevert(fx.as.device.write.recordVitals([2n, vitals(await fx.now())]), "NotVitalsRecorder", [
      fx.actors.device,
      2n,
    ]);
  });

  it("lets a cross-hospital doctor assigned to the treatment record vitals, because the assignment makes them care team", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor3]));
    await fx.mined(fx.as.doctor3.write.recordVitals([T1, vitals(await fx.now())]));
  });
});

describe("recordVitalsBatch", () => {
  async function readings(fx: Fixture, n: number): Promise<Vitals[]> {
    const t = await fx.now();
    return Array.from({ length: n }, (_, i) => vitals(t - (n - 1 - i) * 60, { heartRateBpm: 60 + (i % 40) }));
  }

  it("records one reading, because a batch of one is a batch", async () => {
    const fx = get();
    const [v] = await readings(fx, 1);
    const { events } = await fx.mined(fx.as.device.write.recordVitalsBatch([T1, [v!]]));
    expect(events).toEqual([
      { eventName: "VitalsRecorded", args: { treatmentId: T1, recorder: fx.actors.device, ...v } },
    ]);
  });

  it("records 512 readings in order, one event each, because 512 is the largest batch", async () => {
    const fx = get();
    const batch = await readings(fx, 512);
    const { events } = await fx.mined(fx.as.device.write.recordVitalsBatch([T1, batch]));
    expect(events).toEqual(
      batch.map((v) => ({
        eventName: "VitalsRecorded",
        args: { treatmentId: T1, recorder: fx.actors.device, ...v },
      })),
    );
  });

  it("refuses 513 readings with BatchTooLarge, because a batch holds at most 512", async () => {
    const fx = get();
    await expectRevert(fx.as.device.write.recordVitalsBatch([T1, await readings(fx, 513)]), "BatchTooLarge", [
      513n,
      512n,
    ]);
  });

  it("refuses an empty batch with EmptyVitals, because it carries no information", async () => {
    const fx = get();
    await expectRevert(fx.as.device.write.recordVitalsBatch([T1, []]), "EmptyVitals");
  });

  it("refuses the whole batch when one reading is out of range, because a batch is atomic", async () => {
    const fx = get();
    const batch = await readings(fx, 8);
    batch[5] = { ...batch[5]!, spo2Permille: 1_001 };
    await expectRevert(fx.as.device.write.recordVitalsBatch([T1, batch]), "VitalOutOfRange", [
      VitalField.Spo2,
      1_001n,
    ]);
  });

  it("refuses the whole batch when one reading is empty, because a batch is atomic", async () => {
    const fx = get();
    const batch = await readings(fx, 3);
    batch[2] = only(batch[2]!.measuredAt, {});
    await expectRevert(fx.as.device.write.recordVitalsBatch([T1, batch]), "EmptyVitals");
  });
});
