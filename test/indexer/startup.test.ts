import { createServer, type Server } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { headOf } from "../helpers/indexer.ts";
import { type MainProcess, spawnMain } from "./main-process.ts";
import { type Cast, seedNetwork } from "./scenario.ts";

const chain = useTestChain();
const db = useTestDatabase();
let cast: Cast;

beforeAll(async () => {
  cast = await seedNetwork(chain);
});

const env = () => ({
  DATABASE_URL: db.url,
  RPC_URL: chain.rpcUrl,
  CHAIN_ID: "31337",
  CONTRACT_ADDRESS: cast.address,
  START_BLOCK: cast.deployBlock.toString(),
  // Retries would only delay what cannot succeed.
  RPC_RETRIES: "1",
});

/** Runs main to its exit; the reason must be one line on stderr, with no stack dump beside it. */
async function failsAtStart(
  overrides: Record<string, string>,
): Promise<{ code: number | null; line: string }> {
  const main: MainProcess = spawnMain({ ...env(), ...overrides });
  const code = await main.exited;
  const lines = main.stderr().trim().split("\n");
  const fatal = lines.filter((l) => l.startsWith("doctel indexer:") || /"level":60/.test(l));
  expect(fatal, main.stderr()).toHaveLength(1);
  expect(main.stderr()).not.toMatch(/^\s+at /m);
  const line = fatal[0]!;
  return { code, line: line.startsWith("{") ? (JSON.parse(line) as { msg: string }).msg : line };
}

describe("start-up checks that mean it: each fails at start, in one line, with exit code 2", () => {
  it("refuses an OPS_PORT already in use, instead of an unhandled EADDRINUSE", async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, line } = await failsAtStart({ OPS_PORT: String(port) });
      expect(code).toBe(2);
      expect(line).toContain(`OPS_PORT ${port} on 127.0.0.1 cannot be used (already in use)`);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it("refuses RPC_URL=localhost:8545, which has no scheme (it parsed as a URL and failed 53 s later)", async () => {
    const { code, line } = await failsAtStart({ RPC_URL: "localhost:8545" });
    expect(code).toBe(2);
    expect(line).toBe(
      'doctel indexer: invalid configuration: RPC_URL: expected a URL such as http://127.0.0.1:8545 (got "localhost:8545")',
    );
  });

  it("refuses a contract that is not DocTel, by asking it for its event format", async () => {
    // A contract that answers every call with nothing (runtime code: STOP).
    const [wallet] = chain.wallets;
    const hash = await wallet!.sendTransaction({ data: "0x600a600c600039600a6000f3600060005260006000f3" });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    const other = receipt.contractAddress!;
    const { code, line } = await failsAtStart({ CONTRACT_ADDRESS: other });
    expect(code).toBe(2);
    expect(line).toContain(
      `the contract at ${other} on chain 31337 is not DocTel (it has no EVENTS_VERSION())`,
    );
  });

  it("refuses a START_BLOCK beyond the chain head, instead of logging 'caught up' and indexing nothing", async () => {
    const head = await headOf(chain.rpcUrl);
    const { code, line } = await failsAtStart({ START_BLOCK: String(head + 1000n) });
    expect(code).toBe(2);
    expect(line).toContain(
      `the start block ${head + 1000n} (START_BLOCK or the deployment record) is beyond the chain head`,
    );
  });

  it("refuses a node that serves another chain", async () => {
    const { code, line } = await failsAtStart({ CHAIN_ID: "1" });
    expect(code).toBe(2);
    expect(line).toContain("serves chain 31337, but DocTel is configured on chain 1");
  });

  it("refuses an address with no contract", async () => {
    const { code, line } = await failsAtStart({
      CONTRACT_ADDRESS: "0x000000000000000000000000000000000000dead",
    });
    expect(code).toBe(2);
    expect(line).toContain("no contract at 0x000000000000000000000000000000000000dead on chain 31337");
  });

  it("names every invalid variable in the one line", async () => {
    const { code, line } = await failsAtStart({ DATABASE_URL: "mysql://nope", RPC_URL: "not a url" });
    expect(code).toBe(2);
    expect(line).toContain("DATABASE_URL: expected a postgresql:// URL");
    expect(line).toContain("RPC_URL: expected a URL");
  });
});
