/**
 * Doctor specialties, the contract's `uint16 specialty` (1..MAX_SPECIALTY = 64). Names follow the
 * National Medical Commission's broad and super-specialty degrees (MD/MS/DNB, DM/MCh).
 * Codes are written on-chain: never renumber or reuse one; append new specialties at the end.
 */

/** The contract's MAX_SPECIALTY. */
export const MAX_SPECIALTY = 64;

export type SpecialtyGroup = "medical" | "surgical" | "diagnostic" | "public-health" | "traditional";

export interface Specialty {
  readonly code: number;
  /** Stable machine name, e.g. "GENERAL_MEDICINE". */
  readonly key: string;
  readonly name: string;
  readonly group: SpecialtyGroup;
}

const s = (code: number, key: string, name: string, group: SpecialtyGroup): Specialty =>
  Object.freeze({ code, key, name, group });

export const SPECIALTIES: readonly Specialty[] = Object.freeze([
  s(1, "GENERAL_MEDICINE", "General Medicine", "medical"),
  s(2, "PAEDIATRICS", "Paediatrics", "medical"),
  s(3, "OBSTETRICS_GYNAECOLOGY", "Obstetrics & Gynaecology", "surgical"),
  s(4, "GENERAL_SURGERY", "General Surgery", "surgical"),
  s(5, "ORTHOPAEDICS", "Orthopaedics", "surgical"),
  s(6, "CARDIOLOGY", "Cardiology", "medical"),
  s(7, "PULMONOLOGY", "Pulmonary Medicine (Respiratory Medicine, TB & Chest)", "medical"),
  s(8, "NEPHROLOGY", "Nephrology", "medical"),
  s(9, "NEUROLOGY", "Neurology", "medical"),
  s(10, "ENDOCRINOLOGY", "Endocrinology", "medical"),
  s(11, "INFECTIOUS_DISEASES", "Infectious Diseases", "medical"),
  s(12, "MEDICAL_ONCOLOGY", "Medical Oncology", "medical"),
  s(13, "PSYCHIATRY", "Psychiatry", "medical"),
  s(14, "DERMATOLOGY", "Dermatology, Venereology & Leprosy", "medical"),
  s(15, "ENT", "Otorhinolaryngology (ENT)", "surgical"),
  s(16, "OPHTHALMOLOGY", "Ophthalmology", "surgical"),
  s(17, "ANAESTHESIOLOGY", "Anaesthesiology", "medical"),
  s(18, "EMERGENCY_MEDICINE", "Emergency Medicine", "medical"),
  s(19, "RADIOLOGY", "Radiodiagnosis", "diagnostic"),
  s(20, "PATHOLOGY", "Pathology", "diagnostic"),
  s(21, "COMMUNITY_MEDICINE", "Community Medicine", "public-health"),
  s(22, "FAMILY_MEDICINE", "Family Medicine / General Practice", "medical"),
  s(23, "GASTROENTEROLOGY", "Gastroenterology", "medical"),
  s(24, "RHEUMATOLOGY", "Rheumatology", "medical"),
  s(25, "HAEMATOLOGY", "Clinical Haematology", "medical"),
  s(26, "NEONATOLOGY", "Neonatology", "medical"),
  s(27, "CRITICAL_CARE", "Critical Care Medicine", "medical"),
  s(28, "GERIATRICS", "Geriatric Medicine", "medical"),
  s(29, "PHYSICAL_MEDICINE_REHABILITATION", "Physical Medicine & Rehabilitation", "medical"),
  s(30, "MICROBIOLOGY", "Microbiology", "diagnostic"),
  s(31, "BIOCHEMISTRY", "Biochemistry", "diagnostic"),
  s(32, "RADIATION_ONCOLOGY", "Radiation Oncology", "medical"),
  s(33, "SURGICAL_ONCOLOGY", "Surgical Oncology", "surgical"),
  s(34, "CARDIOTHORACIC_SURGERY", "Cardiothoracic & Vascular Surgery", "surgical"),
  s(35, "NEUROSURGERY", "Neurosurgery", "surgical"),
  s(36, "UROLOGY", "Urology", "surgical"),
  s(37, "PLASTIC_SURGERY", "Plastic & Reconstructive Surgery", "surgical"),
  s(38, "PAEDIATRIC_SURGERY", "Paediatric Surgery", "surgical"),
  s(39, "SURGICAL_GASTROENTEROLOGY", "Surgical Gastroenterology", "surgical"),
  s(40, "NUCLEAR_MEDICINE", "Nuclear Medicine", "diagnostic"),
  s(41, "DENTISTRY", "Dentistry / Oral & Maxillofacial Surgery", "surgical"),
  s(42, "FORENSIC_MEDICINE", "Forensic Medicine", "diagnostic"),
  s(43, "TRANSFUSION_MEDICINE", "Immunohaematology & Blood Transfusion", "diagnostic"),
  s(44, "PALLIATIVE_MEDICINE", "Palliative Medicine", "medical"),
  s(45, "MEDICAL_GENETICS", "Medical Genetics", "medical"),
  s(46, "PUBLIC_HEALTH", "Public Health & Epidemiology", "public-health"),
  s(47, "AYURVEDA", "Ayurveda", "traditional"),
  s(48, "HOMOEOPATHY", "Homoeopathy", "traditional"),
  s(49, "UNANI", "Unani", "traditional"),
  s(50, "SIDDHA", "Siddha", "traditional"),
  s(51, "YOGA_NATUROPATHY", "Yoga & Naturopathy", "traditional"),
]);

const byCode = new Map(SPECIALTIES.map((sp) => [sp.code, sp]));
const byKey = new Map(SPECIALTIES.map((sp) => [sp.key, sp]));

/** The specialty with this code, or undefined (the contract accepts any 1..64; unlisted codes are unnamed). */
export function getSpecialty(code: number): Specialty | undefined {
  return byCode.get(code);
}

export function specialtyFromKey(key: string): Specialty | undefined {
  return byKey.get(key.trim().toUpperCase());
}
