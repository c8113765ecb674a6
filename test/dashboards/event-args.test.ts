import { describe, expect, it } from "vitest";
import { argsSummary, asciiOfBytes32 } from "../../dashboards/web/src/views/hospital/event-args.ts";

describe("timeline event details", () => {
  it("shows an ICD-10 code stored as bytes32 as its text", () => {
    expect(asciiOfBytes32(`0x${Buffer.from("E11.9").toString("hex")}${"00".repeat(27)}`)).toBe("E11.9");
    expect(asciiOfBytes32("0x00ff")).toBeNull();
    expect(asciiOfBytes32("0x4100ff")).toBeNull();
    expect(
      argsSummary({ icd10: `0x${Buffer.from("A90").toString("hex")}${"00".repeat(29)}`, treatmentId: "4" }),
    ).toBe("icd10: A90");
  });

  it("shortens long hex values and leaves the ids the row already shows", () => {
    expect(argsSummary({ doctor: `0x${"ab".repeat(20)}`, actor: "0x1", toStage: 2 })).toBe(
      "doctor: 0xababab…ababab, toStage: 2",
    );
  });
});
