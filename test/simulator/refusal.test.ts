/** The simulator mines its own blocks: a node without development methods (a real chain) is refused. */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../shared/errors.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import { runSimulation } from "../../simulator/index.ts";

let server: Server;
let url: string;
const asked: string[] = [];

beforeAll(async () => {
  // A JSON-RPC node that knows only standard methods, like a public chain's.
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const answer = (r: { id: number; method: string }) => {
        asked.push(r.method);
        if (r.method === "eth_chainId") return { jsonrpc: "2.0", id: r.id, result: "0x89" };
        if (r.method === "web3_clientVersion") return { jsonrpc: "2.0", id: r.id, result: "Geth/v1.14.0" };
        return {
          jsonrpc: "2.0",
          id: r.id,
          error: { code: -32601, message: `the method ${r.method} does not exist` },
        };
      };
      if (req.method !== "POST" || body === "") {
        res.statusCode = 400;
        res.end();
        return;
      }
      const parsed = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("runSimulation on a real chain", () => {
  it("refuses with a clear message and sends no transaction, because a real chain cannot replay a year", async () => {
    const run = runSimulation({
      rpcUrl: url,
      contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      governanceKey: DEV_PRIVATE_KEYS[0],
      pepper: Buffer.alloc(32, 0x5a),
      targetEvents: 500,
      filesFraction: 0,
      castFile: false,
    });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/not a development chain.*refuses real chains/);
    expect(asked).not.toContain("eth_sendRawTransaction");
    expect(asked).not.toContain("evm_setAutomine");
  });
});
