import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../shared/errors.ts";
import {
  decodeIcd10,
  encodeIcd10,
  ICD10_CHAPTERS,
  icd10Category,
  icd10Chapter,
  isIcd10,
  parseIcd10,
} from "../../shared/reference/icd10.ts";
import { ICD10_GROUPS, icd10GroupsOf, isInIcd10Group } from "../../shared/reference/icd10-groups.ts";
import {
  ICD10_CATEGORY_NAMES,
  ICD10_SUBCATEGORY_NAMES,
  icd10Name,
} from "../../shared/reference/icd10-names.ts";

const UPPER = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"];
const DIGITS = [..."0123456789"];
const letter = fc.constantFrom(...UPPER);
const digit = fc.constantFrom(...DIGITS);
const alnum = fc.constantFrom(...UPPER, ...DIGITS);
/** Any code of the contract's grammar, normalized. */
const validCode = fc
  .tuple(letter, digit, alnum, fc.option(fc.array(alnum, { minLength: 1, maxLength: 4 }), { nil: undefined }))
  .map(([a, b, c, ext]) => `${a}${b}${c}${ext === undefined ? "" : `.${ext.join("")}`}`);
/** The contract's grammar over a string, as an independent oracle. */
const GRAMMAR = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;

describe("parseIcd10", () => {
  it("normalizes case, whitespace and a missing dot, because clinicians type codes every way", () => {
    expect(parseIcd10("e11.9")).toBe("E11.9");
    expect(parseIcd10("E119")).toBe("E11.9");
    expect(parseIcd10(" a90 ")).toBe("A90");
    expect(parseIcd10("u071")).toBe("U07.1");
    expect(parseIcd10("S72001")).toBe("S72.001");
  });

  it("rejects what the contract rejects, with a ValidationError naming the expected form", () => {
    for (const bad of [
      "",
      "E1",
      "11.9",
      "E11.",
      "E11.12345",
      "E1.19",
      "E11..9",
      "E11-9",
      "A17.0†",
      "G01*",
      "E11.9 x",
    ]) {
      expect(() => parseIcd10(bad), bad).toThrow(ValidationError);
      expect(isIcd10(bad), bad).toBe(false);
    }
    expect(() => parseIcd10("E1")).toThrow(/letter, two digits or letters/);
  });

  it("is the identity on normalized codes and accepts their lowercase and dotless forms", () => {
    fc.assert(
      fc.property(validCode, (code) => {
        expect(parseIcd10(code)).toBe(code);
        expect(parseIcd10(code.toLowerCase())).toBe(code);
        expect(parseIcd10(code.replace(".", ""))).toBe(code);
      }),
    );
  });

  it("always returns a code of the contract's grammar", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), (input) => {
        if (isIcd10(input)) expect(parseIcd10(input)).toMatch(GRAMMAR);
        else expect(() => parseIcd10(input)).toThrow(ValidationError);
      }),
    );
  });
});

describe("bytes8 encoding", () => {
  it("writes ASCII left-aligned and zero-padded, as the contract's bytes8 expects", () => {
    expect(encodeIcd10("E11.9")).toBe("0x4531312e39000000");
    expect(encodeIcd10("a90")).toBe("0x4139300000000000");
    expect(encodeIcd10("S72.0010")).toBe("0x5337322e30303130");
  });

  it("reads back what it writes", () => {
    fc.assert(
      fc.property(validCode, (code) => {
        const hex = encodeIcd10(code);
        expect(hex).toMatch(/^0x[0-9a-f]{16}$/);
        expect(decodeIcd10(hex)).toBe(code);
        expect(decodeIcd10(hex.toUpperCase().replace("0X", "0x"))).toBe(code);
      }),
    );
  });

  it("decodes exactly the bytes8 values the contract accepts, because the indexer must not invent codes", () => {
    const byte = fc.constantFrom(0x00, 0x2e, 0x41, 0x45, 0x5a, 0x30, 0x39, 0x61, 0x20, 0x80, 0xff);
    fc.assert(
      fc.property(fc.array(byte, { minLength: 8, maxLength: 8 }), (bytes) => {
        const hex = `0x${bytes.map((b) => b.toString(16).padStart(2, "0")).join("")}`;
        const end = bytes.indexOf(0);
        const text = String.fromCharCode(...bytes.slice(0, end === -1 ? 8 : end));
        const accepted = GRAMMAR.test(text) && bytes.slice(text.length).every((b) => b === 0);
        if (accepted) expect(decodeIcd10(hex)).toBe(text);
        else expect(() => decodeIcd10(hex)).toThrow(ValidationError);
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects malformed hex and codes with bytes after the padding", () => {
    for (const bad of [
      "0x",
      "4531312e39000000",
      "0x4531312e390000",
      "0x4531312e3900000000",
      "0xzz31312e39000000",
    ]) {
      expect(() => decodeIcd10(bad), bad).toThrow(/bytes8/);
    }
    expect(() => decodeIcd10("0x4531310039000000")).toThrow(/contract would accept/); // "E11\0" then "9"
    expect(() => decodeIcd10("0x0000000000000000")).toThrow(ValidationError);
  });
});

describe("chapters and categories", () => {
  it("takes the 3-character category, the unit of public-health tables", () => {
    expect(icd10Category("e11.9")).toBe("E11");
    expect(icd10Category("A90")).toBe("A90");
    expect(icd10Category("U071")).toBe("U07");
  });

  it("numbers the 22 WHO chapters without overlap", () => {
    expect(ICD10_CHAPTERS.map((c) => c.number)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    const sorted = [...ICD10_CHAPTERS].sort((a, b) => a.first.localeCompare(b.first));
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.first > sorted[i - 1]!.last).toBe(true);
    for (const c of ICD10_CHAPTERS) expect(c.range).toBe(`${c.first}–${c.last}`);
  });

  it("places codes in their WHO 2019 chapter, including at every chapter boundary", () => {
    const chapterOf = (code: string) => icd10Chapter(code)?.roman;
    expect(chapterOf("A00")).toBe("I");
    expect(chapterOf("B99")).toBe("I");
    expect(chapterOf("C50.9")).toBe("II");
    expect(chapterOf("D48")).toBe("II");
    expect(chapterOf("D50")).toBe("III");
    expect(chapterOf("E11.9")).toBe("IV");
    expect(chapterOf("H59")).toBe("VII");
    expect(chapterOf("H60")).toBe("VIII");
    expect(chapterOf("O80")).toBe("XV");
    expect(chapterOf("P59")).toBe("XVI");
    expect(chapterOf("S00")).toBe("XIX");
    expect(chapterOf("T98")).toBe("XIX");
    expect(chapterOf("V01")).toBe("XX");
    expect(chapterOf("Y98")).toBe("XX");
    expect(chapterOf("Z99")).toBe("XXI");
    expect(icd10Chapter("U07.1")).toMatchObject({
      number: 22,
      range: "U00–U85",
      title: "Codes for special purposes",
    });
    expect(icd10Chapter("A90")).toMatchObject({ number: 1, range: "A00–B99" });
  });

  it("leaves codes in WHO's gaps without a chapter rather than guessing one", () => {
    for (const code of ["D49", "E91", "K94", "P97", "U86", "V00", "Y99"])
      expect(icd10Chapter(code), code).toBeUndefined();
  });
});

describe("names", () => {
  it("names the conditions of Indian hospital statistics and IDSP surveillance", () => {
    const required = [
      ...[
        "A00",
        "A01",
        "A09",
        "A15",
        "A16",
        "A17",
        "A18",
        "A19",
        "A27",
        "A75",
        "A82",
        "A83",
        "A90",
        "A91",
        "A92",
      ],
      ...["B05", "B15", "B16", "B17", "B18", "B19", "B50", "B51", "B52", "B53", "B54"],
      ...["C34", "C50", "C53", "D50", "D64", "E10", "E11", "F32", "I10", "I20", "I21", "I22", "I24", "I25"],
      ...["I63", "I64", "J09", "J10", "J11", "J12", "J13", "J14", "J15", "J16", "J17", "J18", "J44", "J45"],
      ...["N18", "O80", "O82", "P59", "S06", "S72", "T63", "U07"],
    ];
    for (const code of required) expect(ICD10_CATEGORY_NAMES[code], code).toBeDefined();
    expect(Object.keys(ICD10_CATEGORY_NAMES).length).toBeGreaterThanOrEqual(120);
  });

  it("keys names by well-formed codes inside a WHO chapter", () => {
    for (const code of Object.keys(ICD10_CATEGORY_NAMES)) {
      expect(code).toMatch(/^[A-Z][0-9]{2}$/);
      expect(icd10Chapter(code), code).toBeDefined();
    }
    for (const code of Object.keys(ICD10_SUBCATEGORY_NAMES)) {
      expect(parseIcd10(code)).toBe(code);
      expect(code.length).toBeGreaterThan(3);
    }
  });

  it("prefers the most specific known name", () => {
    expect(icd10Name("A92.0")).toBe("Chikungunya virus disease");
    expect(icd10Name("a920")).toBe("Chikungunya virus disease");
    expect(icd10Name("A92.8")).toBe("Other mosquito-borne viral fevers");
    expect(icd10Name("A83.0")).toBe("Japanese encephalitis");
    expect(icd10Name("U07.1")).toBe("COVID-19, virus identified");
    expect(icd10Name("E11.9")).toBe("Type 2 diabetes mellitus");
    expect(icd10Name("Q99")).toBeUndefined();
  });
});

describe("surveillance groups", () => {
  it("groups the diseases public-health officials track together", () => {
    for (const code of ["A90", "A91.0", "A92.0", "B50.9", "B54", "A83.0"]) {
      expect(isInIcd10Group(code, "vector-borne"), code).toBe(true);
    }
    for (const code of ["J09", "J11.1", "J18.9", "U07.1"])
      expect(isInIcd10Group(code, "respiratory"), code).toBe(true);
    for (const code of ["A00", "A01.0", "A09", "B15.9", "B17.2"])
      expect(isInIcd10Group(code, "water-borne"), code).toBe(true);
    expect(isInIcd10Group("B16", "water-borne")).toBe(false); // hepatitis B is blood-borne
    expect(isInIcd10Group("B17.1", "water-borne")).toBe(false); // hepatitis C
    expect(isInIcd10Group("J19", "respiratory")).toBe(false);
    expect(isInIcd10Group("T63.0", "snakebite")).toBe(true);
    expect(isInIcd10Group("T63.2", "snakebite")).toBe(false); // scorpion
    expect(isInIcd10Group("T63.2", "poisoning-envenomation")).toBe(true);
  });

  it("reports every group of a code, since groups overlap by design", () => {
    expect(icd10GroupsOf("A83.0")).toEqual(["vector-borne", "vaccine-preventable", "encephalitis"]);
    expect(icd10GroupsOf("A83.1")).toEqual(["vector-borne", "encephalitis"]);
    expect(icd10GroupsOf("E11.9")).toEqual(["diabetes"]);
    expect(icd10GroupsOf("R51")).toEqual([]);
  });

  it("declares groups with unique ids and well-formed members inside WHO chapters", () => {
    expect(new Set(ICD10_GROUPS.map((g) => g.id)).size).toBe(ICD10_GROUPS.length);
    for (const group of ICD10_GROUPS) {
      expect(group.members.length, group.id).toBeGreaterThan(0);
      for (const member of group.members) {
        const [from, to] = member.includes("-") ? member.split("-") : [member, member];
        expect(parseIcd10(from!), member).toBe(from);
        expect(parseIcd10(to!), member).toBe(to);
        expect(from! <= to!, member).toBe(true);
        expect(icd10Chapter(from!), member).toBeDefined();
      }
    }
  });
});
