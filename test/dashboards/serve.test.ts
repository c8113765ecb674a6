/**
 * The dashboards' HTTP handler over real HTTP: static files with their content types and cache
 * headers, the SPA fallback, refusal of anything outside the build folder, and demo mode's
 * account route (404 unless on, checked against the deployment).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoAccounts } from "../../dashboards/demo-types.ts";
import { createDashboardHandler, type DashboardOptions } from "../../dashboards/serve.ts";

const CONTRACT = `0x${"c0".repeat(20)}`;
const key = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const actor = (n: number, label: string) => ({
  address: `0x${n.toString(16).padStart(40, "0")}`,
  privateKey: key(n),
  label,
});

const CAST = {
  warning: "SYNTHETIC DEMO DATA",
  seed: "t",
  chainId: 31337,
  contract: CONTRACT,
  simulatedFrom: "2026-01-01T00:00:00.000Z",
  simulatedTo: "2026-03-01T00:00:00.000Z",
  governance: actor(1, "governance"),
  analyst: { ...actor(2, "analyst"), role: "ANALYST_ROLE" },
  publicHealth: { ...actor(3, "public health"), role: "PUBLIC_HEALTH_ROLE" },
  auditor: { ...actor(4, "auditor"), role: "AUDITOR_ROLE" },
  hospitals: [
    {
      id: 1,
      name: "District Hospital",
      stateCode: 7,
      state: "Delhi",
      districtCode: 77,
      district: "Central",
      staff: [actor(5, "staff 1")],
      doctors: [{ ...actor(6, "doctor 1"), specialty: 1, specialtyName: "General Medicine" }],
      devices: [{ ...actor(7, "monitor"), kind: "monitor" }],
    },
  ],
  samplePatients: [
    {
      aadhaar: "234567890124",
      masked: "XXXX XXXX 0124",
      reference: key(9),
      hospitalId: 1,
      sex: "FEMALE",
      bloodGroup: "O+",
      birthDate: "1990-01-01",
      stateCode: 7,
      districtCode: 77,
      treatments: 2,
    },
  ],
};

let folder: string;
let dist: string;
const servers: Server[] = [];

async function serve(options: Partial<DashboardOptions> = {}): Promise<string> {
  const handler = createDashboardHandler({ distDir: dist, demo: null, ...options });
  const server = createServer((req, res) => {
    const pathname = (req.url ?? "/").split("?")[0]!;
    handler(req, res, pathname).then((name) => {
      if (name === null) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end('{"error":{"code":"NOT_FOUND"}}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw request: the path goes out exactly as written (fetch would normalize "/../"). */
function get(
  base: string,
  rawPath: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path: rawPath, method: init.method ?? "GET", headers: init.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "doctel-serve-"));
  dist = path.join(folder, "dist");
  await mkdir(path.join(dist, "assets"), { recursive: true });
  await writeFile(path.join(dist, "index.html"), "<!doctype html><title>app</title>");
  await writeFile(path.join(dist, "assets", "index-AbC123.js"), "console.log(1)");
  await writeFile(path.join(dist, "assets", "index-AbC123.css"), "body{}");
  await writeFile(path.join(dist, "assets", "codicon-x1.ttf"), "ttf");
  await writeFile(path.join(dist, "logo.svg"), "<svg/>");
  await writeFile(path.join(dist, ".env"), "SECRET=1");
  await writeFile(path.join(folder, "secret.txt"), "outside");
  await writeFile(path.join(folder, "cast.json"), JSON.stringify(CAST));
});

afterAll(async () => {
  for (const server of servers) await new Promise((r) => server.close(r));
  await rm(folder, { recursive: true, force: true });
});

describe("static files", () => {
  it("serves hashed assets with their content type, cached for a year as immutable", async () => {
    const base = await serve();
    const js = await get(base, "/assets/index-AbC123.js");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.headers["x-content-type-options"]).toBe("nosniff");
    expect(js.body).toBe("console.log(1)");
    expect((await get(base, "/assets/index-AbC123.css")).headers["content-type"]).toBe(
      "text/css; charset=utf-8",
    );
    expect((await get(base, "/assets/codicon-x1.ttf")).headers["content-type"]).toBe("font/ttf");
    expect((await get(base, "/logo.svg")).headers["content-type"]).toBe("image/svg+xml");
  });

  it("serves index.html for / and for the app's routes, never cached, with a same-origin content policy", async () => {
    const base = await serve();
    for (const route of ["/", "/index.html", "/hospital", "/hospital/treatments/12", "/public-health?x=1"]) {
      const res = await get(base, route);
      expect(res.status, route).toBe(200);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.body).toContain("<title>app</title>");
    }
    const csp = String((await get(base, "/")).headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("answers 304 to a matching If-None-Match and a body-less 200 to HEAD", async () => {
    const base = await serve();
    const first = await get(base, "/assets/index-AbC123.js");
    const etag = String(first.headers.etag);
    const again = await get(base, "/assets/index-AbC123.js", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
    const head = await get(base, "/assets/index-AbC123.js", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("14");
    expect(head.body).toBe("");
  });

  it("answers 404 for a missing asset instead of the app's HTML under a script's name", async () => {
    const base = await serve();
    const res = await get(base, "/assets/missing-123.js");
    expect(res.status).toBe(404);
    expect(res.body).not.toContain("<title>");
  });

  it("refuses every path that would leave the build folder or reach a hidden file", async () => {
    const base = await serve();
    for (const attack of [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/assets/..%5c..%5csecret.txt",
      "/..%2fsecret.txt",
      "/.env",
      "/%2eenv",
      "/assets/%00.js",
      "/%E0%A4%A.js",
    ]) {
      const res = await get(base, attack);
      expect(res.status, attack).toBe(404);
      expect(res.body, attack).not.toContain("outside");
      expect(res.body, attack).not.toContain("SECRET");
    }
  });

  it("leaves other methods to the server, so POST / gets the API's own 404", async () => {
    const base = await serve();
    const res = await get(base, "/", { method: "POST" });
    expect(res.status).toBe(404);
    expect(res.body).toContain("NOT_FOUND");
  });

  it("says how to build the app when the build folder is empty, instead of a bare error", async () => {
    const base = await serve({ distDir: path.join(folder, "nowhere") });
    const res = await get(base, "/hospital");
    expect(res.status).toBe(503);
    expect(res.body).toContain("npm run build:dashboards");
  });
});

describe("demo accounts", () => {
  const deployment = { chainId: 31337, address: CONTRACT };

  it("is 404 unless demo mode is on, because it hands out private keys", async () => {
    const base = await serve();
    const res = await get(base, "/demo/accounts");
    expect(res.status).toBe(404);
    expect(res.body).not.toContain(key(5));
  });

  it("lists the cast's actors by role with their keys and the sample patients, never cached", async () => {
    const base = await serve({ demo: { castFile: path.join(folder, "cast.json"), deployment } });
    const res = await get(base, "/demo/accounts");
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = JSON.parse(res.body) as DemoAccounts;
    expect(body.actors.map((a) => [a.role, a.label])).toEqual([
      ["STAFF", "staff 1"],
      ["DOCTOR", "doctor 1"],
      ["PUBLIC_HEALTH", "public health"],
      ["ANALYST", "analyst"],
      ["AUDITOR", "auditor"],
      ["GOVERNANCE", "governance"],
    ]);
    expect(body.actors[0]).toMatchObject({
      privateKey: key(5),
      hospital: { id: 1, name: "District Hospital" },
    });
    expect(body.actors[1]?.specialty).toBe("General Medicine");
    expect(body.samplePatients).toEqual([
      { aadhaar: "234567890124", masked: "XXXX XXXX 0124", hospitalId: 1, treatments: 2 },
    ]);
    expect(body.simulatedFrom).toBe(CAST.simulatedFrom);
  });

  it("refuses a cast of another chain or contract, naming both, so demo keys never meet the wrong deployment", async () => {
    const base = await serve({
      demo: { castFile: path.join(folder, "cast.json"), deployment: { chainId: 1, address: CONTRACT } },
    });
    const res = await get(base, "/demo/accounts");
    expect(res.status).toBe(409);
    expect(res.body).toContain("on chain 31337, but the API serves");
    expect(res.body).not.toContain(key(5));
  });

  it("says to run the simulator when there is no cast file yet", async () => {
    const base = await serve({ demo: { castFile: path.join(folder, "none.json"), deployment } });
    const res = await get(base, "/demo/accounts");
    expect(res.status).toBe(404);
    expect(res.body).toContain("doctel simulate");
  });
});
