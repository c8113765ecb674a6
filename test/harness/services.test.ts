import { describe, expect, it } from "vitest";
import { assertDockerAnswers } from "../helpers/containers.ts";
import { planServices, readTestServices } from "../helpers/services.ts";

describe("the test services switch", () => {
  it("runs everything embedded by default, and the chain on the node TEST_CHAIN names", () => {
    expect(planServices(readTestServices({}))).toEqual({
      database: "embedded",
      chain: "hardhat",
      ipfs: "embedded",
    });
    expect(planServices(readTestServices({ TEST_CHAIN: "anvil" })).chain).toBe("anvil");
  });

  it("takes each external service whose URL is given, and keeps the others embedded", () => {
    const env = { TEST_SERVICES: "external", DATABASE_URL: "postgresql://u:p@db:5432/postgres" };
    expect(planServices(readTestServices(env))).toEqual({
      database: "external",
      chain: "hardhat",
      ipfs: "embedded",
    });
    const all = { ...env, RPC_URL: "http://node:8545", IPFS_API_URL: "http://kubo:5001" };
    expect(planServices(readTestServices(all))).toEqual({
      database: "external",
      chain: "external",
      ipfs: "external",
    });
  });

  it("refuses TEST_SERVICES=external without any URL, and an unknown switch, naming the variable", () => {
    expect(() => readTestServices({ TEST_SERVICES: "external" })).toThrow(
      /TEST_SERVICES: TEST_SERVICES=external needs at least one of DATABASE_URL, RPC_URL, IPFS_API_URL/,
    );
    expect(() => readTestServices({ TEST_SERVICES: "docker" })).toThrow(/TEST_SERVICES: .*"docker"/);
  });

  it("puts every service in a container with TEST_SERVICES=containers, which fails in one line when no Docker engine answers", async () => {
    expect(planServices(readTestServices({ TEST_SERVICES: "containers" }))).toEqual({
      database: "container",
      chain: "container",
      ipfs: "container",
    });
    const { getContainerRuntimeClient } = await import("testcontainers");
    const docker = await getContainerRuntimeClient().then(
      () => true,
      () => false,
    );
    if (docker) {
      await expect(assertDockerAnswers()).resolves.toBeUndefined();
    } else {
      const failure = await assertDockerAnswers().then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failure).toMatch(
        /^TEST_SERVICES=containers needs a Docker engine, and none answers \(.+\): start Docker/,
      );
      expect(failure).not.toContain("\n");
    }
  });
});
