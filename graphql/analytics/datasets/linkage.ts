/**
 * Which patients' rows may share one pseudonym within a release, and the check of every release
 * rule on what is about to be released.
 *
 * A pseudonym that links rows turns the set of classes those rows fall in (with how many rows in
 * each: the pseudonym's "signature") into a quasi-identifier: whoever knows two admissions of a
 * person (two weeks, one district) looks for the pseudonyms present in both classes. So linked
 * pseudonyms are grouped by signature, and every group must hold at least k distinct patients with
 * at least l distinct diagnosis values in each of its classes, as a class must. Then an attacker
 * who knows any part of a person's admissions is left with at least k candidates, whatever part.
 *
 * A patient whose signature group is too small is unlinked: each of their rows gets a pseudonym of
 * its own, and so looks like a patient with one row in that class. Groups of one-row pseudonyms of
 * a class ("c:1") must hold the rule as well (against an attacker who knows someone was admitted
 * once only); when one does not, the linked patients with rows in that class are unlinked into it,
 * until it holds (in the end it is the whole class, which holds by the class rules). Unlinking
 * only ever grows the one-row groups, so the loop ends.
 */

export interface LinkRow {
  /** Dense patient number. */
  readonly patient: number;
  readonly classNo: number;
  /** Dense id of the released diagnosis value. */
  readonly value: number;
}

export interface ReleaseRuleLimits {
  readonly k: number;
  readonly l: number;
}

interface Group {
  readonly patients: Set<number>;
  readonly values: Map<number, Set<number>>;
  readonly multiRow: boolean;
}

function addToGroup(groups: Map<string, Group>, key: string, patient: number, rows: readonly LinkRow[]) {
  let g = groups.get(key);
  if (!g) {
    g = { patients: new Set(), values: new Map(), multiRow: rows.length > 1 };
    groups.set(key, g);
  }
  g.patients.add(patient);
  for (const r of rows) {
    let values = g.values.get(r.classNo);
    if (!values) {
      values = new Set();
      g.values.set(r.classNo, values);
    }
    values.add(r.value);
  }
}

/** "3:1,7:2": the classes of some rows, with how many rows in each. */
export function signatureOf(classNos: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const c of classNos) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([c, n]) => `${c}:${n}`)
    .join(",");
}

const holds = (g: Group, limits: ReleaseRuleLimits): boolean =>
  g.patients.size >= limits.k && [...g.values.values()].every((v) => v.size >= limits.l);

/** The patients (of two or more rows) whose rows must not share a pseudonym. */
export function patientsToUnlink(rows: readonly LinkRow[], limits: ReleaseRuleLimits): Set<number> {
  const byPatient = new Map<number, LinkRow[]>();
  for (const r of rows) {
    const list = byPatient.get(r.patient);
    if (list) list.push(r);
    else byPatient.set(r.patient, [r]);
  }
  const linked = new Set<number>();
  const linkedInClass = new Map<number, Set<number>>();
  for (const [patient, list] of byPatient) {
    if (list.length < 2) continue;
    linked.add(patient);
    for (const r of list) {
      let set = linkedInClass.get(r.classNo);
      if (!set) {
        set = new Set();
        linkedInClass.set(r.classNo, set);
      }
      set.add(patient);
    }
  }
  const unlinked = new Set<number>();
  for (;;) {
    const groups = new Map<string, Group>();
    for (const [patient, list] of byPatient) {
      if (linked.has(patient)) addToGroup(groups, signatureOf(list.map((r) => r.classNo)), patient, list);
      else for (const r of list) addToGroup(groups, `${r.classNo}:1`, patient, [r]);
    }
    const unlink = new Set<number>();
    for (const [key, g] of groups) {
      if (holds(g, limits)) continue;
      if (g.multiRow) {
        for (const p of g.patients) unlink.add(p);
      } else {
        const classNo = Number(key.slice(0, key.indexOf(":")));
        for (const p of linkedInClass.get(classNo) ?? []) if (linked.has(p)) unlink.add(p);
      }
    }
    if (unlink.size === 0) return unlinked;
    for (const p of unlink) {
      linked.delete(p);
      unlinked.add(p);
    }
  }
}

export interface ReleasedRow extends LinkRow {
  readonly pseudonym: string;
}

/**
 * Every release rule, checked on the rows about to be released (independently of how they were
 * chosen): each class and each (class, value) group has at least k distinct patients, each class
 * at least l values; each pseudonym is one patient's; each signature group of the pseudonyms holds
 * at least k patients and l values per class. Returns the violations (empty: releasable).
 */
export function releaseRuleViolations(rows: readonly ReleasedRow[], limits: ReleaseRuleLimits): string[] {
  const out: string[] = [];
  const classPatients = new Map<number, Set<number>>();
  const classValues = new Map<number, Set<number>>();
  const groupPatients = new Map<string, Set<number>>();
  const byPseudonym = new Map<string, ReleasedRow[]>();
  for (const r of rows) {
    if (!classPatients.has(r.classNo)) classPatients.set(r.classNo, new Set());
    classPatients.get(r.classNo)!.add(r.patient);
    if (!classValues.has(r.classNo)) classValues.set(r.classNo, new Set());
    classValues.get(r.classNo)!.add(r.value);
    const key = `${r.classNo}/${r.value}`;
    if (!groupPatients.has(key)) groupPatients.set(key, new Set());
    groupPatients.get(key)!.add(r.patient);
    const list = byPseudonym.get(r.pseudonym);
    if (list) list.push(r);
    else byPseudonym.set(r.pseudonym, [r]);
  }
  for (const [c, p] of classPatients) {
    if (p.size < limits.k) out.push(`class ${c} has ${p.size} patients`);
    if (classValues.get(c)!.size < limits.l) out.push(`class ${c} has ${classValues.get(c)!.size} diagnoses`);
  }
  for (const [key, p] of groupPatients) {
    if (p.size < limits.k) out.push(`diagnosis group ${key} has ${p.size} patients`);
  }
  const signatures = new Map<string, Group>();
  for (const [pseudonym, list] of byPseudonym) {
    const patients = new Set(list.map((r) => r.patient));
    if (patients.size > 1) out.push(`pseudonym ${pseudonym.slice(0, 8)}… covers ${patients.size} patients`);
    addToGroup(signatures, signatureOf(list.map((r) => r.classNo)), list[0]!.patient, list);
  }
  for (const [key, g] of signatures) {
    if (!holds(g, limits)) out.push(`pseudonyms with classes ${key} cover ${g.patients.size} patients`);
  }
  return out;
}
