/**
 * The dashboards in a real browser (Debian's Chromium through playwright-core) against the whole
 * stack in-process: demo sign-in per role, patient lookup by Aadhaar, a treatment's timeline and
 * attachment badges, trend charts with suppression and aberration marks, a dataset's achieved k
 * and its NDJSON export, and the GraphQL explorer working without any network but the API's.
 * Screenshots go to test-artifacts/dashboards/.
 */
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, requireChromium, screenshot } from "./browser.ts";
import { useDashboardStack } from "./stack.ts";

// Before the stack starts: without Chromium there is no point simulating a hospital network.
beforeAll(() => requireChromium());
const stack = useDashboardStack();
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Requests to anything but the API's origin (the app must work offline). */
const foreignRequests: string[] = [];
/** Uncaught page errors and Content-Security-Policy refusals. */
const pageProblems: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
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

/** A sample patient of the cast with a treatment that has a verified attachment, and its hospital's staff. */
async function patientWithFiles() {
  const refs = stack.cast.samplePatients.map((p) => p.reference.toLowerCase());
  const { rows } = await stack.db.pool.query<{ id: string; ref: string; hospital_id: number }>(
    `SELECT t.id::text AS id, t.patient_ref AS ref, t.hospital_id
       FROM treatment t
       JOIN attachment a ON a.treatment_id = t.id
       JOIN file_verification v ON v.cid = a.cid AND v.status = 'VERIFIED'
      WHERE lower(t.patient_ref) = ANY($1::text[])
      ORDER BY t.id LIMIT 1`,
    [refs],
  );
  const row = rows[0];
  if (!row)
    throw new Error("the simulation left no sample patient with a verified attachment: change the seed");
  const patient = stack.cast.samplePatients.find((p) => p.reference.toLowerCase() === row.ref.toLowerCase())!;
  const hospital = stack.cast.hospitals.find((h) => h.id === row.hospital_id)!;
  return { patient, treatmentId: row.id, staff: hospital.staff[0]!, hospital };
}

describe("hospital dashboard", () => {
  let target: Awaited<ReturnType<typeof patientWithFiles>>;

  it("redirects to sign-in and offers the cast's demo accounts, because demo mode is on", async () => {
    target = await patientWithFiles();
    await page.goto(`${stack.origin}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole("heading", { name: "Demo accounts" }).waitFor();
    const options = await page.getByLabel("Or pick an account").locator("option").count();
    expect(options).toBeGreaterThan(5);
    await screenshot(page, "01-sign-in");
  });

  it("signs a staff member in with a demo key (SIWE signed in the browser) and shows address and roles", async () => {
    await signInAs(target.staff.address);
    await page.waitForURL(/\/hospital$/);
    const shown = await page.getByTestId("signed-in-address").getAttribute("title");
    expect(shown?.toLowerCase()).toBe(target.staff.address.toLowerCase());
    expect(await page.getByTestId("signed-in-roles").textContent()).toContain("Staff");
    expect(await page.getByTestId("signed-in-roles").textContent()).toContain(target.hospital.name);
  });

  it("finds a patient by Aadhaar without putting the number in the URL or in storage", async () => {
    await page.getByLabel("Aadhaar number").fill(target.patient.aadhaar);
    await page.getByRole("button", { name: "Look up" }).click();
    await page.waitForURL(/\/hospital\/patients\/0x[0-9a-f]{64}$/);
    expect(page.url()).not.toContain(target.patient.aadhaar);
    expect(page.url().toLowerCase()).toContain(target.patient.reference.toLowerCase());
    await page.getByRole("heading", { name: "Treatments" }).waitFor();
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toContain(target.patient.aadhaar);
    expect(await page.getByRole("link", { name: `#${target.treatmentId}`, exact: true }).count()).toBe(1);
    await screenshot(page, "02-patient");
  });

  it("opens the treatment's timeline with every event and a verification badge per attachment", async () => {
    await page.getByRole("link", { name: `#${target.treatmentId}`, exact: true }).click();
    await page.waitForURL(new RegExp(`/hospital/treatments/${target.treatmentId}$`));
    await page.locator("table.timeline tbody tr").first().waitFor();
    const { rows } = await stack.db.pool.query<{ events: number; files: number; verified: number }>(
      `SELECT (SELECT count(*)::int FROM event_log WHERE treatment_id = $1) AS events,
              (SELECT count(*)::int FROM attachment WHERE treatment_id = $1) AS files,
              (SELECT count(*)::int FROM attachment a JOIN file_verification v USING (cid)
                WHERE a.treatment_id = $1 AND v.status = 'VERIFIED') AS verified`,
      [target.treatmentId],
    );
    const expected = rows[0]!;
    expect(await page.locator("table.timeline tbody tr").count()).toBe(Math.min(100, expected.events));
    const firstRow = await page.locator("table.timeline tbody tr").first().textContent();
    expect(firstRow).toContain("TreatmentOpened");
    expect(firstRow).toMatch(/IST/);
    expect(await page.locator("table.attachments .badge[data-status]").count()).toBe(expected.files);
    expect(await page.locator('.badge[data-status="VERIFIED"]').count()).toBe(expected.verified);
    await screenshot(page, "03-treatment");

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

describe("public-health dashboard", () => {
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
    expect(Number(await all.getAttribute("data-pending"))).toBeGreaterThan(0);
    expect(await all.locator("g.pending-band").count()).toBe(Number(await all.getAttribute("data-pending")));
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
    await screenshot(page, "04-public-health-published");
  });

  it("answers a custom view with noise, its 95 % interval and the budget left", async () => {
    await page.getByLabel("ICD-10 codes (any, e.g. U07.1, A90)").fill("A90, A91");
    await page.getByRole("button", { name: "Ask with noise" }).click();
    const answer = page.getByTestId("noisy-answer");
    await answer.waitFor();
    expect(await answer.textContent()).toMatch(/95 % interval \d+–\d+/);
    expect(await page.getByTestId("budget-left").textContent()).toMatch(/Budget left on the \d+ weeks/);
    await screenshot(page, "05-public-health-custom");
  });
});

describe("analyst dashboard", () => {
  it("builds a dataset and shows its achieved k, generalization levels and suppressed rows", async () => {
    await signInAs(stack.cast.analyst.address);
    await page.waitForURL(/\/analyst$/);
    await page.getByRole("button", { name: "Build dataset" }).click();
    const k = page.getByTestId("achieved-k").locator(".stat-value");
    await k.waitFor();
    expect(Number(await k.textContent())).toBeGreaterThanOrEqual(11);
    expect(await page.getByTestId("generalization").textContent()).toMatch(/Age.*Sex.*Region.*Period/);
    expect(await page.getByTestId("suppressed-rows").locator(".stat-value").textContent()).toMatch(/^\d+$/);
    expect(await page.locator(".dataset tbody tr").count()).toBeGreaterThan(0);
    await screenshot(page, "06-analyst");
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
    await fetch(`${stack.origin}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "mutation { signOut }" }),
    });
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
  it("loads GraphiQL from the bundle with no other network and runs a query with the session's token", async () => {
    await page.goto(`${stack.origin}/explorer`);
    // The editor is ready once it shows the default query; running earlier would do nothing.
    await page.locator(".graphiql-query-editor", { hasText: "indexingStatus" }).waitFor({ timeout: 60_000 });
    await page.locator(".graphiql-execute-button").click();
    const response = page.locator(".graphiql-response", { hasText: "indexedBlock" });
    await response.waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
      await screenshot(page, "07-explorer-failed");
      throw error;
    });
    expect(await response.textContent()).toContain("ANALYST");
    await screenshot(page, "07-explorer");
    expect(foreignRequests).toEqual([]);
    expect(pageProblems).toEqual([]);
    const stored = await page.evaluate(() => Object.keys(localStorage));
    expect(stored.filter((k) => k.startsWith("graphiql"))).toEqual([]);
  });
});
