import { describe } from "vitest";
import { defineIsolationSuite } from "./isolation-suite.ts";

describe("test database (file B of two run in parallel)", () => {
  defineIsolationSuite("database-b");
});
