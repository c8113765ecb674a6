/**
 * Attacks on dataset releases through the real API, on a simulated hospital network: the
 * simulator writes to a real chain, the indexer fills PostgreSQL, the API cuts monthly releases
 * and serves them over HTTP to two colluding ANALYST accounts. Each test plays one attack with
 * nothing but API answers, then checks against the ground truth (who each released row really
 * is, known only with the server secret) that it recovered no count from 1 to 10 and singled no
 * one out. What each attack got before releases existed is in docs/privacy-releases.md.
 *
 * About 40 s on this machine, most of it the simulation: a network is what the suite attacks.
 */
import type { Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { RELEASE_K, RELEASE_L } from "../../graphql/analytics/datasets/release-policy.ts";
import { createDocTelClient, type SigningWalletClient } from "../../sdk/index.ts";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { toEpochDay } from "../../shared/reference/weeks.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import { runSimulation } from "../../simulator/index.ts";
import { cut, rowsWithTruth } from "../graphql/dataset-fixtures.ts";
import { PEPPER } from "../graphql/harness.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { headOf, startIndexer } from "../helpers/indexer.ts";
import {
  type AttackerApi,
  buildDataset,
  classKey,
  classOfFacts,
  fetchReleases,
  isRefused,
  type SeenDataset,
  type SeenRelease,
  type SeenRow,
  startAttackerApi,
} from "./datasets-harness.ts";

const db = useTestDatabase({ poolSize: 8 });
const chain = useTestChain();
const ANALYST_A = DEV_PRIVATE_KEYS[8] as Hex;
const ANALYST_B = DEV_PRIVATE_KEYS[9] as Hex;
const HEALTH = DEV_PRIVATE_KEYS[7] as Hex;

let deployment: DeploymentRecord;
let api: AttackerApi;
let tokenA: string;
let tokenB: string;
let tokenHealth: string;
let releases: SeenRelease[];
/** Every row of every release, as analyst A read them (a dataset of all classes). */
const everything = new Map<string, SeenDataset>();
/** Ground truth: the patient behind each pseudonym, per release. */
const truth = new Map<string, Map<string, string>>();

interface Treatment {
  id: string;
  patient_ref: string;
  day: number;
  sex: string;
  age_band: string;
  state: number;
  district: number;
}
let treatments: Treatment[];

beforeAll(async () => {
  const deployed = await chain.deployDocTel({ pepper: PEPPER });
  const block = await chain.publicClient.getBlock({ blockNumber: deployed.deployBlock });
  deployment = {
    chainId: chain.chain.id,
    address: deployed.address,
    deployBlock: Number(deployed.deployBlock),
    deployTxHash: deployed.txHash,
    governance: chain.wallets[0]!.account.address,
    referenceKeyId: referenceKeyId(PEPPER),
    deployedAt: new Date(Number(block.timestamp) * 1000).toISOString(),
  };
  // Sixty-five days from now: two whole months, each released once the next has begun.
  await runSimulation({
    rpcUrl: chain.rpcUrl,
    contract: deployed.address,
    governanceKey: DEV_PRIVATE_KEYS[0],
    pepper: PEPPER,
    seed: "privacy-datasets",
    targetEvents: 4_000,
    hospitals: 1,
    days: 65,
    vitalsShare: 0.05,
    slotHours: 2,
    filesFraction: 0,
    castFile: false,
  });
  const governance = createDocTelClient({
    publicClient: chain.publicClient as never,
    walletClient: chain.wallets[0] as unknown as SigningWalletClient,
    address: deployed.address,
    pepper: PEPPER,
    pollingIntervalMs: 20,
  });
  for (const [i, role] of [
    [8, "ANALYST"],
    [9, "ANALYST"],
    [7, "PUBLIC_HEALTH"],
  ] as const) {
    await governance.grantRole({ role, account: chain.wallets[i]!.account.address });
  }
  const indexer = startIndexer({
    pool: db.pool,
    rpcUrl: chain.rpcUrl,
    address: deployed.address,
    deployBlock: deployed.deployBlock,
    chainId: chain.chain.id,
  });
  await indexer.waitFor(await headOf(chain.rpcUrl));
  await indexer.stop();

  api = await startAttackerApi(db, deployment, { ANALYTICS_DATASETS_PER_DAY: "500" });
  // The API cuts what is due as it starts; once our own run gets the lock, its run is over.
  while (!(await cut(db.pool)).locked) await new Promise((r) => setTimeout(r, 50));
  tokenA = await api.signIn(ANALYST_A);
  tokenB = await api.signIn(ANALYST_B);
  tokenHealth = await api.signIn(HEALTH);

  releases = await fetchReleases(api, tokenA);
  for (const release of releases) {
    const all = await buildDataset(api, tokenA, { releaseId: release.id });
    if (isRefused(all)) throw new Error(`dataset of all of ${release.period}: ${all.messages.join("; ")}`);
    everything.set(release.id, all);
    truth.set(
      release.id,
      new Map((await rowsWithTruth(db.pool, release.id)).map((r) => [r.pseudonym, r.patientRef])),
    );
  }
  const { rows } = await db.pool.query<Treatment & { birth: string }>(
    `SELECT t.id::text, t.patient_ref, ((t.opened_at AT TIME ZONE 'UTC') + interval '330 minutes')::date::text AS day,
            t.patient_sex::text AS sex, t.patient_age_band AS age_band, t.patient_state AS state,
            t.patient_district AS district
       FROM treatment t`,
  );
  treatments = rows.map((r) => ({ ...r, day: toEpochDay(r.day as unknown as string) }));
}, 300_000);

/** The class the attacker puts an admission in, from its public facts. */
const admissionClass = (release: SeenRelease, t: Treatment) =>
  classOfFacts(release, {
    day: t.day,
    stateCode: t.state,
    districtCode: t.district,
    sex: t.sex,
    ageBand: t.age_band,
  });

const patientsOf = (releaseId: string, rows: readonly SeenRow[]) =>
  new Set(rows.map((r) => truth.get(releaseId)!.get(r.pseudonym)!));

describe("the simulated network's releases", () => {
  it("were cut once per closed month, each with released classes to attack", () => {
    expect(releases.length).toBeGreaterThanOrEqual(2);
    for (const r of releases) {
      expect(r.classes.length).toBeGreaterThan(0);
      expect([r.k, r.l]).toEqual([RELEASE_K, RELEASE_L]);
    }
  });
});

describe("attack: counts as oracles", () => {
  it("finds every count of releases, classes and datasets equal to what the released rows show, or rounded to tens", () => {
    for (const release of releases) {
      const rows = everything.get(release.id)!.rows;
      expect(release.rowCount).toBe(rows.length);
      expect(release.classCount).toBe(new Set(rows.map(classKey)).size);
      expect(release.classes).toHaveLength(release.classCount);
      expect(release.chapterRows).toBe(rows.filter((r) => r.diagnosisLevel === "CHAPTER").length);
      for (const c of release.classes) {
        const mine = rows.filter((r) => classKey(r) === classKey(c));
        expect(c.rows).toBe(mine.length);
        expect(c.diagnoses).toBe(new Set(mine.map((r) => r.diagnosis)).size);
      }
      const loss = release.classes.reduce((s, c) => s + c.rows * c.informationLoss, 0) / release.rowCount;
      expect(release.informationLoss).toBeCloseTo(loss, 10);
      expect(release.suppressedRows.roundedTo).toBe(10);
      expect(release.suppressedRows.approximately % 10).toBe(0);
    }
  });

  it("recovers no exact count from before suppression: the only such count is rounded, the other is gone", async () => {
    for (const release of releases) {
      const candidates = treatments.filter(
        (t) => t.day >= toEpochDay(release.from) && t.day <= toEpochDay(release.to),
      ).length;
      const suppressed = candidates - release.rowCount;
      // What the attacker can infer: suppressed in [approximately - 5, approximately + 4].
      expect(Math.abs(release.suppressedRows.approximately - suppressed)).toBeLessThanOrEqual(5);
      const feasible = Array.from(
        { length: 10 },
        (_, i) => release.suppressedRows.approximately - 5 + i,
      ).filter((n) => n >= 0);
      expect(feasible.length).toBeGreaterThanOrEqual(5);
    }
    // The fields that gave exact counts before are gone from the schema.
    for (const field of ["candidateRows", "suppressedRows", "achievedK"]) {
      const res = await api.gql(`{ deidentifiedDatasets { nodes { ${field} } } }`, {}, tokenA);
      expect(res.codes).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    }
  });

  it("sees no released count of a class and diagnosis from 1 to 10: each is 0 or at least k patients", () => {
    for (const release of releases) {
      const groups = new Map<string, SeenRow[]>();
      for (const r of everything.get(release.id)!.rows) {
        const key = `${classKey(r)}/${r.diagnosis}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      for (const rows of groups.values()) {
        expect(rows.length).toBeGreaterThanOrEqual(RELEASE_K);
        expect(patientsOf(release.id, rows).size).toBeGreaterThanOrEqual(RELEASE_K);
      }
    }
  });
});

describe("attack: one-day windows", () => {
  it("can ask for no day: no input takes a date, a day as a period is refused, every row's period is a week or coarser", async () => {
    const release = releases[0]!;
    const byDay = await buildDataset(api, tokenA, { releaseId: release.id, periods: [release.from] });
    expect(isRefused(byDay) && byDay.refused).toEqual(["BAD_USER_INPUT"]);
    const range = await api.gql(
      `mutation { createDeidentifiedDataset(input: { from: "${release.from}", to: "${release.from}" }) { id } }`,
      {},
      tokenA,
    );
    expect(new Set(range.codes)).toEqual(new Set(["GRAPHQL_VALIDATION_FAILED"]));
    for (const d of everything.values())
      for (const r of d.rows) expect(r.period).toMatch(/^(\d{4}-W\d{2}|\d{4}-\d{2}|\*)$/);
  });
});

/** Rows of `a` not in `b`, as multisets of whole rows. */
function difference(a: readonly SeenRow[], b: readonly SeenRow[]): SeenRow[] {
  const left = new Map<string, number>();
  for (const r of b) left.set(JSON.stringify(r), (left.get(JSON.stringify(r)) ?? 0) + 1);
  return a.filter((r) => {
    const key = JSON.stringify(r);
    const n = left.get(key) ?? 0;
    if (n === 0) return true;
    left.set(key, n - 1);
    return false;
  });
}

describe("attack: differences between datasets", () => {
  it("isolates only whole classes: every value's dataset minus its complement holds k patients, k per diagnosis, l diagnoses", async () => {
    let differences = 0;
    for (const release of releases) {
      const all = everything.get(release.id)!.rows;
      const fields: [string, unknown[]][] = [
        ["ageBands", release.values.ageBands],
        ["sexes", release.values.sexes],
        ["periods", release.values.periods],
        ["states", [...new Set(release.values.regions.map((r) => r.stateCode).filter((s) => s !== null))]],
      ];
      for (const [field, values] of fields) {
        for (const value of values) {
          const rest = values.filter((v) => v !== value);
          const without =
            rest.length === 0
              ? null
              : await buildDataset(api, tokenB, { releaseId: release.id, [field]: rest });
          const isolated = difference(all, without && !isRefused(without) ? without.rows : []);
          if (isolated.length === 0) continue;
          differences++;
          expect(patientsOf(release.id, isolated).size).toBeGreaterThanOrEqual(RELEASE_K);
          const byDiagnosis = new Map<string | null, SeenRow[]>();
          for (const r of isolated)
            byDiagnosis.set(r.diagnosis, [...(byDiagnosis.get(r.diagnosis) ?? []), r]);
          expect(byDiagnosis.size).toBeGreaterThanOrEqual(RELEASE_L);
          for (const rows of byDiagnosis.values())
            expect(patientsOf(release.id, rows).size).toBeGreaterThanOrEqual(RELEASE_K);
          // The isolated rows are whole classes: every class they touch, they hold entirely.
          for (const key of new Set(isolated.map(classKey))) {
            expect(isolated.filter((r) => classKey(r) === key).length).toBe(
              all.filter((r) => classKey(r) === key).length,
            );
          }
        }
      }
    }
    expect(differences).toBeGreaterThan(0);
  });

  it("gains nothing from asking twice, from another account: the same selection is the same rows, row for row", async () => {
    const release = releases[0]!;
    const again = await buildDataset(api, tokenB, { releaseId: release.id });
    expect(!isRefused(again) && again.rows).toEqual(everything.get(release.id)!.rows);
  });
});

describe("attack: linkage across releases", () => {
  it("finds no pseudonym in two releases, though patients are in both", () => {
    const seen = new Map<string, string>();
    for (const release of releases) {
      for (const r of everything.get(release.id)!.rows) {
        const other = seen.get(r.pseudonym);
        expect(other === undefined || other === release.id).toBe(true);
        seen.set(r.pseudonym, release.id);
      }
    }
    const patientsPerRelease = releases.map((r) => new Set(truth.get(r.id)!.values()));
    const inBoth = [...patientsPerRelease[0]!].filter((p) =>
      patientsPerRelease.slice(1).some((s) => s.has(p)),
    );
    expect(inBoth.length).toBeGreaterThan(0);
  });
});

describe("attack: public knowledge of a person", () => {
  it("leaves at least k patients behind the rows matching anyone's admission day, district, sex and age", () => {
    let people = 0;
    for (const release of releases) {
      const rows = everything.get(release.id)!.rows;
      const byClass = new Map<string, SeenRow[]>();
      for (const r of rows) byClass.set(classKey(r), [...(byClass.get(classKey(r)) ?? []), r]);
      for (const t of treatments) {
        if (t.day < toEpochDay(release.from) || t.day > toEpochDay(release.to)) continue;
        const key = admissionClass(release, t);
        const candidates = byClass.get(key) ?? [];
        if (candidates.length === 0) continue; // suppressed: the person is not in the release
        people++;
        expect(patientsOf(release.id, candidates).size).toBeGreaterThanOrEqual(RELEASE_K);
      }
    }
    expect(people).toBeGreaterThan(0);
  });

  it("leaves at least k candidates, or none, to whoever knows every admission of a patient", () => {
    let tried = 0;
    for (const release of releases) {
      const rows = everything.get(release.id)!.rows;
      const classesOf = new Map<string, string[]>();
      for (const r of rows) classesOf.set(r.pseudonym, [...(classesOf.get(r.pseudonym) ?? []), classKey(r)]);
      const admissions = new Map<string, string[]>();
      for (const t of treatments) {
        if (t.day < toEpochDay(release.from) || t.day > toEpochDay(release.to)) continue;
        const key = admissionClass(release, t);
        admissions.set(t.patient_ref, [...(admissions.get(t.patient_ref) ?? []), key]);
      }
      for (const known of admissions.values()) {
        if (known.length < 2) continue;
        tried++;
        // Pseudonyms whose rows cover every known admission (as many times as known).
        const need = new Map<string, number>();
        for (const k of known) need.set(k, (need.get(k) ?? 0) + 1);
        const candidates = [...classesOf].filter(([, classes]) =>
          [...need].every(([k, n]) => classes.filter((c) => c === k).length >= n),
        );
        if (candidates.length === 0) continue;
        const patients = new Set(candidates.map(([p]) => truth.get(release.id)!.get(p)));
        expect(patients.size).toBeGreaterThanOrEqual(RELEASE_K);
      }
    }
    expect(tried).toBeGreaterThan(0);
  });

  it("never makes a diagnosis certain: every class and every group of pseudonyms with the same classes shows l diagnoses", () => {
    for (const release of releases) {
      const rows = everything.get(release.id)!.rows;
      const byPseudonym = new Map<string, SeenRow[]>();
      for (const r of rows) byPseudonym.set(r.pseudonym, [...(byPseudonym.get(r.pseudonym) ?? []), r]);
      const groups = new Map<string, SeenRow[]>();
      for (const list of byPseudonym.values()) {
        const signature = list.map(classKey).sort().join(";");
        groups.set(signature, [...(groups.get(signature) ?? []), ...list]);
      }
      for (const [signature, list] of groups) {
        for (const key of new Set(signature.split(";"))) {
          const inClass = list.filter((r) => classKey(r) === key);
          expect(new Set(inClass.map((r) => r.diagnosis)).size).toBeGreaterThanOrEqual(RELEASE_L);
        }
        expect(patientsOf(release.id, list).size).toBeGreaterThanOrEqual(RELEASE_K);
      }
    }
  });
});

describe("attack: the export beside GraphQL", () => {
  it("exports exactly the rows GraphQL shows, and records both in the access audit log", async () => {
    const release = releases[0]!;
    const dataset = everything.get(release.id)!;
    const res = await api.get(dataset.exportPath, tokenA);
    expect(res.status).toBe(200);
    const lines = res.body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as SeenRow);
    const strip = (r: SeenRow) => ({
      ...r,
      region: { level: r.region.level, stateCode: r.region.stateCode, districtCode: r.region.districtCode },
      vitals: { count: r.vitals.count },
    });
    expect(lines.map(strip)).toEqual(dataset.rows.map(strip));
    expect((await api.get(dataset.exportPath, tokenB)).status).toBe(404);
    expect((await api.get(dataset.exportPath, tokenHealth)).status).toBe(403);
    const { rows: audit } = await db.pool.query<{ operation: string }>(
      "SELECT DISTINCT operation FROM access_audit_log WHERE record_type = 'DATASET' AND $1 = ANY(record_ids)",
      [dataset.id],
    );
    expect(audit.map((a) => a.operation).sort()).toEqual([
      "DeidentifiedDataset.rows",
      "createDeidentifiedDataset",
      "exportDataset",
    ]);
  });
});

describe("attack: unlimited datasets", () => {
  it("stops an account at its daily dataset limit with RATE_LIMITED; PUBLIC_HEALTH gets no dataset at all", async () => {
    // A second replica with a lower limit: the limit counts the account's datasets in the database.
    const strict = await startAttackerApi(db, deployment, { ANALYTICS_DATASETS_PER_DAY: "2" });
    try {
      const fresh = await strict.signIn(ANALYST_A);
      // Analyst A already built many datasets today on the first server: the limit counts them all.
      const refused = await buildDataset(strict, fresh, { releaseId: releases[0]!.id });
      expect(isRefused(refused) && refused.refused).toEqual(["RATE_LIMITED"]);
      expect(isRefused(refused) && refused.messages[0]).toMatch(/limit of 2 datasets per 24 hours/);
      const health = await buildDataset(api, tokenHealth, {});
      expect(isRefused(health) && health.refused).toEqual(["FORBIDDEN"]);
    } finally {
      await strict.server.close();
    }
  });
});
