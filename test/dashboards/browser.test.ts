import { describe, expect, it } from "vitest";
import { requireChromium } from "./browser.ts";

describe("the browser tests' Chromium", () => {
  it("fails with the install command when the executable is missing, because browser tests must never skip", () => {
    expect(() => requireChromium("/nonexistent/chromium")).toThrow(
      /\/nonexistent\/chromium is missing.*apt-get update && apt-get install -y chromium/,
    );
  });
});
