import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";

/** Spawns `node <script>` and resolves with the first stdout line parsed as JSON. */
export async function spawnJsonLine<T>(
  script: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; value: T }> {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const value = await new Promise<T>((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line) as T));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before printing`)));
  });
  return { child, value };
}

/** Resident set size and its peak (VmHWM) of a process, in MiB, from /proc. */
export async function memoryOf(pid: number): Promise<{ rssMb: number; peakMb: number } | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc (null: gone). */
export async function cpuSecondsOf(pid: number): Promise<number | null> {
  try {
    const fields = statFields(await readFile(`/proc/${pid}/stat`, "utf8"));
    // utime and stime are the 14th and 15th fields of the line.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
/**
 * CPU time of a process tree's children so far, in seconds: each live child's, plus what exited
 * children used (the parent's cutime and cstime). For a PostgreSQL server: its backends' work.
 */
export async function childrenCpuSecondsOf(pid: number): Promise<number> {
  const { readdir } = await import("node:fs/promises");
  let ticks = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(await readFile(`/proc/${entry}/stat`, "utf8"));
      if (Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
      if (Number(entry) === pid) ticks += Number(fields[13]) + Number(fields[14]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / CLOCK_TICKS;
}

/** /proc/<pid>/stat after the command name (which may hold spaces): state, ppid, … */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** USER_HZ: 100 on Linux for every architecture Node runs on. */
const CLOCK_TICKS = 100;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}
