/**
 * Layering, in the style of Ponder's: each stage may import only what sits below it. Every
 * TypeScript file of the project is parsed (oxc, through vite's `parseSync`), each relative import,
 * re-export and dynamic import (type-only ones too: a type couples two stages as much as a value)
 * is resolved to a file, and the rules below are checked. A forbidden import fails the build.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseSync } from "vite";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Folders of source code (tests may import anything: they assemble stages). */
const SOURCE_DIRS = [
  "bench",
  "cli",
  "dashboards",
  "graphql",
  "indexer",
  "prisma",
  "scripts",
  "sdk",
  "shared",
  "simulator",
];
const SKIP = new Set(["node_modules", "dist", "generated", "artifacts", "cache"]);

interface Rule {
  from: string;
  to: string;
  why: string;
}

/** `from` ↛ `to`: paths are folder prefixes relative to the repository root. */
const RULES: readonly Rule[] = [
  {
    from: "graphql/",
    to: "indexer/",
    why: "the API reads the database the indexer writes; it never runs indexer code",
  },
  {
    from: "graphql/",
    to: "simulator/",
    why: "the API serves real deployments; the simulator is a demo tool",
  },
  { from: "graphql/", to: "sdk/", why: "the API is read-only: it never sends transactions" },
  { from: "graphql/", to: "cli/", why: "the CLI composes the API, not the other way round" },
  { from: "indexer/", to: "graphql/", why: "the indexer knows nothing of its readers" },
  { from: "indexer/", to: "simulator/", why: "the indexer indexes any chain, not the simulator's" },
  { from: "indexer/", to: "sdk/", why: "the indexer reads the chain; the SDK writes it" },
  {
    from: "indexer/sync/",
    to: "indexer/store/",
    why: "syncing yields chain events; storing them is the next stage's job",
  },
  {
    from: "indexer/store/",
    to: "indexer/verify/",
    why: "the store queues files; the verifier (its own process) consumes the queue",
  },
  ...["indexer/store/", "indexer/sync/", "indexer/verify/", "indexer/ops/"].map((to) => ({
    from: "indexer/decode/",
    to,
    why: "decoding is a pure step: logs in, events out",
  })),
  ...["indexer/decode/", "indexer/store/", "indexer/sync/", "indexer/verify/", "indexer/ops/"].map((to) => ({
    from: "indexer/rpc/",
    to,
    why: "the RPC client knows nothing of what it fetches",
  })),
  ...["indexer/store/", "indexer/sync/", "indexer/decode/", "indexer/rpc/"].map((to) => ({
    from: "indexer/verify/",
    to,
    why: "the verifier runs as a process of its own (npm run verifier): the queue and IPFS, never the chain",
  })),
  ...["indexer/sync/", "indexer/verify/"].map((to) => ({
    from: "indexer/ops/",
    to,
    why: "process plumbing (health, leader lock, service life) shared by the indexer and the verifier",
  })),
  ...["indexer/", "graphql/", "simulator/", "sdk/", "cli/"].map((to) => ({
    from: "prisma/",
    to,
    why: "the schema, its migrations and its generator sit below every stage",
  })),
  { from: "sdk/", to: "indexer/", why: "the SDK is the write side, shipped without the indexer" },
  { from: "sdk/", to: "graphql/", why: "the SDK is the write side, shipped without the API" },
  { from: "sdk/", to: "simulator/", why: "the simulator drives the SDK, not the other way round" },
  { from: "simulator/", to: "indexer/", why: "the simulator only writes through the SDK" },
  { from: "simulator/", to: "graphql/", why: "the simulator only writes through the SDK" },
  ...["graphql/", "indexer/", "sdk/", "simulator/", "cli/", "dashboards/", "bench/", "prisma/"].map((to) => ({
    from: "shared/",
    to,
    why: "shared code sits below every stage",
  })),
];

interface ImportEdge {
  file: string;
  target: string;
  specifier: string;
}

/** The files a source imports (relative specifiers only; packages are not layers). */
function importsOf(file: string, source: string): ImportEdge[] {
  const { module } = parseSync(file, source);
  const specifiers = [
    ...module.staticImports.map((i) => i.moduleRequest.value),
    ...module.staticExports.flatMap((e) =>
      e.entries.flatMap((x) => (x.moduleRequest ? [x.moduleRequest.value] : [])),
    ),
    ...module.dynamicImports.map((d) => source.slice(d.moduleRequest.start, d.moduleRequest.end)),
  ];
  const edges: ImportEdge[] = [];
  for (const raw of specifiers) {
    // A dynamic import of a computed expression has no literal to resolve: it cannot be checked here.
    const literal = /^(["'`])(.*)\1$/.exec(raw);
    const specifier = literal ? literal[2]! : raw;
    if (!specifier.startsWith(".")) continue;
    edges.push({
      file,
      specifier,
      target: path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)),
    });
  }
  return edges;
}

function violations(edges: readonly ImportEdge[], rules: readonly Rule[] = RULES): string[] {
  const found: string[] = [];
  for (const edge of edges) {
    for (const rule of rules) {
      if (edge.file.startsWith(rule.from) && edge.target.startsWith(rule.to)) {
        found.push(`${edge.file} imports ${edge.specifier}: ${rule.from} ↛ ${rule.to} (${rule.why})`);
      }
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir))) {
    if (SKIP.has(entry)) continue;
    const rel = `${dir}/${entry}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.tsx?$/.test(entry) && !entry.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

describe("layering", () => {
  const files = SOURCE_DIRS.flatMap(sourceFiles);
  const edges = files.flatMap((file) => importsOf(file, readFileSync(path.join(ROOT, file), "utf8")));

  it("reads the whole project (the rules would pass vacuously on an empty list)", () => {
    expect(files.length).toBeGreaterThan(200);
    expect(edges.some((e) => e.file.startsWith("graphql/") && e.target.startsWith("shared/"))).toBe(true);
  });

  it("has no import that crosses a forbidden boundary", () => {
    expect(violations(edges)).toEqual([]);
  });

  it("catches every kind of import: value, type-only, re-export and dynamic", () => {
    const source = [
      'import { a } from "../indexer/a.ts";',
      'import type { B } from "../simulator/b.ts";',
      'export * from "../indexer/c.ts";',
      'const d = await import("../sdk/d.ts");',
      'import { ok } from "../shared/ok.ts";',
    ].join("\n");
    const found = violations(importsOf("graphql/probe.ts", source));
    expect(found).toHaveLength(4);
    expect(found.join("\n")).toMatch(/graphql\/probe\.ts imports \.\.\/simulator\/b\.ts/);
  });

  it("names the rule and its reason in a failure", () => {
    const [message] = violations(importsOf("indexer/sync/x.ts", 'import "../store/y.ts";'));
    expect(message).toBe(
      "indexer/sync/x.ts imports ../store/y.ts: indexer/sync/ ↛ indexer/store/ (syncing yields chain events; storing them is the next stage's job)",
    );
  });
});
