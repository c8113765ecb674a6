import { describe, expect, it } from "vitest";
import { z } from "zod";
import { logFields, parseConfig, pepper, positiveInt, url } from "../../shared/config.ts";
import { ConfigError } from "../../shared/errors.ts";

const schema = z.object({
  ...logFields,
  DOCTEL_PEPPER: pepper,
  RPC_URL: url,
  DATABASE_URL: z.string().regex(/^postgres:\/\//, "expected a postgres URL"),
  BATCH: positiveInt.default(10),
});

describe("parsing configuration once at start", () => {
  it("coerces values and fills in defaults", () => {
    const c = parseConfig(schema, {
      DOCTEL_PEPPER: "ab".repeat(32),
      RPC_URL: "http://127.0.0.1:8545",
      DATABASE_URL: "postgres://x/y",
      BATCH: "25",
    });
    expect(c.BATCH).toBe(25);
    expect(c.LOG_LEVEL).toBe("info");
    expect(c.DOCTEL_PEPPER).toHaveLength(32);
  });

  it("names every bad variable in one error and never quotes a secret's value, judged by the variable's name", () => {
    const secret = "not-hex-but-secret-material";
    let error: unknown;
    try {
      parseConfig(schema, {
        DOCTEL_PEPPER: secret,
        RPC_URL: "nope",
        DATABASE_URL: "mysql://admin:hunter2@db/x",
        BATCH: "-1",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("DOCTEL_PEPPER: expected at least 32 bytes");
    expect(message).toContain(`(got a value of ${secret.length} characters)`);
    expect(message).not.toContain(secret);
    expect(message).toContain("RPC_URL: expected a URL");
    expect(message).toContain("BATCH");
    // A URL is quoted without its credentials.
    expect(message).toContain("DATABASE_URL: expected a postgres URL");
    expect(message).not.toContain("hunter2");
  });

  it("treats empty strings as unset, as .env files do", () => {
    expect(() =>
      parseConfig(schema, { DOCTEL_PEPPER: "", RPC_URL: "http://x", DATABASE_URL: "postgres://x" }),
    ).toThrow(/DOCTEL_PEPPER/);
  });

  it("refuses an endpoint without its scheme (localhost:8545 parses as a URL of scheme localhost:), naming the variable", () => {
    for (const value of ["localhost:8545", "127.0.0.1:8545", "ftp://host/x", "http://"]) {
      expect(() =>
        parseConfig(schema, {
          DOCTEL_PEPPER: "ab".repeat(32),
          RPC_URL: value,
          DATABASE_URL: "postgres://x/y",
        }),
      ).toThrow(/RPC_URL: expected a URL such as http:\/\/127\.0\.0\.1:8545/);
    }
    expect(
      parseConfig(schema, {
        DOCTEL_PEPPER: "ab".repeat(32),
        RPC_URL: "https://node.example:8545/v1",
        DATABASE_URL: "postgres://x/y",
      }).RPC_URL,
    ).toBe("https://node.example:8545/v1");
  });
});
