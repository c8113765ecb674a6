/**
 * docker-compose.yml, the Dockerfile and the Prometheus and Grafana configuration they mount,
 * checked without a Docker engine (none runs here, and this Docker client has no `compose`
 * plugin to run `docker compose config` offline): structure, dependencies, volumes, ports, and
 * every environment variable of the indexer, the API and the CLI against their config schemas.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { cliConfigSchema, loadCliConfig } from "../../cli/config.ts";
import { apiConfigSchema } from "../../graphql/config.ts";
import { indexerConfigSchema } from "../../indexer/config.ts";
import { INDEXER_NODE_FLAGS } from "../../indexer/node-flags.ts";
import { verifierProcessConfigSchema } from "../../indexer/verify/config.ts";
import { parseConfig } from "../../shared/config.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import {
  type ComposeFile,
  dependencies,
  environmentOf,
  interpolate,
  MissingVariableError,
  parsePort,
  parseVolume,
  ROOT,
  readCompose,
  referencedVariables,
  type Service,
} from "./compose.ts";

const { compose } = readCompose();
const services = compose.services;

/** What a filled-in .env gives Compose: test values only, never real ones. */
const SAMPLE_ENV: Readonly<Record<string, string>> = {
  POSTGRES_PASSWORD: "a1".repeat(12),
  DOCTEL_DB_PASSWORD: "b2".repeat(12),
  DOCTEL_INDEXER_DB_PASSWORD: "e5".repeat(12),
  DOCTEL_API_DB_PASSWORD: "f6".repeat(12),
  GRAFANA_DB_PASSWORD: "c3".repeat(12),
  GRAFANA_ADMIN_PASSWORD: "d4".repeat(12),
  DOCTEL_PRIVATE_KEY: DEV_PRIVATE_KEYS[0],
  DOCTEL_PEPPER: "5a".repeat(32),
  SESSION_SECRET: "ab".repeat(32),
  ANALYTICS_SECRET: "cd".repeat(32),
  DOCTEL_PUBLIC_ORIGIN: "https://doctel.example",
};

/** A service's environment after interpolation with `vars`. */
const envOf = (name: string, vars: Readonly<Record<string, string>> = SAMPLE_ENV): Record<string, string> =>
  Object.fromEntries(
    Object.entries(environmentOf(services[name]!)).map(([k, v]) => [k, interpolate(v, vars)]),
  );

/** The keys of a zod object schema, through refinements and transforms. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const s = schema as unknown as { shape?: Record<string, z.ZodType>; in?: z.ZodType };
  if (s.shape) return s.shape;
  if (s.in) return shapeOf(s.in);
  throw new Error("not an object schema");
}
const requiredKeys = (schema: z.ZodType) =>
  Object.entries(shapeOf(schema))
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key);

const oneShots = (c: ComposeFile) => Object.keys(c.services).filter((n) => c.services[n]!.restart === "no");
const commandOf = (s: Service): string[] =>
  s.command === undefined ? [] : Array.isArray(s.command) ? s.command : s.command.split(/\s+/);

describe("docker-compose.yml", () => {
  it("runs the whole pipeline: database, IPFS, chain, deployment, migration, indexer, verifier, API, Prometheus, Grafana", () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        "api",
        "chain",
        "deploy",
        "grafana",
        "indexer",
        "kubo",
        "migrate",
        "postgres",
        "prometheus",
        "verifier",
      ].sort(),
    );
    expect(services.postgres!.image).toMatch(/^postgres:\d+/);
    expect(services.kubo!.image).toMatch(/^ipfs\/kubo:/);
    for (const name of ["chain", "deploy", "indexer", "verifier", "api"]) {
      expect(services[name]!.build?.context, name).toBe(".");
      expect(existsSync(path.join(ROOT, services[name]!.build!.dockerfile ?? "Dockerfile"))).toBe(true);
    }
  });

  it("gives every long-running service a healthcheck and a restart policy, and one-shots neither", () => {
    expect(oneShots(compose).sort()).toEqual(["deploy", "migrate"]);
    for (const [name, service] of Object.entries(services)) {
      if (service.restart === "no") {
        expect(service.healthcheck, `${name} is a one-shot`).toBeUndefined();
        continue;
      }
      expect(service.restart, name).toMatch(/^(always|unless-stopped|on-failure)/);
      const test = service.healthcheck?.test;
      expect(test, `${name} has a healthcheck`).toBeDefined();
      expect(service.healthcheck?.disable, name).not.toBe(true);
      expect(Array.isArray(test) ? test[0] : "CMD-SHELL", name).toMatch(/^CMD(-SHELL)?$/);
    }
  });

  it("orders start-up with conditions on defined services, healthy or completed, without cycles", () => {
    const one = new Set(oneShots(compose));
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependencies(service))) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        if (one.has(dep)) expect(condition, `${name} -> ${dep}`).toBe("service_completed_successfully");
        else {
          expect(condition, `${name} -> ${dep}`).toBe("service_healthy");
          expect(services[dep]!.healthcheck, dep).toBeDefined();
        }
      }
    }
    // A start-up order exists (Kahn's algorithm).
    const pending = new Map(
      Object.entries(services).map(([n, s]) => [n, new Set(Object.keys(dependencies(s)))]),
    );
    const order: string[] = [];
    while (pending.size > 0) {
      const ready = [...pending].filter(([, deps]) => deps.size === 0).map(([n]) => n);
      expect(ready.length, `a cycle among ${[...pending.keys()].join(", ")}`).toBeGreaterThan(0);
      for (const n of ready) {
        order.push(n);
        pending.delete(n);
        for (const deps of pending.values()) deps.delete(n);
      }
    }
    const startsBefore = (a: string, b: string) =>
      expect(order.indexOf(a), `${a} before ${b}`).toBeLessThan(order.indexOf(b));
    startsBefore("chain", "deploy");
    startsBefore("deploy", "indexer");
    startsBefore("postgres", "migrate");
    startsBefore("migrate", "indexer"); // the owner migrates; the indexer and the API may not
    startsBefore("migrate", "api");
    startsBefore("indexer", "api");
    startsBefore("migrate", "verifier"); // the verification queue's tables
    startsBefore("kubo", "verifier");
    startsBefore("postgres", "grafana");
  });

  it("declares every named volume it mounts, mounts every one it declares, and binds only paths that exist", () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    const used = new Set<string>();
    for (const [name, service] of Object.entries(services)) {
      for (const spec of service.volumes ?? []) {
        const v = parseVolume(spec);
        if (v.bind) {
          expect(existsSync(path.join(ROOT, v.source)), `${name}: ${v.source}`).toBe(true);
          expect(v.readOnly, `${name}: configuration is mounted read-only (${spec})`).toBe(true);
        } else {
          expect(declared.has(v.source), `${name}: volume ${v.source} is declared`).toBe(true);
          used.add(v.source);
        }
      }
    }
    expect([...used].sort()).toEqual([...declared].sort());
    // Data that must survive `docker compose down`: the database, the IPFS repo, the deployment record.
    const mount = (service: string, target: string) =>
      (services[service]!.volumes ?? []).map(parseVolume).find((v) => v.target === target && !v.bind);
    expect(mount("postgres", "/var/lib/postgresql")).toBeDefined();
    expect(mount("kubo", "/data/ipfs")).toBeDefined();
    expect(mount("deploy", "/app/.doctel")?.readOnly).toBe(false);
    for (const reader of ["indexer", "api"])
      expect(mount(reader, "/app/.doctel")?.readOnly, reader).toBe(true);
  });

  it("publishes no host port twice, and keeps the database, IPFS RPC, chain and metrics on the loopback", () => {
    const hostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map(parsePort));
    const published = hostPorts.filter((p) => p.host !== null).map((p) => p.host);
    expect(new Set(published).size).toBe(published.length);
    for (const name of ["postgres", "kubo", "chain", "indexer", "prometheus"]) {
      for (const p of (services[name]!.ports ?? []).map(parsePort)) expect(p.hostIp, name).toBe("127.0.0.1");
    }
  });

  it("takes every secret from .env (required, no literal), and documents every variable in .env.example", () => {
    const documented = new Set(
      readFileSync(path.join(ROOT, ".env.example"), "utf8")
        .split("\n")
        .map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l)?.[1])
        .filter((v): v is string => v !== undefined),
    );
    const referenced = referencedVariables(JSON.stringify(compose));
    expect([...referenced].sort()).toEqual(Object.keys(SAMPLE_ENV).sort());
    for (const name of referenced) expect(documented.has(name), `${name} in .env.example`).toBe(true);
    for (const [service, s] of Object.entries(services)) {
      for (const [key, raw] of Object.entries(environmentOf(s))) {
        if (/PASSWORD|SECRET|PEPPER|PRIVATE_KEY/.test(key)) {
          expect(raw, `${service}.${key}`).toMatch(/^\$\{[A-Z_]+(:-|:\?)[^}]*\}$/);
        }
        if (/^postgres(ql)?:\/\//.test(raw))
          expect(raw, `${service}.${key}`).toMatch(/:\$\{[A-Z_]+:\?[^}]*\}@/);
      }
    }
    // A missing secret stops Compose before anything starts.
    for (const secret of ["DOCTEL_PEPPER", "SESSION_SECRET", "DOCTEL_API_DB_PASSWORD"]) {
      expect(() => envOf("api", { ...SAMPLE_ENV, [secret]: "" })).toThrow(MissingVariableError);
    }
  });
});

describe("the environment of the DocTel containers", () => {
  const cases = [
    ["indexer", indexerConfigSchema],
    ["verifier", verifierProcessConfigSchema],
    ["api", apiConfigSchema],
  ] as const;

  for (const [name, schema] of cases) {
    it(`gives the ${name} only variables its config schema knows, every required one, and values it accepts`, () => {
      const env = envOf(name);
      const known = Object.keys(shapeOf(schema));
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
      for (const key of requiredKeys(schema)) expect(Object.keys(env), `${name} needs ${key}`).toContain(key);
      expect(() => parseConfig(schema, env)).not.toThrow();
    });
  }

  it("gives the one-shot deploy only CLI variables, with a key and a pepper the CLI accepts", () => {
    const env = envOf("deploy");
    const known = [...Object.keys(cliConfigSchema.shape), "DOCTEL_PRIVATE_KEY", "DOCTEL_PEPPER"];
    for (const key of Object.keys(env)) expect(known, key).toContain(key);
    const config = loadCliConfig(env, {});
    expect(config.privateKey).toBeDefined();
    expect(config.pepper).toBeDefined();
    // The same pepper as the API: the API refuses to start on another one.
    expect(env.DOCTEL_PEPPER).toBe(envOf("api").DOCTEL_PEPPER);
  });

  it("gives the one-shot migrate only the migration tool's variables", () => {
    expect(Object.keys(envOf("migrate")).sort()).toEqual(["DATABASE_URL", "LOG_FORMAT", "LOG_LEVEL"]);
    expect(commandOf(services.migrate!)).toEqual(["node", "prisma/migrate.ts", "deploy"]);
  });

  it("points everything at the same database, each process as its own login, and the same deployment record, chain and IPFS node", () => {
    const indexer = parseConfig(indexerConfigSchema, envOf("indexer"));
    const api = parseConfig(apiConfigSchema, envOf("api"));
    const pg = envOf("postgres");
    for (const [url, user, password] of [
      [envOf("migrate").DATABASE_URL!, pg.DOCTEL_DB_USER, pg.DOCTEL_DB_PASSWORD],
      [indexer.DATABASE_URL, pg.DOCTEL_INDEXER_DB_USER, pg.DOCTEL_INDEXER_DB_PASSWORD],
      [api.DATABASE_URL, pg.DOCTEL_API_DB_USER, pg.DOCTEL_API_DB_PASSWORD],
    ] as const) {
      const u = new URL(url);
      expect(u.hostname).toBe("postgres");
      expect(Number(u.port)).toBe(5432);
      expect(u.username).toBe(user);
      expect(decodeURIComponent(u.password)).toBe(password);
      expect(u.pathname).toBe(`/${pg.DOCTEL_DB_NAME}`);
    }
    expect(new Set([pg.DOCTEL_DB_USER, pg.DOCTEL_INDEXER_DB_USER, pg.DOCTEL_API_DB_USER]).size).toBe(3);
    const deploy = envOf("deploy");
    expect(indexer.DEPLOYMENT_FILE).toBe(deploy.DEPLOYMENT_FILE);
    expect(api.DEPLOYMENT_FILE).toBe(deploy.DEPLOYMENT_FILE);
    const verifier = parseConfig(verifierProcessConfigSchema, envOf("verifier"));
    expect(verifier.DATABASE_URL).toBe(indexer.DATABASE_URL);
    const host = (u: string) => new URL(u).hostname;
    expect(host(verifier.IPFS_API_URL)).toBe("kubo");
    // Files are verified by the verifier service, not inside the indexer.
    expect(indexer.VERIFY_ENABLED).toBe(false);
    expect(host(indexer.RPC_URL)).toBe("chain");
    expect(host(deploy.RPC_URL!)).toBe("chain");
    expect(host(api.IPFS_API_URL!)).toBe("kubo");
    expect(services.chain!.ports?.map(parsePort).map((p) => p.container)).toContain(
      Number(new URL(indexer.RPC_URL).port),
    );
  });

  it("lets the verifier scale: no published port, no container name, nothing that two replicas would share", () => {
    const verifier = services.verifier!;
    expect(verifier.ports ?? []).toEqual([]);
    expect((verifier as { container_name?: string }).container_name).toBeUndefined();
    expect((verifier.volumes ?? []).map(parseVolume).filter((v) => !v.bind)).toEqual([]);
  });

  it("lets Prometheus reach the indexer, the verifiers and the API: they listen on all interfaces, on the ports it scrapes", () => {
    const indexer = parseConfig(indexerConfigSchema, envOf("indexer"));
    const api = parseConfig(apiConfigSchema, envOf("api"));
    expect(indexer.OPS_HOST).toBe("0.0.0.0");
    expect(api.HOST).toBe("0.0.0.0");
    const prometheus = services.prometheus!;
    const configFile = commandOf(prometheus)
      .find((a) => a.startsWith("--config.file="))!
      .slice("--config.file=".length);
    const mounted = (prometheus.volumes ?? []).map(parseVolume).find((v) => v.target === configFile)!;
    expect(mounted.bind).toBe(true);
    const config = parseYaml(readFileSync(path.join(ROOT, mounted.source), "utf8")) as {
      scrape_configs: {
        job_name: string;
        metrics_path?: string;
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; type: string; port: number }[];
      }[];
    };
    // The scalable verifier is found by DNS (each replica), on its OPS_PORT.
    const verifier = parseConfig(verifierProcessConfigSchema, envOf("verifier"));
    const byDns = config.scrape_configs.flatMap((job) =>
      (job.dns_sd_configs ?? []).flatMap((sd) => sd.names.map((name) => [name, sd.port, job.metrics_path])),
    );
    expect(byDns).toContainEqual(["verifier", verifier.OPS_PORT, "/metrics"]);
    expect(verifier.OPS_HOST).toBe("0.0.0.0");
    expect(JSON.stringify(services.verifier!.healthcheck)).toContain(`:${verifier.OPS_PORT}/health`);
    const targets = new Map(
      config.scrape_configs.flatMap((job) =>
        (job.static_configs ?? []).flatMap((sc) =>
          sc.targets.map(
            (t) =>
              [
                t.split(":")[0]!,
                { port: Number(t.split(":")[1]), path: job.metrics_path ?? "/metrics" },
              ] as const,
          ),
        ),
      ),
    );
    expect(targets.get("indexer")).toEqual({ port: indexer.OPS_PORT, path: "/metrics" });
    // The API's metrics are on a port of their own, not published outside the compose network.
    expect(api.METRICS_HOST).toBe("0.0.0.0");
    expect(targets.get("api")).toEqual({ port: api.METRICS_PORT, path: "/metrics" });
    expect(services.api!.ports!.map(parsePort).map((p) => p.container)).not.toContain(api.METRICS_PORT);
    // Published ports and healthchecks use the same ports.
    expect(services.indexer!.ports!.map(parsePort).map((p) => p.container)).toContain(indexer.OPS_PORT);
    expect(services.api!.ports!.map(parsePort).map((p) => p.container)).toContain(api.PORT);
    expect(JSON.stringify(services.indexer!.healthcheck)).toContain(`:${indexer.OPS_PORT}/health`);
    expect(JSON.stringify(services.api!.healthcheck)).toContain(`:${api.PORT}/health`);
  });
});

describe("the image and the commands", () => {
  const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));

  it("builds on Node 24 with npm ci and npm run build, and runs as a non-root user", () => {
    expect(instructions[0]).toMatch(/^FROM node:24\b/);
    const runs = instructions.filter((l) => l.startsWith("RUN ")).join("\n");
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    const users = instructions.filter((l) => l.startsWith("USER "));
    expect(users.at(-1)).toMatch(/^USER (node|[1-9]\d*)$/);
    const ignored = readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["node_modules", ".env", ".doctel", ".git"]) expect(ignored).toContain(entry);
  });

  it("starts files that exist: the Dockerfile's CMD and every service command", () => {
    const cmd = instructions.find((l) => l.startsWith("CMD "))!;
    const commands: string[][] = [JSON.parse(cmd.slice(4)) as string[]];
    for (const s of Object.values(services)) if (s.build) commands.push(commandOf(s));
    const files: string[] = [];
    for (const argv of commands) {
      // node [V8 flags] script.ts …
      if (argv[0] === "node") files.push(argv.slice(1).find((a) => !a.startsWith("--"))!);
      else if (argv[0] === "npx") files.push(path.join("node_modules/.bin", argv[1]!));
      else if (argv[0] === "sh") {
        for (const m of argv.join(" ").matchAll(/\bnode (\S+\.ts)\b/g)) files.push(m[1]!);
      } else throw new Error(`unexpected command ${argv.join(" ")}`);
    }
    expect(files).toContain("indexer/main.ts");
    expect(files).toContain("graphql/main.ts");
    expect(files).toContain("cli/bin.ts");
    for (const file of files) expect(existsSync(path.join(ROOT, file)), file).toBe(true);
  });

  it("runs the indexer with the V8 flags that bound its memory", () => {
    const indexer = commandOf(services.indexer!);
    expect(indexer.slice(0, indexer.indexOf("indexer/main.ts"))).toEqual(["node", ...INDEXER_NODE_FLAGS]);
  });

  it("gives `npm run indexer` the same V8 flags as the compose service", () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.indexer).toBe(["node", ...INDEXER_NODE_FLAGS, "indexer/main.ts"].join(" "));
  });
});

describe("Grafana's provisioning", () => {
  const grafana = services.grafana!;
  const mounts = (grafana.volumes ?? []).map(parseVolume);
  /** The host path of a container path, through the bind mounts. */
  const hostPath = (containerPath: string): string | undefined => {
    const m = mounts.find(
      (v) => v.bind && (containerPath === v.target || containerPath.startsWith(`${v.target}/`)),
    );
    return m && path.join(ROOT, m.source, containerPath.slice(m.target.length));
  };

  it("mounts the provisioning folder, whose dashboard provider reads the dashboard JSON files", () => {
    const provisioning = hostPath("/etc/grafana/provisioning")!;
    expect(provisioning).toBe(path.join(ROOT, "dashboards/grafana/provisioning"));
    const providers = readdirSync(path.join(provisioning, "dashboards")).flatMap(
      (f) =>
        (
          parseYaml(readFileSync(path.join(provisioning, "dashboards", f), "utf8")) as {
            providers: { type: string; options: { path: string } }[];
          }
        ).providers,
    );
    expect(providers.length).toBeGreaterThan(0);
    for (const p of providers) {
      const dir = hostPath(p.options.path);
      expect(dir, `provider path ${p.options.path} is mounted`).toBeDefined();
      expect(statSync(dir!).isDirectory()).toBe(true);
      expect(
        readdirSync(dir!)
          .filter((f) => f.endsWith(".json"))
          .sort(),
      ).toEqual(["operations.json", "public-health.json"]);
    }
  });

  it("connects its data sources to Prometheus, and to PostgreSQL as the reporting login the init script creates", () => {
    const dir = path.join(ROOT, "dashboards/grafana/provisioning/datasources");
    const files = readdirSync(dir).map((f) => parseYaml(readFileSync(path.join(dir, f), "utf8")) as unknown);
    const env = envOf("grafana");
    // Grafana expands $VAR / ${VAR} in provisioning values from its own environment.
    for (const file of files) {
      for (const name of referencedVariables(JSON.stringify(file))) {
        expect(Object.keys(env), `grafana needs ${name}`).toContain(name);
      }
    }
    const sources = files.flatMap(
      (f) =>
        (
          JSON.parse(interpolate(JSON.stringify(f), env)) as {
            datasources: { type: string; url: string; user?: string; jsonData?: { database?: string } }[];
          }
        ).datasources,
    );
    const prometheus = sources.find((s) => s.type === "prometheus")!;
    expect(new URL(prometheus.url).hostname).toBe("prometheus");
    expect(services.prometheus!.ports!.map(parsePort).map((p) => p.container)).toContain(
      Number(new URL(prometheus.url).port),
    );
    const postgres = sources.find((s) => s.type === "grafana-postgresql-datasource")!;
    const pg = envOf("postgres");
    expect(postgres.url).toBe("postgres:5432");
    expect(postgres.user).toBe(pg.GRAFANA_DB_USER);
    expect(postgres.user).not.toBe(pg.DOCTEL_DB_USER);
    expect(postgres.jsonData?.database).toBe(pg.DOCTEL_DB_NAME);
    expect(env.GRAFANA_DB_PASSWORD).toBe(pg.GRAFANA_DB_PASSWORD);
    // The init script is mounted where the postgres image runs init scripts.
    const init = (services.postgres!.volumes ?? [])
      .map(parseVolume)
      .find((v) => v.target === "/docker-entrypoint-initdb.d")!;
    expect(readdirSync(path.join(ROOT, init.source))).toContain("10-doctel-users.sh");
  });
});
