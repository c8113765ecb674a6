/**
 * `npx doctel` against a running `npm start`: while DOCTEL_HOME holds the installation, its
 * pepper, chain, IPFS and database are the defaults, and --as picks a demo account of the cast.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCliConfig } from "../../cli/config.ts";
import { writeStackFile } from "../../cli/start/stack-file.ts";

let home: string;
const key = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;
const pepper = "ab".repeat(32);

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "doctel-cli-home-"));
  await writeFile(path.join(home, "deployment.json"), "{}");
  await writeFile(
    path.join(home, "secrets.json"),
    JSON.stringify({ pepper, sessionSecret: "cd".repeat(32), analyticsSecret: "ef".repeat(32) }),
  );
  const member = (n: number) => ({ address: privateKeyToAddress(key(n)), privateKey: key(n) });
  await writeFile(
    path.join(home, "cast.json"),
    JSON.stringify({
      governance: member(1),
      analyst: member(2),
      publicHealth: member(3),
      auditor: member(4),
      hospitals: [{ staff: [member(5)], doctors: [member(6), member(7)] }],
    }),
  );
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("the CLI on an npm start installation", () => {
  it("takes the installation's pepper, and the running stack's chain, IPFS and database", async () => {
    await writeStackFile(home, {
      pid: process.pid,
      rpcUrl: "http://127.0.0.1:18545",
      ipfsApiUrl: "http://127.0.0.1:15001",
      databaseUrl: "postgresql://postgres:postgres@127.0.0.1:55432/doctel",
      apiUrl: "http://127.0.0.1:14000",
    });
    const config = loadCliConfig({ DOCTEL_HOME: home }, {});
    expect(config.pepper?.toString("hex")).toBe(pepper);
    expect(config.rpcUrl).toBe("http://127.0.0.1:18545");
    expect(config.ipfsApiUrl).toBe("http://127.0.0.1:15001");
    expect(config.databaseUrl).toBe("postgresql://postgres:postgres@127.0.0.1:55432/doctel");
    expect(config.stack).toEqual({ home, running: true });
  });

  it("lets variables and flags win over the installation's settings", () => {
    const config = loadCliConfig(
      { DOCTEL_HOME: home, RPC_URL: "http://node.example:8545", DOCTEL_PEPPER: "cd".repeat(32) },
      { ipfsApiUrl: "http://ipfs.example:5001" },
    );
    expect(config.rpcUrl).toBe("http://node.example:8545");
    expect(config.ipfsApiUrl).toBe("http://ipfs.example:5001");
    expect(config.pepper?.toString("hex")).toBe("cd".repeat(32));
  });

  it("ignores the stack file of a stack that is gone (killed), keeping the installation's pepper", async () => {
    await writeStackFile(home, {
      pid: 2 ** 22 + 12_345, // above Linux's pid_max default: no such process
      rpcUrl: "http://127.0.0.1:18545",
      ipfsApiUrl: "http://127.0.0.1:15001",
      databaseUrl: "postgresql://postgres:postgres@127.0.0.1:55432/doctel",
      apiUrl: "http://127.0.0.1:14000",
    });
    const config = loadCliConfig({ DOCTEL_HOME: home }, {});
    expect(config.rpcUrl).toBe("http://127.0.0.1:8545");
    expect(config.databaseUrl).toBeUndefined();
    expect(config.pepper?.toString("hex")).toBe(pepper);
    expect(config.stack).toEqual({ home, running: false });
  });

  it("signs as a demo role of the cast with --as, and refuses an unknown role or a second key", () => {
    expect(loadCliConfig({ DOCTEL_HOME: home }, { as: "staff" }).privateKey).toBe(key(5));
    expect(loadCliConfig({ DOCTEL_HOME: home }, { as: "doctor" }).privateKey).toBe(key(6));
    expect(loadCliConfig({ DOCTEL_HOME: home, DOCTEL_AS: "public-health" }, {}).privateKey).toBe(key(3));
    expect(loadCliConfig({ DOCTEL_HOME: home }, { as: privateKeyToAddress(key(7)) }).privateKey).toBe(key(7));
    expect(() => loadCliConfig({ DOCTEL_HOME: home }, { as: "nurse" })).toThrow(
      /expected one of governance, staff, doctor, analyst, public-health, auditor/,
    );
    expect(() => loadCliConfig({ DOCTEL_HOME: home, DOCTEL_PRIVATE_KEY: key(9) }, { as: "staff" })).toThrow(
      /give one signing key/,
    );
  });

  it("changes nothing where there is no installation", () => {
    const config = loadCliConfig({ DOCTEL_HOME: path.join(home, "nowhere") }, {});
    expect(config.pepper).toBeUndefined();
    expect(config.rpcUrl).toBe("http://127.0.0.1:8545");
    expect(config.stack).toBeNull();
  });
});
