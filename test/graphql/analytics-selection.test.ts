import { describe, expect, it } from "vitest";
import { parseDayRange, snapToWeeks } from "../../graphql/analytics/selection/date-range.ts";
import {
  categoriesBetween,
  checkDisjointGroups,
  compileDiagnosisFilter,
  groupSelection,
  isCategoryLevel,
  selectionsOverlap,
} from "../../graphql/analytics/selection/diagnosis.ts";
import { diagnosisPredicate } from "../../graphql/analytics/selection/diagnosis-sql.ts";
import { compileRegionFilter } from "../../graphql/analytics/selection/region.ts";
import { ValidationError } from "../../shared/errors.ts";

describe("diagnosis selections", () => {
  it("enumerates category ranges exactly, so no SQL collation decides membership", () => {
    expect(categoriesBetween("A00", "A09")).toEqual([
      "A00",
      "A01",
      "A02",
      "A03",
      "A04",
      "A05",
      "A06",
      "A07",
      "A08",
      "A09",
    ]);
    expect(categoriesBetween("S00", "T14")).toContain("S7A");
    expect(categoriesBetween("S00", "T14")).not.toContain("T15");
  });

  it("turns codes into prefixes, categories into categories, and groups into both", () => {
    const s = compileDiagnosisFilter({ codes: ["e11.9", "J45"], groups: ["covid-19"] })!;
    expect([...s.categories].sort()).toEqual(["J45", "U09"]);
    expect(s.prefixes).toEqual(["E11.9", "U07.1", "U07.2"]);
    expect(isCategoryLevel(s)).toBe(false);
    expect(isCategoryLevel(groupSelection("vector-borne"))).toBe(true);
    expect(compileDiagnosisFilter({})).toBeNull();
  });

  it("refuses overlapping surveillance groups in one table, because their counts would not add up", () => {
    expect(() => checkDisjointGroups(["vector-borne", "respiratory", "tuberculosis"])).not.toThrow();
    expect(() => checkDisjointGroups(["water-borne", "acute-diarrhoeal"])).toThrow(ValidationError);
    expect(selectionsOverlap(groupSelection("covid-19"), groupSelection("respiratory"))).toBe(true);
  });

  it("builds index-friendly predicates: category equality, prefixes only within their category", () => {
    const params: unknown[] = [];
    const sql = diagnosisPredicate(
      compileDiagnosisFilter({ categories: ["A90"], codes: ["U07.1"] })!,
      { category: "c", code: "d" },
      params,
    );
    expect(sql).toBe("(c = ANY($1::text[]) OR (c = ANY($2::text[]) AND d LIKE ANY($3::text[])))");
    expect(params).toEqual([["A90"], ["U07"], ["U07.1%"]]);
  });
});

describe("regions, ranges and dimensions", () => {
  it("checks LGD codes", () => {
    expect(compileRegionFilter({ states: [27, 27], districts: [] })).toEqual({ states: [27], districts: [] });
    expect(() => compileRegionFilter({ states: [25] })).toThrow(ValidationError);
  });

  it("widens a range to whole ISO or MMWR weeks", () => {
    const range = parseDayRange("2025-01-01", "2025-01-15", 100);
    expect(snapToWeeks(range, "iso")).toEqual({ from: "2024-12-30", to: "2025-01-19", days: 21 });
    expect(snapToWeeks(range, "mmwr")).toEqual({ from: "2024-12-29", to: "2025-01-18", days: 21 });
    expect(() => parseDayRange("2025-02-01", "2025-01-01", 100)).toThrow(ValidationError);
  });
});
