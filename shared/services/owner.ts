/**
 * Which process owns a resource on disk (a PostgreSQL data directory, an IPFS repository), so
 * that a restart can tell a resource in use from one left behind by a process that died
 * (SIGKILL, a power cut). An owner is a pid plus that process's start time, so a recycled pid
 * is not mistaken for the owner.
 */
import { readFileSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";

export interface Owner {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), where known. */
  startTicks?: number | undefined;
}

/** This process, as an owner. */
export function currentOwner(): Owner {
  return { pid: process.pid, startTicks: processStat(process.pid)?.startTicks };
}

/** Alive, not a zombie (a killed server's parent may never reap it), and the same process as recorded. */
export function isAlive(owner: Owner): boolean {
  if (!isRunning(owner.pid)) return false;
  if (owner.startTicks === undefined) return true;
  const stat = processStat(owner.pid);
  return stat === undefined || stat.startTicks === owner.startTicks;
}

/** Alive and not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return processStat(pid)?.state !== "Z";
}

/** Reads an owner file (`{"pid": …, "startTicks": …}`, other fields ignored); undefined if absent or unreadable. */
export async function readOwnerFile(file: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, "utf8")) as { pid?: unknown; startTicks?: unknown };
    if (typeof owner.pid !== "number") return undefined;
    return {
      pid: owner.pid,
      startTicks: typeof owner.startTicks === "number" ? owner.startTicks : undefined,
    };
  } catch {
    return undefined;
  }
}

/** Writes this process as the owner (atomically: a reader never sees half a file). */
export async function writeOwnerFile(file: string, extra: Record<string, unknown> = {}): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify({ ...currentOwner(), ...extra }));
  await rename(temporary, file);
}

/** /proc/<pid>/stat: "pid (comm) S ppid … starttime …"; comm may hold spaces or parentheses. */
function processStat(pid: number): { state: string; startTicks: number } | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state); starttime is field 22.
    return { state: fields[0] ?? "", startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}
