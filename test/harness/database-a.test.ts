import { describe } from "vitest";
import { defineIsolationSuite } from "./isolation-suite.ts";

describe("test database (file A of two run in parallel)", () => {
  defineIsolationSuite("database-a");
});
