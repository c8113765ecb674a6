/**
 * docker-compose.yml as Compose reads it, without a Docker engine: YAML with merge keys, and
 * Compose's variable interpolation (${VAR}, ${VAR:-default}, ${VAR:?error}, $$).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";

export const ROOT = path.join(import.meta.dirname, "../..");

export interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}

export interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: string[];
  ports?: string[];
  restart?: string;
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition: string }> | string[];
}

export interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

export function readCompose(file = path.join(ROOT, "docker-compose.yml")): {
  text: string;
  compose: ComposeFile;
} {
  const text = readFileSync(file, "utf8");
  return { text, compose: parseYaml(text, { merge: true }) as ComposeFile };
}

/** A service's environment as a map of raw (uninterpolated) strings. */
export function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf("=");
        return i < 0 ? [entry, ""] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

export class MissingVariableError extends Error {}

/** Compose's interpolation of one value with `vars` (what .env and the shell would provide). */
export function interpolate(value: string, vars: Readonly<Record<string, string>>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      match,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (match === "$$") return "$";
      const name = (braced ?? bare)!;
      const v = vars[name];
      const unsetOrEmpty = v === undefined || (op?.startsWith(":") && v === "");
      if (op === ":-" || op === "-") return unsetOrEmpty ? (arg ?? "") : v!;
      if (op === ":?" || op === "?") {
        if (unsetOrEmpty) throw new MissingVariableError(`${name}: ${arg}`);
        return v!;
      }
      return v ?? "";
    },
  );
}

/** Names of the variables a text interpolates (not $$-escaped ones). */
export function referencedVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text
    .replace(/\$\$/g, "")
    .matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    names.add((m[1] ?? m[2])!);
  }
  return names;
}

/** "127.0.0.1:5432:5432" / "4000:4000" / "9090" → host and container ports. */
export function parsePort(spec: string): { hostIp: string | null; host: number | null; container: number } {
  const parts = spec.split("/")[0]!.split(":");
  if (parts.length === 1) return { hostIp: null, host: null, container: Number(parts[0]) };
  if (parts.length === 2) return { hostIp: null, host: Number(parts[0]), container: Number(parts[1]) };
  return { hostIp: parts[0]!, host: Number(parts[1]), container: Number(parts[2]) };
}

/** "name:/path[:ro]" or "./dir:/path[:ro]" → the source (named volume or host path) and target. */
export function parseVolume(spec: string): {
  source: string;
  target: string;
  bind: boolean;
  readOnly: boolean;
} {
  const [source, target, mode] = spec.split(":") as [string, string, string | undefined];
  return { source, target, bind: source.startsWith(".") || source.startsWith("/"), readOnly: mode === "ro" };
}

export function dependencies(service: Service): Record<string, string> {
  const d = service.depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((name) => [name, "service_started"]));
  return Object.fromEntries(Object.entries(d).map(([name, v]) => [name, v.condition]));
}
