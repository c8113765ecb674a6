/**
 * Secrets of an embedded installation, created on first start and kept in DOCTEL_HOME with
 * owner-only permissions: the reference pepper (fixed for the life of the deployment: it is
 * fingerprinted in the contract), the session-token key and the dataset pseudonym key.
 * DOCTEL_PEPPER / SESSION_SECRET / ANALYTICS_SECRET in the environment take precedence.
 */
import { randomBytes } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Env } from "../../shared/config.ts";

const secretsSchema = z.object({
  pepper: z.string().regex(/^[0-9a-f]{64}$/),
  sessionSecret: z.string().regex(/^[0-9a-f]{64}$/),
  analyticsSecret: z.string().regex(/^[0-9a-f]{64}$/),
});

export type StackSecrets = z.output<typeof secretsSchema>;

export async function loadSecrets(home: string, env: Env): Promise<StackSecrets> {
  const file = path.join(home, "secrets.json");
  let stored: StackSecrets;
  try {
    stored = secretsSchema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch {
    stored = {
      pepper: randomBytes(32).toString("hex"),
      sessionSecret: randomBytes(32).toString("hex"),
      analyticsSecret: randomBytes(32).toString("hex"),
    };
    await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return {
    pepper: env.DOCTEL_PEPPER?.replace(/^0x/, "") ?? stored.pepper,
    sessionSecret: env.SESSION_SECRET?.replace(/^0x/, "") ?? stored.sessionSecret,
    analyticsSecret: env.ANALYTICS_SECRET?.replace(/^0x/, "") ?? stored.analyticsSecret,
  };
}
