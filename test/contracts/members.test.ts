/**
 * Hospitals, staff, doctors and devices: what registration checks (each bound from both sides),
 * and what it records.
 */
import { zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { expectRevert, HOSPITAL_1, HOSPITAL_2, Kind, REFS, useDocTel, ZERO_HASH } from "./fixture.ts";

const get = useDocTel();

describe("registerHospital", () => {
  const register = (name: string, stateCode = 8, districtCode = 102) =>
    get().as.governance.write.registerHospital([name, stateCode, districtCode]);

  it("numbers hospitals 1, 2, 3… and marks them as existing, because members and treatments refer to them by id", async () => {
    const fx = get();
    expect(await fx.as.outsider.read.hospitalCount()).toBe(2);
    expect(await fx.as.outsider.read.hospitalExists([3])).toBe(false);
    const { events } = await fx.mined(register("SMS Hospital Jaipur"));
    expect(events[0]?.args.hospitalId).toBe(3);
    expect(await fx.as.outsider.read.hospitalCount()).toBe(3);
    expect(await fx.as.outsider.read.hospitalExists([3])).toBe(true);
    expect(await fx.as.outsider.read.hospitalExists([0])).toBe(false);
  });

  it("accepts a one-byte name, because that is the shortest name allowed", async () => {
    await get().mined(register("A"));
  });

  it("refuses an empty name with InvalidName, because a hospital must be named", async () => {
    await expectRevert(register(""), "InvalidName");
  });

  it("accepts a 128-byte name, because that is the longest name allowed", async () => {
    await get().mined(register("H".repeat(128)));
  });

  it("refuses a 129-byte name with InvalidName, because names are at most 128 bytes", async () => {
    await expectRevert(register("H".repeat(129)), "InvalidName");
  });

  it("accepts 42 Devanagari letters (126 bytes), because the limit counts UTF-8 bytes", async () => {
    const fx = get();
    const name = "अ".repeat(42);
    const { events } = await fx.mined(register(name));
    expect(events[0]?.args.name).toBe(name);
  });

  it("refuses 43 Devanagari letters (129 bytes) with InvalidName, because the limit counts UTF-8 bytes, not letters", async () => {
    await expectRevert(register("अ".repeat(43)), "InvalidName");
  });

  it("accepts state code 1, because it is the first Census state code", async () => {
    await get().mined(register("Civil Hospital", 1, 5));
  });

  it("refuses state code 0 with InvalidRegion, because state codes start at 1", async () => {
    await expectRevert(register("Civil Hospital", 0, 5), "InvalidRegion", [0, 5]);
  });

  it("accepts state code 38, because it is the last Census state code", async () => {
    await get().mined(register("Civil Hospital", 38, 5));
  });

  it("refuses state code 39 with InvalidRegion, because there are 38 state codes", async () => {
    await expectRevert(register("Civil Hospital", 39, 5), "InvalidRegion", [39, 5]);
  });

  it("accepts district code 1, because it is the first district code", async () => {
    await get().mined(register("Civil Hospital", 9, 1));
  });

  it("refuses district code 0 with InvalidRegion, because every hospital is in a district", async () => {
    await expectRevert(register("Civil Hospital", 9, 0), "InvalidRegion", [9, 0]);
  });
});

describe("registerStaff", () => {
  it("records the staff member's kind and hospital, because every later check reads them", async () => {
    const fx = get();
    await fx.mined(fx.as.governance.write.registerStaff([fx.actors.spare1, HOSPITAL_2.id, REFS.spare]));
    expect(await fx.as.outsider.read.members([fx.actors.spare1])).toEqual([Kind.Staff, HOSPITAL_2.id]);
  });

  it("refuses hospital 0 with UnknownHospital, because hospital ids start at 1", async () => {
    const fx = get();
    await expectRevert(
      fx.as.governance.write.registerStaff([fx.actors.spare1, 0, REFS.spare]),
      "UnknownHospital",
      [0],
    );
  });

  it("accepts the last registered hospital, because it exists", async () => {
    const fx = get();
    await fx.mined(fx.as.governance.write.registerStaff([fx.actors.spare1, HOSPITAL_2.id, REFS.spare]));
  });

  it("refuses the first unregistered hospital id with UnknownHospital, because it does not exist yet", async () => {
    const fx = get();
    await expectRevert(
      fx.as.governance.write.registerStaff([fx.actors.spare1, 3, REFS.spare]),
      "UnknownHospital",
      [3],
    );
  });

  it("refuses the zero address with ZeroAddress, because nobody can sign for it", async () => {
    const fx = get();
    await expectRevert(
      fx.as.governance.write.registerStaff([zeroAddress, HOSPITAL_1.id, REFS.spare]),
      "ZeroAddress",
    );
  });

  it("refuses the zero person reference with ZeroReference, because it identifies nobody", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.registerStaff([fx.actors.spare1, HOSPITAL_1.id, ZERO_HASH]),
      "ZeroReference",
    );
  });

  it("refuses an existing member with AlreadyMember, because an account holds one membership", async () => {
    const fx = get();
    await expectRevert(
      fx.as.governance.write.registerStaff([fx.actors.device, HOSPITAL_1.id, REFS.spare]),
      "AlreadyMember",
      [fx.actors.device],
    );
  });
});

describe("registerDoctor", () => {
  it("registers the doctor at the calling staff member's hospital, because staff act for their hospital", async () => {
    const fx = get();
    await fx.mined(fx.as.staff2.write.registerDoctor([fx.actors.spare1, REFS.spare, 1]));
    expect(await fx.as.outsider.read.members([fx.actors.spare1])).toEqual([Kind.Doctor, HOSPITAL_2.id]);
    expect(await fx.as.outsider.read.members([fx.actors.doctor1])).toEqual([Kind.Doctor, HOSPITAL_1.id]);
  });

  it("accepts specialty 1, because it is the first specialty code", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.registerDoctor([fx.actors.spare1, REFS.spare, 1]));
  });

  it("refuses specialty 0 with InvalidSpecialty, because every doctor has a specialty", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.registerDoctor([fx.actors.spare1, REFS.spare, 0]),
      "InvalidSpecialty",
      [0],
    );
  });

  it("accepts specialty 64, because it is the last specialty code", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.registerDoctor([fx.actors.spare1, REFS.spare, 64]));
  });

  it("refuses specialty 65 with InvalidSpecialty, because there are 64 specialty codes", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.registerDoctor([fx.actors.spare1, REFS.spare, 65]),
      "InvalidSpecialty",
      [65],
    );
  });

  it("refuses the zero address with ZeroAddress, because nobody can sign for it", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.registerDoctor([zeroAddress, REFS.spare, 1]), "ZeroAddress");
  });

  it("refuses the zero person reference with ZeroReference, because it identifies nobody", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.registerDoctor([fx.actors.spare1, ZERO_HASH, 1]), "ZeroReference");
  });

  it("refuses a device's address with AlreadyMember, because a device cannot also be a doctor", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.registerDoctor([fx.actors.device, REFS.spare, 1]),
      "AlreadyMember",
      [fx.actors.device],
    );
  });
});

describe("registerDevice", () => {
  it("binds the device to the patient at the calling staff member's hospital, because vitals checks read both", async () => {
    const fx = get();
    await fx.mined(fx.as.staff2.write.registerDevice([fx.actors.spare1, REFS.patientB]));
    expect(await fx.as.outsider.read.members([fx.actors.spare1])).toEqual([Kind.Device, HOSPITAL_2.id]);
    expect(await fx.as.outsider.read.deviceBinding([fx.actors.spare1])).toBe(REFS.patientB);
  });

  it("refuses an unregistered patient with UnknownPatient, because a device records for a known patient", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.registerDevice([fx.actors.spare1, REFS.patientC]),
      "UnknownPatient",
      [REFS.patientC],
    );
  });

  it("refuses the zero address with ZeroAddress, because nothing can sign for it", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.registerDevice([zeroAddress, REFS.patientA]), "ZeroAddress");
  });

  it("refuses a doctor's address with AlreadyMember, because a doctor cannot also be a device", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.registerDevice([fx.actors.doctor1, REFS.patientA]),
      "AlreadyMember",
      [fx.actors.doctor1],
    );
  });
});
