/** The clinical reference data the indexer derives columns from (shared/reference). */
import { decodeIcd10, icd10Category, icd10Chapter } from "../../shared/reference/icd10.ts";

export interface Diagnosis {
  code: string;
  category: string;
  chapter: number | null;
}

/** The contract's bytes8 ICD-10 code as "E11.9", with its category and chapter. */
export function describeDiagnosis(icd10: `0x${string}`): Diagnosis {
  const code = decodeIcd10(icd10);
  return { code, category: icd10Category(code), chapter: icd10Chapter(code)?.number ?? null };
}
