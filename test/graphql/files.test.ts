import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServer } from "../../graphql/server.ts";
import { defaultVerifierSettings } from "../../indexer/verify/config.ts";
import { createVerificationWorker, type VerificationWorker } from "../../indexer/verify/worker.ts";
import { createDocTelClient, type SigningWalletClient } from "../../sdk/index.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";
import { buildScenario, PEPPER, type Scenario, useApiWorld, W } from "./harness.ts";

const world = useApiWorld();
const ipfs = useTestIpfs();
let s: Scenario;
let api: ApiServer;
let worker: VerificationWorker;
let workerPool: pg.Pool;

beforeAll(async () => {
  s = await buildScenario(world);
  api = await world.startApi({ IPFS_API_URL: ipfs.apiUrl });
  workerPool = new pg.Pool({ connectionString: world.db.url, max: 3 });
  worker = createVerificationWorker({
    pool: workerPool,
    ipfsUrl: ipfs.apiUrl,
    config: defaultVerifierSettings(),
    logger: createSilentLogger(),
  });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await workerPool?.end();
});

async function verificationOf(cid: string): Promise<string | undefined> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await world.db.pool.query<{ status: string }>(
      "SELECT status::text AS status FROM file_verification WHERE cid = $1",
      [cid],
    );
    if (rows[0] && rows[0].status !== "PENDING") return rows[0].status;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

describe("GET /files/<cid>", () => {
  it("streams a verified attachment to a clinician who may read its treatment, and audits the download", async () => {
    const staff = createDocTelClient({
      publicClient: world.chain.publicClient as never,
      walletClient: world.wallet(W.staff1) as unknown as SigningWalletClient,
      address: world.deployment.address,
      pepper: PEPPER,
      ipfs: { url: ipfs.apiUrl },
      pollingIntervalMs: 20,
    });
    const bytes = new TextEncoder().encode("HbA1c 7.9 % (2026-11-20)\n".repeat(200));
    const { cid } = await staff.attachFile({ treatmentId: BigInt(s.t1), kind: "LAB_REPORT", file: bytes });
    await world.indexed();
    expect(await verificationOf(cid)).toBe("VERIFIED");

    const token = await world.signIn(W.staff1, api.url);
    const listed = await world.gql<{
      treatment: { attachments: { cid: string; url: string; verification: { sizeBytes: string } }[] };
    }>(
      `{ treatment(id: "${s.t1}") { attachments { cid url verification { status sizeBytes contentType } } } }`,
      {},
      token,
      api.url,
    );
    const attachment = listed.data!.treatment.attachments.find((a) => a.cid === cid)!;
    expect(attachment.url).toBe(`/files/${cid}`);
    expect(Number(attachment.verification.sizeBytes)).toBe(bytes.length);

    const res = await fetch(`${api.url}${attachment.url}`, {
      headers: { authorization: `Bearer ${token}`, "x-request-id": "req-file-1" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-doctel-verification")).toBe("VERIFIED");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    const { rows } = await world.db.pool.query<{ record_ids: string[]; record_type: string }>(
      "SELECT record_ids, record_type::text FROM access_audit_log WHERE request_id = $1 AND client_request_id = 'req-file-1'",
      [res.headers.get("x-request-id")],
    );
    expect(rows).toEqual([{ record_ids: [cid], record_type: "ATTACHMENT" }]);
  });

  it("refuses without a session, and to roles that may not read the treatment", async () => {
    const { rows } = await world.db.pool.query<{ cid: string }>("SELECT cid FROM attachment LIMIT 1");
    const cid = rows[0]!.cid;
    expect((await fetch(`${api.url}/files/${cid}`)).status).toBe(401);
    const analyst = await world.signIn(W.analyst, api.url);
    expect(
      (await fetch(`${api.url}/files/${cid}`, { headers: { authorization: `Bearer ${analyst}` } })).status,
    ).toBe(403);
  });
});
