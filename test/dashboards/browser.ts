/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download cannot work
 * offline). A missing /usr/bin/chromium fails the tests with the command that installs it.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = path.join(import.meta.dirname, "..", "..", "test-artifacts", "dashboards");

/** Throws, saying how to install it, when Debian's Chromium is missing: the browser tests fail, never skip. */
export function requireChromium(executable = CHROMIUM): void {
  if (!existsSync(executable)) {
    throw new Error(
      `${executable} is missing: the dashboard browser tests drive Debian's Chromium. Install it with \`apt-get update && apt-get install -y chromium\` (as root), then run the tests again.`,
    );
  }
}

export async function launchChromium(): Promise<Browser> {
  requireChromium();
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
