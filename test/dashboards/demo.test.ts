/**
 * What `npm start` gives a first-time user, on the real demo data (one demo stack for the file):
 *  1. the demo network's outcomes, through the API: most published weekly state-level counts of
 *     the common surveillance groups released, an outbreak flagged, a latest dataset release with
 *     rows that keeps age bands and periods (the density knob, SIZE_PRESETS.demo, is chosen from these);
 *  2. every GraphQL example of the README, run as the role the README names, returns data;
 *  3. the dashboards in Debian's Chromium, each role and page: readable records (°C, mmHg, %,
 *     stage names, actors by role), vitals charts, the published trends (suppressed weeks hatched,
 *     the open week pending, EARS only after a baseline) and a noisy custom view, the analyst's
 *     releases and a dataset of whole classes with its NDJSON export, a revoked session, the
 *     explorer's schema.
 * Why one file over a minute: the demo simulation is the subject, and it runs once for all three.
 * Screenshots go to test-artifacts/dashboards/.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type OperationDefinitionNode, parse } from "graphql";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TREND_GROUPS } from "../../dashboards/web/src/views/public-health/trend-form.ts";
import { groupsOfCategory } from "../../graphql/analytics/publications/lattice.ts";
import { EARS_WEEKLY } from "../../graphql/analytics/trends/ears.ts";
import { launchChromium, requireChromium, screenshot } from "./browser.ts";
import { useDemoStack } from "./demo-stack.ts";

// Before the stack starts: without Chromium there is no point simulating a hospital network.
beforeAll(() => requireChromium());
const stack = useDemoStack();

/**
 * The surveillance groups a public-health official watches first (the trends page's defaults; both
 * are published: water-borne, defined with B17.2, is answered with noise only).
 */
const COMMON_GROUPS = DEFAULT_TREND_GROUPS;
/** "Most": the share of published weekly state-level cells of those groups released with a count. */
const MIN_RELEASED_SHARE = 0.5;

/** IST day of an instant (the API's reporting days). */
const istDay = (iso: string) => new Date(Date.parse(iso) + 330 * 60_000).toISOString().slice(0, 10);
const period = () => ({ from: istDay(stack.cast.simulatedFrom), to: istDay(stack.cast.simulatedTo) });

interface TrendPoint {
  weekStart: string;
  published: boolean;
  count: number | null;
  suppressed: boolean;
  c2Alarm: boolean | null;
  c3Alarm: boolean | null;
}
interface TrendSeries {
  diagnosisIndex: number;
  total: boolean;
  region: { level: string; code: string };
  points: TrendPoint[];
}
const TRENDS = `query ($input: CaseTrendsInput!) {
  caseTrends(input: $input) {
    series { diagnosisIndex total region { level code } points { weekStart published count suppressed c2Alarm c3Alarm } }
  }
}`;

/** Weeks wholly inside the simulated period (the first and last are partial). */
function wholeWeeks(points: TrendPoint[]): TrendPoint[] {
  const { from, to } = period();
  return points.filter(
    (p) =>
      p.weekStart >= from && istDay(new Date(Date.parse(p.weekStart) + 6 * 86_400_000).toISOString()) < to,
  );
}

describe("the demo network's outcomes (SIZE_PRESETS.demo)", () => {
  let publicHealth: string;
  beforeAll(async () => {
    publicHealth = await stack.signIn(stack.cast.publicHealth.privateKey!);
  });

  it("releases most published weekly state-level counts of the common surveillance groups, because the network is dense enough", async () => {
    const { data, errors } = await stack.gql<{ caseTrends: { series: TrendSeries[] } }>(
      TRENDS,
      {
        input: {
          ...period(),
          diagnoses: COMMON_GROUPS.map((code) => ({ level: "GROUP", code })),
          breakdown: "STATE",
        },
      },
      publicHealth,
    );
    expect(errors).toBeUndefined();
    const states = new Set(stack.cast.hospitals.map((h) => String(h.stateCode)));
    const series = data!.caseTrends.series.filter(
      (s) => !s.total && s.region.level === "STATE" && states.has(s.region.code),
    );
    expect(series).toHaveLength(COMMON_GROUPS.length * states.size);
    // The cells are the publications' (one per published whole week, group and state): as many
    // weeks per series as the publication job published, nearly all of the simulated year.
    const { rows } = await stack.db.pool.query<{ first_day: string }>(
      "SELECT to_char(first_day, 'YYYY-MM-DD') AS first_day FROM api.case_publication WHERE level = 'WEEK'",
    );
    const publishedWeeks = wholeWeeks(rows.map((r) => ({ weekStart: r.first_day }) as TrendPoint)).length;
    expect(publishedWeeks).toBeGreaterThanOrEqual(45);
    const cells = series.flatMap((s) => wholeWeeks(s.points).filter((p) => p.published));
    expect(cells).toHaveLength(series.length * publishedWeeks);
    const released = cells.filter((c) => !c.suppressed && (c.count ?? 0) > 0).length;
    console.info(
      `demo outcome: ${released} of ${cells.length} published weekly state cells of ${COMMON_GROUPS.join(", ")} released (${((100 * released) / cells.length).toFixed(1)} %), ${publishedWeeks} weeks published`,
    );
    expect(released / cells.length).toBeGreaterThan(MIN_RELEASED_SHARE);
  });

  // In its state and surveillance group, as an official watches it: a district's weekly count of a
  // category is published only when its neighbours' small counts keep room to reach 11
  // (docs/privacy.md), and a category's usual weekly count in a state is mostly suppressed, which
  // leaves aberration detection no baseline; a group's is released.
  it("flags at least one of the planned outbreaks as an aberration, in its state and surveillance group, while it lasts", async () => {
    expect(stack.cast.outbreaks.length).toBeGreaterThan(0);
    let flagged = 0;
    for (const outbreak of stack.cast.outbreaks) {
      const category = outbreak.icd10.slice(0, 3);
      const group = groupsOfCategory(category)[0];
      const { data, errors } = await stack.gql<{ caseTrends: { series: TrendSeries[] } }>(
        TRENDS,
        {
          input: {
            ...period(),
            diagnoses: [group ? { level: "GROUP", code: group } : { level: "CATEGORY", code: category }],
            region: { state: outbreak.stateCode },
          },
        },
        publicHealth,
      );
      expect(errors).toBeUndefined();
      const end = new Date(Date.parse(outbreak.from) + (outbreak.weeks + 1) * 7 * 86_400_000).toISOString();
      const during = data!.caseTrends.series
        .flatMap((s) => s.points)
        .filter(
          (p) =>
            p.weekStart >= istDay(new Date(Date.parse(outbreak.from) - 6 * 86_400_000).toISOString()) &&
            p.weekStart <= end.slice(0, 10),
        );
      if (during.some((p) => p.c2Alarm === true || p.c3Alarm === true)) flagged++;
    }
    console.info(
      `demo outcome: ${flagged} of ${stack.cast.outbreaks.length} outbreaks flagged in their state and group`,
    );
    expect(flagged).toBeGreaterThanOrEqual(1);
  });

  it("releases the latest period with rows, and builds the analyst page's default dataset from it", async () => {
    const analyst = await stack.signIn(stack.cast.analyst.privateKey!);
    const releases = await stack.gql<{
      datasetReleases: {
        nodes: {
          id: string;
          period: string;
          rowCount: number;
          classCount: number;
          informationLoss: number;
          suppressedRows: { approximately: number };
          generalization: { age: string; sex: string; region: string; period: string };
        }[];
      };
    }>(
      `{ datasetReleases(first: 100) { nodes {
          id period rowCount classCount informationLoss suppressedRows { approximately }
          generalization { age sex region period }
      } } }`,
      {},
      analyst,
    );
    expect(releases.errors).toBeUndefined();
    const nodes = releases.data!.datasetReleases.nodes;
    const { rows: stored } = await stack.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM api.dataset_release",
    );
    expect(nodes.length).toBe(stored[0]!.n);
    for (const r of nodes) {
      const g = r.generalization;
      console.info(
        `demo outcome: release ${r.period}: ${r.rowCount} rows, ${r.classCount} classes, ≈ ${r.suppressedRows.approximately} left out, loss ${(100 * r.informationLoss).toFixed(1)} %, age ${g.age}, sex ${g.sex}, region ${g.region}, period ${g.period}`,
      );
    }
    // The analyst page's default release (dashboards/web/src/views/analyst/datasets.tsx), as the
    // API's: the latest with rows (releases come newest first).
    const latest = nodes.find((r) => r.rowCount > 0);
    if (!latest) throw new Error("no dataset release with rows");

    // The page's default dataset: every class of that release (nothing ticked).
    const { data, errors } = await stack.gql<{
      createDeidentifiedDataset: { rowCount: number; classCount: number; release: { id: string } };
    }>(
      `mutation ($input: DatasetInput!) {
        createDeidentifiedDataset(input: $input) { rowCount classCount release { id } }
      }`,
      { input: { releaseId: latest.id } },
      analyst,
    );
    expect(errors).toBeUndefined();
    const d = data!.createDeidentifiedDataset;
    console.info(
      `demo outcome: default dataset of ${latest.period}: ${d.rowCount} rows, ${d.classCount} classes`,
    );
    expect(d.release.id).toBe(latest.id);
    expect(d.rowCount).toBeGreaterThan(0);
    expect(d.rowCount).toBe(latest.rowCount);
    // Whether age bands survive the release rule depends on the quarter at this density (the
    // figures above; docs/simulator.md): not asserted.
  });
});

// ---------------------------------------------------------------------------------------- README

/** A sample patient's treatment with a verified file, the one with most vitals, and its hospital. */
async function sampleTreatment() {
  const refs = stack.cast.samplePatients.map((p) => p.reference.toLowerCase());
  const { rows } = await stack.db.pool.query<{ id: string; ref: string; hospital_id: number }>(
    `SELECT t.id::text AS id, t.patient_ref AS ref, t.hospital_id FROM treatment t
       JOIN attachment a ON a.treatment_id = t.id
       JOIN file_verification v ON v.cid = a.cid AND v.status = 'VERIFIED'
      WHERE lower(t.patient_ref) = ANY($1::text[])
      ORDER BY (SELECT count(*) FROM vital WHERE treatment_id = t.id) DESC, t.id LIMIT 1`,
    [refs],
  );
  const row = rows[0];
  if (!row) throw new Error("the demo left no sample patient with a verified attachment");
  const patient = stack.cast.samplePatients.find((p) => p.reference.toLowerCase() === row.ref.toLowerCase())!;
  const hospital = stack.cast.hospitals.find((h) => h.id === row.hospital_id)!;
  return { patient, treatmentId: row.id, staff: hospital.staff[0]!, hospital };
}

interface ReadmeExample {
  query: string;
  /** The paragraph before the block (or before the block it follows): says whose query it is. */
  intro: string;
}

async function readmeExamples(): Promise<ReadmeExample[]> {
  const lines = (await readFile(path.resolve(import.meta.dirname, "../../README.md"), "utf8")).split("\n");
  const examples: ReadmeExample[] = [];
  let intro = "";
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```graphql") continue;
    let end = i - 1;
    while (end >= 0 && lines[end] === "") end--;
    // A block right after another block (the analyst's releases, then a dataset) shares its paragraph.
    if (lines[end] !== "```") {
      let begin = end;
      while (begin > 0 && lines[begin - 1] !== "") begin--;
      intro = lines.slice(begin, end + 1).join(" ");
    }
    const close = lines.indexOf("```", i + 1);
    if (close < 0) throw new Error(`README: the graphql block at line ${i + 1} is not closed`);
    examples.push({ intro, query: lines.slice(i + 1, close).join("\n") });
    i = close;
  }
  return examples;
}

/** Whose query a README example is, from the sentence that introduces it. */
function roleOf(intro: string): "staff" | "publicHealth" | "analyst" | "auditor" {
  if (/public-health/i.test(intro)) return "publicHealth";
  if (/analyst/i.test(intro)) return "analyst";
  if (/governance|auditor/i.test(intro)) return "auditor";
  if (/staff|treatment/i.test(intro)) return "staff";
  throw new Error(
    `README example "${intro}": say whose query it is (staff, public-health, analyst, auditor)`,
  );
}

/** Every list in an answer is non-empty and every top-level field non-null: the example shows data. */
function emptyParts(value: unknown, at = "data"): string[] {
  if (value === null || value === undefined) return [at];
  if (Array.isArray(value))
    return value.length === 0 ? [at] : value.flatMap((v, i) => emptyParts(v, `${at}[${i}]`).slice(0, 1));
  if (typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) =>
      v === null && at !== "data" ? [] : emptyParts(v, `${at}.${k}`),
    );
  }
  return [];
}

describe("the README's GraphQL examples on a fresh npm start", () => {
  it("each returns data, run as the role the README names, with the demo's values for its variables", async () => {
    const examples = await readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(6);
    const { patient, treatmentId, hospital } = await sampleTreatment();
    const keys = {
      staff: hospital.staff[0]!.privateKey!,
      publicHealth: stack.cast.publicHealth.privateKey!,
      analyst: stack.cast.analyst.privateKey!,
      auditor: stack.cast.auditor.privateKey!,
    };
    // A range of past days: noisy answers cover complete days only (yesterday at the latest).
    const yesterday = istDay(new Date(Date.now() - 86_400_000).toISOString());
    const values: Record<string, unknown> = {
      aadhaar: patient.aadhaar,
      id: treatmentId,
      from: period().from,
      to: [period().to, yesterday].sort()[0],
      state: stack.cast.hospitals[0]!.stateCode,
    };
    for (const example of examples) {
      const operation = parse(example.query).definitions[0] as OperationDefinitionNode;
      const variables: Record<string, unknown> = {};
      for (const v of operation.variableDefinitions ?? []) {
        const name = v.variable.name.value;
        if (!(name in values))
          throw new Error(`README example "${example.intro}": no demo value for $${name}`);
        variables[name] = values[name];
      }
      const token = await stack.signIn(keys[roleOf(example.intro)]);
      const answer = await stack.gql(example.query, variables, token);
      const what = `${example.intro} ${example.query.split("\n")[0]}`;
      expect({ what, errors: answer.errors }).toEqual({ what, errors: undefined });
      expect({ what, empty: emptyParts(answer.data) }).toEqual({ what, empty: [] });
    }
  });
});

// --------------------------------------------------------------------------------------- browser

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Requests to anything but the API's origin (the app must work offline). */
const foreignRequests: string[] = [];
/** Uncaught page errors and Content-Security-Policy refusals. */
const pageProblems: string[] = [];

describe("the dashboards in Chromium", () => {
  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
      timezoneId: "Asia/Kolkata",
    });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(stack.origin) || url.startsWith("blob:") || url.startsWith("data:"))
        return route.continue();
      foreignRequests.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy|Refused to/.test(message.text())) {
        pageProblems.push(`csp: ${message.text()}`);
      }
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Signs out if needed, then signs in with the demo account at `address`. */
  async function signInAs(address: string): Promise<void> {
    await page.goto(`${stack.origin}/sign-in`);
    const signOut = page.getByRole("button", { name: "Sign out" });
    if (await signOut.isVisible()) {
      await signOut.click();
      await page.waitForURL(/\/sign-in/);
    }
    await page.getByRole("heading", { name: "Demo accounts" }).waitFor();
    await page.getByLabel("Or pick an account").selectOption(address);
    await page.getByRole("button", { name: "Sign in as this account" }).click();
    await page.waitForURL((url) => url.pathname !== "/sign-in");
    await page.getByTestId("signed-in-address").waitFor();
  }

  describe("hospital staff", () => {
    let target: Awaited<ReturnType<typeof sampleTreatment>>;

    it("redirects to sign-in and offers the cast's demo accounts, because demo mode is on", async () => {
      target = await sampleTreatment();
      await page.goto(`${stack.origin}/`);
      await page.waitForURL(/\/sign-in$/);
      await page.getByRole("heading", { name: "Demo accounts" }).waitFor();
      expect(await page.getByLabel("Or pick an account").locator("option").count()).toBeGreaterThan(5);
      await screenshot(page, "01-sign-in");
    });

    it("signs staff in and lists the hospital's open treatments", async () => {
      await signInAs(target.staff.address);
      await page.waitForURL(/\/hospital$/);
      expect(await page.getByTestId("signed-in-roles").textContent()).toContain(target.hospital.name);
      await page.getByTestId("current-patients").locator("tbody tr").first().waitFor();
      await screenshot(page, "02-staff-lookup");
    });

    it("finds a patient by Aadhaar and titles them by masked Aadhaar, sex, age and district, never the number", async () => {
      await page.getByLabel("Aadhaar number").fill(target.patient.aadhaar);
      await page.getByRole("button", { name: "Look up" }).click();
      await page.waitForURL(/\/hospital\/patients\/0x[0-9a-f]{64}$/);
      expect(page.url()).not.toContain(target.patient.aadhaar);
      const title = await page.locator("#patient-title").textContent();
      expect(title).toContain(`XXXX XXXX ${target.patient.aadhaar.slice(8)}`);
      expect(title).not.toContain(target.patient.aadhaar.slice(0, 8));
      expect(title).toMatch(/(Female|Male|Other|Unknown), \d+ years · \S/);
      const stored = await page.evaluate(
        () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      );
      expect(stored).not.toContain(target.patient.aadhaar);
      await page.getByTestId("vitals-chart").waitFor();
      expect(await page.locator(".vitals-panel .normal-range").count()).toBeGreaterThan(0);
      await screenshot(page, "03-patient");
    });

    it("shows the treatment's timeline in clinical units and names, actors by role, and a vitals chart with normal ranges", async () => {
      await page.getByRole("link", { name: `#${target.treatmentId}`, exact: true }).click();
      await page.waitForURL(new RegExp(`/hospital/treatments/${target.treatmentId}$`));
      await page.locator("table.timeline tbody tr").first().waitFor();
      const timeline = (await page.locator("table.timeline").textContent()) ?? "";
      expect(timeline).toContain("Treatment opened");
      expect(timeline).toMatch(/Admitted → Diagnosed/);
      expect(timeline).toMatch(/\d+\.\d °C/);
      expect(timeline).toMatch(/IST/);
      expect(timeline).not.toMatch(/CentiC|Permille|fromStage|toStage|kind: \d/);
      expect(timeline).toMatch(/(Staff|Doctor \([^)]+\)), /);
      const actor = page.locator("table.timeline td.actor").first();
      expect(await actor.getAttribute("title")).toMatch(/^0x[0-9a-fA-F]{40}$/);
      await page.getByTestId("vitals-chart").waitFor();
      const panels = page.locator(".vitals-panel");
      expect(await panels.count()).toBeGreaterThan(0);
      expect(await panels.locator(".normal-range").count()).toBe(await panels.count());
      const { rows } = await stack.db.pool.query<{ files: number; verified: number }>(
        `SELECT (SELECT count(*)::int FROM attachment WHERE treatment_id = $1) AS files,
                (SELECT count(*)::int FROM attachment a JOIN file_verification v USING (cid)
                  WHERE a.treatment_id = $1 AND v.status = 'VERIFIED') AS verified`,
        [target.treatmentId],
      );
      expect(await page.locator("table.attachments .badge[data-status]").count()).toBe(rows[0]!.files);
      expect(await page.locator('.badge[data-status="VERIFIED"]').count()).toBe(rows[0]!.verified);
      await screenshot(page, "04-treatment");
      // A verified file opens from a blob fetched with the bearer token (a plain link has no header).
      const [popup] = await Promise.all([
        context.waitForEvent("page"),
        page.getByRole("button", { name: "Open", exact: true }).first().click(),
      ]);
      await popup.waitForLoadState();
      expect(popup.url()).toMatch(/^blob:/);
      await popup.close();
    });
  });

  describe("doctor", () => {
    it("sees their current patients first: open treatments they are assigned to, each one they may open", async () => {
      const { rows } = await stack.db.pool.query<{ doctor: string }>(
        `SELECT d.doctor FROM treatment_doctor d JOIN treatment t ON t.id = d.treatment_id
          WHERE t.stage IN ('ADMITTED', 'DIAGNOSED', 'IN_TREATMENT')
          GROUP BY d.doctor ORDER BY count(*) DESC LIMIT 1`,
      );
      const doctor = stack.cast.hospitals
        .flatMap((h) => h.doctors)
        .find((d) => d.address.toLowerCase() === rows[0]!.doctor.toLowerCase())!;
      await signInAs(doctor.address);
      await page.waitForURL(/\/hospital$/);
      const current = page.getByTestId("current-patients");
      await current.locator("tbody tr").first().waitFor();
      expect(await current.locator("h2").textContent()).toBe("Your current patients");
      // The list comes before the lookup form.
      const order = await page.evaluate(() => {
        const list = document.querySelector('[data-testid="current-patients"]');
        const form = document.querySelector("form.lookup");
        return list && form ? list.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
      });
      expect(order).toBeGreaterThan(0);
      await screenshot(page, "05-doctor");
      await current.locator("tbody tr td a").first().click();
      await page.waitForURL(/\/hospital\/patients\/0x[0-9a-f]{64}$/);
      await page.getByRole("heading", { name: "Treatments" }).waitFor();
    });
  });

  describe("public health", () => {
    it("draws published weeks with released points, suppressed weeks hatched, the open week pending, never as zero", async () => {
      await signInAs(stack.cast.publicHealth.address);
      await page.waitForURL(/\/public-health$/);
      await page.getByRole("button", { name: "Show trends" }).click();
      const charts = page.locator("figure.chart");
      await charts.first().waitFor();
      const all = charts.first();
      expect(Number(await all.getAttribute("data-points"))).toBeGreaterThan(0);
      expect(await all.locator("circle.dot").count()).toBe(Number(await all.getAttribute("data-points")));
      // The current week is not published: a pending band, and "not published yet" in the table.
      const pending = Number(await all.getAttribute("data-pending"));
      expect(pending).toBeGreaterThan(0);
      expect(await all.locator("g.pending-band").count()).toBe(pending);
      expect(await all.locator("tbody td em.pending", { hasText: "not published yet" }).count()).toBe(
        pending,
      );
      expect(await all.locator("text.axis-title", { hasText: "Cases per week" }).count()).toBe(1);

      let suppressedSeen = 0;
      for (const chart of await charts.all()) {
        const suppressed = Number(await chart.getAttribute("data-suppressed"));
        suppressedSeen += suppressed;
        expect(await chart.locator("g.suppressed-band").count()).toBe(suppressed);
        // The data table says "suppressed" for exactly those weeks, and gives no count for them.
        expect(await chart.locator("tbody td em", { hasText: "suppressed" }).count()).toBe(suppressed);
        if (suppressed > 0) expect(await chart.locator("text.suppressed-label").count()).toBe(1);
      }
      expect(suppressedSeen).toBeGreaterThan(0);
      expect(await page.getByText("aberrations by", { exact: false }).count()).toBe(1);
      // The data table fits its card.
      await all.locator("summary", { hasText: "Data table" }).click();
      const fits = await all.evaluate((figure) => {
        const wrap = figure.querySelector(".table-wrap") as HTMLElement;
        return wrap.getBoundingClientRect().right <= figure.getBoundingClientRect().right + 1;
      });
      expect(fits).toBe(true);
      await screenshot(page, "06-public-health");
    });

    it("scores EARS only once a full baseline is published: no upper bound nor alarm in the first 9 published weeks", async () => {
      // Every chart's table, week by week. Columns: week, starts, cases, moving average, upper
      // bound, aberration.
      const { baselineWeeks, lagWeeks } = EARS_WEEKLY;
      let scoredLater = 0;
      for (const chart of await page.locator("figure.chart").all()) {
        const rows = await chart
          .locator("tbody tr")
          .evaluateAll((trs) =>
            trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")),
          );
        const published = rows.filter((r) => r[2] !== "not published yet");
        expect(published.length).toBeGreaterThan(baselineWeeks + lagWeeks);
        for (const r of published.slice(0, baselineWeeks + lagWeeks)) {
          expect({ week: r[0], upper: r[4], alarm: r[5] }).toEqual({ week: r[0], upper: "—", alarm: "" });
        }
        if (published.slice(baselineWeeks + lagWeeks).some((r) => r[4] !== "—")) scoredLater++;
      }
      // Later weeks are scored where a full baseline of released weeks exists (a suppressed week in
      // a series leaves its next weeks without one).
      expect(scoredLater).toBeGreaterThan(0);
    });

    it("answers a custom view with noise, its 95 % interval and the budget left", async () => {
      await page.getByLabel("ICD-10 codes (any, e.g. U07.1, A90)").fill("A90, A91");
      await page.getByRole("button", { name: "Ask with noise" }).click();
      const answer = page.getByTestId("noisy-answer");
      await answer.waitFor();
      expect(await answer.textContent()).toMatch(/95 % interval \d+–\d+/);
      expect(await page.getByTestId("budget-left").textContent()).toMatch(/Budget left on the \d+ weeks/);
      await screenshot(page, "06-public-health-custom");
    });
  });

  describe("analyst", () => {
    it("lists every release with its rounded left-out count and builds the default dataset of whole classes, with k and rows", async () => {
      await signInAs(stack.cast.analyst.address);
      await page.waitForURL(/\/analyst$/);
      await page.getByTestId("release-row").first().waitFor();
      // Every release, newest first, with its left-out count shown only rounded to tens (it is
      // counted before suppression): "≈ 20", as stored.
      const { rows: stored } = await stack.db.pool.query<{ leftOut: number }>(
        `SELECT suppressed_rows_rounded AS "leftOut" FROM api.dataset_release ORDER BY period_start DESC`,
      );
      const releaseRows = page.getByTestId("release-row");
      expect(await releaseRows.count()).toBe(stored.length);
      expect(await releaseRows.locator('td[title^="rounded"]').allTextContents()).toEqual(
        stored.map((r) => `≈ ${r.leftOut}`),
      );
      expect(stored.filter((r) => r.leftOut % 10 !== 0)).toEqual([]);
      await page.getByRole("button", { name: "Build dataset" }).click();
      const k = page.getByTestId("dataset-k").locator(".stat-value");
      await k.waitFor();
      expect(await k.textContent()).toBe("k = 11");
      expect(
        Number(await page.getByTestId("dataset-rows").locator(".stat-value").textContent()),
      ).toBeGreaterThan(0);
      expect(await page.locator(".dataset tbody tr").count()).toBeGreaterThan(0);
      await screenshot(page, "07-analyst");
    });

    it("explains on the page what * means and what information loss is", async () => {
      expect(await page.getByTestId("explain-star").textContent()).toContain("*");
      const star = page.locator("dt[data-testid=explain-star] + dd");
      expect(await star.textContent()).toMatch(/generalized away/);
      const loss = page.locator("dt[data-testid=explain-loss] + dd");
      expect(await loss.textContent()).toMatch(/0 %.*100 %/s);
    });

    it("exports the dataset as NDJSON through a fetch that carries the token", async () => {
      const button = page.getByRole("button", { name: /Export \d+ rows as NDJSON/ });
      const rowCount = Number((await button.textContent())?.match(/\d+/)?.[0]);
      const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
      const text = await readFile((await download.path())!, "utf8");
      const lines = text.split("\n").filter((l) => l !== "");
      expect(lines.length).toBe(rowCount);
      expect(Object.keys(JSON.parse(lines[0]!) as object)).toContain("pseudonym");
    });

    it("sends a revoked session back to sign-in with a notice, because the API answers UNAUTHENTICATED", async () => {
      const token = await page.evaluate(
        () => JSON.parse(sessionStorage.getItem("doctel.session") ?? "{}").token,
      );
      const signOut = await stack.gql<{ signOut: boolean }>("mutation { signOut }", {}, token);
      expect(signOut.errors).toBeUndefined();
      await page.getByRole("button", { name: "Build dataset" }).click();
      await page.waitForURL(/\/sign-in\?next=%2Fanalyst$/);
      await page.getByText("sign in again", { exact: false }).waitFor();
    });

    it("tells a signed-in viewer plainly when a page is not for their roles", async () => {
      await signInAs(stack.cast.analyst.address);
      await page.goto(`${stack.origin}/public-health`);
      await page.getByText("This page is for Public Health", { exact: false }).waitFor();
    });
  });

  describe("GraphQL explorer", () => {
    it("loads the schema into the docs panel (introspection is on in demo mode) and runs a query with the session's token", async () => {
      await page.goto(`${stack.origin}/explorer`);
      await page
        .locator(".graphiql-query-editor", { hasText: "indexingStatus" })
        .waitFor({ timeout: 60_000 });
      await page.locator(".graphiql-execute-button").click();
      const response = page.locator(".graphiql-response", { hasText: "indexedBlock" });
      await response.waitFor({ timeout: 30_000 });
      expect(await response.textContent()).toContain("ANALYST");
      await page.getByRole("button", { name: /Show Documentation Explorer/i }).click();
      await page.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).first().waitFor();
      expect(await page.getByText("Error fetching schema").count()).toBe(0);
      await screenshot(page, "08-explorer");
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
      const stored = await page.evaluate(() => Object.keys(localStorage));
      expect(stored.filter((k) => k.startsWith("graphiql"))).toEqual([]);
    });
  });
});
