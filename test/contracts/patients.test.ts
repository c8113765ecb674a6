/**
 * Patients: registration and update, each validation bound from both sides (the last accepted
 * value and the first rejected one), and the identity model (only an HMAC reference reaches the
 * chain).
 */
import { type Hex, stringToHex } from "viem";
import { describe, expect, it } from "vitest";
import { completeAadhaar } from "../../shared/identity/aadhaar.ts";
import { aadhaarReference } from "../../shared/identity/reference.ts";
import {
  DAY,
  type DocTelErrorName,
  expectRevert,
  type Fixture,
  HOSPITAL_1,
  HOSPITAL_2,
  KEY_ID,
  type PatientData,
  PEPPER,
  patientData,
  REFS,
  useDocTel,
  ZERO_HASH,
} from "./fixture.ts";

const get = useDocTel();

/** The oldest accepted birth date, in days before today (150 years). */
const MAX_AGE_DAYS = 54_787;

interface Bound {
  field: keyof PatientData;
  accepted: number;
  rejected: number;
  error: DocTelErrorName;
  /** The error's arguments for the rejected value. */
  args: readonly unknown[];
  what: string;
}

const base = patientData();
const bounds: Bound[] = [
  {
    field: "weightGrams",
    accepted: 200,
    rejected: 199,
    error: "InvalidWeight",
    args: [199],
    what: "minimum weight",
  },
  {
    field: "weightGrams",
    accepted: 500_000,
    rejected: 500_001,
    error: "InvalidWeight",
    args: [500_001],
    what: "maximum weight",
  },
  { field: "heightCm", accepted: 1, rejected: 0, error: "InvalidHeight", args: [0], what: "minimum height" },
  {
    field: "heightCm",
    accepted: 300,
    rejected: 301,
    error: "InvalidHeight",
    args: [301],
    what: "maximum height",
  },
  { field: "sex", accepted: 3, rejected: 4, error: "InvalidSex", args: [4], what: "last sex (Other)" },
  {
    field: "bloodGroup",
    accepted: 8,
    rejected: 9,
    error: "InvalidBloodGroup",
    args: [9],
    what: "last blood group (O-)",
  },
  {
    field: "stateCode",
    accepted: 1,
    rejected: 0,
    error: "InvalidRegion",
    args: [0, base.districtCode],
    what: "first state code",
  },
  {
    field: "stateCode",
    accepted: 38,
    rejected: 39,
    error: "InvalidRegion",
    args: [39, base.districtCode],
    what: "last state code",
  },
  {
    field: "districtCode",
    accepted: 1,
    rejected: 0,
    error: "InvalidRegion",
    args: [base.stateCode, 0],
    what: "first district code",
  },
];

/** Both writers of demographics, which share one validation. */
const writers = [
  {
    fn: "registerPatient",
    ref: REFS.patientC,
    send: (fx: Fixture, d: PatientData) => fx.as.staff1.write.registerPatient([REFS.patientC, d]),
    event: "PatientRegistered",
  },
  {
    fn: "updatePatient",
    ref: REFS.patientA,
    send: (fx: Fixture, d: PatientData) => fx.as.staff1.write.updatePatient([REFS.patientA, d]),
    event: "PatientUpdated",
  },
] as const;

for (const writer of writers) {
  describe(`${writer.fn} validation`, () => {
    for (const b of bounds) {
      it(`accepts ${b.field} = ${b.accepted}, because it is the ${b.what} allowed`, async () => {
        const fx = get();
        const d = patientData({ [b.field]: b.accepted });
        const { events } = await fx.mined(writer.send(fx, d));
        expect(events).toEqual([
          {
            eventName: writer.event,
            args: { patientRef: writer.ref, hospitalId: HOSPITAL_1.id, actor: fx.actors.staff1, ...d },
          },
        ]);
      });

      it(`refuses ${b.field} = ${b.rejected} with ${b.error}, because it is past the ${b.what}`, async () => {
        const fx = get();
        await expectRevert(writer.send(fx, patientData({ [b.field]: b.rejected })), b.error, b.args);
      });
    }

    it("accepts sex 0 and blood group 0, because Unknown is a valid answer", async () => {
      const fx = get();
      await fx.mined(writer.send(fx, patientData({ sex: 0, bloodGroup: 0 })));
    });

    it("accepts the largest district code, because district codes have no upper bound on-chain", async () => {
      const fx = get();
      await fx.mined(writer.send(fx, patientData({ districtCode: 65_535 })));
    });

    describe("birth date", () => {
      /** Fixes the next block at noon of a day after the latest block; returns that day number. */
      async function pinToday(fx: Fixture): Promise<number> {
        const today = Math.floor((await fx.now()) / DAY) + 2;
        await fx.setNextTimestamp(today * DAY + DAY / 2);
        return today;
      }

      it("accepts a birth date of today, because a newborn is registered on the day of birth", async () => {
        const fx = get();
        const today = await pinToday(fx);
        const { receipt, events } = await fx.mined(writer.send(fx, patientData({ birthDate: today })));
        expect(events[0]?.args.birthDate).toBe(today);
        // "Today" is the block's day: the transaction ran in the pinned block.
        const block = await fx.publicClient.getBlock({ blockNumber: receipt.blockNumber });
        expect(Number(block.timestamp)).toBe(today * DAY + DAY / 2);
      });

      it("refuses a birth date of tomorrow with InvalidBirthDate, because a birth date cannot be in the future", async () => {
        const fx = get();
        const today = await pinToday(fx);
        await expectRevert(writer.send(fx, patientData({ birthDate: today + 1 })), "InvalidBirthDate", [
          today + 1,
        ]);
      });

      it("accepts a birth date exactly 150 years ago, because that is the oldest age allowed", async () => {
        const fx = get();
        const today = await pinToday(fx);
        const { events } = await fx.mined(writer.send(fx, patientData({ birthDate: today - MAX_AGE_DAYS })));
        expect(events[0]?.args.birthDate).toBe(today - MAX_AGE_DAYS);
      });

      it("refuses a birth date one day more than 150 years ago with InvalidBirthDate, because nobody is that old", async () => {
        const fx = get();
        const today = await pinToday(fx);
        const tooOld = today - MAX_AGE_DAYS - 1;
        await expectRevert(writer.send(fx, patientData({ birthDate: tooOld })), "InvalidBirthDate", [tooOld]);
      });

      it("accepts a birth date before 1970, because birth dates are signed day counts", async () => {
        const fx = get();
        const { events } = await fx.mined(writer.send(fx, patientData({ birthDate: -12_000 })));
        expect(events[0]?.args.birthDate).toBe(-12_000);
      });
    });
  });
}

describe("registerPatient", () => {
  it("records the patient as existing, because later calls check it", async () => {
    const fx = get();
    expect(await fx.as.outsider.read.patientExists([REFS.patientC])).toBe(false);
    await fx.mined(fx.as.doctor1.write.registerPatient([REFS.patientC, patientData()]));
    expect(await fx.as.outsider.read.patientExists([REFS.patientC])).toBe(true);
  });

  it("refuses the zero reference with ZeroReference, because it identifies nobody", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.registerPatient([ZERO_HASH, patientData()]), "ZeroReference");
  });

  it("refuses a patient registered before with PatientAlreadyRegistered, because changes go through updatePatient", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff2.write.registerPatient([REFS.patientA, patientData()]),
      "PatientAlreadyRegistered",
      [REFS.patientA],
    );
  });

  it("records the registering clinician's hospital, because the indexer attributes the record to it", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.doctor3.write.registerPatient([REFS.patientC, patientData()]));
    expect(events[0]?.args.hospitalId).toBe(HOSPITAL_2.id);
  });
});

describe("updatePatient", () => {
  it("refuses an unregistered patient with UnknownPatient, because there is nothing to update", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.updatePatient([REFS.patientC, patientData()]), "UnknownPatient", [
      REFS.patientC,
    ]);
  });

  it("refuses the zero reference with UnknownPatient, because no patient has it", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.updatePatient([ZERO_HASH, patientData()]), "UnknownPatient", [
      ZERO_HASH,
    ]);
  });

  it("may be repeated, because demographics change (weight every visit)", async () => {
    const fx = get();
    for (const weightGrams of [61_000, 60_500]) {
      const { events } = await fx.mined(
        fx.as.doctor1.write.updatePatient([REFS.patientA, patientData({ weightGrams })]),
      );
      expect(events[0]?.args.weightGrams).toBe(weightGrams);
    }
  });
});

describe("identity", () => {
  const aadhaar = completeAadhaar("98765432101");

  it("stores the pepper's fingerprint, because writers check their pepper against it", async () => {
    const fx = get();
    expect(await fx.as.outsider.read.referenceKeyId()).toBe(KEY_ID);
  });

  it("keeps the Aadhaar number out of calldata and logs, because only its HMAC reference goes on-chain", async () => {
    const fx = get();
    const ref = aadhaarReference(PEPPER, aadhaar);
    const { receipt, events } = await fx.mined(fx.as.staff1.write.registerPatient([ref, patientData()]));
    expect(events[0]?.args.patientRef).toBe(ref);
    const tx = await fx.publicClient.getTransaction({ hash: receipt.transactionHash });
    const haystacks: Hex[] = [tx.input, ...receipt.logs.flatMap((l) => [l.data, ...l.topics])];
    // The number as ASCII, as packed BCD-like hex digits and as a big-endian integer.
    const needles = [
      stringToHex(aadhaar).slice(2),
      aadhaar,
      BigInt(aadhaar).toString(16).padStart(10, "0"),
    ].map((n) => n.toLowerCase());
    for (const hay of haystacks) {
      for (const needle of needles) expect(hay.toLowerCase()).not.toContain(needle);
    }
  });
});
