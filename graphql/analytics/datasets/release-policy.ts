/**
 * The rules every dataset release obeys (docs/privacy-releases.md states them for people). Like
 * disclosure/policy.ts, they are policy, not tuning knobs: not configurable.
 */
import { MIN_K } from "../disclosure/policy.ts";

/** Distinct patients in every released class, in every (class, diagnosis) group, and in every linked group. */
export const RELEASE_K = MIN_K;

/** Distinct diagnosis values in every released class (distinct l-diversity), and in every linked group. */
export const RELEASE_L = 3;

/** The generalization search prefers nodes that suppress at most this share of the period's rows. */
export const MAX_SUPPRESSED_SHARE = 0.1;

/** Counts taken before suppression are shown rounded to a multiple of this. */
export const ROUNDING_BASE = 10;

/** A count taken before suppression, as the API may show it: rounded half up to ROUNDING_BASE. */
export const roundCount = (n: number): number => Math.round(n / ROUNDING_BASE) * ROUNDING_BASE;

export const QUASI_IDENTIFIERS = ["ageBand", "sex", "region", "period"] as const;
export const SENSITIVE_ATTRIBUTES = [
  "diagnosis",
  "stage",
  "lengthOfStayDays",
  "vitals",
  "verifiedAttachments",
] as const;

export const RELEASE_METHOD =
  `One release per closed period (the ISO weeks whose Thursday falls in it), anonymized once and frozen. ` +
  `Quasi-identifiers: age band, sex, region, period. Full-domain generalization (age 5->10->20 years->*, sex->*, ` +
  `region district->state->*, districts under 20,000 people starting at state, period week->month->*) chosen by ` +
  `a search of the whole lattice for the least information loss. Within each class the diagnosis is released as ` +
  `its ICD-10 category when at least ${RELEASE_K} distinct patients share it, else as its chapter when at least ` +
  `${RELEASE_K} patients share that, else the row is suppressed; a class is released only with at least ` +
  `${RELEASE_K} distinct patients and at least ${RELEASE_L} distinct diagnosis values (distinct l-diversity). ` +
  `Pseudonyms are HMAC-SHA256 under a key of the release: they link one patient's rows within the release, ` +
  `unless the set of classes those rows fall in is shared by fewer than ${RELEASE_K} patients (or fewer than ` +
  `${RELEASE_L} diagnoses), in which case each of the patient's rows gets a pseudonym of its own. Counts taken ` +
  `before suppression are shown rounded to a multiple of ${ROUNDING_BASE}. A dataset is a selection of whole ` +
  `classes of one release.`;
