/**
 * ICD-10 codes as the contract stores them (`bytes8`: ASCII, left-aligned, zero-padded) and their
 * WHO ICD-10 (2019) chapters.
 *
 * Grammar (the contract's `_isIcd10`): an uppercase letter, a digit, a digit or uppercase letter,
 * then optionally "." and 1-4 digits or uppercase letters: "A90", "E11.9", "U07.1", "S72.001".
 * Dagger/asterisk marks ("A17.0†", "G01*") and ICD-10-CM's dotless 7-character form beyond four
 * extension characters are not accepted.
 */
import { ValidationError } from "../errors.ts";

/** A normalized ICD-10 code: uppercase, with the dot after the third character when longer. */
export type Icd10Code = string & { readonly __brand: "Icd10Code" };

const CODE_PATTERN = /^([A-Z][0-9][0-9A-Z])(?:\.?([0-9A-Z]{1,4}))?$/;

/** Normalizes "e11.9", "E119" or " E11.9 " to "E11.9"; throws ValidationError if not a code. */
export function parseIcd10(input: string): Icd10Code {
  const match = CODE_PATTERN.exec(input.trim().toUpperCase());
  if (match === null) {
    throw new ValidationError(
      `"${input.slice(0, 16)}" is not an ICD-10 code: expected a letter, two digits or letters, then optionally "." and 1-4 more, e.g. "E11.9"`,
      { details: { field: "icd10" } },
    );
  }
  const [, category, extension] = match;
  return (extension === undefined ? category : `${category}.${extension}`) as Icd10Code;
}

export function isIcd10(input: string): boolean {
  return CODE_PATTERN.test(input.trim().toUpperCase());
}

/** The contract's bytes8 form: "E11.9" -> "0x4531312e39000000". */
export function encodeIcd10(input: string): `0x${string}` {
  const code = parseIcd10(input);
  let hex = "";
  for (let i = 0; i < code.length; i++) hex += code.charCodeAt(i).toString(16).padStart(2, "0");
  return `0x${hex.padEnd(16, "0")}`;
}

/** Reads a bytes8 from the chain; throws ValidationError unless it passes the contract's check. */
export function decodeIcd10(hex: string): Icd10Code {
  if (!/^0x[0-9a-fA-F]{16}$/.test(hex)) {
    throw new ValidationError(`expected a bytes8 as 0x and 16 hex digits, got "${hex.slice(0, 24)}"`, {
      details: { field: "icd10" },
    });
  }
  const bytes: number[] = [];
  for (let i = 2; i < 18; i += 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
  if (!contractAccepts(bytes)) {
    throw new ValidationError(`bytes8 ${hex} is not an ICD-10 code the contract would accept`, {
      details: { field: "icd10" },
    });
  }
  const end = bytes.indexOf(0);
  return String.fromCharCode(...bytes.slice(0, end === -1 ? 8 : end)) as Icd10Code;
}

const isUpper = (b: number) => b >= 0x41 && b <= 0x5a;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/** A byte-for-byte port of DocTel.sol `_isIcd10`. */
function contractAccepts(code: readonly number[]): boolean {
  const at = (i: number) => code[i] ?? 0;
  const allZeroFrom = (from: number) => code.slice(from).every((b) => b === 0);
  if (!isUpper(at(0)) || !isDigit(at(1)) || !(isDigit(at(2)) || isUpper(at(2)))) return false;
  if (at(3) === 0) return allZeroFrom(4);
  if (at(3) !== 0x2e) return false;
  let i = 4;
  while (i < 8 && at(i) !== 0) {
    if (!(isDigit(at(i)) || isUpper(at(i)))) return false;
    i++;
  }
  return i > 4 && allZeroFrom(i);
}

/** The 3-character category: "E11.9" -> "E11". */
export function icd10Category(input: string): string {
  return parseIcd10(input).slice(0, 3);
}

export interface Icd10Chapter {
  readonly number: number;
  readonly roman: string;
  /** First and last 3-character category, inclusive. */
  readonly first: string;
  readonly last: string;
  /** "A00–B99" (en dash), as WHO prints it. */
  readonly range: string;
  readonly title: string;
}

const chapter = (number: number, roman: string, first: string, last: string, title: string): Icd10Chapter =>
  Object.freeze({ number, roman, first, last, range: `${first}–${last}`, title });

/** WHO ICD-10 (2019) chapters. Chapter XXII (U) is numbered last although its letter is not. */
export const ICD10_CHAPTERS: readonly Icd10Chapter[] = Object.freeze([
  chapter(1, "I", "A00", "B99", "Certain infectious and parasitic diseases"),
  chapter(2, "II", "C00", "D48", "Neoplasms"),
  chapter(
    3,
    "III",
    "D50",
    "D89",
    "Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism",
  ),
  chapter(4, "IV", "E00", "E90", "Endocrine, nutritional and metabolic diseases"),
  chapter(5, "V", "F00", "F99", "Mental and behavioural disorders"),
  chapter(6, "VI", "G00", "G99", "Diseases of the nervous system"),
  chapter(7, "VII", "H00", "H59", "Diseases of the eye and adnexa"),
  chapter(8, "VIII", "H60", "H95", "Diseases of the ear and mastoid process"),
  chapter(9, "IX", "I00", "I99", "Diseases of the circulatory system"),
  chapter(10, "X", "J00", "J99", "Diseases of the respiratory system"),
  chapter(11, "XI", "K00", "K93", "Diseases of the digestive system"),
  chapter(12, "XII", "L00", "L99", "Diseases of the skin and subcutaneous tissue"),
  chapter(13, "XIII", "M00", "M99", "Diseases of the musculoskeletal system and connective tissue"),
  chapter(14, "XIV", "N00", "N99", "Diseases of the genitourinary system"),
  chapter(15, "XV", "O00", "O99", "Pregnancy, childbirth and the puerperium"),
  chapter(16, "XVI", "P00", "P96", "Certain conditions originating in the perinatal period"),
  chapter(17, "XVII", "Q00", "Q99", "Congenital malformations, deformations and chromosomal abnormalities"),
  chapter(
    18,
    "XVIII",
    "R00",
    "R99",
    "Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified",
  ),
  chapter(19, "XIX", "S00", "T98", "Injury, poisoning and certain other consequences of external causes"),
  chapter(20, "XX", "V01", "Y98", "External causes of morbidity and mortality"),
  chapter(21, "XXI", "Z00", "Z99", "Factors influencing health status and contact with health services"),
  chapter(22, "XXII", "U00", "U85", "Codes for special purposes"),
]);

/**
 * The WHO chapter of a code, or undefined for a well-formed code outside every chapter (WHO leaves
 * gaps such as D49, E91-E99, K94-K99, U86-U99, Y99 that national modifications like ICD-10-CM use).
 */
export function icd10Chapter(input: string): Icd10Chapter | undefined {
  const category = icd10Category(input);
  return ICD10_CHAPTERS.find((c) => category >= c.first && category <= c.last);
}
