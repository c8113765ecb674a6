import { describe, expect, it } from "vitest";
import {
  DISTRICTS,
  districtsOf,
  getDistrict,
  getState,
  isValidRegion,
  MAX_STATE_CODE,
  RETIRED_STATE_CODES,
  STATES,
} from "../../shared/reference/regions.ts";
import { contractConstant } from "./contract-constants.ts";

const INDIA_POPULATION_2011 = 1_210_854_977;

describe("states", () => {
  it("lists the 28 states and 8 union territories of the LGD, because the contract stores their LGD codes", () => {
    expect(STATES).toHaveLength(36);
    expect(STATES.filter((s) => s.kind === "state")).toHaveLength(28);
    expect(STATES.filter((s) => s.kind === "ut")).toHaveLength(8);
    expect(new Set(STATES.map((s) => s.code)).size).toBe(36);
  });

  it("fits every state code into the contract's 1..MAX_STATE_CODE, because anything else reverts", () => {
    expect(MAX_STATE_CODE).toBe(contractConstant("MAX_STATE_CODE"));
    for (const s of STATES) {
      expect(s.code).toBeGreaterThanOrEqual(1);
      expect(s.code).toBeLessThanOrEqual(MAX_STATE_CODE);
    }
    expect(Math.max(...STATES.map((s) => s.code))).toBe(MAX_STATE_CODE);
  });

  it("keeps the Census 2011 codes and adds the states formed since, so old and new codes agree", () => {
    expect(getState(27)?.name).toBe("Maharashtra");
    expect(getState(9)?.name).toBe("Uttar Pradesh");
    expect(getState(28)?.name).toBe("Andhra Pradesh");
    expect(getState(36)?.name).toBe("Telangana");
    expect(getState(37)?.name).toBe("Ladakh");
    expect(getState(38)?.name).toBe("Dadra and Nagar Haveli and Daman and Diu");
  });

  it("rejects the retired codes of Daman and Diu (25) and Dadra and Nagar Haveli (26), merged into 38 in 2020", () => {
    for (const code of RETIRED_STATE_CODES) expect(getState(code)).toBeUndefined();
    expect(getState(0)).toBeUndefined();
    expect(getState(39)).toBeUndefined();
  });

  it("adds up state populations to India's 2011 census total, because each 2011 district is counted once", () => {
    expect(STATES.reduce((sum, s) => sum + s.population2011, 0)).toBe(INDIA_POPULATION_2011);
    expect(getState(36)?.population2011).toBe(35_193_978);
    expect(getState(37)?.population2011).toBe(133_487 + 140_802);
  });
});

describe("districts", () => {
  it("ships every LGD district of July 2021 with a unique non-zero uint16 code in a known state", () => {
    expect(DISTRICTS).toHaveLength(739);
    expect(new Set(DISTRICTS.map((d) => d.code)).size).toBe(DISTRICTS.length);
    for (const d of DISTRICTS) {
      expect(d.code).toBeGreaterThan(0);
      expect(d.code).toBeLessThanOrEqual(0xffff);
      expect(getState(d.stateCode), `district ${d.code} ${d.name}`).toBeDefined();
      expect(d.name).toMatch(/^\S(.*\S)?$/);
    }
    for (const s of STATES) expect(districtsOf(s.code).length, s.name).toBeGreaterThan(0);
  });

  it("counts the districts each state had in 2021, a check that no state's rows went missing", () => {
    const count = (code: number) => districtsOf(code).length;
    expect(count(9)).toBe(75); // Uttar Pradesh
    expect(count(23)).toBe(52); // Madhya Pradesh
    expect(count(36)).toBe(33); // Telangana
    expect(count(33)).toBe(38); // Tamil Nadu
    expect(count(7)).toBe(11); // Delhi
    expect(count(28)).toBe(13); // Andhra Pradesh before its 2022 reorganization
  });

  it("links every Census 2011 district to exactly one LGD district, so 2011 populations are not double counted", () => {
    const census = DISTRICTS.map((d) => d.census2011Code).filter((c): c is number => c !== null);
    expect(census).toHaveLength(640);
    expect(new Set(census).size).toBe(640);
    expect(Math.min(...census)).toBe(1);
    expect(Math.max(...census)).toBe(640);
    const total = DISTRICTS.reduce((sum, d) => sum + (d.population2011 ?? 0), 0);
    expect(total).toBe(INDIA_POPULATION_2011);
  });

  it("has no 2011 population for districts created after the census, so callers cannot mistake a guess for data", () => {
    for (const d of DISTRICTS) expect(d.population2011 === null).toBe(d.census2011Code === null);
    expect(getDistrict(665)).toMatchObject({ name: "Palghar", stateCode: 27, population2011: null });
  });

  it("matches well-known districts by code, state and 2011 population", () => {
    expect(getDistrict(490)).toMatchObject({
      name: "Pune",
      stateCode: 27,
      census2011Code: 521,
      population2011: 9_429_408,
    });
    expect(getDistrict(497)).toMatchObject({ name: "Thane", stateCode: 27, population2011: 11_060_148 });
    expect(getDistrict(525)).toMatchObject({
      name: "Bengaluru Urban",
      stateCode: 29,
      population2011: 9_621_551,
    });
    expect(getDistrict(507)).toMatchObject({ name: "Hyderabad", stateCode: 36, census2011Code: 536 });
    expect(getDistrict(9)).toMatchObject({ name: "Leh Ladakh", stateCode: 37, population2011: 133_487 });
    expect(getDistrict(230)).toMatchObject({ name: "Dibang Valley", stateCode: 12, population2011: 8_004 });
    expect(getDistrict(464)).toMatchObject({ name: "Diu", stateCode: 38, census2011Code: 494 });
    expect(getDistrict(515)?.name).toBe("SPSR Nellore");
    expect(getDistrict(0)).toBeUndefined();
    expect(getDistrict(740)).toBeUndefined();
  });

  it("lists a state's districts by name, each in that state", () => {
    const delhi = districtsOf(7);
    expect(delhi.map((d) => d.name)).toEqual(
      [...delhi.map((d) => d.name)].sort((a, b) => a.localeCompare(b, "en")),
    );
    expect(delhi.every((d) => d.stateCode === 7)).toBe(true);
    expect(districtsOf(25)).toEqual([]);
  });
});

describe("isValidRegion", () => {
  it("accepts a district only with its own state, because the API groups counts by both", () => {
    expect(isValidRegion(27, 490)).toBe(true);
    expect(isValidRegion(36, 507)).toBe(true);
    expect(isValidRegion(28, 507)).toBe(false); // Hyderabad is in Telangana since 2014
    expect(isValidRegion(1, 9)).toBe(false); // Leh is in Ladakh since 2019
  });

  it("rejects zero, retired and unknown codes that the contract would also reject or cannot check", () => {
    expect(isValidRegion(0, 490)).toBe(false);
    expect(isValidRegion(27, 0)).toBe(false);
    expect(isValidRegion(26, 465)).toBe(false);
    expect(isValidRegion(27, 9999)).toBe(false);
    expect(isValidRegion(27.5, 490)).toBe(false);
  });

  it("accepts every shipped district with its state and no other", () => {
    for (const d of DISTRICTS) {
      expect(isValidRegion(d.stateCode, d.code)).toBe(true);
      expect(isValidRegion(d.stateCode === 1 ? 2 : 1, d.code)).toBe(false);
    }
  });
});

describe("immutability", () => {
  it("freezes the tables, because they are shared by every module in the process", () => {
    expect(Object.isFrozen(STATES)).toBe(true);
    expect(Object.isFrozen(DISTRICTS)).toBe(true);
    expect(Object.isFrozen(DISTRICTS[0])).toBe(true);
    expect(Object.isFrozen(districtsOf(27))).toBe(true);
  });
});
