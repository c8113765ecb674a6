/** The scheduler, without a chain: determinism, seasons, outbreaks, identities, demographics, ordering. */
import { beforeAll, describe, expect, it } from "vitest";
import { isValidAadhaar } from "../../shared/identity/aadhaar.ts";
import { aadhaarReference } from "../../shared/identity/reference.ts";
import { isValidRegion } from "../../shared/reference/regions.ts";
import { planForTarget } from "../../simulator/calibrate.ts";
import type { Action } from "../../simulator/model.ts";
import type { Plan } from "../../simulator/schedule.ts";
import { resolveSizes } from "../../simulator/sizing.ts";

const PEPPER = Buffer.alloc(32, 0x5a);
const GOVERNANCE = { address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" as const };
/** 2025-01-01 00:00 UTC: the simulated year is a calendar year. */
const START = Date.UTC(2025, 0, 1) / 1000;

function plan(seed: string, targetEvents?: number, slotHours?: number): Plan {
  const sizes = resolveSizes({ size: "demo", targetEvents, slotHours });
  return planForTarget(sizes, {
    seed,
    pepper: PEPPER,
    governance: GOVERNANCE,
    startTs: START,
    filesFraction: sizes.filesFraction,
    staffPerHospital: sizes.staffPerHospital,
    doctorsPerHospital: sizes.doctorsPerHospital,
    firstHospitalId: 0,
  });
}

/** A stable text form of an action: what it is, when, by whom, about what. */
function describeAction(a: Action): string {
  const subject =
    "episode" in a
      ? `e${a.episode.index}`
      : "patient" in a
        ? `p${a.patient.index}`
        : "member" in a
          ? a.member.address
          : "hospital" in a
            ? a.hospital.name
            : "";
  const extra =
    a.kind === "recordDiagnosis"
      ? a.code
      : a.kind === "advanceStage"
        ? a.stage
        : a.kind === "recordVitalsBatch"
          ? `${a.count}@${a.window.fromTs}`
          : a.kind === "registerPatient" || a.kind === "updatePatient"
            ? JSON.stringify(a.profile)
            : "";
  return `${a.slot} ${a.caller.address} ${a.kind} ${subject} ${extra}`;
}

let demo: Plan;
beforeAll(() => {
  demo = plan("seasons");
});

describe("the simulation plan", () => {
  it("is the same for the same seed and sizes, action for action, and differs for another seed", () => {
    const a = plan("same", 3_000);
    const b = plan("same", 3_000);
    const c = plan("other", 3_000);
    expect(b.actions.map(describeAction)).toEqual(a.actions.map(describeAction));
    expect(b.actors.map((x) => x.key)).toEqual(a.actors.map((x) => x.key));
    expect(c.actions.map(describeAction)).not.toEqual(a.actions.map(describeAction));
  });

  it("lands near the target number of events (approximate, never far below)", () => {
    const target = resolveSizes({ size: "demo" }).targetEvents;
    expect(demo.events).toBeGreaterThanOrEqual(target * 0.92);
    expect(demo.events).toBeLessThan(target * 1.15);
  });

  it("diagnoses a larger share of dengue and malaria in July-October than in January-March, because they are monsoon diseases", () => {
    const byMonth = Array.from({ length: 12 }, () => ({ all: 0, monsoon: 0 }));
    for (const a of demo.actions) {
      if (a.kind !== "recordDiagnosis") continue;
      const month = demo.clock.month(a.slot);
      byMonth[month]!.all++;
      if (/^(A90|B5[0-4])/.test(a.code)) byMonth[month]!.monsoon++;
    }
    const share = (months: number[]) =>
      months.reduce((s, m) => s + byMonth[m]!.monsoon, 0) / months.reduce((s, m) => s + byMonth[m]!.all, 0);
    expect(share([6, 7, 8, 9])).toBeGreaterThan(2 * share([0, 1, 2]));
  });

  it("sees influenza and pneumonia peak in winter and heat stroke in May-June", () => {
    const count = (re: RegExp, months: number[]) =>
      demo.episodes.filter((e) => re.test(e.disease.code) && months.includes(demo.clock.month(e.startSlot)))
        .length;
    expect(count(/^J1[01]|^J18/, [11, 0, 1])).toBeGreaterThan(count(/^J1[01]|^J18/, [4, 5, 6]));
    expect(count(/^T67/, [4, 5])).toBeGreaterThanOrEqual(count(/^T67/, [10, 11, 0]));
  });

  it("plans local outbreaks: the district's weekly count of the disease jumps well above its usual level", () => {
    expect(demo.outbreaks.length).toBeGreaterThanOrEqual(2);
    for (const outbreak of demo.outbreaks) {
      const week = (slot: number) => Math.floor(slot / (24 * 7));
      const weekly = new Map<number, number>();
      for (const e of demo.episodes) {
        if (e.hospital === outbreak.hospital && e.disease.code === outbreak.disease.code) {
          weekly.set(week(e.startSlot), (weekly.get(week(e.startSlot)) ?? 0) + 1);
        }
      }
      const first = week(outbreak.startSlot);
      const during = Math.max(
        ...Array.from({ length: outbreak.weeks }, (_, i) => weekly.get(first + i) ?? 0),
      );
      const outside = [...weekly]
        .filter(([w]) => w < first - 1 || w > first + outbreak.weeks + 1)
        .map(([, n]) => n);
      const usual = outside.length === 0 ? 0 : outside.reduce((a, b) => a + b, 0) / 52;
      expect(during).toBeGreaterThanOrEqual(4);
      expect(during).toBeGreaterThan(3 * usual + 2);
    }
  });

  it("gives everyone a valid, unique synthetic Aadhaar number whose reference is the HMAC under the pepper", () => {
    const people = [
      ...demo.patients.map((p) => ({ aadhaar: p.aadhaar, ref: p.ref })),
      ...demo.actors.filter((a) => a.aadhaar).map((a) => ({ aadhaar: a.aadhaar!, ref: a.personRef! })),
    ];
    expect(people.length).toBeGreaterThan(400);
    for (const { aadhaar, ref } of people) {
      expect(isValidAadhaar(aadhaar)).toBe(true);
      expect(ref).toBe(aadhaarReference(PEPPER, aadhaar));
    }
    expect(new Set(people.map((p) => p.aadhaar)).size).toBe(people.length);
  });

  it("draws plausible demographics: India's sex ratio, blood groups, bodies for age, homes in the hospital's state", () => {
    const patients = demo.patients;
    const female = patients.filter((p) => p.profile.sex === 1).length / patients.length;
    expect(female).toBeGreaterThan(0.4);
    expect(female).toBeLessThan(0.56);
    const bPlusOrOPlus = patients.filter(
      (p) => p.profile.bloodGroup === 3 || p.profile.bloodGroup === 7,
    ).length;
    expect(bPlusOrOPlus / patients.length).toBeGreaterThan(0.5);
    const today = demo.clock.epochDay(0);
    for (const p of patients) {
      const age = (today - p.profile.birthDate) / 365.25;
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(101);
      expect(p.profile.heightCm).toBeGreaterThanOrEqual(40);
      expect(p.profile.heightCm).toBeLessThanOrEqual(210);
      if (age >= 18) {
        expect(p.profile.heightCm).toBeGreaterThan(125);
        expect(p.profile.weightGrams).toBeGreaterThan(25_000);
      }
      if (age < 1) expect(p.profile.weightGrams).toBeLessThan(16_000);
      expect(isValidRegion(p.profile.stateCode, p.profile.districtCode)).toBe(true);
      expect(p.profile.stateCode).toBe(demo.hospitals[p.hospital]!.district.stateCode);
    }
    const children = patients.filter((p) => today - p.profile.birthDate < 15 * 365).length / patients.length;
    expect(children).toBeGreaterThan(0.2);
  });

  it.each([
    ["hourly blocks", () => demo],
    ["4-hour blocks (the bench's)", () => plan("coarse", 6_000, 4)],
  ])(
    "puts every action that needs another caller's earlier action in a later block, and closes last (%s)",
    (_name, get) => {
      const demo = get();
      const byEpisode = new Map<number, Action[]>();
      for (const a of demo.actions) {
        if (!("episode" in a)) continue;
        const list = byEpisode.get(a.episode.index) ?? [];
        list.push(a);
        byEpisode.set(a.episode.index, list);
      }
      /** A dependency holds when b follows a in a later slot, or in the same caller's transaction. */
      const follows = (a: Action, b: Action) =>
        b.slot > a.slot || (b.slot === a.slot && b.caller === a.caller && b.seq > a.seq);
      expect(byEpisode.size).toBeGreaterThan(300);
      for (const actions of byEpisode.values()) {
        const open = actions[0]!;
        expect(open.kind).toBe("openTreatment");
        const assigned = new Map<string, Action>([[open.caller.address, open]]);
        const discharge = actions.find((a) => a.kind === "advanceStage" && a.stage === 3);
        for (const a of actions.slice(1)) {
          expect(follows(open, a)).toBe(true);
          if (a.kind === "assignDoctor") assigned.set(a.doctor.address, a);
          if (a.caller.role === "doctor") {
            const assignment = assigned.get(a.caller.address);
            expect(assignment).toBeDefined();
            expect(follows(assignment!, a)).toBe(true);
          }
          if ((a.kind === "recordVitals" || a.kind === "recordVitalsBatch") && discharge) {
            expect(follows(a, discharge)).toBe(true);
          }
          if (a.kind === "advanceStage" && a.stage > 1) {
            const diagnosis = actions.find((d) => d.kind === "recordDiagnosis")!;
            expect(follows(diagnosis, a)).toBe(true);
          }
        }
        const close = actions.findIndex((a) => a.kind === "advanceStage" && a.stage === 4);
        if (close !== -1) {
          expect(close).toBe(actions.length - 1);
          for (const a of actions.slice(0, close)) expect(follows(a, actions[close]!)).toBe(true);
        }
      }
    },
  );

  it("binds devices only while free: a device's next registration comes after its revocation", () => {
    const events = new Map<string, { kind: string; slot: number }[]>();
    for (const a of demo.actions) {
      const device =
        a.kind === "registerDevice" ? a.device : a.kind === "revokeMember" ? a.member : undefined;
      if (!device) continue;
      const list = events.get(device.address) ?? [];
      list.push({ kind: a.kind, slot: a.slot });
      events.set(device.address, list);
    }
    expect(events.size).toBeGreaterThan(0);
    for (const list of events.values()) {
      list.forEach((e, i) => {
        expect(e.kind).toBe(i % 2 === 0 ? "registerDevice" : "revokeMember");
        if (i > 0) expect(e.slot).toBeGreaterThan(list[i - 1]!.slot);
      });
    }
  });
});
