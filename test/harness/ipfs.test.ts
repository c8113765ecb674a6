import { describe, expect, it } from "vitest";
import { useTestIpfs } from "../helpers/ipfs.ts";

describe("useTestIpfs", () => {
  const ipfs = useTestIpfs();

  it("adds and reads back a file through the Kubo RPC API", async () => {
    const content = new TextEncoder().encode("discharge summary\n");
    const { cid } = await ipfs.client.add(content, { cidVersion: 1 });
    const chunks: Uint8Array[] = [];
    for await (const chunk of ipfs.client.cat(cid, { timeout: 5_000 })) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString("utf8")).toBe("discharge summary\n");
    expect(ipfs.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
