/**
 * `.doctel/stack.json`: where the running `npm start` stack's parts are (chain RPC, IPFS API,
 * PostgreSQL), so that `npx doctel` acts on that stack without any variable set (cli/config.ts).
 * Written once the stack is up, removed when it stops; owner-only, like secrets.json, because the
 * database URL carries its password.
 */
import { readFileSync } from "node:fs";
import { chmod, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const stackFileSchema = z.object({
  pid: z.number().int(),
  rpcUrl: z.string(),
  ipfsApiUrl: z.string(),
  databaseUrl: z.string(),
  apiUrl: z.string(),
});

export type StackFile = z.output<typeof stackFileSchema>;

export const STACK_FILE = "stack.json";

export async function writeStackFile(home: string, stack: StackFile): Promise<string> {
  const file = path.join(home, STACK_FILE);
  await writeFile(file, `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

/** Removes the file if it is still this process's (a newer start may have replaced it). */
export async function removeStackFile(file: string, pid: number): Promise<void> {
  const text = await readFile(file, "utf8").catch(() => null);
  if (text === null) return;
  const parsed = stackFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success || parsed.data.pid === pid) await rm(file, { force: true });
}

/** The running stack's settings, or null when no stack runs from `home` (no file, or its process is gone). */
export function readStackFile(home: string): StackFile | null {
  let text: string;
  try {
    text = readFileSync(path.join(home, STACK_FILE), "utf8");
  } catch {
    return null;
  }
  const parsed = stackFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return null;
  try {
    process.kill(parsed.data.pid, 0);
  } catch (error) {
    // ESRCH: the process is gone (a killed stack leaves its file); EPERM: alive, another user's.
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return null;
  }
  return parsed.data;
}
