/**
 * Named ICD-10 surveillance groups for aggregates, after India's IDSP and NVBDCP reporting.
 * A member is a category range ("A00-A09", inclusive), a category ("B15") or a subcategory prefix
 * ("A83.0" matches A83.0 and A83.01). Groups overlap on purpose (Japanese encephalitis is
 * vector-borne, vaccine-preventable and an encephalitis): never sum counts across groups.
 */
import { icd10Category, parseIcd10 } from "./icd10.ts";

export interface Icd10Group {
  readonly id: string;
  readonly title: string;
  readonly members: readonly string[];
}

export const ICD10_GROUPS = [
  {
    id: "vector-borne",
    title: "Vector-borne diseases",
    // Dengue, chikungunya and other mosquito-borne fevers, malaria, JE (NVBDCP), scrub typhus
    // (mite), kala-azar (sandfly), lymphatic filariasis.
    members: ["A75", "A83", "A90-A92", "B50-B54", "B55", "B74"],
  },
  { id: "respiratory", title: "Influenza, pneumonia and COVID-19", members: ["J09-J18", "U07"] },
  {
    id: "water-borne",
    title: "Water- and food-borne diseases",
    members: ["A00-A09", "B15", "B17.2"],
  },
  { id: "acute-diarrhoeal", title: "Acute diarrhoeal disease", members: ["A00-A09"] },
  { id: "tuberculosis", title: "Tuberculosis", members: ["A15-A19"] },
  { id: "viral-hepatitis", title: "Viral hepatitis", members: ["B15-B19"] },
  {
    id: "vaccine-preventable",
    title: "Vaccine-preventable diseases (Universal Immunization Programme)",
    members: ["A33-A37", "A80", "A83.0", "B05", "B06", "B16", "B26"],
  },
  { id: "zoonotic", title: "Zoonoses", members: ["A20-A28", "A82", "A98.2"] },
  { id: "encephalitis", title: "Acute encephalitis syndrome", members: ["A83-A86", "G04"] },
  { id: "acute-flaccid-paralysis", title: "Acute flaccid paralysis", members: ["A80", "G61.0"] },
  { id: "diabetes", title: "Diabetes mellitus", members: ["E10-E14"] },
  { id: "hypertension", title: "Hypertensive diseases", members: ["I10-I15"] },
  { id: "ischaemic-heart", title: "Ischaemic heart diseases", members: ["I20-I25"] },
  { id: "stroke", title: "Stroke", members: ["I60-I64"] },
  { id: "chronic-respiratory", title: "Chronic lower respiratory diseases", members: ["J40-J47"] },
  { id: "chronic-kidney", title: "Chronic kidney disease", members: ["N18"] },
  { id: "anaemia", title: "Anaemias", members: ["D50-D64", "O99.0"] },
  { id: "cancer", title: "Malignant neoplasms", members: ["C00-C97"] },
  { id: "mental-health", title: "Mental and behavioural disorders", members: ["F00-F99"] },
  { id: "maternal", title: "Pregnancy, childbirth and the puerperium", members: ["O00-O99"] },
  { id: "perinatal", title: "Perinatal conditions", members: ["P00-P96"] },
  { id: "injury", title: "Injuries and burns", members: ["S00-T14", "T20-T32"] },
  { id: "poisoning-envenomation", title: "Poisoning and envenomation", members: ["T36-T65"] },
  { id: "snakebite", title: "Snakebite", members: ["T63.0", "X20"] },
  { id: "heat-related", title: "Heat-related illness", members: ["T67", "X30"] },
  { id: "covid-19", title: "COVID-19", members: ["U07.1", "U07.2", "U09"] },
] as const satisfies readonly Icd10Group[];

export type Icd10GroupId = (typeof ICD10_GROUPS)[number]["id"];

function memberMatches(member: string, code: string, category: string): boolean {
  const dash = member.indexOf("-");
  if (dash !== -1) return category >= member.slice(0, dash) && category <= member.slice(dash + 1);
  return member.length === 3 ? category === member : code.startsWith(member);
}

export function isInIcd10Group(input: string, groupId: Icd10GroupId): boolean {
  const code = parseIcd10(input);
  const category = icd10Category(code);
  const group = ICD10_GROUPS.find((g) => g.id === groupId);
  return group?.members.some((m) => memberMatches(m, code, category)) === true;
}

/** Every group the code belongs to, in table order. */
export function icd10GroupsOf(input: string): readonly Icd10GroupId[] {
  const code = parseIcd10(input);
  const category = icd10Category(code);
  return ICD10_GROUPS.filter((g) => g.members.some((m) => memberMatches(m, code, category))).map((g) => g.id);
}
