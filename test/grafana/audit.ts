/**
 * The attacker's side of the reporting views: from what the read-only role can read, write every
 * linear equation the views imply, and find the suppressed cells those equations determine.
 *
 * Within one (week, category) group the views release N (weekly_cases_national), N split by state
 * (weekly_cases_by_state), N split by age band x sex (weekly_cases_by_age_sex) and each state split
 * by district (weekly_cases_by_district). The equations: sum(states) = N, sum(age x sex) = N,
 * sum(districts of s) = state s. Groups share no equation (no view adds weeks or categories). A
 * suppressed cell (NULL) is an unknown; it is determined when some combination of the equations
 * isolates it (a unit vector in their row space).
 */

export interface ViewRows {
  national: { week_label: string; icd10_category: string; cases: number | null }[];
  states: { week_label: string; icd10_category: string; state_code: number; cases: number | null }[];
  districts: {
    week_label: string;
    icd10_category: string;
    state_code: number;
    district_code: number | null;
    cases: number | null;
  }[];
  ageSex: {
    week_label: string;
    icd10_category: string;
    age_band: string;
    sex: string;
    cases: number | null;
  }[];
}

interface Equation {
  coefficients: Map<string, number>;
  constant: number;
}

class System {
  readonly unknowns: string[] = [];
  readonly equations: Equation[] = [];
  private readonly index = new Set<string>();

  /** Adds sum(terms) = 0, with each term's released value or its cell as an unknown. */
  add(terms: { cell: string; value: number | null; sign: number }[]): void {
    const eq: Equation = { coefficients: new Map(), constant: 0 };
    for (const t of terms) {
      if (t.value === null) {
        if (!this.index.has(t.cell)) {
          this.index.add(t.cell);
          this.unknowns.push(t.cell);
        }
        eq.coefficients.set(t.cell, (eq.coefficients.get(t.cell) ?? 0) + t.sign);
      } else {
        eq.constant -= t.sign * t.value;
      }
    }
    this.equations.push(eq);
  }

  /** The unknowns the equations determine, by Gaussian elimination to reduced row echelon form. */
  determined(): string[] {
    const cols = this.unknowns.length;
    const rows = this.equations.map((e) => this.unknowns.map((u) => e.coefficients.get(u) ?? 0));
    const pivots: { row: number; col: number }[] = [];
    let r = 0;
    for (let c = 0; c < cols && r < rows.length; c++) {
      let best = r;
      for (let i = r + 1; i < rows.length; i++)
        if (Math.abs(rows[i]![c]!) > Math.abs(rows[best]![c]!)) best = i;
      if (Math.abs(rows[best]![c]!) < 1e-9) continue;
      [rows[r], rows[best]] = [rows[best]!, rows[r]!];
      const pivot = rows[r]![c]!;
      for (let k = 0; k < cols; k++) rows[r]![k]! /= pivot;
      for (let i = 0; i < rows.length; i++) {
        if (i === r) continue;
        const factor = rows[i]![c]!;
        if (Math.abs(factor) < 1e-12) continue;
        for (let k = 0; k < cols; k++) rows[i]![k]! -= factor * rows[r]![k]!;
      }
      pivots.push({ row: r, col: c });
      r++;
    }
    return pivots
      .filter(({ row, col }) => rows[row]!.every((v, k) => k === col || Math.abs(v) < 1e-9))
      .map(({ col }) => this.unknowns[col]!);
  }
}

const groupOf = (r: { week_label: string; icd10_category: string }) => `${r.week_label}/${r.icd10_category}`;

/** Suppressed cells (and suppressed weekly totals) that the released cells determine exactly. */
export function recoverableCells(v: ViewRows): string[] {
  const groups = new Map<string, System>();
  const system = (g: string) => {
    const s = groups.get(g) ?? new System();
    groups.set(g, s);
    return s;
  };
  const national = new Map(v.national.map((r) => [groupOf(r), r.cases]));
  const total = (g: string) => ({ cell: `${g} N`, value: national.get(g) ?? null, sign: -1 });

  const statesByGroup = Map.groupBy(v.states, groupOf);
  for (const [g, rows] of statesByGroup) {
    system(g).add([
      total(g),
      ...rows.map((r) => ({ cell: `${g} state ${r.state_code}`, value: r.cases, sign: 1 })),
    ]);
  }
  const ageSexByGroup = Map.groupBy(v.ageSex, groupOf);
  for (const [g, rows] of ageSexByGroup) {
    system(g).add([
      total(g),
      ...rows.map((r) => ({ cell: `${g} ${r.age_band} ${r.sex}`, value: r.cases, sign: 1 })),
    ]);
  }
  const stateCases = new Map(v.states.map((r) => [`${groupOf(r)} state ${r.state_code}`, r.cases]));
  const districtLines = Map.groupBy(v.districts, (r) => `${groupOf(r)} state ${r.state_code}`);
  for (const [line, rows] of districtLines) {
    const g = groupOf(rows[0]!);
    system(g).add([
      { cell: line, value: stateCases.get(line) ?? null, sign: -1 },
      ...rows.map((r) => ({
        cell: `${line} district ${r.district_code ?? "other"}`,
        value: r.cases,
        sign: 1,
      })),
    ]);
  }
  return [...groups.values()].flatMap((s) => s.determined());
}
